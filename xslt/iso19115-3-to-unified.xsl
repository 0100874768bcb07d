<?xml version="1.0" encoding="UTF-8"?>
<!--
  iso19115-3-to-unified.xsl — ISO 19115-3 (mdb:MD_Metadata, the 2.0 namespaces of
  standards.iso.org/iso/19115/-3/) → the unified record.

  Same field choices as iso19139-to-unified.xsl, written against the 19115-3
  packages (mdb, mri, cit, mcc, gex, mco, mrd, mrl, mrs, lan, srv 2.0 and 2.1).
  See xslt/README.md.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:m="urn:x-moisson:record:1"
    xmlns:mdb="http://standards.iso.org/iso/19115/-3/mdb/2.0"
    xmlns:mri="http://standards.iso.org/iso/19115/-3/mri/1.0"
    xmlns:cit="http://standards.iso.org/iso/19115/-3/cit/2.0"
    xmlns:mcc="http://standards.iso.org/iso/19115/-3/mcc/1.0"
    xmlns:gex="http://standards.iso.org/iso/19115/-3/gex/1.0"
    xmlns:mco="http://standards.iso.org/iso/19115/-3/mco/1.0"
    xmlns:mrd="http://standards.iso.org/iso/19115/-3/mrd/1.0"
    xmlns:mrl="http://standards.iso.org/iso/19115/-3/mrl/2.0"
    xmlns:mrs="http://standards.iso.org/iso/19115/-3/mrs/1.0"
    xmlns:lan="http://standards.iso.org/iso/19115/-3/lan/1.0"
    xmlns:srv="http://standards.iso.org/iso/19115/-3/srv/2.0"
    xmlns:srv21="http://standards.iso.org/iso/19115/-3/srv/2.1"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    exclude-result-prefixes="mdb mri cit mcc gex mco mrd mrl mrs lan srv srv21 xlink">

  <xsl:include href="common.xsl"/>
  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:template match="/">
    <xsl:apply-templates select="mdb:MD_Metadata"/>
  </xsl:template>

  <xsl:template match="mdb:MD_Metadata">
    <xsl:variable name="id" select="mdb:identificationInfo[1]/*[1]"/>
    <xsl:variable name="cit" select="$id/mri:citation/cit:CI_Citation"/>
    <xsl:variable name="extents" select="mdb:identificationInfo/*/mri:extent/gex:EX_Extent
                                         | mdb:identificationInfo/*/srv:extent/gex:EX_Extent
                                         | mdb:identificationInfo/*/srv21:extent/gex:EX_Extent"/>
    <m:record>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'identifier'"/>
        <xsl:with-param name="value" select="normalize-space(mdb:metadataIdentifier/mcc:MD_Identifier/mcc:code)"/>
      </xsl:call-template>
      <m:schema>iso19115-3</m:schema>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'language'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="iso-code">
            <xsl:with-param name="node" select="mdb:defaultLocale/lan:PT_Locale/lan:language"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <!-- The parent is a uuidref, or the identifier of a cited parent record. -->
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'parent'"/>
        <xsl:with-param name="value">
          <xsl:choose>
            <xsl:when test="normalize-space(mdb:parentMetadata/@uuidref) != ''">
              <xsl:value-of select="normalize-space(mdb:parentMetadata/@uuidref)"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="normalize-space(mdb:parentMetadata/cit:CI_Citation/cit:identifier/mcc:MD_Identifier/mcc:code)"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:variable name="scope">
        <xsl:call-template name="iso-code">
          <xsl:with-param name="node" select="mdb:metadataScope[1]/mdb:MD_MetadataScope/mdb:resourceScope"/>
        </xsl:call-template>
      </xsl:variable>
      <m:type>
        <xsl:choose>
          <xsl:when test="string($scope) != ''"><xsl:value-of select="$scope"/></xsl:when>
          <xsl:when test="$id/self::srv:SV_ServiceIdentification or $id/self::srv21:SV_ServiceIdentification">service</xsl:when>
          <xsl:otherwise>dataset</xsl:otherwise>
        </xsl:choose>
      </m:type>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'title'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="iso-text">
            <xsl:with-param name="node" select="$cit/cit:title"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:for-each select="$cit/cit:alternateTitle">
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
            <xsl:with-param name="node" select="$id/mri:abstract"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:apply-templates select="$id/mri:descriptiveKeywords/mri:MD_Keywords/mri:keyword"/>
      <xsl:for-each select="$id/mri:topicCategory">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'topic'"/>
          <xsl:with-param name="value" select="normalize-space(mri:MD_TopicCategoryCode)"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="$id/mri:pointOfContact/cit:CI_Responsibility
                                   | $cit/cit:citedResponsibleParty/cit:CI_Responsibility">
        <xsl:with-param name="scope" select="'resource'"/>
      </xsl:apply-templates>
      <xsl:apply-templates select="mdb:contact/cit:CI_Responsibility">
        <xsl:with-param name="scope" select="'metadata'"/>
      </xsl:apply-templates>
      <xsl:apply-templates select="$cit/cit:date/cit:CI_Date"/>
      <!-- The metadata date stamp: 19115-3 has no dateStamp; its mdb:dateInfo
           revision (else creation) date plays that part. -->
      <xsl:variable name="stamps" select="mdb:dateInfo/cit:CI_Date"/>
      <xsl:call-template name="emit-date">
        <xsl:with-param name="type" select="'metadata'"/>
        <xsl:with-param name="value">
          <xsl:choose>
            <xsl:when test="$stamps[cit:dateType/*/@codeListValue = 'revision']">
              <xsl:value-of select="normalize-space($stamps[cit:dateType/*/@codeListValue = 'revision'][1]/cit:date)"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="normalize-space($stamps[1]/cit:date)"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:for-each select="$extents/gex:temporalElement/*/gex:extent/*">
        <xsl:call-template name="emit-gml-time">
          <xsl:with-param name="node" select="."/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="$extents/gex:geographicElement/gex:EX_GeographicBoundingBox"/>
      <xsl:for-each select="$id/mri:defaultLocale/lan:PT_Locale/lan:language | $id/mri:otherLocale/lan:PT_Locale/lan:language">
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
            <xsl:with-param name="node" select="(mdb:resourceLineage/mrl:LI_Lineage/mrl:statement)[1]"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="constraints">
        <xsl:with-param name="id" select="$id"/>
      </xsl:call-template>
      <xsl:apply-templates select="mdb:distributionInfo//cit:CI_OnlineResource[ancestor::mrd:onLine]
                                   | $id/*/*/*[local-name() = 'connectPoint']/cit:CI_OnlineResource"/>
      <xsl:apply-templates select="mdb:distributionInfo//mrd:MD_Format"/>
      <xsl:apply-templates select="mdb:referenceSystemInfo/mrs:MD_ReferenceSystem/mrs:referenceSystemIdentifier/mcc:MD_Identifier"/>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'thumbnail'"/>
        <xsl:with-param name="value" select="normalize-space(($id/mri:graphicOverview/mcc:MD_BrowseGraphic/mcc:fileName[normalize-space() != ''])[1])"/>
      </xsl:call-template>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'serviceType'"/>
        <xsl:with-param name="value" select="normalize-space($id/srv:serviceType | $id/srv21:serviceType)"/>
      </xsl:call-template>
      <xsl:for-each select="$id/srv:operatesOn | $id/srv21:operatesOn">
        <xsl:if test="normalize-space(@uuidref) != '' or normalize-space(@xlink:href) != ''">
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
        </xsl:if>
      </xsl:for-each>
    </m:record>
  </xsl:template>

  <xsl:template match="mri:keyword">
    <xsl:variable name="text">
      <xsl:call-template name="iso-text"/>
    </xsl:variable>
    <xsl:if test="string($text) != ''">
      <m:keyword>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'thesaurus'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text">
              <xsl:with-param name="node" select="../mri:thesaurusName/cit:CI_Citation/cit:title"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'type'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-code">
              <xsl:with-param name="node" select="../mri:type"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:value-of select="$text"/>
      </m:keyword>
    </xsl:if>
  </xsl:template>

  <!-- A responsibility names an organisation (with perhaps an individual inside)
       or an individual alone. -->
  <xsl:template match="cit:CI_Responsibility">
    <xsl:param name="scope"/>
    <xsl:variable name="party" select="cit:party/*[1]"/>
    <xsl:variable name="org">
      <xsl:if test="$party/self::cit:CI_Organisation">
        <xsl:call-template name="iso-text">
          <xsl:with-param name="node" select="$party/cit:name"/>
        </xsl:call-template>
      </xsl:if>
    </xsl:variable>
    <xsl:variable name="individual">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="$party/self::cit:CI_Individual/cit:name
                                            | $party/cit:individual/cit:CI_Individual/cit:name"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="email">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="($party//cit:CI_Address/cit:electronicMailAddress[normalize-space() != ''])[1]"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="concat($org, $individual, $email) != ''">
      <m:party scope="{$scope}">
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'role'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-code">
              <xsl:with-param name="node" select="cit:role"/>
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

  <xsl:template match="cit:CI_Date">
    <xsl:variable name="type">
      <xsl:call-template name="iso-code">
        <xsl:with-param name="node" select="cit:dateType"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="$type = 'creation' or $type = 'publication' or $type = 'revision'">
      <xsl:call-template name="emit-date">
        <xsl:with-param name="type" select="$type"/>
        <xsl:with-param name="value" select="normalize-space(cit:date)"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template match="gex:EX_GeographicBoundingBox">
    <xsl:call-template name="emit-bbox">
      <xsl:with-param name="west" select="gex:westBoundLongitude"/>
      <xsl:with-param name="east" select="gex:eastBoundLongitude"/>
      <xsl:with-param name="south" select="gex:southBoundLatitude"/>
      <xsl:with-param name="north" select="gex:northBoundLatitude"/>
    </xsl:call-template>
  </xsl:template>

  <!-- Same licence / constraint rule as for ISO 19139 (see that stylesheet). -->
  <xsl:template name="constraints">
    <xsl:param name="id"/>
    <xsl:variable name="legal" select="$id/mri:resourceConstraints/*"/>
    <xsl:for-each select="$legal/mco:useLimitation
                          | $legal[mco:useConstraints and not(mco:accessConstraints)]/mco:otherConstraints">
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'licence'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="iso-text-or-href"/>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
    <xsl:for-each select="$legal[mco:accessConstraints or not(mco:useConstraints)]/mco:otherConstraints
                          | $legal/mco:accessConstraints[mco:MD_RestrictionCode/@codeListValue != 'otherRestrictions']">
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'constraint'"/>
        <xsl:with-param name="value">
          <xsl:choose>
            <xsl:when test="self::mco:accessConstraints">
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

  <xsl:template match="cit:CI_OnlineResource">
    <xsl:variable name="url">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="cit:linkage"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="string($url) != ''">
      <m:link url="{$url}">
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'protocol'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text">
              <xsl:with-param name="node" select="cit:protocol"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'name'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text">
              <xsl:with-param name="node" select="cit:name"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'description'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text">
              <xsl:with-param name="node" select="cit:description"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'function'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-code">
              <xsl:with-param name="node" select="cit:function"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </m:link>
    </xsl:if>
  </xsl:template>

  <!-- A format is the title of its specification citation, the edition its version. -->
  <xsl:template match="mrd:MD_Format">
    <xsl:variable name="spec" select="mrd:formatSpecificationCitation/cit:CI_Citation"/>
    <xsl:variable name="name">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="$spec/cit:title"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="string($name) != ''">
      <m:format>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'version'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="iso-text">
              <xsl:with-param name="node" select="$spec/cit:edition"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:value-of select="$name"/>
      </m:format>
    </xsl:if>
  </xsl:template>

  <xsl:template match="mcc:MD_Identifier">
    <xsl:variable name="code">
      <xsl:call-template name="iso-text-or-href">
        <xsl:with-param name="node" select="mcc:code"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="space">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="mcc:codeSpace"/>
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
</xsl:stylesheet>
