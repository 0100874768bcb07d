<?xml version="1.0" encoding="UTF-8"?>
<!--
  ogc-layer-to-unified.xsl — one record of an OGC service's capabilities, as
  harvester/ogc_caps.c hands it on (c:layer or c:service of
  xslt/ogc-capabilities-split.xsl, with the service's c:info as first child) →
  the unified record of schemas/unified-record.xsd.

  Reads the c: vocabulary only (urn:x-moisson:capabilities:1): every WFS / WMS
  version difference was resolved by the split stylesheet, including the WMS
  inheritance of extent, CRS and styles.  XSLT 1.0, common.xsl for emit*/trim.

    c:layer kind="featureType" (WFS) → m:type featureType
    c:layer kind="layer" (WMS)       → m:type dataset (ISO MD_ScopeCode has no
                                       "layer"; the link's protocol OGC:WMS and
                                       name keep what it is, as GeoNetwork does)
    c:service                        → m:type service, operatesOn = its layers
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:m="urn:x-moisson:record:1"
    xmlns:c="urn:x-moisson:capabilities:1"
    exclude-result-prefixes="c">

  <xsl:include href="common.xsl"/>

  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:template match="/">
    <xsl:apply-templates select="c:layer | c:service"/>
  </xsl:template>

  <!-- ============================================================ layers -->

  <xsl:template match="c:layer">
    <xsl:variable name="info" select="c:info"/>
    <m:record>
      <m:identifier><xsl:value-of select="@id"/></m:identifier>
      <m:schema>ogc-capabilities</m:schema>
      <xsl:apply-templates select="$info/c:language" mode="language"/>
      <m:type>
        <xsl:choose>
          <xsl:when test="@kind = 'featureType'">featureType</xsl:when>
          <xsl:otherwise>dataset</xsl:otherwise>
        </xsl:choose>
      </m:type>
      <m:title>
        <xsl:choose>
          <xsl:when test="c:title"><xsl:value-of select="c:title"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="c:name"/></xsl:otherwise>
        </xsl:choose>
      </m:title>
      <xsl:apply-templates select="c:abstract" mode="abstract"/>
      <xsl:apply-templates select="c:keyword" mode="keyword"/>
      <xsl:apply-templates select="$info" mode="parties"/>
      <xsl:apply-templates select="c:time" mode="temporal"/>
      <xsl:apply-templates select="c:bbox" mode="bbox"/>
      <xsl:apply-templates select="$info" mode="rights"/>
      <m:link url="{$info/@url}" protocol="OGC:{$info/@service}" name="{c:name}">
        <xsl:if test="c:title">
          <xsl:attribute name="description"><xsl:value-of select="c:title"/></xsl:attribute>
        </xsl:if>
      </m:link>
      <xsl:apply-templates select="c:metadata-url" mode="link"/>
      <xsl:choose>
        <xsl:when test="c:format">
          <xsl:apply-templates select="c:format" mode="format"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:apply-templates select="$info/c:format" mode="format"/>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:for-each select="c:crs">
        <m:crs><xsl:value-of select="."/></m:crs>
      </xsl:for-each>
    </m:record>
  </xsl:template>

  <!-- =========================================================== service -->

  <xsl:template match="c:service">
    <xsl:variable name="info" select="c:info"/>
    <m:record>
      <m:identifier><xsl:value-of select="@id"/></m:identifier>
      <m:schema>ogc-capabilities</m:schema>
      <xsl:apply-templates select="$info/c:language" mode="language"/>
      <m:type>service</m:type>
      <m:title>
        <xsl:choose>
          <xsl:when test="$info/c:title"><xsl:value-of select="$info/c:title"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="concat($info/@service, ' ', $info/@url)"/></xsl:otherwise>
        </xsl:choose>
      </m:title>
      <xsl:apply-templates select="$info/c:abstract" mode="abstract"/>
      <xsl:apply-templates select="$info/c:keyword" mode="keyword"/>
      <xsl:apply-templates select="$info" mode="parties"/>
      <xsl:apply-templates select="$info" mode="rights"/>
      <m:link url="{$info/@url}" protocol="OGC:{$info/@service}"
              description="{concat($info/@service, ' ', $info/@version)}"/>
      <xsl:apply-templates select="$info/c:format" mode="format"/>
      <m:serviceType>
        <xsl:choose>
          <xsl:when test="$info/@service = 'WFS'">download</xsl:when>
          <xsl:otherwise>view</xsl:otherwise>
        </xsl:choose>
      </m:serviceType>
      <xsl:for-each select="c:coupled">
        <m:operatesOn uuidref="{@id}"/>
      </xsl:for-each>
    </m:record>
  </xsl:template>

  <!-- ============================================================ shared -->

  <xsl:template match="c:language" mode="language">
    <m:language><xsl:value-of select="."/></m:language>
  </xsl:template>

  <xsl:template match="c:abstract" mode="abstract">
    <xsl:call-template name="emit">
      <xsl:with-param name="name" select="'abstract'"/>
      <xsl:with-param name="value">
        <xsl:call-template name="trim">
          <xsl:with-param name="s" select="string(.)"/>
        </xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="c:keyword" mode="keyword">
    <m:keyword>
      <xsl:if test="@vocabulary">
        <xsl:attribute name="thesaurus"><xsl:value-of select="@vocabulary"/></xsl:attribute>
      </xsl:if>
      <xsl:value-of select="."/>
    </m:keyword>
  </xsl:template>

  <!-- The provider as publisher; the contact person / organisation as point of
       contact (organisation: the contact's, else the provider). -->
  <xsl:template match="c:info" mode="parties">
    <xsl:if test="c:provider">
      <m:party scope="resource" role="publisher">
        <m:organisation><xsl:value-of select="c:provider"/></m:organisation>
      </m:party>
    </xsl:if>
    <xsl:variable name="org" select="(c:contact/c:organisation | c:provider)[1]"/>
    <xsl:if test="c:contact/c:individual or c:contact/c:email">
      <m:party scope="resource" role="pointOfContact">
        <xsl:if test="$org"><m:organisation><xsl:value-of select="$org"/></m:organisation></xsl:if>
        <xsl:if test="c:contact/c:individual"><m:individual><xsl:value-of select="c:contact/c:individual"/></m:individual></xsl:if>
        <xsl:if test="c:contact/c:email"><m:email><xsl:value-of select="c:contact/c:email"/></m:email></xsl:if>
      </m:party>
    </xsl:if>
  </xsl:template>

  <!-- Fees are the conditions of use (INSPIRE: conditions applying to access
       and use); access constraints limit public access.  Both one line,
       white space collapsed by the split. -->
  <xsl:template match="c:info" mode="rights">
    <xsl:for-each select="c:fees">
      <m:licence><xsl:value-of select="."/></m:licence>
    </xsl:for-each>
    <xsl:for-each select="c:access-constraints">
      <m:constraint><xsl:value-of select="."/></m:constraint>
    </xsl:for-each>
  </xsl:template>

  <!-- A WMS time extent "begin/end[/period]" (or a single instant, or a
       comma list: its first and last values). -->
  <xsl:template match="c:time" mode="temporal">
    <xsl:variable name="v" select="normalize-space(.)"/>
    <xsl:variable name="first">
      <xsl:choose>
        <xsl:when test="contains($v, ',')"><xsl:value-of select="substring-before($v, ',')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$v"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="begin">
      <xsl:choose>
        <xsl:when test="contains($first, '/')"><xsl:value-of select="substring-before($first, '/')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$first"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="end">
      <xsl:choose>
        <xsl:when test="contains($first, '/')">
          <xsl:value-of select="substring-before(concat(substring-after($first, '/'), '/'), '/')"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:call-template name="last-item">
            <xsl:with-param name="s" select="$v"/>
          </xsl:call-template>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="b" select="normalize-space($begin)"/>
    <xsl:variable name="e" select="normalize-space($end)"/>
    <xsl:if test="($b != '' and not(contains($b, ' '))) or ($e != '' and not(contains($e, ' ')))">
      <m:temporal>
        <xsl:if test="$b != '' and not(contains($b, ' '))">
          <xsl:attribute name="begin"><xsl:value-of select="$b"/></xsl:attribute>
        </xsl:if>
        <xsl:if test="$e != '' and not(contains($e, ' '))">
          <xsl:attribute name="end"><xsl:value-of select="$e"/></xsl:attribute>
        </xsl:if>
      </m:temporal>
    </xsl:if>
  </xsl:template>

  <!-- The last item of a comma list (recursion by halves: log2 depth). -->
  <xsl:template name="last-item">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="not(contains($s, ','))"><xsl:value-of select="$s"/></xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="last-item">
          <xsl:with-param name="s" select="substring-after($s, ',')"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- m:bbox when the four values are numbers within WGS84 degrees (MapServer
       writes projected coordinates into LatLongBoundingBox). -->
  <xsl:template match="c:bbox" mode="bbox">
    <xsl:if test="@west &gt;= -180 and @west &lt;= 180 and @east &gt;= -180 and @east &lt;= 180
                  and @south &gt;= -90 and @south &lt;= 90 and @north &gt;= -90 and @north &lt;= 90
                  and number(@south) &lt;= number(@north)">
      <xsl:call-template name="emit-bbox">
        <xsl:with-param name="west" select="@west"/>
        <xsl:with-param name="east" select="@east"/>
        <xsl:with-param name="south" select="@south"/>
        <xsl:with-param name="north" select="@north"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template match="c:metadata-url" mode="link">
    <m:link url="{@href}" function="information" name="MetadataURL">
      <xsl:call-template name="emit-attr">
        <xsl:with-param name="name" select="'description'"/>
        <xsl:with-param name="value" select="normalize-space(concat(@type, ' ', @format))"/>
      </xsl:call-template>
    </m:link>
  </xsl:template>

  <xsl:template match="c:format" mode="format">
    <m:format><xsl:value-of select="."/></m:format>
  </xsl:template>
</xsl:stylesheet>
