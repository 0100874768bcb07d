<?xml version="1.0" encoding="UTF-8"?>
<!--
  unified-to-csw-record.xsl — a unified record (m:record) → Dublin Core as CSW
  2.0.2 defines it (schemas.opengis.net/csw/2.0.2/record.xsd), for every record
  of the index whatever its original shape.

  Parameter element-set: "brief" → csw:BriefRecord (dc:identifier, dc:title,
  dc:type, ows:BoundingBox); "summary" → csw:SummaryRecord (+ dc:subject,
  dc:format, dc:relation, dct:modified, dct:abstract, in the order of the schema);
  "full" (the default) → csw:Record (every DCMI term below, then the boxes).

  Bounding boxes: crs urn:ogc:def:crs:EPSG::4326 with EPSG axis order, corners
  "lat lon" — what pycsw writes (it names the same CRS urn:x-ogc:def:crs:
  EPSG:6.11:4326) and what OWSLib, GDAL and our own csw-record-to-unified.xsl
  read as latitude first.  dc:type is the ISO scope code (dataset, series,
  service…) as pycsw and GeoNetwork write it.

  Provenance (parameters sources, harvested, public-url) goes in the full
  record only, as dct:provenance; brief and summary records have no element
  for it.  dc:source carries the lineage, as csw-record-to-unified.xsl reads it.
  Kept cheap: plain selects and literal elements, one template per element set
  (GetRecords renders many of these per request).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:m="urn:x-moisson:record:1"
    xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:dct="http://purl.org/dc/terms/"
    xmlns:ows="http://www.opengis.net/ows"
    exclude-result-prefixes="m">

  <xsl:include href="common-out.xsl"/>
  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:param name="element-set" select="'full'"/>

  <xsl:variable name="topic-scheme"
      select="'http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#MD_TopicCategoryCode'"/>

  <xsl:template match="/">
    <xsl:if test="not(m:record)">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('not a unified record: root element {', namespace-uri(*), '}', local-name(*))"/>
      </xsl:message>
    </xsl:if>
    <xsl:choose>
      <xsl:when test="$element-set = 'brief'">
        <xsl:apply-templates select="m:record" mode="brief"/>
      </xsl:when>
      <xsl:when test="$element-set = 'summary'">
        <xsl:apply-templates select="m:record" mode="summary"/>
      </xsl:when>
      <xsl:when test="$element-set = 'full'">
        <xsl:apply-templates select="m:record" mode="full"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('unknown element-set &quot;', $element-set, '&quot; (brief, summary or full)')"/>
        </xsl:message>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="m:record" mode="brief">
    <csw:BriefRecord>
      <dc:identifier><xsl:value-of select="m:identifier"/></dc:identifier>
      <dc:title><xsl:value-of select="m:title"/></dc:title>
      <dc:type><xsl:value-of select="m:type"/></dc:type>
      <xsl:apply-templates select="m:bbox"/>
    </csw:BriefRecord>
  </xsl:template>

  <xsl:template match="m:record" mode="summary">
    <csw:SummaryRecord>
      <dc:identifier><xsl:value-of select="m:identifier"/></dc:identifier>
      <dc:title><xsl:value-of select="m:title"/></dc:title>
      <dc:type><xsl:value-of select="m:type"/></dc:type>
      <xsl:apply-templates select="m:keyword | m:topic"/>
      <xsl:for-each select="m:format">
        <dc:format><xsl:value-of select="."/></dc:format>
      </xsl:for-each>
      <xsl:for-each select="m:parent">
        <dc:relation><xsl:value-of select="."/></dc:relation>
      </xsl:for-each>
      <xsl:apply-templates select="m:operatesOn"/>
      <xsl:call-template name="modified"/>
      <xsl:for-each select="m:abstract">
        <dct:abstract><xsl:value-of select="."/></dct:abstract>
      </xsl:for-each>
      <xsl:apply-templates select="m:bbox"/>
    </csw:SummaryRecord>
  </xsl:template>

  <xsl:template match="m:record" mode="full">
    <csw:Record>
      <dc:identifier><xsl:value-of select="m:identifier"/></dc:identifier>
      <dc:title><xsl:value-of select="m:title"/></dc:title>
      <xsl:for-each select="m:altTitle">
        <dct:alternative><xsl:value-of select="."/></dct:alternative>
      </xsl:for-each>
      <dc:type><xsl:value-of select="m:type"/></dc:type>
      <xsl:apply-templates select="m:keyword | m:topic"/>
      <xsl:for-each select="m:format">
        <dc:format><xsl:value-of select="."/></dc:format>
      </xsl:for-each>
      <xsl:for-each select="m:abstract">
        <dct:abstract><xsl:value-of select="."/></dct:abstract>
      </xsl:for-each>
      <xsl:apply-templates select="m:party[not(@scope = 'metadata')]"/>
      <xsl:choose>
        <xsl:when test="m:resourceLanguage">
          <xsl:for-each select="m:resourceLanguage">
            <dc:language><xsl:value-of select="."/></dc:language>
          </xsl:for-each>
        </xsl:when>
        <xsl:otherwise>
          <xsl:for-each select="m:language">
            <dc:language><xsl:value-of select="."/></dc:language>
          </xsl:for-each>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:for-each select="m:date[@type = 'creation']">
        <dct:created><xsl:value-of select="."/></dct:created>
      </xsl:for-each>
      <xsl:for-each select="m:date[@type = 'publication']">
        <dct:issued><xsl:value-of select="."/></dct:issued>
      </xsl:for-each>
      <xsl:call-template name="modified"/>
      <xsl:for-each select="m:temporal">
        <dct:temporal><xsl:value-of select="concat(@begin, '/', @end)"/></dct:temporal>
      </xsl:for-each>
      <xsl:for-each select="m:lineage">
        <dc:source><xsl:value-of select="."/></dc:source>
      </xsl:for-each>
      <xsl:if test="$has-provenance">
        <dct:provenance><xsl:call-template name="provenance"/></dct:provenance>
      </xsl:if>
      <xsl:for-each select="m:parent">
        <dct:isPartOf><xsl:value-of select="."/></dct:isPartOf>
      </xsl:for-each>
      <xsl:apply-templates select="m:operatesOn"/>
      <xsl:for-each select="m:licence">
        <dct:license><xsl:value-of select="."/></dct:license>
      </xsl:for-each>
      <xsl:for-each select="m:constraint">
        <dc:rights><xsl:value-of select="."/></dc:rights>
      </xsl:for-each>
      <xsl:apply-templates select="m:link"/>
      <xsl:apply-templates select="m:bbox"/>
    </csw:Record>
  </xsl:template>

  <!-- ============================================================ elements -->

  <!-- dct:modified: the metadata date, else the revision date. -->
  <xsl:template name="modified">
    <xsl:choose>
      <xsl:when test="m:date[@type = 'metadata']">
        <dct:modified><xsl:value-of select="m:date[@type = 'metadata'][1]"/></dct:modified>
      </xsl:when>
      <xsl:when test="m:date[@type = 'revision']">
        <dct:modified><xsl:value-of select="m:date[@type = 'revision'][1]"/></dct:modified>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- A thesaurus that is a URI names the keyword's scheme; a title does not
       fit the xs:anyURI attribute and is left out. -->
  <xsl:template match="m:keyword">
    <dc:subject>
      <xsl:if test="(starts-with(@thesaurus, 'http://') or starts-with(@thesaurus, 'https://')
                     or starts-with(@thesaurus, 'urn:'))
                    and not(contains(@thesaurus, ' ') or contains(@thesaurus, '%')
                            or contains(@thesaurus, '[') or contains(@thesaurus, ']')
                            or contains(substring-after(@thesaurus, '#'), '#'))">
        <xsl:attribute name="scheme"><xsl:value-of select="@thesaurus"/></xsl:attribute>
      </xsl:if>
      <xsl:value-of select="."/>
    </dc:subject>
  </xsl:template>

  <xsl:template match="m:topic">
    <dc:subject scheme="{$topic-scheme}"><xsl:value-of select="."/></dc:subject>
  </xsl:template>

  <!-- Resource parties by role, as OWS Common 1.1 (OGC 06-121r3, table 36)
       maps a point of contact to Dublin Core: originator → dc:creator,
       publisher → dc:publisher, author (and any other role) → dc:contributor.
       The organisation, else the person. -->
  <xsl:template match="m:party">
    <xsl:variable name="name">
      <xsl:choose>
        <xsl:when test="m:organisation"><xsl:value-of select="m:organisation"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="m:individual"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="$name != ''">
      <xsl:choose>
        <xsl:when test="@role = 'originator'">
          <dc:creator><xsl:value-of select="$name"/></dc:creator>
        </xsl:when>
        <xsl:when test="@role = 'publisher'">
          <dc:publisher><xsl:value-of select="$name"/></dc:publisher>
        </xsl:when>
        <xsl:otherwise>
          <dc:contributor><xsl:value-of select="$name"/></dc:contributor>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>

  <xsl:template match="m:operatesOn">
    <dc:relation>
      <xsl:choose>
        <xsl:when test="@uuidref"><xsl:value-of select="@uuidref"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="@href"/></xsl:otherwise>
      </xsl:choose>
    </dc:relation>
  </xsl:template>

  <!-- Links: dct:references, the protocol as scheme (OWSLib reads it so). -->
  <xsl:template match="m:link">
    <dct:references>
      <xsl:if test="@protocol">
        <xsl:attribute name="scheme">
          <xsl:call-template name="safe-uri">
            <xsl:with-param name="u" select="string(@protocol)"/>
          </xsl:call-template>
        </xsl:attribute>
      </xsl:if>
      <xsl:value-of select="@url"/>
    </dct:references>
  </xsl:template>

  <xsl:template match="m:bbox">
    <ows:BoundingBox crs="urn:ogc:def:crs:EPSG::4326" dimensions="2">
      <ows:LowerCorner><xsl:value-of select="concat(normalize-space(@south), ' ', normalize-space(@west))"/></ows:LowerCorner>
      <ows:UpperCorner><xsl:value-of select="concat(normalize-space(@north), ' ', normalize-space(@east))"/></ows:UpperCorner>
    </ows:BoundingBox>
  </xsl:template>

</xsl:stylesheet>
