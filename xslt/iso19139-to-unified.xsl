<?xml version="1.0" encoding="UTF-8"?>
<!--
  iso19139-to-unified.xsl — ISO 19139 (gmd:MD_Metadata) and ISO 19115-2
  (gmi:MI_Metadata) records → the unified record (schemas/unified-record.xsd).

  Datasets, series, services (srv:SV_ServiceIdentification with srv:operatesOn and
  srv:coupledResource) and whatever hierarchy level the record declares.  See
  xslt/README.md for the field-by-field mapping.

  Written for speed (libxslt runs it on every new or changed record; each XPath
  evaluation costs a few thousand instructions): values are XPath expressions in
  select attributes, never result-tree fragments; namespace-qualified steps, not
  local-name() tests; apply-templates with modes on the nodes themselves instead of
  call-template with parameters (only emit-block, trim and emit-gml-time are
  called, once or twice per record).  Two idioms stand for the rules of common.xsl:
    * ISO free text of a property P (rule "PT_FreeText" of xslt/README.md):
        $t0 = normalize-space((P/*[self::gco:CharacterString or self::gmx:Anchor
                                   or self::gmd:Anchor])[1])
        $t  = concat($t0, normalize-space((P/gmd:PT_FreeText[$t0 = '']
                  //gmd:LocalisedCharacterString[normalize-space() != ''])[1]))
      the [$t0 = ''] guard keeps the localised text out when there is a main text
      (and spares walking PT_FreeText).
    * ISO code of a property P: the codeListValue of P/*[1], else its text:
        concat($code, substring(normalize-space(P/*[1]), 1 div ($code = '')))
      substring(s, 1 div true()) is s, substring(s, 1 div false()) =
      substring(s, Infinity) is '': XPath 1.0's "if".
  gmd:Anchor is not ISO 19139 but occurs in partner records (the stylesheet once
  matched every Anchor by local-name()).
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
      <xsl:variable name="identifier" select="normalize-space(gmd:fileIdentifier)"/>
      <xsl:if test="$identifier != ''">
        <m:identifier><xsl:value-of select="$identifier"/></m:identifier>
      </xsl:if>
      <m:schema>iso19139</m:schema>
      <xsl:apply-templates select="." mode="language"/>
      <xsl:variable name="parent" select="normalize-space(gmd:parentIdentifier)"/>
      <xsl:if test="$parent != ''">
        <m:parent><xsl:value-of select="$parent"/></m:parent>
      </xsl:if>
      <xsl:apply-templates select="." mode="type">
        <xsl:with-param name="id" select="$id"/>
      </xsl:apply-templates>
      <xsl:apply-templates select="$id" mode="titles"/>
      <xsl:call-template name="emit-block">
        <xsl:with-param name="name" select="'abstract'"/>
        <xsl:with-param name="nodes" select="$id/gmd:abstract"/>
      </xsl:call-template>
      <xsl:apply-templates select="$id/gmd:descriptiveKeywords/gmd:MD_Keywords" mode="keywords"/>
      <xsl:for-each select="$id/gmd:topicCategory">
        <xsl:variable name="topic" select="normalize-space(gmd:MD_TopicCategoryCode)"/>
        <xsl:if test="$topic != ''">
          <m:topic><xsl:value-of select="$topic"/></m:topic>
        </xsl:if>
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
      <xsl:variable name="stamp" select="normalize-space(gmd:dateStamp)"/>
      <xsl:if test="$stamp != ''">
        <m:date type="metadata"><xsl:value-of select="$stamp"/></m:date>
      </xsl:if>
      <xsl:for-each select="$extents/gmd:temporalElement/*/gmd:extent/*">
        <xsl:call-template name="emit-gml-time">
          <xsl:with-param name="node" select="."/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="$extents/gmd:geographicElement/gmd:EX_GeographicBoundingBox"/>
      <xsl:apply-templates select="$id/gmd:language" mode="resource-language"/>
      <xsl:call-template name="emit-block">
        <xsl:with-param name="name" select="'lineage'"/>
        <xsl:with-param name="nodes" select="(gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:lineage/gmd:LI_Lineage/gmd:statement)[1]"/>
      </xsl:call-template>
      <xsl:apply-templates select="$id" mode="constraints"/>
      <xsl:apply-templates select="gmd:distributionInfo//gmd:CI_OnlineResource
                                   | $id/srv:containsOperations/srv:SV_OperationMetadata/srv:connectPoint/gmd:CI_OnlineResource"/>
      <xsl:apply-templates select="gmd:distributionInfo//gmd:MD_Format"/>
      <xsl:apply-templates select="gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/gmd:referenceSystemIdentifier/gmd:RS_Identifier"/>
      <xsl:variable name="thumbnail" select="normalize-space(($id/gmd:graphicOverview/gmd:MD_BrowseGraphic/gmd:fileName[normalize-space() != ''])[1])"/>
      <xsl:if test="$thumbnail != ''">
        <m:thumbnail><xsl:value-of select="$thumbnail"/></m:thumbnail>
      </xsl:if>
      <xsl:variable name="service-type" select="normalize-space($id/srv:serviceType)"/>
      <xsl:if test="$service-type != ''">
        <m:serviceType><xsl:value-of select="$service-type"/></m:serviceType>
      </xsl:if>
      <xsl:apply-templates select="$id" mode="operates-on"/>
    </m:record>
  </xsl:template>

  <!-- m:language: the metadata language code (codeListValue, else text). -->
  <xsl:template match="*" mode="language">
    <xsl:variable name="code" select="normalize-space(gmd:language/*[1]/@codeListValue)"/>
    <xsl:variable name="language" select="concat($code, substring(normalize-space(gmd:language/*[1]), 1 div ($code = '')))"/>
    <xsl:if test="$language != ''">
      <m:language><xsl:value-of select="$language"/></m:language>
    </xsl:if>
  </xsl:template>

  <!-- m:type: the first hierarchyLevel code; without one, service for a service
       identification and dataset otherwise (the ISO default). -->
  <xsl:template match="*" mode="type">
    <xsl:param name="id"/>
    <xsl:variable name="code" select="normalize-space(gmd:hierarchyLevel[1]/*[1]/@codeListValue)"/>
    <xsl:variable name="level" select="concat($code, substring(normalize-space(gmd:hierarchyLevel[1]/*[1]), 1 div ($code = '')))"/>
    <m:type>
      <xsl:choose>
        <xsl:when test="$level != ''">
          <xsl:value-of select="$level"/>
        </xsl:when>
        <xsl:when test="$id/self::srv:SV_ServiceIdentification">service</xsl:when>
        <xsl:otherwise>dataset</xsl:otherwise>
      </xsl:choose>
    </m:type>
  </xsl:template>

  <!-- m:title and m:altTitle of the resource citation (the identification section
       in context). -->
  <xsl:template match="*" mode="titles">
    <xsl:variable name="titles" select="gmd:citation/gmd:CI_Citation/gmd:title"/>
    <xsl:variable name="t0" select="normalize-space(($titles/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
    <xsl:variable name="title" select="concat($t0, normalize-space(($titles/gmd:PT_FreeText[$t0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
    <xsl:if test="$title != ''">
      <m:title><xsl:value-of select="$title"/></m:title>
    </xsl:if>
    <xsl:for-each select="gmd:citation/gmd:CI_Citation/gmd:alternateTitle">
      <xsl:variable name="a0" select="normalize-space((*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
      <xsl:variable name="alt" select="concat($a0, normalize-space((gmd:PT_FreeText[$a0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
      <xsl:if test="$alt != ''">
        <m:altTitle><xsl:value-of select="$alt"/></m:altTitle>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- m:{name} with multi-line free text (abstract, lineage) of the properties
       nodes: the main text unless blank, else the first non-empty localised text;
       trimmed at both ends only.  Called twice per record, select params only. -->
  <xsl:template name="emit-block">
    <xsl:param name="name"/>
    <xsl:param name="nodes"/>
    <xsl:variable name="main" select="string(($nodes/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
    <xsl:variable name="blank" select="normalize-space($main) = ''"/>
    <xsl:variable name="text" select="concat(substring($main, 1 div not($blank)),
        substring(string(($nodes/gmd:PT_FreeText//gmd:LocalisedCharacterString[normalize-space() != ''])[1]), 1 div $blank))"/>
    <xsl:if test="normalize-space($text) != ''">
      <xsl:element name="m:{$name}" namespace="urn:x-moisson:record:1">
        <xsl:call-template name="trim">
          <xsl:with-param name="s" select="$text"/>
        </xsl:call-template>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <xsl:template match="gmd:language" mode="resource-language">
    <xsl:variable name="code" select="normalize-space(*[1]/@codeListValue)"/>
    <xsl:variable name="language" select="concat($code, substring(normalize-space(*[1]), 1 div ($code = '')))"/>
    <xsl:if test="$language != ''">
      <m:resourceLanguage><xsl:value-of select="$language"/></m:resourceLanguage>
    </xsl:if>
  </xsl:template>

  <!-- m:keyword: text (Anchor text included), thesaurus title and keyword type of
       its MD_Keywords, computed once for all its keywords. -->
  <xsl:template match="gmd:MD_Keywords" mode="keywords">
    <xsl:variable name="th0" select="normalize-space((gmd:thesaurusName/gmd:CI_Citation/gmd:title/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
    <xsl:variable name="thesaurus" select="concat($th0, normalize-space((gmd:thesaurusName/gmd:CI_Citation/gmd:title/gmd:PT_FreeText[$th0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
    <xsl:variable name="code" select="normalize-space(gmd:type/*[1]/@codeListValue)"/>
    <xsl:variable name="type" select="concat($code, substring(normalize-space(gmd:type/*[1]), 1 div ($code = '')))"/>
    <xsl:for-each select="gmd:keyword">
      <xsl:variable name="text" select="concat(normalize-space((*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1]),
          substring(normalize-space((gmd:PT_FreeText//gmd:LocalisedCharacterString[normalize-space() != ''])[1]),
                    1 div (normalize-space((*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1]) = '')))"/>
      <xsl:if test="$text != ''">
        <m:keyword>
          <xsl:if test="$thesaurus != ''">
            <xsl:attribute name="thesaurus"><xsl:value-of select="$thesaurus"/></xsl:attribute>
          </xsl:if>
          <xsl:if test="$type != ''">
            <xsl:attribute name="type"><xsl:value-of select="$type"/></xsl:attribute>
          </xsl:if>
          <xsl:value-of select="$text"/>
        </m:keyword>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="gmd:CI_ResponsibleParty">
    <xsl:param name="scope"/>
    <xsl:variable name="o0" select="normalize-space((gmd:organisationName/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
    <xsl:variable name="org" select="concat($o0, normalize-space((gmd:organisationName/gmd:PT_FreeText[$o0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
    <xsl:variable name="i0" select="normalize-space((gmd:individualName/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
    <xsl:variable name="individual" select="concat($i0, normalize-space((gmd:individualName/gmd:PT_FreeText[$i0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
    <xsl:variable name="mail" select="(gmd:contactInfo/gmd:CI_Contact/gmd:address/gmd:CI_Address/gmd:electronicMailAddress[normalize-space() != ''])[1]"/>
    <xsl:variable name="e0" select="normalize-space(($mail/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
    <xsl:variable name="email" select="concat($e0, normalize-space(($mail/gmd:PT_FreeText[$e0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
    <xsl:if test="concat($org, $individual, $email) != ''">
      <xsl:variable name="code" select="normalize-space(gmd:role/*[1]/@codeListValue)"/>
      <xsl:variable name="role" select="concat($code, substring(normalize-space(gmd:role/*[1]), 1 div ($code = '')))"/>
      <m:party scope="{$scope}">
        <xsl:if test="$role != ''">
          <xsl:attribute name="role"><xsl:value-of select="$role"/></xsl:attribute>
        </xsl:if>
        <xsl:if test="$org != ''">
          <m:organisation><xsl:value-of select="$org"/></m:organisation>
        </xsl:if>
        <xsl:if test="$individual != ''">
          <m:individual><xsl:value-of select="$individual"/></m:individual>
        </xsl:if>
        <xsl:if test="$email != ''">
          <m:email><xsl:value-of select="$email"/></m:email>
        </xsl:if>
      </m:party>
    </xsl:if>
  </xsl:template>

  <!-- Citation dates: only the three types the unified record knows. -->
  <xsl:template match="gmd:CI_Date">
    <xsl:variable name="code" select="normalize-space(gmd:dateType/*[1]/@codeListValue)"/>
    <xsl:variable name="type" select="concat($code, substring(normalize-space(gmd:dateType/*[1]), 1 div ($code = '')))"/>
    <xsl:if test="$type = 'creation' or $type = 'publication' or $type = 'revision'">
      <xsl:variable name="date" select="normalize-space(gmd:date)"/>
      <xsl:if test="$date != ''">
        <m:date type="{$type}"><xsl:value-of select="$date"/></m:date>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <!-- m:bbox only when the four values are numbers (see emit-bbox in common.xsl). -->
  <xsl:template match="gmd:EX_GeographicBoundingBox">
    <xsl:variable name="w" select="normalize-space(gmd:westBoundLongitude)"/>
    <xsl:variable name="e" select="normalize-space(gmd:eastBoundLongitude)"/>
    <xsl:variable name="s" select="normalize-space(gmd:southBoundLatitude)"/>
    <xsl:variable name="n" select="normalize-space(gmd:northBoundLatitude)"/>
    <xsl:if test="number($w) = number($w) and number($e) = number($e)
                  and number($s) = number($s) and number($n) = number($n)">
      <m:bbox west="{$w}" east="{$e}" south="{$s}" north="{$n}"/>
    </xsl:if>
  </xsl:template>

  <!-- Licences and constraints.  useLimitation is a licence / terms-of-use text;
       otherConstraints of a legal constraint that only states useConstraints (no
       accessConstraints) is the licence as French and INSPIRE records write it
       ("Licence Ouverte", an Anchor to a licence URL); every other otherConstraints
       is a constraint, and so is an access or use restriction code other than
       otherRestrictions (whose meaning is the text that follows). -->
  <xsl:template match="*" mode="constraints">
    <xsl:variable name="legal" select="gmd:resourceConstraints/*"/>
    <xsl:apply-templates select="$legal/gmd:useLimitation
                                 | $legal[gmd:useConstraints and not(gmd:accessConstraints)]/gmd:otherConstraints"
                         mode="text-or-href">
      <xsl:with-param name="name" select="'licence'"/>
    </xsl:apply-templates>
    <xsl:for-each select="$legal[gmd:accessConstraints or not(gmd:useConstraints)]/gmd:otherConstraints
                          | $legal/gmd:accessConstraints[gmd:MD_RestrictionCode/@codeListValue != 'otherRestrictions']">
      <xsl:choose>
        <xsl:when test="self::gmd:accessConstraints">
          <xsl:variable name="code" select="normalize-space(*[1]/@codeListValue)"/>
          <xsl:variable name="value" select="concat($code, substring(normalize-space(*[1]), 1 div ($code = '')))"/>
          <xsl:if test="$value != ''">
            <m:constraint><xsl:value-of select="$value"/></m:constraint>
          </xsl:if>
        </xsl:when>
        <xsl:otherwise>
          <xsl:apply-templates select="." mode="text-or-href">
            <xsl:with-param name="name" select="'constraint'"/>
          </xsl:apply-templates>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:for-each>
  </xsl:template>

  <!-- m:{name}: free text, or the xlink:href of an Anchor whose text is empty. -->
  <xsl:template match="*" mode="text-or-href">
    <xsl:param name="name"/>
    <xsl:variable name="t0" select="normalize-space((*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
    <xsl:variable name="text" select="concat($t0, normalize-space((gmd:PT_FreeText[$t0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
    <xsl:variable name="value" select="concat($text, substring(normalize-space((gmx:Anchor | gmd:Anchor)/@*[local-name() = 'href']), 1 div ($text = '')))"/>
    <xsl:if test="$value != ''">
      <xsl:element name="m:{$name}" namespace="urn:x-moisson:record:1">
        <xsl:value-of select="$value"/>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <xsl:template match="gmd:CI_OnlineResource">
    <xsl:variable name="url" select="normalize-space(gmd:linkage/gmd:URL)"/>
    <xsl:if test="$url != ''">
      <xsl:variable name="p0" select="normalize-space((gmd:protocol/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
      <xsl:variable name="protocol" select="concat($p0, normalize-space((gmd:protocol/gmd:PT_FreeText[$p0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
      <xsl:variable name="n0" select="normalize-space((gmd:name/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
      <xsl:variable name="name" select="concat($n0, normalize-space((gmd:name/gmd:PT_FreeText[$n0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
      <xsl:variable name="d0" select="normalize-space((gmd:description/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
      <xsl:variable name="description" select="concat($d0, normalize-space((gmd:description/gmd:PT_FreeText[$d0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
      <xsl:variable name="code" select="normalize-space(gmd:function/*[1]/@codeListValue)"/>
      <xsl:variable name="function" select="concat($code, substring(normalize-space(gmd:function/*[1]), 1 div ($code = '')))"/>
      <m:link url="{$url}">
        <xsl:if test="$protocol != ''">
          <xsl:attribute name="protocol"><xsl:value-of select="$protocol"/></xsl:attribute>
        </xsl:if>
        <xsl:if test="$name != ''">
          <xsl:attribute name="name"><xsl:value-of select="$name"/></xsl:attribute>
        </xsl:if>
        <xsl:if test="$description != ''">
          <xsl:attribute name="description"><xsl:value-of select="$description"/></xsl:attribute>
        </xsl:if>
        <xsl:if test="$function != ''">
          <xsl:attribute name="function"><xsl:value-of select="$function"/></xsl:attribute>
        </xsl:if>
      </m:link>
    </xsl:if>
  </xsl:template>

  <xsl:template match="gmd:MD_Format">
    <xsl:variable name="n0" select="normalize-space((gmd:name/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
    <xsl:variable name="name" select="concat($n0, normalize-space((gmd:name/gmd:PT_FreeText[$n0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
    <xsl:if test="$name != ''">
      <xsl:variable name="v0" select="normalize-space((gmd:version/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
      <xsl:variable name="version" select="concat($v0, normalize-space((gmd:version/gmd:PT_FreeText[$v0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
      <m:format>
        <xsl:if test="$version != ''">
          <xsl:attribute name="version"><xsl:value-of select="$version"/></xsl:attribute>
        </xsl:if>
        <xsl:value-of select="$name"/>
      </m:format>
    </xsl:if>
  </xsl:template>

  <!-- CRS: a bare number with an EPSG code space becomes EPSG:n; anything else is
       kept as written (an Anchor without text gives its href). -->
  <xsl:template match="gmd:RS_Identifier">
    <xsl:variable name="c0" select="normalize-space((gmd:code/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
    <xsl:variable name="c1" select="concat($c0, normalize-space((gmd:code/gmd:PT_FreeText[$c0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
    <xsl:variable name="code" select="concat($c1, substring(normalize-space((gmd:code/gmx:Anchor | gmd:code/gmd:Anchor)/@*[local-name() = 'href']), 1 div ($c1 = '')))"/>
    <xsl:if test="$code != ''">
      <xsl:variable name="s0" select="normalize-space((gmd:codeSpace/*[self::gco:CharacterString or self::gmx:Anchor or self::gmd:Anchor])[1])"/>
      <xsl:variable name="space" select="concat($s0, normalize-space((gmd:codeSpace/gmd:PT_FreeText[$s0 = '']//gmd:LocalisedCharacterString[normalize-space() != ''])[1]))"/>
      <m:crs>
        <xsl:choose>
          <xsl:when test="string(number($code)) != 'NaN' and contains(translate($space, 'epsg', 'EPSG'), 'EPSG')">
            <xsl:value-of select="concat('EPSG:', $code)"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="$code"/>
          </xsl:otherwise>
        </xsl:choose>
      </m:crs>
    </xsl:if>
  </xsl:template>

  <!-- Coupled resources: every srv:operatesOn (uuidref and/or href), then the
       identifiers of srv:SV_CoupledResource not already named by an operatesOn,
       each once. -->
  <xsl:template match="*" mode="operates-on">
    <xsl:variable name="id" select="."/>
    <xsl:for-each select="srv:operatesOn[normalize-space(@uuidref) != '' or normalize-space(@xlink:href) != '']">
      <xsl:variable name="uuidref" select="normalize-space(@uuidref)"/>
      <xsl:variable name="href" select="normalize-space(@xlink:href)"/>
      <m:operatesOn>
        <xsl:if test="$uuidref != ''">
          <xsl:attribute name="uuidref"><xsl:value-of select="$uuidref"/></xsl:attribute>
        </xsl:if>
        <xsl:if test="$href != ''">
          <xsl:attribute name="href"><xsl:value-of select="$href"/></xsl:attribute>
        </xsl:if>
      </m:operatesOn>
    </xsl:for-each>
    <xsl:for-each select="srv:coupledResource/srv:SV_CoupledResource/srv:identifier">
      <xsl:variable name="ref" select="normalize-space(.)"/>
      <xsl:if test="$ref != ''
                    and not($id/srv:operatesOn[normalize-space(@uuidref) = $ref])
                    and not(../../preceding-sibling::srv:coupledResource/srv:SV_CoupledResource/srv:identifier[normalize-space() = $ref])">
        <m:operatesOn uuidref="{$ref}"/>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
