<?xml version="1.0" encoding="UTF-8"?>
<!--
  csw-record-to-unified.xsl — Dublin Core records of CSW 2.0.2 and 3.0
  (csw:Record, csw:SummaryRecord, csw:BriefRecord) → the unified record.

  Bounding boxes: ows:WGS84BoundingBox corners are "lon lat"; an ows:BoundingBox
  whose crs is EPSG 4326 (EPSG:4326, urn:ogc:def:crs:EPSG::4326, a versioned
  urn:ogc:def:crs:EPSG:6.6:4326, http://www.opengis.net/def/crs/EPSG/0/4326) is
  "lat lon" (the EPSG axis order); with CRS84 or no crs it is "lon lat"; boxes in
  any other CRS are dropped (the unified record holds WGS84 degrees only).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:m="urn:x-moisson:record:1"
    xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"
    xmlns:csw3="http://www.opengis.net/cat/csw/3.0"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:dct="http://purl.org/dc/terms/"
    xmlns:ows="http://www.opengis.net/ows"
    xmlns:ows11="http://www.opengis.net/ows/1.1"
    xmlns:ows2="http://www.opengis.net/ows/2.0"
    exclude-result-prefixes="csw csw3 dc dct ows ows11 ows2">

  <xsl:include href="common.xsl"/>
  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:template match="/">
    <xsl:apply-templates select="csw:Record | csw:SummaryRecord | csw:BriefRecord
                                 | csw3:Record | csw3:SummaryRecord | csw3:BriefRecord"/>
  </xsl:template>

  <xsl:template match="*">
    <m:record>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'identifier'"/>
        <xsl:with-param name="value" select="normalize-space(dc:identifier[normalize-space() != ''][1])"/>
      </xsl:call-template>
      <m:schema>csw-record</m:schema>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'language'"/>
        <xsl:with-param name="value" select="normalize-space(dc:language[normalize-space() != ''][1])"/>
      </xsl:call-template>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'parent'"/>
        <xsl:with-param name="value" select="normalize-space(dct:isPartOf[normalize-space() != ''][1])"/>
      </xsl:call-template>
      <m:type>
        <xsl:call-template name="scope-code">
          <xsl:with-param name="type" select="dc:type[normalize-space() != ''][1]"/>
        </xsl:call-template>
      </m:type>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'title'"/>
        <xsl:with-param name="value" select="normalize-space(dc:title[normalize-space() != ''][1])"/>
      </xsl:call-template>
      <xsl:for-each select="dct:alternative">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'altTitle'"/>
          <xsl:with-param name="value" select="normalize-space()"/>
        </xsl:call-template>
      </xsl:for-each>
      <!-- dct:abstract, else dc:description (GeoServer and pycsw write either). -->
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'abstract'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="(dct:abstract[normalize-space() != ''] | dc:description[normalize-space() != ''])[1]"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:for-each select="dc:subject[normalize-space() != '']">
        <m:keyword>
          <xsl:call-template name="emit-attr">
            <xsl:with-param name="name" select="'thesaurus'"/>
            <xsl:with-param name="value" select="normalize-space(@scheme)"/>
          </xsl:call-template>
          <xsl:value-of select="normalize-space()"/>
        </m:keyword>
      </xsl:for-each>
      <xsl:call-template name="party">
        <xsl:with-param name="nodes" select="dc:creator"/>
        <xsl:with-param name="role" select="'originator'"/>
      </xsl:call-template>
      <xsl:call-template name="party">
        <xsl:with-param name="nodes" select="dc:publisher"/>
        <xsl:with-param name="role" select="'publisher'"/>
      </xsl:call-template>
      <xsl:call-template name="party">
        <xsl:with-param name="nodes" select="dc:contributor"/>
        <xsl:with-param name="role" select="'contributor'"/>
      </xsl:call-template>
      <xsl:call-template name="dates"/>
      <xsl:apply-templates select="ows:WGS84BoundingBox | ows11:WGS84BoundingBox | ows2:WGS84BoundingBox
                                   | ows:BoundingBox | ows11:BoundingBox | ows2:BoundingBox"/>
      <xsl:for-each select="dc:language">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'resourceLanguage'"/>
          <xsl:with-param name="value" select="normalize-space()"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'lineage'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="dc:source[normalize-space() != ''][1]"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:for-each select="dct:license">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'licence'"/>
          <xsl:with-param name="value" select="normalize-space()"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="dc:rights | dct:accessRights">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'constraint'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="trim">
              <xsl:with-param name="s" select="."/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="dc:URI | dct:references" mode="link"/>
      <xsl:for-each select="dc:format">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'format'"/>
          <xsl:with-param name="value" select="normalize-space()"/>
        </xsl:call-template>
      </xsl:for-each>
      <!-- GeoNetwork lists the thumbnail as a dc:URI named "thumbnail" (it stays a
           link too). -->
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'thumbnail'"/>
        <xsl:with-param name="value" select="normalize-space(dc:URI[@name = 'thumbnail' and normalize-space() != ''][1])"/>
      </xsl:call-template>
    </m:record>
  </xsl:template>

  <xsl:template name="party">
    <xsl:param name="nodes"/>
    <xsl:param name="role"/>
    <xsl:for-each select="$nodes[normalize-space() != '']">
      <m:party role="{$role}" scope="resource">
        <m:organisation>
          <xsl:value-of select="normalize-space()"/>
        </m:organisation>
      </m:party>
    </xsl:for-each>
  </xsl:template>

  <!-- dct:created, dct:issued, dct:modified are explicit; dc:date (the generic
       date, GeoNetwork writes the metadata change date there) counts as a revision
       date only when no dct:modified is given. -->
  <xsl:template name="dates">
    <xsl:for-each select="dct:created">
      <xsl:call-template name="emit-date">
        <xsl:with-param name="type" select="'creation'"/>
        <xsl:with-param name="value" select="normalize-space()"/>
      </xsl:call-template>
    </xsl:for-each>
    <xsl:for-each select="dct:issued">
      <xsl:call-template name="emit-date">
        <xsl:with-param name="type" select="'publication'"/>
        <xsl:with-param name="value" select="normalize-space()"/>
      </xsl:call-template>
    </xsl:for-each>
    <xsl:for-each select="dct:modified | dc:date[not(../dct:modified)]">
      <xsl:call-template name="emit-date">
        <xsl:with-param name="type" select="'revision'"/>
        <xsl:with-param name="value" select="normalize-space()"/>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="ows:WGS84BoundingBox | ows11:WGS84BoundingBox | ows2:WGS84BoundingBox">
    <xsl:call-template name="corners">
      <xsl:with-param name="lat-first" select="false()"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="ows:BoundingBox | ows11:BoundingBox | ows2:BoundingBox">
    <xsl:variable name="crs" select="normalize-space(@crs)"/>
    <xsl:variable name="len" select="string-length($crs)"/>
    <xsl:variable name="is4326"
        select="$crs = 'EPSG:4326' or substring($crs, $len - 4) = ':4326'
                or substring($crs, $len - 4) = '/4326'"/>
    <xsl:variable name="is84"
        select="$crs = '' or substring($crs, $len - 4) = 'CRS84'"/>
    <xsl:if test="$is4326 or $is84">
      <xsl:call-template name="corners">
        <xsl:with-param name="lat-first" select="$is4326"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- LowerCorner / UpperCorner: two numbers separated by a blank. -->
  <xsl:template name="corners">
    <xsl:param name="lat-first"/>
    <xsl:variable name="lo" select="normalize-space(*[local-name() = 'LowerCorner'])"/>
    <xsl:variable name="hi" select="normalize-space(*[local-name() = 'UpperCorner'])"/>
    <xsl:variable name="lo1" select="substring-before($lo, ' ')"/>
    <xsl:variable name="lo2" select="substring-after($lo, ' ')"/>
    <xsl:variable name="hi1" select="substring-before($hi, ' ')"/>
    <xsl:variable name="hi2" select="substring-after($hi, ' ')"/>
    <xsl:choose>
      <xsl:when test="$lat-first">
        <xsl:call-template name="emit-bbox">
          <xsl:with-param name="west" select="$lo2"/>
          <xsl:with-param name="east" select="$hi2"/>
          <xsl:with-param name="south" select="$lo1"/>
          <xsl:with-param name="north" select="$hi1"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="emit-bbox">
          <xsl:with-param name="west" select="$lo1"/>
          <xsl:with-param name="east" select="$hi1"/>
          <xsl:with-param name="south" select="$lo2"/>
          <xsl:with-param name="north" select="$hi2"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- dc:URI carries protocol/name/description attributes (GeoNetwork); a
       dct:references may give its protocol as @scheme. -->
  <xsl:template match="dc:URI | dct:references" mode="link">
    <xsl:variable name="url" select="normalize-space()"/>
    <xsl:if test="$url != ''">
      <m:link url="{$url}">
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'protocol'"/>
          <xsl:with-param name="value" select="normalize-space(@protocol | @scheme)"/>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'name'"/>
          <xsl:with-param name="value" select="normalize-space(@name)"/>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'description'"/>
          <xsl:with-param name="value" select="normalize-space(@description)"/>
        </xsl:call-template>
      </m:link>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
