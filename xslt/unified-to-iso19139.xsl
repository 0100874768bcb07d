<?xml version="1.0" encoding="UTF-8"?>
<!--
  unified-to-iso19139.xsl — a unified record (m:record) → a full ISO 19139
  gmd:MD_Metadata that validates against the ISO schemas (IGN EDEN 2009 set:
  gmd, gco, srv, gml 3.2; the corpus wrapper iso19139-2005-all.xsd).

  Used for the records that did not come in as ISO 19139 (Dublin Core, DCAT,
  ISO 19115-3…); an ISO record harvested as ISO is served as the partner wrote
  it and never goes through here.  Brief and summary element sets are made from
  this output by iso19139-element-set.xsl.

  Mandatory ISO elements the unified record cannot fill are written empty with
  gco:nilReason ("missing" when the partner gave nothing, "unknown" when the
  unified record does not keep it: thesaurus dates, format versions, service
  coupling and operations).  Values the ISO schemas type strictly are checked
  first and dropped when they would not validate: dates (common-out.xsl
  date-kind), topic categories (the 19 MD_TopicCategoryCode values), URLs are
  made xs:anyURI-safe (safe-uri).

  Provenance (parameters sources, harvested, public-url): a gmd:LI_Source in
  the lineage of gmd:dataQualityInfo — see xslt/README.md, "Output stylesheets".
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:m="urn:x-moisson:record:1"
    xmlns:gmd="http://www.isotc211.org/2005/gmd"
    xmlns:gco="http://www.isotc211.org/2005/gco"
    xmlns:srv="http://www.isotc211.org/2005/srv"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    exclude-result-prefixes="m">

  <xsl:include href="common-out.xsl"/>
  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:variable name="cl" select="'http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#'"/>
  <xsl:variable name="topics"
      select="' farming biota boundaries climatologyMeteorologyAtmosphere economy elevation environment geoscientificInformation health imageryBaseMapsEarthCover intelligenceMilitary inlandWaters location oceans planningCadastre society structure transportation utilitiesCommunication '"/>
  <xsl:variable name="roles"
      select="' resourceProvider custodian owner user distributor originator pointOfContact principalInvestigator processor publisher author '"/>

  <xsl:key name="keyword-group" match="m:keyword" use="concat(@thesaurus, '&#9;', @type)"/>

  <xsl:template match="/">
    <xsl:if test="not(m:record)">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('not a unified record: root element {', namespace-uri(*), '}', local-name(*))"/>
      </xsl:message>
    </xsl:if>
    <xsl:apply-templates select="m:record"/>
  </xsl:template>

  <xsl:template match="m:record">
    <xsl:variable name="service" select="m:type = 'service'"/>
    <gmd:MD_Metadata>
      <gmd:fileIdentifier>
        <gco:CharacterString><xsl:value-of select="m:identifier"/></gco:CharacterString>
      </gmd:fileIdentifier>
      <xsl:apply-templates select="m:language" mode="language"/>
      <gmd:characterSet>
        <gmd:MD_CharacterSetCode codeList="{$cl}MD_CharacterSetCode" codeListValue="utf8">utf8</gmd:MD_CharacterSetCode>
      </gmd:characterSet>
      <xsl:if test="m:parent">
        <gmd:parentIdentifier>
          <gco:CharacterString><xsl:value-of select="m:parent"/></gco:CharacterString>
        </gmd:parentIdentifier>
      </xsl:if>
      <gmd:hierarchyLevel>
        <xsl:call-template name="scope-code"/>
      </gmd:hierarchyLevel>
      <xsl:choose>
        <xsl:when test="m:party[@scope = 'metadata']">
          <xsl:for-each select="m:party[@scope = 'metadata']">
            <gmd:contact>
              <xsl:apply-templates select="." mode="party"/>
            </gmd:contact>
          </xsl:for-each>
        </xsl:when>
        <xsl:otherwise>
          <gmd:contact gco:nilReason="missing"/>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:call-template name="date-stamp"/>
      <gmd:metadataStandardName>
        <gco:CharacterString>ISO 19115:2003/19139</gco:CharacterString>
      </gmd:metadataStandardName>
      <gmd:metadataStandardVersion>
        <gco:CharacterString>1.0</gco:CharacterString>
      </gmd:metadataStandardVersion>
      <xsl:for-each select="m:crs">
        <gmd:referenceSystemInfo>
          <gmd:MD_ReferenceSystem>
            <gmd:referenceSystemIdentifier>
              <gmd:RS_Identifier>
                <gmd:code>
                  <gco:CharacterString><xsl:value-of select="."/></gco:CharacterString>
                </gmd:code>
              </gmd:RS_Identifier>
            </gmd:referenceSystemIdentifier>
          </gmd:MD_ReferenceSystem>
        </gmd:referenceSystemInfo>
      </xsl:for-each>
      <gmd:identificationInfo>
        <xsl:choose>
          <xsl:when test="$service">
            <srv:SV_ServiceIdentification>
              <xsl:call-template name="identification-common"/>
              <xsl:choose>
                <xsl:when test="m:serviceType">
                  <srv:serviceType>
                    <gco:LocalName><xsl:value-of select="m:serviceType"/></gco:LocalName>
                  </srv:serviceType>
                </xsl:when>
                <xsl:otherwise>
                  <srv:serviceType gco:nilReason="missing"/>
                </xsl:otherwise>
              </xsl:choose>
              <xsl:if test="m:bbox or m:temporal">
                <srv:extent>
                  <xsl:call-template name="extent"/>
                </srv:extent>
              </xsl:if>
              <srv:couplingType gco:nilReason="unknown"/>
              <srv:containsOperations gco:nilReason="unknown"/>
              <xsl:for-each select="m:operatesOn">
                <srv:operatesOn>
                  <xsl:if test="@uuidref">
                    <xsl:attribute name="uuidref"><xsl:value-of select="@uuidref"/></xsl:attribute>
                  </xsl:if>
                  <xsl:if test="@href">
                    <xsl:attribute name="xlink:href">
                      <xsl:call-template name="safe-uri">
                        <xsl:with-param name="u" select="string(@href)"/>
                      </xsl:call-template>
                    </xsl:attribute>
                  </xsl:if>
                </srv:operatesOn>
              </xsl:for-each>
            </srv:SV_ServiceIdentification>
          </xsl:when>
          <xsl:otherwise>
            <gmd:MD_DataIdentification>
              <xsl:call-template name="identification-common"/>
              <xsl:choose>
                <xsl:when test="m:resourceLanguage">
                  <xsl:apply-templates select="m:resourceLanguage" mode="language"/>
                </xsl:when>
                <xsl:when test="m:language">
                  <xsl:apply-templates select="m:language" mode="language"/>
                </xsl:when>
                <xsl:otherwise>
                  <gmd:language gco:nilReason="missing"/>
                </xsl:otherwise>
              </xsl:choose>
              <xsl:for-each select="m:topic[contains($topics, concat(' ', ., ' '))]">
                <gmd:topicCategory>
                  <gmd:MD_TopicCategoryCode><xsl:value-of select="."/></gmd:MD_TopicCategoryCode>
                </gmd:topicCategory>
              </xsl:for-each>
              <xsl:if test="m:bbox or m:temporal">
                <gmd:extent>
                  <xsl:call-template name="extent"/>
                </gmd:extent>
              </xsl:if>
            </gmd:MD_DataIdentification>
          </xsl:otherwise>
        </xsl:choose>
      </gmd:identificationInfo>
      <xsl:if test="m:format or m:link">
        <xsl:call-template name="distribution"/>
      </xsl:if>
      <xsl:if test="m:lineage or $has-provenance">
        <xsl:call-template name="data-quality"/>
      </xsl:if>
    </gmd:MD_Metadata>
  </xsl:template>

  <!-- ============================================================ pieces -->

  <xsl:template name="scope-code">
    <gmd:MD_ScopeCode codeList="{$cl}MD_ScopeCode" codeListValue="{m:type}">
      <xsl:value-of select="m:type"/>
    </gmd:MD_ScopeCode>
  </xsl:template>

  <!-- A three-letter code as gmd:LanguageCode (ISO 639-2, lower case), anything
       else (fr, fr-FR, "French") as text. -->
  <xsl:template match="m:language | m:resourceLanguage" mode="language">
    <xsl:variable name="code"
        select="translate(., 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"/>
    <gmd:language>
      <xsl:choose>
        <xsl:when test="string-length($code) = 3
                        and translate($code, 'abcdefghijklmnopqrstuvwxyz', '') = ''">
          <gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/" codeListValue="{$code}">
            <xsl:value-of select="$code"/>
          </gmd:LanguageCode>
        </xsl:when>
        <xsl:otherwise>
          <gco:CharacterString><xsl:value-of select="."/></gco:CharacterString>
        </xsl:otherwise>
      </xsl:choose>
    </gmd:language>
  </xsl:template>

  <!-- gco:Date or gco:DateTime for $d, or nothing when it would not validate.
       "YYYY-MM-DDThh:mm" (no seconds), which xs:dateTime refuses, gets ":00"
       (the conditional concat below: substring(':00', 1, 3 * true) is ':00'). -->
  <xsl:template name="gco-date">
    <xsl:param name="d"/>
    <xsl:variable name="value"
        select="concat(substring($d, 1, 16),
                       substring(':00', 1, 3 * number(substring(translate($d, '0123456789', '9999999999'), 1, 16) = '9999-99-99T99:99'
                                                      and substring($d, 17, 1) != ':')),
                       substring($d, 17))"/>
    <xsl:variable name="kind">
      <xsl:call-template name="date-kind">
        <xsl:with-param name="d" select="$value"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$kind = 'date'">
        <gco:Date><xsl:value-of select="$value"/></gco:Date>
      </xsl:when>
      <xsl:when test="$kind = 'datetime'">
        <gco:DateTime><xsl:value-of select="$value"/></gco:DateTime>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- The harvest date as gco:Date / gco:DateTime, or empty (computed once). -->
  <xsl:variable name="harvested-gco">
    <xsl:call-template name="gco-date">
      <xsl:with-param name="d" select="$harvested-text"/>
    </xsl:call-template>
  </xsl:variable>

  <!-- The metadata date stamp: the metadata date, else the revision date, else
       the harvest date (the first that validates), else nil.  A cascade, so
       that the usual record checks one date. -->
  <xsl:template name="date-stamp">
    <xsl:variable name="metadata">
      <xsl:if test="m:date[@type = 'metadata']">
        <xsl:call-template name="gco-date">
          <xsl:with-param name="d" select="string(m:date[@type = 'metadata'])"/>
        </xsl:call-template>
      </xsl:if>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="string($metadata) != ''">
        <gmd:dateStamp><xsl:copy-of select="$metadata"/></gmd:dateStamp>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="revision">
          <xsl:if test="m:date[@type = 'revision']">
            <xsl:call-template name="gco-date">
              <xsl:with-param name="d" select="string(m:date[@type = 'revision'])"/>
            </xsl:call-template>
          </xsl:if>
        </xsl:variable>
        <xsl:choose>
          <xsl:when test="string($revision) != ''">
            <gmd:dateStamp><xsl:copy-of select="$revision"/></gmd:dateStamp>
          </xsl:when>
          <xsl:when test="string($harvested-gco) != ''">
            <gmd:dateStamp><xsl:copy-of select="$harvested-gco"/></gmd:dateStamp>
          </xsl:when>
          <xsl:otherwise>
            <gmd:dateStamp gco:nilReason="missing"/>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="m:party" mode="party">
    <gmd:CI_ResponsibleParty>
      <xsl:if test="m:individual">
        <gmd:individualName>
          <gco:CharacterString><xsl:value-of select="m:individual"/></gco:CharacterString>
        </gmd:individualName>
      </xsl:if>
      <xsl:if test="m:organisation">
        <gmd:organisationName>
          <gco:CharacterString><xsl:value-of select="m:organisation"/></gco:CharacterString>
        </gmd:organisationName>
      </xsl:if>
      <xsl:if test="m:email">
        <gmd:contactInfo>
          <gmd:CI_Contact>
            <gmd:address>
              <gmd:CI_Address>
                <gmd:electronicMailAddress>
                  <gco:CharacterString><xsl:value-of select="m:email"/></gco:CharacterString>
                </gmd:electronicMailAddress>
              </gmd:CI_Address>
            </gmd:address>
          </gmd:CI_Contact>
        </gmd:contactInfo>
      </xsl:if>
      <xsl:variable name="role">
        <xsl:choose>
          <xsl:when test="contains($roles, concat(' ', @role, ' ')) and @role != ''">
            <xsl:value-of select="@role"/>
          </xsl:when>
          <xsl:otherwise>pointOfContact</xsl:otherwise>
        </xsl:choose>
      </xsl:variable>
      <gmd:role>
        <gmd:CI_RoleCode codeList="{$cl}CI_RoleCode" codeListValue="{$role}">
          <xsl:value-of select="$role"/>
        </gmd:CI_RoleCode>
      </gmd:role>
    </gmd:CI_ResponsibleParty>
  </xsl:template>

  <!-- citation … resourceConstraints: what MD_DataIdentification and
       SV_ServiceIdentification share (AbstractMD_Identification), in order. -->
  <xsl:template name="identification-common">
    <gmd:citation>
      <gmd:CI_Citation>
        <xsl:choose>
          <xsl:when test="m:title">
            <gmd:title>
              <gco:CharacterString><xsl:value-of select="m:title"/></gco:CharacterString>
            </gmd:title>
          </xsl:when>
          <xsl:otherwise>
            <gmd:title gco:nilReason="missing"/>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:for-each select="m:altTitle">
          <gmd:alternateTitle>
            <gco:CharacterString><xsl:value-of select="."/></gco:CharacterString>
          </gmd:alternateTitle>
        </xsl:for-each>
        <xsl:variable name="dates">
          <xsl:apply-templates select="m:date[@type != 'metadata']" mode="ci-date"/>
        </xsl:variable>
        <xsl:choose>
          <xsl:when test="string($dates) != ''">
            <xsl:copy-of select="$dates"/>
          </xsl:when>
          <xsl:otherwise>
            <gmd:date gco:nilReason="missing"/>
          </xsl:otherwise>
        </xsl:choose>
      </gmd:CI_Citation>
    </gmd:citation>
    <xsl:choose>
      <xsl:when test="m:abstract">
        <gmd:abstract>
          <gco:CharacterString><xsl:value-of select="m:abstract"/></gco:CharacterString>
        </gmd:abstract>
      </xsl:when>
      <xsl:otherwise>
        <gmd:abstract gco:nilReason="missing"/>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:for-each select="m:party[not(@scope = 'metadata')]">
      <gmd:pointOfContact>
        <xsl:apply-templates select="." mode="party"/>
      </gmd:pointOfContact>
    </xsl:for-each>
    <xsl:for-each select="m:thumbnail">
      <gmd:graphicOverview>
        <gmd:MD_BrowseGraphic>
          <gmd:fileName>
            <gco:CharacterString><xsl:value-of select="."/></gco:CharacterString>
          </gmd:fileName>
        </gmd:MD_BrowseGraphic>
      </gmd:graphicOverview>
    </xsl:for-each>
    <xsl:for-each select="m:keyword[generate-id()
                          = generate-id(key('keyword-group', concat(@thesaurus, '&#9;', @type))[1])]">
      <gmd:descriptiveKeywords>
        <gmd:MD_Keywords>
          <xsl:for-each select="key('keyword-group', concat(@thesaurus, '&#9;', @type))">
            <gmd:keyword>
              <gco:CharacterString><xsl:value-of select="."/></gco:CharacterString>
            </gmd:keyword>
          </xsl:for-each>
          <xsl:if test="@type">
            <gmd:type>
              <gmd:MD_KeywordTypeCode codeList="{$cl}MD_KeywordTypeCode" codeListValue="{@type}">
                <xsl:value-of select="@type"/>
              </gmd:MD_KeywordTypeCode>
            </gmd:type>
          </xsl:if>
          <xsl:if test="@thesaurus">
            <gmd:thesaurusName>
              <gmd:CI_Citation>
                <gmd:title>
                  <gco:CharacterString><xsl:value-of select="@thesaurus"/></gco:CharacterString>
                </gmd:title>
                <gmd:date gco:nilReason="unknown"/>
              </gmd:CI_Citation>
            </gmd:thesaurusName>
          </xsl:if>
        </gmd:MD_Keywords>
      </gmd:descriptiveKeywords>
    </xsl:for-each>
    <!-- licences: use constraints; other constraints: access constraints (the
         split iso19139-to-unified.xsl reads back) -->
    <xsl:for-each select="m:licence | m:constraint">
      <gmd:resourceConstraints>
        <gmd:MD_LegalConstraints>
          <xsl:choose>
            <xsl:when test="self::m:licence">
              <gmd:useConstraints>
                <gmd:MD_RestrictionCode codeList="{$cl}MD_RestrictionCode" codeListValue="otherRestrictions">otherRestrictions</gmd:MD_RestrictionCode>
              </gmd:useConstraints>
            </xsl:when>
            <xsl:otherwise>
              <gmd:accessConstraints>
                <gmd:MD_RestrictionCode codeList="{$cl}MD_RestrictionCode" codeListValue="otherRestrictions">otherRestrictions</gmd:MD_RestrictionCode>
              </gmd:accessConstraints>
            </xsl:otherwise>
          </xsl:choose>
          <gmd:otherConstraints>
            <gco:CharacterString><xsl:value-of select="."/></gco:CharacterString>
          </gmd:otherConstraints>
        </gmd:MD_LegalConstraints>
      </gmd:resourceConstraints>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="m:date" mode="ci-date">
    <xsl:variable name="value">
      <xsl:call-template name="gco-date">
        <xsl:with-param name="d" select="string(.)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="string($value) != ''">
      <gmd:date>
        <gmd:CI_Date>
          <gmd:date>
            <xsl:copy-of select="$value"/>
          </gmd:date>
          <gmd:dateType>
            <gmd:CI_DateTypeCode codeList="{$cl}CI_DateTypeCode" codeListValue="{@type}">
              <xsl:value-of select="@type"/>
            </gmd:CI_DateTypeCode>
          </gmd:dateType>
        </gmd:CI_Date>
      </gmd:date>
    </xsl:if>
  </xsl:template>

  <!-- One EX_Extent: every bounding box, then every temporal extent. -->
  <xsl:template name="extent">
    <gmd:EX_Extent>
      <xsl:for-each select="m:bbox">
        <gmd:geographicElement>
          <gmd:EX_GeographicBoundingBox>
            <gmd:westBoundLongitude>
              <gco:Decimal><xsl:value-of select="normalize-space(@west)"/></gco:Decimal>
            </gmd:westBoundLongitude>
            <gmd:eastBoundLongitude>
              <gco:Decimal><xsl:value-of select="normalize-space(@east)"/></gco:Decimal>
            </gmd:eastBoundLongitude>
            <gmd:southBoundLatitude>
              <gco:Decimal><xsl:value-of select="normalize-space(@south)"/></gco:Decimal>
            </gmd:southBoundLatitude>
            <gmd:northBoundLatitude>
              <gco:Decimal><xsl:value-of select="normalize-space(@north)"/></gco:Decimal>
            </gmd:northBoundLatitude>
          </gmd:EX_GeographicBoundingBox>
        </gmd:geographicElement>
      </xsl:for-each>
      <xsl:for-each select="m:temporal">
        <gmd:temporalElement>
          <gmd:EX_TemporalExtent>
            <gmd:extent>
              <gml:TimePeriod gml:id="{concat('tp', position())}">
                <xsl:call-template name="time-position">
                  <xsl:with-param name="name" select="'gml:beginPosition'"/>
                  <xsl:with-param name="d" select="string(@begin)"/>
                </xsl:call-template>
                <xsl:call-template name="time-position">
                  <xsl:with-param name="name" select="'gml:endPosition'"/>
                  <xsl:with-param name="d" select="string(@end)"/>
                </xsl:call-template>
              </gml:TimePeriod>
            </gmd:extent>
          </gmd:EX_TemporalExtent>
        </gmd:temporalElement>
      </xsl:for-each>
    </gmd:EX_Extent>
  </xsl:template>

  <!-- A gml:beginPosition / endPosition: the date (":00" added as gco-date
       does) when it validates, else an empty position with
       indeterminatePosition="unknown". -->
  <xsl:template name="time-position">
    <xsl:param name="name"/>
    <xsl:param name="d"/>
    <xsl:variable name="value"
        select="concat(substring($d, 1, 16),
                       substring(':00', 1, 3 * number(substring(translate($d, '0123456789', '9999999999'), 1, 16) = '9999-99-99T99:99'
                                                      and substring($d, 17, 1) != ':')),
                       substring($d, 17))"/>
    <xsl:variable name="kind">
      <xsl:if test="$d != ''">
        <xsl:call-template name="date-kind">
          <xsl:with-param name="d" select="$value"/>
        </xsl:call-template>
      </xsl:if>
    </xsl:variable>
    <xsl:element name="{$name}" namespace="http://www.opengis.net/gml/3.2">
      <xsl:choose>
        <xsl:when test="$kind != ''">
          <xsl:value-of select="$value"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:attribute name="indeterminatePosition">unknown</xsl:attribute>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:element>
  </xsl:template>

  <xsl:template name="distribution">
    <gmd:distributionInfo>
      <gmd:MD_Distribution>
        <xsl:for-each select="m:format">
          <gmd:distributionFormat>
            <gmd:MD_Format>
              <gmd:name>
                <gco:CharacterString><xsl:value-of select="."/></gco:CharacterString>
              </gmd:name>
              <xsl:choose>
                <xsl:when test="@version">
                  <gmd:version>
                    <gco:CharacterString><xsl:value-of select="@version"/></gco:CharacterString>
                  </gmd:version>
                </xsl:when>
                <xsl:otherwise>
                  <gmd:version gco:nilReason="unknown"/>
                </xsl:otherwise>
              </xsl:choose>
            </gmd:MD_Format>
          </gmd:distributionFormat>
        </xsl:for-each>
        <xsl:if test="m:link">
          <gmd:transferOptions>
            <gmd:MD_DigitalTransferOptions>
              <xsl:apply-templates select="m:link"/>
            </gmd:MD_DigitalTransferOptions>
          </gmd:transferOptions>
        </xsl:if>
      </gmd:MD_Distribution>
    </gmd:distributionInfo>
  </xsl:template>

  <xsl:template match="m:link">
    <gmd:onLine>
      <gmd:CI_OnlineResource>
        <gmd:linkage>
          <gmd:URL>
            <xsl:call-template name="safe-uri">
              <xsl:with-param name="u" select="string(@url)"/>
            </xsl:call-template>
          </gmd:URL>
        </gmd:linkage>
        <xsl:if test="@protocol">
          <gmd:protocol>
            <gco:CharacterString><xsl:value-of select="@protocol"/></gco:CharacterString>
          </gmd:protocol>
        </xsl:if>
        <xsl:if test="@name">
          <gmd:name>
            <gco:CharacterString><xsl:value-of select="@name"/></gco:CharacterString>
          </gmd:name>
        </xsl:if>
        <xsl:if test="@description">
          <gmd:description>
            <gco:CharacterString><xsl:value-of select="@description"/></gco:CharacterString>
          </gmd:description>
        </xsl:if>
        <xsl:if test="@function">
          <gmd:function>
            <gmd:CI_OnLineFunctionCode codeList="{$cl}CI_OnLineFunctionCode" codeListValue="{@function}">
              <xsl:value-of select="@function"/>
            </gmd:CI_OnLineFunctionCode>
          </gmd:function>
        </xsl:if>
      </gmd:CI_OnlineResource>
    </gmd:onLine>
  </xsl:template>

  <!-- Lineage statement, and where the record came from as a gmd:LI_Source:
       the provenance sentence, and a citation whose title lists the partner
       catalogues, dated with the harvest (a "revision" of the record here), with
       moisson as distributor at its public URL. -->
  <xsl:template name="data-quality">
    <gmd:dataQualityInfo>
      <gmd:DQ_DataQuality>
        <gmd:scope>
          <gmd:DQ_Scope>
            <gmd:level>
              <xsl:call-template name="scope-code"/>
            </gmd:level>
          </gmd:DQ_Scope>
        </gmd:scope>
        <gmd:lineage>
          <gmd:LI_Lineage>
            <xsl:if test="m:lineage">
              <gmd:statement>
                <gco:CharacterString><xsl:value-of select="m:lineage"/></gco:CharacterString>
              </gmd:statement>
            </xsl:if>
            <xsl:if test="$has-provenance">
              <gmd:source>
                <gmd:LI_Source>
                  <gmd:description>
                    <gco:CharacterString><xsl:call-template name="provenance"/></gco:CharacterString>
                  </gmd:description>
                  <gmd:sourceCitation>
                    <gmd:CI_Citation>
                      <gmd:title>
                        <gco:CharacterString>
                          <xsl:choose>
                            <xsl:when test="$source-list != ''">
                              <xsl:value-of select="$source-list"/>
                            </xsl:when>
                            <xsl:otherwise>moisson</xsl:otherwise>
                          </xsl:choose>
                        </gco:CharacterString>
                      </gmd:title>
                      <xsl:choose>
                        <xsl:when test="string($harvested-gco) != ''">
                          <gmd:date>
                            <gmd:CI_Date>
                              <gmd:date>
                                <xsl:copy-of select="$harvested-gco"/>
                              </gmd:date>
                              <gmd:dateType>
                                <gmd:CI_DateTypeCode codeList="{$cl}CI_DateTypeCode" codeListValue="revision">revision</gmd:CI_DateTypeCode>
                              </gmd:dateType>
                            </gmd:CI_Date>
                          </gmd:date>
                        </xsl:when>
                        <xsl:otherwise>
                          <gmd:date gco:nilReason="unknown"/>
                        </xsl:otherwise>
                      </xsl:choose>
                      <xsl:if test="$public-url-text != ''">
                        <gmd:citedResponsibleParty>
                          <gmd:CI_ResponsibleParty>
                            <gmd:organisationName>
                              <gco:CharacterString>moisson</gco:CharacterString>
                            </gmd:organisationName>
                            <gmd:contactInfo>
                              <gmd:CI_Contact>
                                <gmd:onlineResource>
                                  <gmd:CI_OnlineResource>
                                    <gmd:linkage>
                                      <gmd:URL>
                                        <xsl:call-template name="safe-uri">
                                          <xsl:with-param name="u" select="$public-url-text"/>
                                        </xsl:call-template>
                                      </gmd:URL>
                                    </gmd:linkage>
                                  </gmd:CI_OnlineResource>
                                </gmd:onlineResource>
                              </gmd:CI_Contact>
                            </gmd:contactInfo>
                            <gmd:role>
                              <gmd:CI_RoleCode codeList="{$cl}CI_RoleCode" codeListValue="distributor">distributor</gmd:CI_RoleCode>
                            </gmd:role>
                          </gmd:CI_ResponsibleParty>
                        </gmd:citedResponsibleParty>
                      </xsl:if>
                    </gmd:CI_Citation>
                  </gmd:sourceCitation>
                </gmd:LI_Source>
              </gmd:source>
            </xsl:if>
          </gmd:LI_Lineage>
        </gmd:lineage>
      </gmd:DQ_DataQuality>
    </gmd:dataQualityInfo>
  </xsl:template>

</xsl:stylesheet>
