<?xml version="1.0" encoding="UTF-8"?>
<!--
  ogc-capabilities-split.xsl — an OGC service's GetCapabilities (WFS 1.0.0, 1.1.0,
  2.0.0; WMS 1.1.1, 1.3.0) → one c:records document: the service's identity once
  (c:info), one c:service, one c:layer per feature type (WFS) or named layer (WMS).

  Compiled once per struct ogc_caps by harvester/ogc_caps.c, which hands each
  c:service / c:layer on as one record with a copy of c:info placed first in it
  (self-contained, while this output stays linear in the document: c:info is
  written once, not once per layer).  xslt/ogc-layer-to-unified.xsl then turns
  each into the unified record.  Every version-specific name is read here and
  nowhere else: what follows this stylesheet speaks only the c: vocabulary
  (urn:x-moisson:capabilities:1, see xslt/README.md).

  Parameter service-url: the service's URL normalised by ogc_url_service (lower-
  case scheme and host, no default port, no fragment, no SERVICE / REQUEST /
  VERSION / ACCEPTVERSIONS parameter).  Identifiers:
    service   service-url + ('?' or '&') + 'SERVICE=WFS' (or WMS)
    layer     the service identifier + '#' + the type or layer name
  so that a WFS and a WMS on one GeoServer /ows endpoint stay apart.

  Linear in the document: keys for duplicate names, no '//' scan per layer, the
  WMS inheritance carried down the layer tree as parameters (each layer sees
  its parent's resolved values, never walks its ancestors).  A WMS layer lists
  at most $max-crs CRS (its own first, then inherited ones): GeoServer roots
  declare thousands, and every child inherits them.

  WMS inheritance (WMS 1.3.0 §7.2.4.8, 1.1.1 §7.1.4.7): EX_GeographicBoundingBox
  / LatLonBoundingBox and the time Dimension / Extent replace the parent's, CRS /
  SRS and Style add to the parent's; Name, Title, Abstract, KeywordList and
  MetadataURL are not inherited.  Unnamed layers give no record but pass on what
  they declare.  A repeated name gives one record (the first).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:c="urn:x-moisson:capabilities:1"
    xmlns:wfs="http://www.opengis.net/wfs"
    xmlns:wfs2="http://www.opengis.net/wfs/2.0"
    xmlns:ows="http://www.opengis.net/ows"
    xmlns:ows11="http://www.opengis.net/ows/1.1"
    xmlns:wms="http://www.opengis.net/wms"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:str="http://exslt.org/strings"
    extension-element-prefixes="str"
    exclude-result-prefixes="wfs wfs2 ows ows11 wms xlink str">

  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="service-url" select="''"/>

  <!-- At most this many CRS per WMS layer (own first, then inherited). -->
  <xsl:variable name="max-crs" select="64"/>

  <xsl:key name="ft" match="wfs:FeatureType | wfs2:FeatureType"
           use="normalize-space(wfs:Name | wfs2:Name)"/>
  <xsl:key name="wms-layer" match="Layer[Name] | wms:Layer[wms:Name]"
           use="normalize-space(Name | wms:Name)"/>

  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>
  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>

  <!-- ================================================================ root -->

  <xsl:template match="/">
    <xsl:apply-templates select="wfs:WFS_Capabilities | wfs2:WFS_Capabilities
                                 | WMT_MS_Capabilities | wms:WMS_Capabilities"/>
  </xsl:template>

  <xsl:template match="wfs:WFS_Capabilities | wfs2:WFS_Capabilities">
    <xsl:variable name="version">
      <xsl:call-template name="version">
        <xsl:with-param name="default">
          <xsl:choose>
            <xsl:when test="self::wfs2:*">2.0.0</xsl:when>
            <xsl:when test="ows:ServiceIdentification">1.1.0</xsl:when>
            <xsl:otherwise>1.0.0</xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="sid">
      <xsl:call-template name="service-id">
        <xsl:with-param name="type" select="'WFS'"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="types" select="wfs:FeatureTypeList/wfs:FeatureType
                                       | wfs2:FeatureTypeList/wfs2:FeatureType"/>
    <c:records service="WFS" version="{$version}">
      <c:info service="WFS" version="{$version}" url="{$service-url}" id="{$sid}">
        <xsl:choose>
          <xsl:when test="wfs:Service">
            <xsl:apply-templates select="wfs:Service" mode="wfs10-info"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="ows-info"/>
          </xsl:otherwise>
        </xsl:choose>
      </c:info>
      <c:service id="{$sid}">
        <xsl:for-each select="$types">
          <xsl:variable name="name" select="normalize-space(wfs:Name | wfs2:Name)"/>
          <xsl:if test="$name != '' and generate-id() = generate-id(key('ft', $name)[1])">
            <c:coupled id="{concat($sid, '#', $name)}" name="{$name}"/>
          </xsl:if>
        </xsl:for-each>
        <c:source>
          <xsl:copy-of select="wfs:Service | ows:ServiceIdentification | ows:ServiceProvider
                               | ows11:ServiceIdentification | ows11:ServiceProvider"/>
        </c:source>
      </c:service>
      <xsl:apply-templates select="$types" mode="layer">
        <xsl:with-param name="sid" select="$sid"/>
      </xsl:apply-templates>
    </c:records>
  </xsl:template>

  <xsl:template match="WMT_MS_Capabilities | wms:WMS_Capabilities">
    <xsl:variable name="version">
      <xsl:call-template name="version">
        <xsl:with-param name="default">
          <xsl:choose>
            <xsl:when test="self::wms:*">1.3.0</xsl:when>
            <xsl:otherwise>1.1.1</xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="sid">
      <xsl:call-template name="service-id">
        <xsl:with-param name="type" select="'WMS'"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="top" select="Capability/Layer | wms:Capability/wms:Layer"/>
    <c:records service="WMS" version="{$version}">
      <c:info service="WMS" version="{$version}" url="{$service-url}" id="{$sid}">
        <xsl:call-template name="wms-info"/>
      </c:info>
      <c:service id="{$sid}">
        <!-- once per document: every named layer, first of each name -->
        <xsl:for-each select="$top/descendant-or-self::Layer[Name]
                              | $top/descendant-or-self::wms:Layer[wms:Name]">
          <xsl:variable name="name" select="normalize-space(Name | wms:Name)"/>
          <xsl:if test="$name != '' and generate-id() = generate-id(key('wms-layer', $name)[1])">
            <c:coupled id="{concat($sid, '#', $name)}" name="{$name}"/>
          </xsl:if>
        </xsl:for-each>
        <c:source>
          <xsl:copy-of select="Service | wms:Service"/>
        </c:source>
      </c:service>
      <xsl:apply-templates select="$top" mode="wms">
        <xsl:with-param name="sid" select="$sid"/>
      </xsl:apply-templates>
    </c:records>
  </xsl:template>

  <!-- The root's version attribute, else the default of its namespace. -->
  <xsl:template name="version">
    <xsl:param name="default"/>
    <xsl:choose>
      <xsl:when test="normalize-space(@version) != ''">
        <xsl:value-of select="normalize-space(@version)"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="$default"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="service-id">
    <xsl:param name="type"/>
    <xsl:value-of select="$service-url"/>
    <xsl:choose>
      <xsl:when test="contains($service-url, '?')">&amp;</xsl:when>
      <xsl:otherwise>?</xsl:otherwise>
    </xsl:choose>
    <xsl:value-of select="concat('SERVICE=', $type)"/>
  </xsl:template>

  <!-- ============================================================ helpers -->

  <!-- c:NAME with the value (white space collapsed), only when not empty. -->
  <xsl:template name="line">
    <xsl:param name="name"/>
    <xsl:param name="value"/>
    <xsl:variable name="v" select="normalize-space($value)"/>
    <xsl:if test="$v != ''">
      <xsl:element name="c:{$name}" namespace="urn:x-moisson:capabilities:1">
        <xsl:value-of select="$v"/>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- c:NAME with the text as written (multi-line), only when not blank. -->
  <xsl:template name="block">
    <xsl:param name="name"/>
    <xsl:param name="value"/>
    <xsl:if test="normalize-space($value) != ''">
      <xsl:element name="c:{$name}" namespace="urn:x-moisson:capabilities:1">
        <xsl:value-of select="$value"/>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- A keyword element (OWS, WMS KeywordList): its text and vocabulary. -->
  <xsl:template match="*" mode="keyword">
    <xsl:variable name="v" select="normalize-space(.)"/>
    <xsl:if test="$v != ''">
      <c:keyword>
        <xsl:if test="normalize-space(@vocabulary) != ''">
          <xsl:attribute name="vocabulary"><xsl:value-of select="normalize-space(@vocabulary)"/></xsl:attribute>
        </xsl:if>
        <xsl:value-of select="$v"/>
      </c:keyword>
    </xsl:if>
  </xsl:template>

  <!-- WFS 1.0 Keywords: one text, split on commas, else on line breaks. -->
  <xsl:template match="*" mode="keyword-text">
    <xsl:variable name="sep">
      <xsl:choose>
        <xsl:when test="contains(., ',')">,</xsl:when>
        <xsl:otherwise><xsl:text>&#10;&#13;</xsl:text></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:for-each select="str:tokenize(string(.), $sep)">
      <xsl:if test="normalize-space(.) != ''">
        <c:keyword><xsl:value-of select="normalize-space(.)"/></c:keyword>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- One c:bbox from four values (WGS84 degrees as written; checked later). -->
  <xsl:template name="bbox">
    <xsl:param name="west"/>
    <xsl:param name="east"/>
    <xsl:param name="south"/>
    <xsl:param name="north"/>
    <c:bbox west="{normalize-space($west)}" east="{normalize-space($east)}"
            south="{normalize-space($south)}" north="{normalize-space($north)}"/>
  </xsl:template>

  <!-- ows:WGS84BoundingBox (OWS 1.0 and 1.1): corners are "lon lat". -->
  <xsl:template match="*" mode="wgs84-box">
    <xsl:variable name="lo" select="normalize-space(*[local-name() = 'LowerCorner'])"/>
    <xsl:variable name="hi" select="normalize-space(*[local-name() = 'UpperCorner'])"/>
    <xsl:call-template name="bbox">
      <xsl:with-param name="west" select="substring-before($lo, ' ')"/>
      <xsl:with-param name="south" select="substring-after($lo, ' ')"/>
      <xsl:with-param name="east" select="substring-before($hi, ' ')"/>
      <xsl:with-param name="north" select="substring-after($hi, ' ')"/>
    </xsl:call-template>
  </xsl:template>

  <!-- LatLongBoundingBox (WFS 1.0), LatLonBoundingBox (WMS 1.1.1). -->
  <xsl:template match="*" mode="minmax-box">
    <xsl:call-template name="bbox">
      <xsl:with-param name="west" select="@minx"/>
      <xsl:with-param name="east" select="@maxx"/>
      <xsl:with-param name="south" select="@miny"/>
      <xsl:with-param name="north" select="@maxy"/>
    </xsl:call-template>
  </xsl:template>

  <!-- EX_GeographicBoundingBox (WMS 1.3.0). -->
  <xsl:template match="*" mode="geo-box">
    <xsl:call-template name="bbox">
      <xsl:with-param name="west" select="wms:westBoundLongitude"/>
      <xsl:with-param name="east" select="wms:eastBoundLongitude"/>
      <xsl:with-param name="south" select="wms:southBoundLatitude"/>
      <xsl:with-param name="north" select="wms:northBoundLatitude"/>
    </xsl:call-template>
  </xsl:template>

  <!-- c:metadata-url: type, format and the link (an attribute, element text or
       a WMS OnlineResource). -->
  <xsl:template name="metadata-url">
    <xsl:param name="type" select="@type"/>
    <xsl:param name="format"/>
    <xsl:param name="href"/>
    <xsl:if test="normalize-space($href) != ''">
      <c:metadata-url href="{normalize-space($href)}">
        <xsl:if test="normalize-space($type) != ''">
          <xsl:attribute name="type"><xsl:value-of select="normalize-space($type)"/></xsl:attribute>
        </xsl:if>
        <xsl:if test="normalize-space($format) != ''">
          <xsl:attribute name="format"><xsl:value-of select="normalize-space($format)"/></xsl:attribute>
        </xsl:if>
      </c:metadata-url>
    </xsl:if>
  </xsl:template>

  <!-- ======================================================= service info -->

  <!-- WFS 1.0.0: wfs:Service, wfs:Capability/wfs:Request. -->
  <xsl:template match="wfs:Service" mode="wfs10-info">
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'title'"/>
      <xsl:with-param name="value" select="wfs:Title"/>
    </xsl:call-template>
    <xsl:call-template name="block">
      <xsl:with-param name="name" select="'abstract'"/>
      <xsl:with-param name="value" select="wfs:Abstract"/>
    </xsl:call-template>
    <xsl:apply-templates select="wfs:Keywords" mode="keyword-text"/>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'provider-site'"/>
      <xsl:with-param name="value" select="wfs:OnlineResource"/>
    </xsl:call-template>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'fees'"/>
      <xsl:with-param name="value" select="wfs:Fees"/>
    </xsl:call-template>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'access-constraints'"/>
      <xsl:with-param name="value" select="wfs:AccessConstraints"/>
    </xsl:call-template>
    <xsl:for-each select="../wfs:Capability/wfs:Request/*">
      <c:operation name="{local-name()}">
        <xsl:call-template name="operation-urls">
          <xsl:with-param name="get" select="wfs:DCPType/wfs:HTTP/wfs:Get/@onlineResource"/>
          <xsl:with-param name="post" select="wfs:DCPType/wfs:HTTP/wfs:Post/@onlineResource"/>
        </xsl:call-template>
      </c:operation>
    </xsl:for-each>
    <xsl:for-each select="../wfs:Capability/wfs:Request/wfs:GetFeature/wfs:ResultFormat/*">
      <c:format><xsl:value-of select="local-name()"/></c:format>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="operation-urls">
    <xsl:param name="get"/>
    <xsl:param name="post"/>
    <xsl:if test="normalize-space($get[1]) != ''">
      <xsl:attribute name="get"><xsl:value-of select="normalize-space($get[1])"/></xsl:attribute>
    </xsl:if>
    <xsl:if test="normalize-space($post[1]) != ''">
      <xsl:attribute name="post"><xsl:value-of select="normalize-space($post[1])"/></xsl:attribute>
    </xsl:if>
  </xsl:template>

  <!-- WFS 1.1.0 (OWS 1.0) and 2.0.0 (OWS 1.1): ServiceIdentification,
       ServiceProvider, OperationsMetadata. -->
  <xsl:template name="ows-info">
    <xsl:variable name="id" select="ows:ServiceIdentification | ows11:ServiceIdentification"/>
    <xsl:variable name="sp" select="ows:ServiceProvider | ows11:ServiceProvider"/>
    <xsl:variable name="contact" select="$sp/ows:ServiceContact | $sp/ows11:ServiceContact"/>
    <xsl:variable name="info" select="$contact/ows:ContactInfo | $contact/ows11:ContactInfo"/>
    <xsl:variable name="om" select="ows:OperationsMetadata | ows11:OperationsMetadata"/>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'title'"/>
      <xsl:with-param name="value" select="($id/ows:Title | $id/ows11:Title)[normalize-space()][1]"/>
    </xsl:call-template>
    <xsl:call-template name="block">
      <xsl:with-param name="name" select="'abstract'"/>
      <xsl:with-param name="value" select="($id/ows:Abstract | $id/ows11:Abstract)[normalize-space()][1]"/>
    </xsl:call-template>
    <xsl:apply-templates select="$id/ows:Keywords/ows:Keyword | $id/ows11:Keywords/ows11:Keyword"
                         mode="keyword"/>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'language'"/>
      <xsl:with-param name="value" select="($om/*[local-name() = 'ExtendedCapabilities']/*/*[local-name() = 'ResponseLanguage']/*
                                            | $om/*[local-name() = 'ExtendedCapabilities']/*/*[local-name() = 'SupportedLanguages']/*[local-name() = 'DefaultLanguage']/*)[1]"/>
    </xsl:call-template>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'provider'"/>
      <xsl:with-param name="value" select="$sp/ows:ProviderName | $sp/ows11:ProviderName"/>
    </xsl:call-template>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'provider-site'"/>
      <xsl:with-param name="value" select="($sp/ows:ProviderSite | $sp/ows11:ProviderSite)/@xlink:href"/>
    </xsl:call-template>
    <xsl:variable name="individual" select="normalize-space($contact/ows:IndividualName | $contact/ows11:IndividualName)"/>
    <xsl:variable name="position" select="normalize-space($contact/ows:PositionName | $contact/ows11:PositionName)"/>
    <xsl:variable name="email" select="normalize-space(($info/ows:Address/ows:ElectronicMailAddress
                                        | $info/ows11:Address/ows11:ElectronicMailAddress)[normalize-space()][1])"/>
    <xsl:variable name="phone" select="normalize-space(($info/ows:Phone/ows:Voice | $info/ows11:Phone/ows11:Voice)[normalize-space()][1])"/>
    <xsl:call-template name="contact">
      <xsl:with-param name="individual" select="$individual"/>
      <xsl:with-param name="organisation" select="''"/>
      <xsl:with-param name="position" select="$position"/>
      <xsl:with-param name="email" select="$email"/>
      <xsl:with-param name="phone" select="$phone"/>
    </xsl:call-template>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'fees'"/>
      <xsl:with-param name="value" select="$id/ows:Fees | $id/ows11:Fees"/>
    </xsl:call-template>
    <xsl:for-each select="($id/ows:AccessConstraints | $id/ows11:AccessConstraints)[normalize-space()]">
      <xsl:call-template name="line">
        <xsl:with-param name="name" select="'access-constraints'"/>
        <xsl:with-param name="value" select="."/>
      </xsl:call-template>
    </xsl:for-each>
    <xsl:for-each select="$om/ows:Operation | $om/ows11:Operation">
      <c:operation name="{normalize-space(@name)}">
        <xsl:call-template name="operation-urls">
          <xsl:with-param name="get" select="(ows:DCP/ows:HTTP/ows:Get | ows11:DCP/ows11:HTTP/ows11:Get)/@xlink:href"/>
          <xsl:with-param name="post" select="(ows:DCP/ows:HTTP/ows:Post | ows11:DCP/ows11:HTTP/ows11:Post)/@xlink:href"/>
        </xsl:call-template>
      </c:operation>
    </xsl:for-each>
    <!-- GetFeature's outputFormat values, else those declared for every operation -->
    <xsl:variable name="gf" select="($om/ows:Operation | $om/ows11:Operation)[@name = 'GetFeature']"/>
    <xsl:variable name="gf-formats" select="$gf/ows:Parameter[translate(@name, $upper, $lower) = 'outputformat']/ows:Value
                                            | $gf/ows11:Parameter[translate(@name, $upper, $lower) = 'outputformat']/ows11:AllowedValues/ows11:Value"/>
    <xsl:variable name="all-formats" select="$om/ows:Parameter[translate(@name, $upper, $lower) = 'outputformat']/ows:Value
                                             | $om/ows11:Parameter[translate(@name, $upper, $lower) = 'outputformat']/ows11:AllowedValues/ows11:Value"/>
    <xsl:for-each select="$gf-formats | $all-formats[not($gf-formats)]">
      <xsl:call-template name="line">
        <xsl:with-param name="name" select="'format'"/>
        <xsl:with-param name="value" select="."/>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <!-- c:contact when anything of it is known. -->
  <xsl:template name="contact">
    <xsl:param name="individual"/>
    <xsl:param name="organisation"/>
    <xsl:param name="position"/>
    <xsl:param name="email"/>
    <xsl:param name="phone"/>
    <xsl:if test="concat($individual, $organisation, $position, $email, $phone) != ''">
      <c:contact>
        <xsl:if test="$individual != ''"><c:individual><xsl:value-of select="$individual"/></c:individual></xsl:if>
        <xsl:if test="$organisation != ''"><c:organisation><xsl:value-of select="$organisation"/></c:organisation></xsl:if>
        <xsl:if test="$position != ''"><c:position><xsl:value-of select="$position"/></c:position></xsl:if>
        <xsl:if test="$email != ''"><c:email><xsl:value-of select="$email"/></c:email></xsl:if>
        <xsl:if test="$phone != ''"><c:phone><xsl:value-of select="$phone"/></c:phone></xsl:if>
      </c:contact>
    </xsl:if>
  </xsl:template>

  <!-- WMS 1.1.1 (no namespace) and 1.3.0: Service, Capability/Request. -->
  <xsl:template name="wms-info">
    <xsl:variable name="s" select="Service | wms:Service"/>
    <xsl:variable name="ci" select="$s/ContactInformation | $s/wms:ContactInformation"/>
    <xsl:variable name="primary" select="$ci/ContactPersonPrimary | $ci/wms:ContactPersonPrimary"/>
    <xsl:variable name="cap" select="Capability | wms:Capability"/>
    <xsl:variable name="org" select="normalize-space($primary/ContactOrganization | $primary/wms:ContactOrganization)"/>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'title'"/>
      <xsl:with-param name="value" select="$s/Title | $s/wms:Title"/>
    </xsl:call-template>
    <xsl:call-template name="block">
      <xsl:with-param name="name" select="'abstract'"/>
      <xsl:with-param name="value" select="$s/Abstract | $s/wms:Abstract"/>
    </xsl:call-template>
    <xsl:apply-templates select="$s/KeywordList/Keyword | $s/wms:KeywordList/wms:Keyword" mode="keyword"/>
    <xsl:variable name="ext" select="$cap/*[local-name() = 'ExtendedCapabilities']
                                     | $cap/VendorSpecificCapabilities/*[local-name() = 'ExtendedCapabilities']"/>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'language'"/>
      <xsl:with-param name="value" select="($ext/*[local-name() = 'ResponseLanguage']/*
                                            | $ext/*[local-name() = 'SupportedLanguages']/*[local-name() = 'DefaultLanguage']/*)[1]"/>
    </xsl:call-template>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'provider'"/>
      <xsl:with-param name="value" select="$org"/>
    </xsl:call-template>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'provider-site'"/>
      <xsl:with-param name="value" select="($s/OnlineResource | $s/wms:OnlineResource)/@xlink:href"/>
    </xsl:call-template>
    <xsl:call-template name="contact">
      <xsl:with-param name="individual" select="normalize-space($primary/ContactPerson | $primary/wms:ContactPerson)"/>
      <xsl:with-param name="organisation" select="$org"/>
      <xsl:with-param name="position" select="normalize-space($ci/ContactPosition | $ci/wms:ContactPosition)"/>
      <xsl:with-param name="email" select="normalize-space($ci/ContactElectronicMailAddress | $ci/wms:ContactElectronicMailAddress)"/>
      <xsl:with-param name="phone" select="normalize-space($ci/ContactVoiceTelephone | $ci/wms:ContactVoiceTelephone)"/>
    </xsl:call-template>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'fees'"/>
      <xsl:with-param name="value" select="$s/Fees | $s/wms:Fees"/>
    </xsl:call-template>
    <xsl:call-template name="line">
      <xsl:with-param name="name" select="'access-constraints'"/>
      <xsl:with-param name="value" select="$s/AccessConstraints | $s/wms:AccessConstraints"/>
    </xsl:call-template>
    <xsl:for-each select="$cap/Request/* | $cap/wms:Request/*">
      <c:operation name="{local-name()}">
        <xsl:call-template name="operation-urls">
          <xsl:with-param name="get" select="(DCPType/HTTP/Get/OnlineResource | wms:DCPType/wms:HTTP/wms:Get/wms:OnlineResource)/@xlink:href"/>
          <xsl:with-param name="post" select="(DCPType/HTTP/Post/OnlineResource | wms:DCPType/wms:HTTP/wms:Post/wms:OnlineResource)/@xlink:href"/>
        </xsl:call-template>
      </c:operation>
    </xsl:for-each>
    <xsl:for-each select="$cap/Request/GetMap/Format | $cap/wms:Request/wms:GetMap/wms:Format">
      <xsl:call-template name="line">
        <xsl:with-param name="name" select="'format'"/>
        <xsl:with-param name="value" select="."/>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <!-- ========================================================= WFS layers -->

  <xsl:template match="wfs:FeatureType | wfs2:FeatureType" mode="layer">
    <xsl:param name="sid"/>
    <xsl:variable name="name" select="normalize-space(wfs:Name | wfs2:Name)"/>
    <xsl:if test="$name != '' and generate-id() = generate-id(key('ft', $name)[1])">
      <c:layer id="{concat($sid, '#', $name)}" kind="featureType">
        <c:name><xsl:value-of select="$name"/></c:name>
        <xsl:call-template name="line">
          <xsl:with-param name="name" select="'title'"/>
          <xsl:with-param name="value" select="(wfs:Title | wfs2:Title)[normalize-space()][1]"/>
        </xsl:call-template>
        <xsl:call-template name="block">
          <xsl:with-param name="name" select="'abstract'"/>
          <xsl:with-param name="value" select="(wfs:Abstract | wfs2:Abstract)[normalize-space()][1]"/>
        </xsl:call-template>
        <xsl:apply-templates select="wfs:Keywords" mode="keyword-text"/>
        <xsl:apply-templates select="ows:Keywords/ows:Keyword | ows11:Keywords/ows11:Keyword"
                             mode="keyword"/>
        <xsl:apply-templates select="wfs:LatLongBoundingBox" mode="minmax-box"/>
        <xsl:apply-templates select="ows:WGS84BoundingBox | ows11:WGS84BoundingBox" mode="wgs84-box"/>
        <xsl:for-each select="wfs:SRS | wfs:DefaultSRS | wfs2:DefaultCRS">
          <xsl:if test="normalize-space() != ''">
            <c:crs default="true"><xsl:value-of select="normalize-space()"/></c:crs>
          </xsl:if>
        </xsl:for-each>
        <xsl:for-each select="wfs:OtherSRS | wfs2:OtherCRS">
          <xsl:call-template name="line">
            <xsl:with-param name="name" select="'crs'"/>
            <xsl:with-param name="value" select="."/>
          </xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="wfs:OutputFormats/wfs:Format | wfs2:OutputFormats/wfs2:Format">
          <xsl:call-template name="line">
            <xsl:with-param name="name" select="'format'"/>
            <xsl:with-param name="value" select="."/>
          </xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="wfs:MetadataURL">
          <xsl:call-template name="metadata-url">
            <xsl:with-param name="format" select="@format"/>
            <xsl:with-param name="href" select="."/>
          </xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="wfs2:MetadataURL">
          <xsl:call-template name="metadata-url">
            <xsl:with-param name="href" select="@xlink:href"/>
          </xsl:call-template>
        </xsl:for-each>
        <c:source><xsl:copy-of select="."/></c:source>
      </c:layer>
    </xsl:if>
  </xsl:template>

  <!-- ========================================================= WMS layers -->

  <!-- One Layer: a record when it is named (first of its name), then its
       children with what they inherit.  $crs is " A B C " (at most $max-crs
       codes, nearest first), $geo the nearest geographic box element, $time the
       nearest time Dimension / Extent, $styles every Style above (a name
       already listed higher up is listed once). -->
  <xsl:template match="Layer | wms:Layer" mode="wms">
    <xsl:param name="sid"/>
    <xsl:param name="crs" select="' '"/>
    <xsl:param name="geo" select="/.."/>
    <xsl:param name="time" select="/.."/>
    <xsl:param name="styles" select="/.."/>
    <xsl:variable name="own-geo" select="LatLonBoundingBox | wms:EX_GeographicBoundingBox"/>
    <xsl:variable name="g" select="$own-geo | $geo[not($own-geo)]"/>
    <xsl:variable name="own-time" select="(Extent | wms:Dimension)[translate(@name, $upper, $lower) = 'time']"/>
    <xsl:variable name="t" select="$own-time | $time[not($own-time)]"/>
    <xsl:variable name="s" select="$styles | Style | wms:Style"/>
    <xsl:variable name="codes">
      <xsl:call-template name="crs-list">
        <xsl:with-param name="inherited" select="$crs"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="name" select="normalize-space(Name | wms:Name)"/>
    <xsl:if test="$name != '' and generate-id() = generate-id(key('wms-layer', $name)[1])">
      <c:layer id="{concat($sid, '#', $name)}" kind="layer">
        <c:name><xsl:value-of select="$name"/></c:name>
        <xsl:call-template name="line">
          <xsl:with-param name="name" select="'title'"/>
          <xsl:with-param name="value" select="Title | wms:Title"/>
        </xsl:call-template>
        <xsl:call-template name="block">
          <xsl:with-param name="name" select="'abstract'"/>
          <xsl:with-param name="value" select="Abstract | wms:Abstract"/>
        </xsl:call-template>
        <xsl:apply-templates select="KeywordList/Keyword | wms:KeywordList/wms:Keyword" mode="keyword"/>
        <xsl:apply-templates select="$g[self::LatLonBoundingBox]" mode="minmax-box"/>
        <xsl:apply-templates select="$g[self::wms:EX_GeographicBoundingBox]" mode="geo-box"/>
        <xsl:for-each select="str:tokenize($codes, ' ')">
          <c:crs><xsl:value-of select="."/></c:crs>
        </xsl:for-each>
        <xsl:call-template name="line">
          <xsl:with-param name="name" select="'time'"/>
          <xsl:with-param name="value" select="$t[1]"/>
        </xsl:call-template>
        <xsl:for-each select="$s[position() &lt;= $max-crs]">
          <xsl:variable name="pos" select="position()"/>
          <xsl:variable name="style" select="normalize-space(Name | wms:Name)"/>
          <xsl:if test="not($s[position() &lt; $pos][normalize-space(Name | wms:Name) = $style])">
          <c:style>
            <xsl:attribute name="name"><xsl:value-of select="$style"/></xsl:attribute>
            <xsl:if test="normalize-space(Title | wms:Title) != ''">
              <xsl:attribute name="title"><xsl:value-of select="normalize-space(Title | wms:Title)"/></xsl:attribute>
            </xsl:if>
          </c:style>
          </xsl:if>
        </xsl:for-each>
        <xsl:for-each select="MetadataURL | wms:MetadataURL">
          <xsl:call-template name="metadata-url">
            <xsl:with-param name="format" select="Format | wms:Format"/>
            <xsl:with-param name="href" select="(OnlineResource | wms:OnlineResource)/@xlink:href"/>
          </xsl:call-template>
        </xsl:for-each>
        <c:source>
          <xsl:copy>
            <xsl:copy-of select="@* | node()[not(self::Layer or self::wms:Layer)]"/>
          </xsl:copy>
        </c:source>
      </c:layer>
    </xsl:if>
    <xsl:apply-templates select="Layer | wms:Layer" mode="wms">
      <xsl:with-param name="sid" select="$sid"/>
      <xsl:with-param name="crs" select="concat(' ', $codes, ' ')"/>
      <xsl:with-param name="geo" select="$g"/>
      <xsl:with-param name="time" select="$t"/>
      <xsl:with-param name="styles" select="$s"/>
    </xsl:apply-templates>
  </xsl:template>

  <!-- The CRS codes of the current layer, space-separated: its own (SRS may
       hold several codes in WMS 1.1.1) first, then the inherited ones it does
       not repeat, at most $max-crs in all. -->
  <xsl:template name="crs-list">
    <xsl:param name="inherited"/>
    <xsl:variable name="text">
      <xsl:for-each select="SRS | wms:CRS">
        <xsl:value-of select="concat(' ', .)"/>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="tokens" select="str:tokenize(normalize-space($text), ' ')[position() &lt;= $max-crs]"/>
    <xsl:variable name="own" select="$tokens[not(. = preceding-sibling::*)]"/>
    <xsl:variable name="own-list">
      <xsl:for-each select="$own">
        <xsl:value-of select="concat(' ', ., ' ')"/>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="rest" select="str:tokenize($inherited, ' ')[not(contains($own-list, concat(' ', ., ' ')))]"/>
    <xsl:for-each select="$own">
      <xsl:value-of select="concat(., ' ')"/>
    </xsl:for-each>
    <xsl:for-each select="$rest[position() &lt;= $max-crs - count($own)]">
      <xsl:value-of select="concat(., ' ')"/>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
