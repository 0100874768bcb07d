<?xml version="1.0" encoding="UTF-8"?>
<!--
  dcat-rdf-to-unified.xsl — DCAT / DCAT-AP / GeoDCAT-AP datasets in RDF/XML, as
  GeoNetwork writes them inside CSW responses (outputSchema DCAT or GeoDCAT-AP):
  an rdf:RDF holding one dcat:Dataset (typed node or rdf:Description with
  rdf:type dcat#Dataset), its catalog record, and nodes referenced by rdf:resource
  (distributions, organisations, concepts), or a bare dcat:Dataset.

  RDF/XML allows many spellings of one graph; this stylesheet reads the two
  GeoNetwork ones (nested and flat with references) — a general RDF reader is
  the harvester's DCAT client (raptor2), not XSLT.  See xslt/README.md.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:m="urn:x-moisson:record:1"
    xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
    xmlns:dcat="http://www.w3.org/ns/dcat#"
    xmlns:dct="http://purl.org/dc/terms/"
    xmlns:foaf="http://xmlns.com/foaf/0.1/"
    xmlns:vcard="http://www.w3.org/2006/vcard/ns#"
    xmlns:skos="http://www.w3.org/2004/02/skos/core#"
    xmlns:geodcatap="http://data.europa.eu/930/"
    xmlns:schema="http://schema.org/"
    xmlns:locn="http://www.w3.org/ns/locn#"
    xmlns:str="http://exslt.org/strings"
    extension-element-prefixes="str"
    exclude-result-prefixes="rdf rdfs dcat dct foaf vcard skos geodcatap schema locn str">

  <xsl:include href="common.xsl"/>
  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:variable name="DATASET" select="'http://www.w3.org/ns/dcat#Dataset'"/>
  <xsl:variable name="RECORD" select="'http://www.w3.org/ns/dcat#CatalogRecord'"/>
  <xsl:key name="about" match="*[@rdf:about]" use="@rdf:about"/>

  <xsl:template match="/">
    <xsl:apply-templates select="(//dcat:Dataset | //rdf:Description[rdf:type/@rdf:resource = $DATASET])[1]"/>
  </xsl:template>

  <!-- The value of a property: its text, else its rdf:resource / nested rdf:about. -->
  <xsl:template name="value">
    <xsl:param name="node" select="."/>
    <xsl:choose>
      <xsl:when test="normalize-space($node) != '' and not($node/*)">
        <xsl:value-of select="normalize-space($node)"/>
      </xsl:when>
      <xsl:when test="$node/@rdf:resource">
        <xsl:value-of select="normalize-space($node/@rdf:resource)"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="normalize-space($node/*/@rdf:about)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The node a property points to: nested, or found by its rdf:about. -->
  <xsl:template name="target-label">
    <xsl:param name="node"/>
    <xsl:variable name="target" select="$node/* | key('about', $node/@rdf:resource)"/>
    <xsl:value-of select="normalize-space(($target/foaf:name | $target/vcard:fn
                          | $target/vcard:organization-name | $target/skos:prefLabel
                          | $target/rdfs:label | $target/dct:title)[normalize-space() != ''][1])"/>
  </xsl:template>

  <xsl:template match="*">
    <xsl:variable name="ds" select="."/>
    <!-- The catalog record: nested under foaf:isPrimaryTopicOf, or a CatalogRecord
         node whose foaf:primaryTopic points at the dataset. -->
    <xsl:variable name="rec" select="foaf:isPrimaryTopicOf/*
        | //dcat:CatalogRecord | //rdf:Description[rdf:type/@rdf:resource = $RECORD]"/>
    <m:record>
      <!-- The metadata identifier (the record's dct:identifier, the last segment of
           a GeoNetwork record URI) is preferred: it is what ISO fileIdentifier
           carries for the same record; else the dataset's own identifier / URI. -->
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'identifier'"/>
        <xsl:with-param name="value">
          <xsl:choose>
            <xsl:when test="normalize-space($rec/dct:identifier) != ''">
              <xsl:value-of select="normalize-space($rec/dct:identifier)"/>
            </xsl:when>
            <xsl:when test="contains($rec/@rdf:about, '/records/')">
              <xsl:value-of select="substring-after($rec/@rdf:about, '/records/')"/>
            </xsl:when>
            <xsl:when test="normalize-space(dct:identifier) != ''">
              <xsl:value-of select="normalize-space(dct:identifier)"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="normalize-space(@rdf:about)"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
      <m:schema>dcat-rdf</m:schema>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'language'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="language">
            <xsl:with-param name="node" select="($rec/dct:language | dct:language)[1]"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <m:type>
        <xsl:call-template name="scope-code">
          <xsl:with-param name="type">
            <xsl:call-template name="value">
              <xsl:with-param name="node" select="(geodcatap:resourceType | dct:type)[1]"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </m:type>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'title'"/>
        <xsl:with-param name="value" select="normalize-space(dct:title[normalize-space() != ''][1])"/>
      </xsl:call-template>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'abstract'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="(dct:description | dct:abstract)[normalize-space() != ''][1]"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:for-each select="dcat:keyword">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'keyword'"/>
          <xsl:with-param name="value" select="normalize-space()"/>
        </xsl:call-template>
      </xsl:for-each>
      <!-- Themes are keywords of type theme (their label when the concept is
           described, else the concept URI); INSPIRE topic categories are topics. -->
      <xsl:for-each select="dcat:theme">
        <xsl:variable name="uri">
          <xsl:call-template name="value"/>
        </xsl:variable>
        <xsl:variable name="label">
          <xsl:call-template name="target-label">
            <xsl:with-param name="node" select="."/>
          </xsl:call-template>
        </xsl:variable>
        <xsl:if test="not(contains($uri, '/TopicCategory/')) and concat($label, $uri) != ''">
          <m:keyword type="theme">
            <xsl:choose>
              <xsl:when test="$label != ''"><xsl:value-of select="$label"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="$uri"/></xsl:otherwise>
            </xsl:choose>
          </m:keyword>
        </xsl:if>
      </xsl:for-each>
      <xsl:for-each select="geodcatap:topicCategory | dcat:theme[contains(@rdf:resource, '/TopicCategory/')]">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'topic'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="uri-last">
              <xsl:with-param name="uri" select="normalize-space(@rdf:resource)"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="dct:publisher | dct:creator | dcat:contactPoint" mode="party">
        <xsl:with-param name="scope" select="'resource'"/>
      </xsl:apply-templates>
      <xsl:apply-templates select="$rec/dcat:contactPoint" mode="party">
        <xsl:with-param name="scope" select="'metadata'"/>
      </xsl:apply-templates>
      <xsl:call-template name="dates">
        <xsl:with-param name="node" select="dct:created"/>
        <xsl:with-param name="type" select="'creation'"/>
      </xsl:call-template>
      <xsl:call-template name="dates">
        <xsl:with-param name="node" select="dct:issued"/>
        <xsl:with-param name="type" select="'publication'"/>
      </xsl:call-template>
      <xsl:call-template name="dates">
        <xsl:with-param name="node" select="dct:modified"/>
        <xsl:with-param name="type" select="'revision'"/>
      </xsl:call-template>
      <xsl:call-template name="dates">
        <xsl:with-param name="node" select="$rec/dct:modified[1]"/>
        <xsl:with-param name="type" select="'metadata'"/>
      </xsl:call-template>
      <xsl:for-each select="dct:temporal/*">
        <xsl:variable name="begin" select="normalize-space((dcat:startDate | schema:startDate)[1])"/>
        <xsl:variable name="end" select="normalize-space((dcat:endDate | schema:endDate)[1])"/>
        <xsl:if test="concat($begin, $end) != ''">
          <m:temporal>
            <xsl:call-template name="emit-attr">
              <xsl:with-param name="name" select="'begin'"/>
              <xsl:with-param name="value" select="$begin"/>
            </xsl:call-template>
            <xsl:call-template name="emit-attr">
              <xsl:with-param name="name" select="'end'"/>
              <xsl:with-param name="value" select="$end"/>
            </xsl:call-template>
          </m:temporal>
        </xsl:if>
      </xsl:for-each>
      <xsl:for-each select="dct:spatial/*/dcat:bbox | dct:spatial/*/locn:geometry
                            | dct:spatial/*/*[local-name() = 'asWKT']">
        <xsl:call-template name="geometry-bbox">
          <xsl:with-param name="literal" select="normalize-space()"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="dct:language">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'resourceLanguage'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="language"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'lineage'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="(dct:provenance/*/rdfs:label | dct:provenance/*/dct:description)[1]"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:for-each select="dct:license | dcat:distribution/*/dct:license">
        <xsl:variable name="label">
          <xsl:call-template name="target-label">
            <xsl:with-param name="node" select="."/>
          </xsl:call-template>
        </xsl:variable>
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'licence'"/>
          <xsl:with-param name="value">
            <xsl:choose>
              <xsl:when test="$label != ''"><xsl:value-of select="$label"/></xsl:when>
              <xsl:otherwise><xsl:call-template name="value"/></xsl:otherwise>
            </xsl:choose>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="dct:rights/* | dct:accessRights/*">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'constraint'"/>
          <xsl:with-param name="value" select="normalize-space((rdfs:label | dct:description)[1])"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="dcat:distribution/dcat:Distribution
                                   | key('about', dcat:distribution/@rdf:resource)" mode="link"/>
      <xsl:for-each select="dcat:landingPage">
        <xsl:variable name="url"><xsl:call-template name="value"/></xsl:variable>
        <xsl:if test="$url != ''">
          <m:link url="{$url}" function="information"/>
        </xsl:if>
      </xsl:for-each>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'thumbnail'"/>
        <xsl:with-param name="value" select="normalize-space(foaf:thumbnail[1]/@rdf:resource)"/>
      </xsl:call-template>
    </m:record>
  </xsl:template>

  <!-- A language as a code: a text literal as written, or the last segment of a
       language URI (…/language/FRA → FRA). -->
  <xsl:template name="language">
    <xsl:param name="node" select="."/>
    <xsl:variable name="v">
      <xsl:call-template name="value">
        <xsl:with-param name="node" select="$node"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:call-template name="uri-last">
      <xsl:with-param name="uri" select="$v"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="dates">
    <xsl:param name="node"/>
    <xsl:param name="type"/>
    <xsl:for-each select="$node">
      <xsl:call-template name="emit-date">
        <xsl:with-param name="type" select="$type"/>
        <xsl:with-param name="value" select="normalize-space()"/>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <!-- Publisher, creator and contact point: a foaf agent or a vcard, nested or by
       reference. -->
  <xsl:template match="*" mode="party">
    <xsl:param name="scope"/>
    <xsl:variable name="agent" select="*[1] | key('about', @rdf:resource)"/>
    <xsl:variable name="org" select="normalize-space(($agent/foaf:name | $agent/vcard:organization-name
        | $agent/vcard:org/*/vcard:organisation-name | $agent/vcard:fn)[normalize-space() != ''][1])"/>
    <xsl:variable name="mail" select="($agent/vcard:hasEmail/@rdf:resource | $agent/foaf:mbox/@rdf:resource
        | $agent/vcard:hasEmail[not(@rdf:resource)])[1]"/>
    <xsl:variable name="email" select="normalize-space(concat(substring-after($mail, 'mailto:'),
        substring($mail, 1, string-length($mail) * not(starts-with($mail, 'mailto:')))))"/>
    <xsl:if test="concat($org, $email) != ''">
      <m:party scope="{$scope}">
        <xsl:attribute name="role">
          <xsl:choose>
            <xsl:when test="self::dct:publisher">publisher</xsl:when>
            <xsl:when test="self::dct:creator">originator</xsl:when>
            <xsl:otherwise>pointOfContact</xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'organisation'"/>
          <xsl:with-param name="value" select="$org"/>
        </xsl:call-template>
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'email'"/>
          <xsl:with-param name="value" select="$email"/>
        </xsl:call-template>
      </m:party>
    </xsl:if>
  </xsl:template>

  <!-- A distribution is a link: access (else download) URL, its format or the
       standard its access service conforms to as protocol. -->
  <xsl:template match="*" mode="link">
    <xsl:variable name="url">
      <xsl:call-template name="value">
        <xsl:with-param name="node" select="(dcat:accessURL | dcat:downloadURL)[1]"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="$url != ''">
      <m:link url="{$url}">
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'protocol'"/>
          <xsl:with-param name="value">
            <xsl:choose>
              <xsl:when test="normalize-space(dct:format) != '' and not(dct:format/*)">
                <xsl:value-of select="normalize-space(dct:format)"/>
              </xsl:when>
              <xsl:otherwise>
                <xsl:value-of select="normalize-space((dcat:accessService/*/dct:conformsTo/*/@rdf:about
                                      | dct:format/*/@rdf:about | dct:format/*/rdf:value)[1])"/>
              </xsl:otherwise>
            </xsl:choose>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'name'"/>
          <xsl:with-param name="value" select="normalize-space(dct:title[1])"/>
        </xsl:call-template>
        <xsl:call-template name="emit-attr">
          <xsl:with-param name="name" select="'description'"/>
          <xsl:with-param name="value" select="normalize-space(dct:description[1])"/>
        </xsl:call-template>
        <xsl:if test="dcat:downloadURL">
          <xsl:attribute name="function">download</xsl:attribute>
        </xsl:if>
      </m:link>
    </xsl:if>
  </xsl:template>

  <!-- A GeoJSON or WKT literal → its envelope.  Numbers are read in order as
       lon/lat pairs (GeoJSON and GeoSPARQL WKT default to CRS84); a WKT that names
       EPSG:4326 ("<…/EPSG/0/4326> POLYGON(…)") is lat/lon.  Other named CRSs are
       not WGS84 degrees and give no box. -->
  <xsl:template name="geometry-bbox">
    <xsl:param name="literal"/>
    <xsl:variable name="crs" select="substring-before(substring-after($literal, '&lt;'), '&gt;')"/>
    <xsl:variable name="body">
      <xsl:choose>
        <xsl:when test="starts-with($literal, '&lt;')">
          <xsl:value-of select="substring-after($literal, '&gt;')"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="$literal"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="lat-first" select="contains($crs, '/EPSG/0/4326')"/>
    <xsl:if test="$crs = '' or $lat-first or contains($crs, 'CRS84')">
      <xsl:variable name="tokens" select="str:tokenize($body, ' ,()[]{}:&quot;&#9;&#10;&#13;')"/>
      <xsl:variable name="nums" select="$tokens[number(.) = number(.)]"/>
      <xsl:variable name="a" select="$nums[position() mod 2 = 1]"/>
      <xsl:variable name="b" select="$nums[position() mod 2 = 0]"/>
      <xsl:if test="count($nums) &gt;= 2 and count($nums) mod 2 = 0">
        <xsl:variable name="amin"><xsl:for-each select="$a"><xsl:sort data-type="number"/><xsl:if test="position() = 1"><xsl:value-of select="."/></xsl:if></xsl:for-each></xsl:variable>
        <xsl:variable name="amax"><xsl:for-each select="$a"><xsl:sort data-type="number" order="descending"/><xsl:if test="position() = 1"><xsl:value-of select="."/></xsl:if></xsl:for-each></xsl:variable>
        <xsl:variable name="bmin"><xsl:for-each select="$b"><xsl:sort data-type="number"/><xsl:if test="position() = 1"><xsl:value-of select="."/></xsl:if></xsl:for-each></xsl:variable>
        <xsl:variable name="bmax"><xsl:for-each select="$b"><xsl:sort data-type="number" order="descending"/><xsl:if test="position() = 1"><xsl:value-of select="."/></xsl:if></xsl:for-each></xsl:variable>
        <xsl:choose>
          <xsl:when test="$lat-first">
            <xsl:call-template name="emit-bbox">
              <xsl:with-param name="west" select="$bmin"/>
              <xsl:with-param name="east" select="$bmax"/>
              <xsl:with-param name="south" select="$amin"/>
              <xsl:with-param name="north" select="$amax"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="emit-bbox">
              <xsl:with-param name="west" select="$amin"/>
              <xsl:with-param name="east" select="$amax"/>
              <xsl:with-param name="south" select="$bmin"/>
              <xsl:with-param name="north" select="$bmax"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:if>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
