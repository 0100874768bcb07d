<?xml version="1.0" encoding="UTF-8"?>
<!--
  iso19139-to-unified.xsl — ISO 19139 (gmd:MD_Metadata) and ISO 19115-2
  (gmi:MI_Metadata) records → the unified record (schemas/unified-record.xsd).

  Datasets, series, services (srv:SV_ServiceIdentification with srv:operatesOn and
  srv:coupledResource) and whatever hierarchy level the record declares.  See
  xslt/README.md for the field-by-field mapping.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:m="urn:x-moisson:record:1"
    xmlns:gmd="http://www.isotc211.org/2005/gmd"
    xmlns:gmi="http://www.isotc211.org/2005/gmi"
    xmlns:gco="http://www.isotc211.org/2005/gco"
    xmlns:gmx="http://www.isotc211.org/2005/gmx"
    xmlns:srv="http://www.isotc211.org/2005/srv"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    exclude-result-prefixes="gmd gmi gco gmx srv xlink">

  <xsl:include href="common.xsl"/>
  <xsl:output method="xml" encoding="UTF-8" indent="no"/>
  <xsl:strip-space elements="*"/>

  <xsl:template match="/">
    <xsl:apply-templates select="gmd:MD_Metadata | gmi:MI_Metadata | *[@gco:isoType = 'gmd:MD_Metadata']"/>
  </xsl:template>

  <!-- Profiles that extend gmd:MD_Metadata by substitution (GeoCat's
       che:CHE_MD_Metadata) say so with gco:isoType and are read as ISO 19139. -->
  <xsl:template match="gmd:MD_Metadata | gmi:MI_Metadata | *[@gco:isoType = 'gmd:MD_Metadata']">
    <!-- The first identification section describes the resource. -->
    <xsl:variable name="id" select="gmd:identificationInfo[1]/*[1]"/>
    <xsl:variable name="cit" select="$id/gmd:citation/gmd:CI_Citation"/>
    <xsl:variable name="extents" select="gmd:identificationInfo/*/gmd:extent/gmd:EX_Extent
                                         | gmd:identificationInfo/*/srv:extent/gmd:EX_Extent"/>
    <m:record>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'identifier'"/>
        <xsl:with-param name="value" select="normalize-space(gmd:fileIdentifier)"/>
      </xsl:call-template>
      <m:schema>iso19139</m:schema>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'language'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="iso-code">
            <xsl:with-param name="node" select="gmd:language"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'parent'"/>
        <xsl:with-param name="value" select="normalize-space(gmd:parentIdentifier)"/>
      </xsl:call-template>
      <xsl:call-template name="record-type">
        <xsl:with-param name="id" select="$id"/>
      </xsl:call-template>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'title'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="iso-text">
            <xsl:with-param name="node" select="$cit/gmd:title"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:for-each select="$cit/gmd:alternateTitle">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'altTitle'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'abstract'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="iso-block">
            <xsl:with-param name="node" select="$id/gmd:abstract"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:apply-templates select="$id/gmd:descriptiveKeywords/gmd:MD_Keywords/gmd:keyword"/>
      <xsl:for-each select="$id/gmd:topicCategory">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'topic'"/>
          <xsl:with-param name="value" select="normalize-space(gmd:MD_TopicCategoryCode)"/>
        </xsl:call-template>
      </xsl:for-each>
      <!-- Resource parties (point of contact, cited parties) before the metadata contact. -->
      <xsl:apply-templates select="$id/gmd:pointOfContact/gmd:CI_ResponsibleParty
                                   | $cit/gmd:citedResponsibleParty/gmd:CI_ResponsibleParty">
        <xsl:with-param name="scope" select="'resource'"/>
      </xsl:apply-templates>
      <xsl:apply-templates select="gmd:contact/gmd:CI_ResponsibleParty">
        <xsl:with-param name="scope" select="'metadata'"/>
      </xsl:apply-templates>
      <xsl:apply-templates select="$cit/gmd:date/gmd:CI_Date"/>
      <xsl:call-template name="emit-date">
        <xsl:with-param name="type" select="'metadata'"/>
        <xsl:with-param name="value" select="normalize-space(gmd:dateStamp)"/>
      </xsl:call-template>
      <xsl:for-each select="$extents/gmd:temporalElement/*/gmd:extent/*">
        <xsl:call-template name="emit-gml-time">
          <xsl:with-param name="node" select="."/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="$extents/gmd:geographicElement/gmd:EX_GeographicBoundingBox"/>
      <xsl:for-each select="$id/gmd:language">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'resourceLanguage'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-code"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'lineage'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="iso-block">
            <xsl:with-param name="node" select="(gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:lineage/gmd:LI_Lineage/gmd:statement)[1]"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="constraints">
        <xsl:with-param name="id" select="$id"/>
      </xsl:call-template>
      <xsl:apply-templates select="gmd:distributionInfo//gmd:CI_OnlineResource
                                   | $id/srv:containsOperations/srv:SV_OperationMetadata/srv:connectPoint/gmd:CI_OnlineResource"/>
      <xsl:apply-templates select="gmd:distributionInfo//gmd:MD_Format"/>
      <xsl:apply-templates select="gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/gmd:referenceSystemIdentifier/gmd:RS_Identifier"/>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'thumbnail'"/>
        <xsl:with-param name="value" select="normalize-space(($id/gmd:graphicOverview/gmd:MD_BrowseGraphic/gmd:fileName[normalize-space() != ''])[1])"/>
      </xsl:call-template>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'serviceType'"/>
        <xsl:with-param name="value" select="normalize-space($id/srv:serviceType)"/>
      </xsl:call-template>
      <xsl:call-template name="operates-on">
        <xsl:with-param name="id" select="$id"/>
      </xsl:call-template>
    </m:record>
  </xsl:template>

  <!-- m:type: the first hierarchyLevel code; without one, service for a service
       identification and dataset otherwise (the ISO default). -->
  <xsl:template name="record-type">
    <xsl:param name="id"/>
    <xsl:variable name="level">
      <xsl:call-template name="iso-code">
        <xsl:with-param name="node" select="gmd:hierarchyLevel[1]"/>
      </xsl:call-template>
    </xsl:variable>
    <m:type>
      <xsl:choose>
        <xsl:when test="string($level) != ''">
          <xsl:value-of select="$level"/>
        </xsl:when>
        <xsl:when test="$id/self::srv:SV_ServiceIdentification">service</xsl:when>
        <xsl:otherwise>dataset</xsl:otherwise>
      </xsl:choose>
    </m:type>
  </xsl:template>

  <!-- m:keyword: text (Anchor text included), thesaurus title, keyword type. -->
  <xsl:template match="gmd:keyword">
    <xsl:variable name="text">
      <xsl:call-template name="iso-text"/>
    </xsl:variable>
    <xsl:if test="string($text) != ''">
      <m:keyword>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'thesaurus'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text">
              <xsl:with-param name="node" select="../gmd:thesaurusName/gmd:CI_Citation/gmd:title"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'type'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-code">
              <xsl:with-param name="node" select="../gmd:type"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:value-of select="$text"/>
      </m:keyword>
    </xsl:if>
  </xsl:template>

  <xsl:template match="gmd:CI_ResponsibleParty">
    <xsl:param name="scope"/>
    <xsl:variable name="org">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="gmd:organisationName"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="individual">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="gmd:individualName"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="email">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="(gmd:contactInfo/gmd:CI_Contact/gmd:address/gmd:CI_Address/gmd:electronicMailAddress[normalize-space() != ''])[1]"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="concat($org, $individual, $email) != ''">
      <m:party scope="{$scope}">
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'role'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-code">
              <xsl:with-param name="node" select="gmd:role"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'organisation'"/>
          <xsl:with-param name="value" select="$org"/>
        </xsl:call-template>
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'individual'"/>
          <xsl:with-param name="value" select="$individual"/>
        </xsl:call-template>
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'email'"/>
          <xsl:with-param name="value" select="$email"/>
        </xsl:call-template>
      </m:party>
    </xsl:if>
  </xsl:template>

  <!-- Citation dates: only the three types the unified record knows. -->
  <xsl:template match="gmd:CI_Date">
    <xsl:variable name="type">
      <xsl:call-template name="iso-code">
        <xsl:with-param name="node" select="gmd:dateType"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="$type = 'creation' or $type = 'publication' or $type = 'revision'">
      <xsl:call-template name="emit-date">
        <xsl:with-param name="type" select="$type"/>
        <xsl:with-param name="value" select="normalize-space(gmd:date)"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template match="gmd:EX_GeographicBoundingBox">
    <xsl:call-template name="emit-bbox">
      <xsl:with-param name="west" select="gmd:westBoundLongitude"/>
      <xsl:with-param name="east" select="gmd:eastBoundLongitude"/>
      <xsl:with-param name="south" select="gmd:southBoundLatitude"/>
      <xsl:with-param name="north" select="gmd:northBoundLatitude"/>
    </xsl:call-template>
  </xsl:template>

  <!-- Licences and constraints.  useLimitation is a licence / terms-of-use text;
       otherConstraints of a legal constraint that only states useConstraints (no
       accessConstraints) is the licence as French and INSPIRE records write it
       ("Licence Ouverte", an Anchor to a licence URL); every other otherConstraints
       is a constraint, and so is an access or use restriction code other than
       otherRestrictions (whose meaning is the text that follows). -->
  <xsl:template name="constraints">
    <xsl:param name="id"/>
    <xsl:variable name="legal" select="$id/gmd:resourceConstraints/*"/>
    <xsl:for-each select="$legal/gmd:useLimitation
                          | $legal[gmd:useConstraints and not(gmd:accessConstraints)]/gmd:otherConstraints">
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'licence'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="iso-text-or-href"/>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
    <xsl:for-each select="$legal[gmd:accessConstraints or not(gmd:useConstraints)]/gmd:otherConstraints
                          | $legal/gmd:accessConstraints[gmd:MD_RestrictionCode/@codeListValue != 'otherRestrictions']">
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'constraint'"/>
        <xsl:with-param name="value">
          <xsl:choose>
            <xsl:when test="self::gmd:accessConstraints">
              <xsl:call-template name="iso-code"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:call-template name="iso-text-or-href"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="gmd:CI_OnlineResource">
    <xsl:variable name="url" select="normalize-space(gmd:linkage/gmd:URL)"/>
    <xsl:if test="$url != ''">
      <m:link url="{$url}">
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'protocol'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text">
              <xsl:with-param name="node" select="gmd:protocol"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'name'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text">
              <xsl:with-param name="node" select="gmd:name"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'description'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text">
              <xsl:with-param name="node" select="gmd:description"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'function'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-code">
              <xsl:with-param name="node" select="gmd:function"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </m:link>
    </xsl:if>
  </xsl:template>

  <xsl:template match="gmd:MD_Format">
    <xsl:variable name="name">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="gmd:name"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="string($name) != ''">
      <m:format>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'version'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text">
              <xsl:with-param name="node" select="gmd:version"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:value-of select="$name"/>
      </m:format>
    </xsl:if>
  </xsl:template>

  <!-- CRS: a bare number with an EPSG code space becomes EPSG:n; anything else is
       kept as written (an Anchor without text gives its href). -->
  <xsl:template match="gmd:RS_Identifier">
    <xsl:variable name="code">
      <xsl:call-template name="iso-text-or-href">
        <xsl:with-param name="node" select="gmd:code"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="space">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="gmd:codeSpace"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:call-template name="emit">
      <xsl:with-param name="name" select="'crs'"/>
      <xsl:with-param name="value">
        <xsl:choose>
          <xsl:when test="string(number($code)) != 'NaN' and contains(translate($space, 'epsg', 'EPSG'), 'EPSG')">
            <xsl:value-of select="concat('EPSG:', $code)"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="$code"/>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- Coupled resources: every srv:operatesOn (uuidref and/or href), then the
       identifiers of srv:SV_CoupledResource not already named by an operatesOn,
       each once. -->
  <xsl:template name="operates-on">
    <xsl:param name="id"/>
    <xsl:for-each select="$id/srv:operatesOn[normalize-space(@uuidref) != '' or normalize-space(@xlink:href) != '']">
      <m:operatesOn>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'uuidref'"/>
          <xsl:with-param name="value" select="normalize-space(@uuidref)"/>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'href'"/>
          <xsl:with-param name="value" select="normalize-space(@xlink:href)"/>
        </xsl:call-template>
      </m:operatesOn>
    </xsl:for-each>
    <xsl:for-each select="$id/srv:coupledResource/srv:SV_CoupledResource/srv:identifier">
      <xsl:variable name="ref" select="normalize-space(.)"/>
      <xsl:if test="$ref != ''
                    and not($id/srv:operatesOn[normalize-space(@uuidref) = $ref])
                    and not(../../preceding-sibling::srv:coupledResource/srv:SV_CoupledResource/srv:identifier[normalize-space() = $ref])">
        <m:operatesOn uuidref="{$ref}"/>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
