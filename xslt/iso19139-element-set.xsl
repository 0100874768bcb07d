<?xml version="1.0" encoding="UTF-8"?>
<!--
  iso19139-element-set.xsl — an ISO 19139 record (gmd:MD_Metadata, gmi:MI_Metadata,
  or a profile root with gco:isoType="gmd:MD_Metadata") → the "brief" or
  "summary" element set of the CSW ISO application profile (OGC 07-045, 7.4).
  "full" is the record itself and never comes here.

  Parameter element-set = brief | summary.  What each keeps, by 07-045's
  returnable properties:
    brief   : fileIdentifier, hierarchyLevel (Type); identification: citation
              title (Title), graphicOverview (GraphicOverview), geographic
              bounding boxes (BoundingBox), serviceType, serviceTypeVersion.
    summary : brief + language, characterSet, parentIdentifier,
              hierarchyLevelName, dateStamp (Modified), metadataStandardName,
              metadataStandardVersion, referenceSystemInfo (ReferenceSystem);
              identification: citation dates and identifiers (RevisionDate…,
              ResourceIdentifier), abstract, pointOfContact, resourceConstraints
              (Rights), spatialRepresentationType, spatialResolution, language,
              characterSet, topicCategory, couplingType, containsOperations
              (operationName, DCP, connectPoint), operatesOn; distribution
              formats and online resources (Format, OnlineResource); lineage
              statement and sources (Lineage).
  Elements the ISO schema makes mandatory but the element set leaves out
  (contact, dateStamp in brief, citation date, abstract, language,
  couplingType, containsOperations, DQ_Scope, distributorContact) are written as
  empty property elements, which ISO 19139 allows, so a record that validated in
  full still validates as brief and summary.  The root is always
  gmd:MD_Metadata and profile identification elements take their gco:isoType
  name; what is copied is copied as is (xsl:copy-of).  Nothing is added:
  the record is the partner's.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:gmd="http://www.isotc211.org/2005/gmd"
    xmlns:gco="http://www.isotc211.org/2005/gco"
    xmlns:gmi="http://www.isotc211.org/2005/gmi"
    xmlns:srv="http://www.isotc211.org/2005/srv"
    exclude-result-prefixes="gmi">

  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:param name="element-set" select="'summary'"/>

  <xsl:template match="/">
    <xsl:variable name="root" select="*"/>
    <xsl:if test="not($root/self::gmd:MD_Metadata or $root/self::gmi:MI_Metadata
                      or $root/@gco:isoType = 'gmd:MD_Metadata')">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('not an ISO 19139 record: root element {', namespace-uri($root), '}', local-name($root))"/>
      </xsl:message>
    </xsl:if>
    <xsl:choose>
      <xsl:when test="$element-set = 'brief'">
        <xsl:apply-templates select="$root" mode="brief"/>
      </xsl:when>
      <xsl:when test="$element-set = 'summary'">
        <xsl:apply-templates select="$root" mode="summary"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('unknown element-set &quot;', $element-set, '&quot; (brief or summary)')"/>
        </xsl:message>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ============================================================ brief -->

  <!-- The root declares every namespace the partner's root declares, so that
       xsl:copy-of does not repeat them on each copied element (copy-of is twice
       as fast as a copying template). -->
  <xsl:template match="*" mode="brief">
    <gmd:MD_Metadata>
      <xsl:copy-of select="namespace::*[name() != 'xml']"/>
      <xsl:copy-of select="gmd:fileIdentifier"/>
      <xsl:copy-of select="gmd:hierarchyLevel"/>
      <gmd:contact/>
      <gmd:dateStamp/>
      <xsl:for-each select="gmd:identificationInfo[*]">
        <gmd:identificationInfo>
          <xsl:apply-templates select="*" mode="brief-identification"/>
        </gmd:identificationInfo>
      </xsl:for-each>
    </gmd:MD_Metadata>
  </xsl:template>

  <xsl:template match="*" mode="brief-identification">
    <xsl:variable name="service" select="self::srv:SV_ServiceIdentification
                                         or contains(@gco:isoType, 'SV_ServiceIdentification')"/>
    <xsl:choose>
      <xsl:when test="$service">
        <srv:SV_ServiceIdentification>
          <xsl:call-template name="brief-citation"/>
          <xsl:copy-of select="srv:serviceType"/>
          <xsl:copy-of select="srv:serviceTypeVersion"/>
          <xsl:apply-templates select="srv:extent" mode="bbox-extent"/>
          <srv:couplingType/>
          <srv:containsOperations/>
        </srv:SV_ServiceIdentification>
      </xsl:when>
      <xsl:otherwise>
        <gmd:MD_DataIdentification>
          <xsl:call-template name="brief-citation"/>
          <gmd:language/>
          <xsl:apply-templates select="gmd:extent" mode="bbox-extent"/>
        </gmd:MD_DataIdentification>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- citation (title only), abstract (empty), graphicOverview. -->
  <xsl:template name="brief-citation">
    <gmd:citation>
      <gmd:CI_Citation>
        <xsl:copy-of select="gmd:citation/*/gmd:title"/>
        <gmd:date/>
      </gmd:CI_Citation>
    </gmd:citation>
    <gmd:abstract/>
    <xsl:copy-of select="gmd:graphicOverview"/>
  </xsl:template>

  <!-- An extent reduced to its geographic bounding boxes; extents without one
       are left out. -->
  <xsl:template match="*" mode="bbox-extent">
    <xsl:if test="*/gmd:geographicElement/gmd:EX_GeographicBoundingBox">
      <xsl:element name="{name()}" namespace="{namespace-uri()}">
        <gmd:EX_Extent>
          <xsl:copy-of select="*/gmd:geographicElement[gmd:EX_GeographicBoundingBox]"/>
        </gmd:EX_Extent>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- ============================================================ summary -->

  <xsl:template match="*" mode="summary">
    <gmd:MD_Metadata>
      <xsl:copy-of select="namespace::*[name() != 'xml']"/>
      <xsl:copy-of select="gmd:fileIdentifier"/>
      <xsl:copy-of select="gmd:language"/>
      <xsl:copy-of select="gmd:characterSet"/>
      <xsl:copy-of select="gmd:parentIdentifier"/>
      <xsl:copy-of select="gmd:hierarchyLevel"/>
      <xsl:copy-of select="gmd:hierarchyLevelName"/>
      <gmd:contact/>
      <xsl:choose>
        <xsl:when test="gmd:dateStamp">
          <xsl:copy-of select="gmd:dateStamp"/>
        </xsl:when>
        <xsl:otherwise>
          <gmd:dateStamp/>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:copy-of select="gmd:metadataStandardName"/>
      <xsl:copy-of select="gmd:metadataStandardVersion"/>
      <xsl:copy-of select="gmd:referenceSystemInfo"/>
      <xsl:for-each select="gmd:identificationInfo[*]">
        <gmd:identificationInfo>
          <xsl:apply-templates select="*" mode="summary-identification"/>
        </gmd:identificationInfo>
      </xsl:for-each>
      <xsl:apply-templates select="gmd:distributionInfo[*]" mode="summary"/>
      <xsl:apply-templates select="gmd:dataQualityInfo[*/gmd:lineage/*]" mode="summary"/>
    </gmd:MD_Metadata>
  </xsl:template>

  <xsl:template match="*" mode="summary-identification">
    <xsl:variable name="service" select="self::srv:SV_ServiceIdentification
                                         or contains(@gco:isoType, 'SV_ServiceIdentification')"/>
    <xsl:choose>
      <xsl:when test="$service">
        <srv:SV_ServiceIdentification>
          <xsl:call-template name="summary-common"/>
          <xsl:copy-of select="srv:serviceType"/>
          <xsl:copy-of select="srv:serviceTypeVersion"/>
          <xsl:apply-templates select="srv:extent" mode="bbox-extent"/>
          <xsl:choose>
            <xsl:when test="srv:couplingType">
              <xsl:copy-of select="srv:couplingType"/>
            </xsl:when>
            <xsl:otherwise>
              <srv:couplingType/>
            </xsl:otherwise>
          </xsl:choose>
          <xsl:choose>
            <xsl:when test="srv:containsOperations">
              <xsl:apply-templates select="srv:containsOperations" mode="summary"/>
            </xsl:when>
            <xsl:otherwise>
              <srv:containsOperations/>
            </xsl:otherwise>
          </xsl:choose>
          <xsl:copy-of select="srv:operatesOn"/>
        </srv:SV_ServiceIdentification>
      </xsl:when>
      <xsl:otherwise>
        <gmd:MD_DataIdentification>
          <xsl:call-template name="summary-common"/>
          <xsl:copy-of select="gmd:spatialRepresentationType"/>
          <xsl:copy-of select="gmd:spatialResolution"/>
          <xsl:choose>
            <xsl:when test="gmd:language">
              <xsl:copy-of select="gmd:language"/>
            </xsl:when>
            <xsl:otherwise>
              <gmd:language/>
            </xsl:otherwise>
          </xsl:choose>
          <xsl:copy-of select="gmd:characterSet"/>
          <xsl:copy-of select="gmd:topicCategory"/>
          <xsl:apply-templates select="gmd:extent" mode="bbox-extent"/>
        </gmd:MD_DataIdentification>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- citation (title, dates, identifiers), abstract, pointOfContact,
       graphicOverview, resourceConstraints. -->
  <xsl:template name="summary-common">
    <gmd:citation>
      <gmd:CI_Citation>
        <xsl:copy-of select="gmd:citation/*/gmd:title"/>
        <xsl:choose>
          <xsl:when test="gmd:citation/*/gmd:date">
            <xsl:copy-of select="gmd:citation/*/gmd:date"/>
          </xsl:when>
          <xsl:otherwise>
            <gmd:date/>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:copy-of select="gmd:citation/*/gmd:identifier"/>
      </gmd:CI_Citation>
    </gmd:citation>
    <xsl:choose>
      <xsl:when test="gmd:abstract">
        <xsl:copy-of select="gmd:abstract"/>
      </xsl:when>
      <xsl:otherwise>
        <gmd:abstract/>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:copy-of select="gmd:pointOfContact"/>
    <xsl:copy-of select="gmd:graphicOverview"/>
    <xsl:copy-of select="gmd:resourceConstraints"/>
  </xsl:template>

  <!-- Operations: name, DCP and connect points only. -->
  <xsl:template match="srv:containsOperations" mode="summary">
    <srv:containsOperations>
      <xsl:for-each select="srv:SV_OperationMetadata">
        <srv:SV_OperationMetadata>
          <xsl:copy-of select="srv:operationName"/>
          <xsl:copy-of select="srv:DCP"/>
          <xsl:copy-of select="srv:connectPoint"/>
        </srv:SV_OperationMetadata>
      </xsl:for-each>
    </srv:containsOperations>
  </xsl:template>

  <!-- Formats and online resources, also those given per distributor. -->
  <xsl:template match="gmd:distributionInfo" mode="summary">
    <gmd:distributionInfo>
      <gmd:MD_Distribution>
        <xsl:copy-of select="*/gmd:distributionFormat"/>
        <xsl:for-each select="*/gmd:distributor/gmd:MD_Distributor[gmd:distributorFormat or gmd:distributorTransferOptions/*/gmd:onLine]">
          <gmd:distributor>
            <gmd:MD_Distributor>
              <gmd:distributorContact/>
              <xsl:copy-of select="gmd:distributorFormat"/>
              <xsl:apply-templates select="gmd:distributorTransferOptions[*/gmd:onLine]" mode="online"/>
            </gmd:MD_Distributor>
          </gmd:distributor>
        </xsl:for-each>
        <xsl:apply-templates select="*/gmd:transferOptions[*/gmd:onLine]" mode="online"/>
      </gmd:MD_Distribution>
    </gmd:distributionInfo>
  </xsl:template>

  <xsl:template match="*" mode="online">
    <xsl:element name="{name()}" namespace="{namespace-uri()}">
      <gmd:MD_DigitalTransferOptions>
        <xsl:copy-of select="*/gmd:onLine"/>
      </gmd:MD_DigitalTransferOptions>
    </xsl:element>
  </xsl:template>

  <!-- Lineage: statement and sources (no process steps). -->
  <xsl:template match="gmd:dataQualityInfo" mode="summary">
    <gmd:dataQualityInfo>
      <gmd:DQ_DataQuality>
        <gmd:scope/>
        <gmd:lineage>
          <gmd:LI_Lineage>
            <xsl:copy-of select="*/gmd:lineage/*/gmd:statement"/>
            <xsl:copy-of select="*/gmd:lineage/*/gmd:source"/>
          </gmd:LI_Lineage>
        </gmd:lineage>
      </gmd:DQ_DataQuality>
    </gmd:dataQualityInfo>
  </xsl:template>

</xsl:stylesheet>
