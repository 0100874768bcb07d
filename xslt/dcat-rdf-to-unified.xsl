<?xml version="1.0" encoding="UTF-8"?>
<!--
  dcat-rdf-to-unified.xsl — DCAT / DCAT-AP / GeoDCAT-AP records in RDF/XML → the
  unified record.  Two sources of such records:

  * GeoNetwork, inside CSW responses (outputSchema DCAT or GeoDCAT-AP): an rdf:RDF
    holding one dcat:Dataset (typed node or rdf:Description with rdf:type), its
    catalog record, and nodes nested or referenced by rdf:resource, or a bare
    dcat:Dataset;
  * the harvester's DCAT client (harvester/dcat_client.c), which writes every
    record flat, as raptor's rdfxml serializer does: one rdf:Description per node,
    the record's node first, references by rdf:resource (URI nodes) and rdf:nodeID
    (blank nodes).  The record is a dcat:Dataset, dcat:DatasetSeries (type
    series) or dcat:DataService (type service: endpoint URLs as links, served
    datasets as operatesOn).

  Every property that points at a node reads it nested, by rdf:about or by
  rdf:nodeID alike (the "targets" of a property).  Text in several languages:
  the parameter lang (default "fr": moisson serves French territories) is
  preferred, then untagged text, then English, then the first.  RDF/XML allows
  many spellings of one graph; a general RDF reader is the DCAT client
  (raptor2), not XSLT.  See xslt/README.md.
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
    xmlns:time="http://www.w3.org/2006/time#"
    xmlns:str="http://exslt.org/strings"
    xmlns:exsl="http://exslt.org/common"
    extension-element-prefixes="str exsl"
    exclude-result-prefixes="rdf rdfs dcat dct foaf vcard skos geodcatap schema locn time str exsl">

  <xsl:include href="common.xsl"/>
  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <!-- The preferred language of text (a prefix of xml:lang: "fr" takes fr, fr-FR, fre, fra). -->
  <xsl:param name="lang" select="'fr'"/>

  <xsl:variable name="DATASET" select="'http://www.w3.org/ns/dcat#Dataset'"/>
  <xsl:variable name="SERIES" select="'http://www.w3.org/ns/dcat#DatasetSeries'"/>
  <xsl:variable name="SERVICE" select="'http://www.w3.org/ns/dcat#DataService'"/>
  <xsl:variable name="RECORD" select="'http://www.w3.org/ns/dcat#CatalogRecord'"/>
  <xsl:variable name="UPPER" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>
  <xsl:variable name="LOWER" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <xsl:key name="about" match="*[@rdf:about]" use="@rdf:about"/>
  <!-- blank node descriptions (flat documents): node elements right under rdf:RDF;
       an rdf:nodeID on a property element is a reference -->
  <xsl:key name="node" match="rdf:RDF/*[@rdf:nodeID]" use="@rdf:nodeID"/>

  <xsl:template match="/">
    <xsl:apply-templates select="(//dcat:Dataset | //dcat:DatasetSeries | //dcat:DataService
        | //rdf:Description[rdf:type/@rdf:resource = $DATASET or rdf:type/@rdf:resource = $SERIES
                            or rdf:type/@rdf:resource = $SERVICE])[1]"/>
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

  <!-- Of several texts, the one in the preferred language, else untagged, else
       English, else the first non-empty (not trimmed). -->
  <xsl:template name="in-lang">
    <xsl:param name="nodes"/>
    <xsl:variable name="ok" select="$nodes[normalize-space() != '']"/>
    <xsl:variable name="pref" select="$ok[starts-with(translate(@xml:lang, $UPPER, $LOWER), $lang)]"/>
    <xsl:variable name="plain" select="$ok[not(@xml:lang) or @xml:lang = '']"/>
    <xsl:variable name="en" select="$ok[starts-with(translate(@xml:lang, $UPPER, $LOWER), 'en')]"/>
    <xsl:choose>
      <xsl:when test="$pref"><xsl:value-of select="$pref[1]"/></xsl:when>
      <xsl:when test="$plain"><xsl:value-of select="$plain[1]"/></xsl:when>
      <xsl:when test="$en"><xsl:value-of select="$en[1]"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$ok[1]"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The label of the node a property points to (nested, by rdf:about or rdf:nodeID). -->
  <xsl:template name="target-label">
    <xsl:param name="node"/>
    <xsl:variable name="target" select="$node/* | key('about', $node/@rdf:resource)
                                        | key('node', $node/@rdf:nodeID)"/>
    <xsl:variable name="label">
      <xsl:call-template name="in-lang">
        <xsl:with-param name="nodes" select="$target/foaf:name | $target/vcard:fn
            | $target/vcard:organization-name | $target/skos:prefLabel
            | $target/rdfs:label | $target/dct:title"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:value-of select="normalize-space($label)"/>
  </xsl:template>

  <xsl:template match="*">
    <xsl:variable name="ds" select="."/>
    <!-- The catalog record: nested under foaf:isPrimaryTopicOf, or a CatalogRecord
         node whose foaf:primaryTopic points at the dataset. -->
    <xsl:variable name="rec" select="foaf:isPrimaryTopicOf/*
        | //dcat:CatalogRecord | //rdf:Description[rdf:type/@rdf:resource = $RECORD]"/>
    <xsl:variable name="service" select="boolean(self::dcat:DataService or rdf:type/@rdf:resource = $SERVICE)"/>
    <xsl:variable name="dists" select="dcat:distribution/* | key('about', dcat:distribution/@rdf:resource)
                                       | key('node', dcat:distribution/@rdf:nodeID)"/>
    <xsl:variable name="spatial" select="dct:spatial/* | key('about', dct:spatial/@rdf:resource)
                                         | key('node', dct:spatial/@rdf:nodeID)"/>
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
        <xsl:choose>
          <xsl:when test="$service">service</xsl:when>
          <xsl:when test="self::dcat:DatasetSeries or rdf:type/@rdf:resource = $SERIES">series</xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="scope-code">
              <xsl:with-param name="type">
                <xsl:call-template name="value">
                  <xsl:with-param name="node" select="(geodcatap:resourceType | dct:type)[1]"/>
                </xsl:call-template>
              </xsl:with-param>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </m:type>
      <xsl:variable name="title">
        <xsl:call-template name="in-lang">
          <xsl:with-param name="nodes" select="dct:title"/>
        </xsl:call-template>
      </xsl:variable>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'title'"/>
        <xsl:with-param name="value" select="normalize-space($title)"/>
      </xsl:call-template>
      <xsl:variable name="abstract">
        <xsl:call-template name="in-lang">
          <xsl:with-param name="nodes" select="dct:description | dct:abstract"/>
        </xsl:call-template>
      </xsl:variable>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'abstract'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="$abstract"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <!-- Keywords in the preferred language or untagged, else in English, else all. -->
      <xsl:variable name="kw" select="dcat:keyword[normalize-space() != '']"/>
      <xsl:variable name="kw-pref" select="$kw[not(@xml:lang) or @xml:lang = ''
          or starts-with(translate(@xml:lang, $UPPER, $LOWER), $lang)]"/>
      <xsl:variable name="kw-en" select="$kw[starts-with(translate(@xml:lang, $UPPER, $LOWER), 'en')]"/>
      <xsl:for-each select="$kw-pref | $kw-en[not($kw-pref)] | $kw[not($kw-pref) and not($kw-en)]">
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
      <xsl:apply-templates select="dct:temporal" mode="temporal"/>
      <xsl:for-each select="$spatial/dcat:bbox | $spatial/locn:geometry[not(@rdf:resource or @rdf:nodeID or *)]
                            | $spatial/*[local-name() = 'asWKT' or local-name() = 'asGeoJSON']
                            | (key('about', $spatial/locn:geometry/@rdf:resource)
                               | key('node', $spatial/locn:geometry/@rdf:nodeID)
                               | $spatial/locn:geometry/*)/*[local-name() = 'asWKT'
                                                            or local-name() = 'asGeoJSON']">
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
      <xsl:variable name="prov" select="dct:provenance/* | key('about', dct:provenance/@rdf:resource)
                                        | key('node', dct:provenance/@rdf:nodeID)"/>
      <xsl:variable name="lineage">
        <xsl:call-template name="in-lang">
          <xsl:with-param name="nodes" select="$prov/rdfs:label | $prov/dct:description"/>
        </xsl:call-template>
      </xsl:variable>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'lineage'"/>
        <xsl:with-param name="value">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="$lineage"/>
          </xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <!-- Licences of the dataset and of its distributions, each once. -->
      <xsl:variable name="licences">
        <xsl:for-each select="dct:license | $dists/dct:license">
          <xsl:variable name="label">
            <xsl:call-template name="target-label">
              <xsl:with-param name="node" select="."/>
            </xsl:call-template>
          </xsl:variable>
          <m:licence>
            <xsl:choose>
              <xsl:when test="$label != ''"><xsl:value-of select="$label"/></xsl:when>
              <xsl:otherwise><xsl:call-template name="value"/></xsl:otherwise>
            </xsl:choose>
          </m:licence>
        </xsl:for-each>
      </xsl:variable>
      <xsl:copy-of select="exsl:node-set($licences)/m:licence[. != ''][not(. = preceding-sibling::m:licence)]"/>
      <!-- Access rights and rights: a described statement's label, a literal, or the URI. -->
      <xsl:variable name="constraints">
        <xsl:for-each select="dct:accessRights | dct:rights">
          <xsl:variable name="target" select="* | key('about', @rdf:resource) | key('node', @rdf:nodeID)"/>
          <xsl:variable name="label">
            <xsl:call-template name="in-lang">
              <xsl:with-param name="nodes" select="$target/rdfs:label | $target/dct:description
                                                   | $target/skos:prefLabel"/>
            </xsl:call-template>
          </xsl:variable>
          <m:constraint>
            <xsl:choose>
              <xsl:when test="normalize-space($label) != ''"><xsl:value-of select="normalize-space($label)"/></xsl:when>
              <xsl:when test="not(*) and not(@rdf:nodeID)"><xsl:call-template name="value"/></xsl:when>
            </xsl:choose>
          </m:constraint>
        </xsl:for-each>
      </xsl:variable>
      <xsl:copy-of select="exsl:node-set($constraints)/m:constraint[. != ''][not(. = preceding-sibling::m:constraint)]"/>
      <xsl:apply-templates select="$dists" mode="link"/>
      <xsl:if test="$service">
        <xsl:variable name="protocol">
          <xsl:call-template name="conforms-to"/>
        </xsl:variable>
        <xsl:for-each select="dcat:endpointURL">
          <xsl:variable name="url"><xsl:call-template name="value"/></xsl:variable>
          <xsl:if test="$url != ''">
            <m:link url="{$url}">
              <xsl:call-template name="emit-attr">
                <xsl:with-param name="name" select="'protocol'"/>
                <xsl:with-param name="value" select="$protocol"/>
              </xsl:call-template>
            </m:link>
          </xsl:if>
        </xsl:for-each>
      </xsl:if>
      <xsl:for-each select="dcat:landingPage">
        <xsl:variable name="url"><xsl:call-template name="value"/></xsl:variable>
        <xsl:if test="$url != ''">
          <m:link url="{$url}" function="information"/>
        </xsl:if>
      </xsl:for-each>
      <!-- An extent given only as a URI (a place in a gazetteer) is kept as a link. -->
      <xsl:for-each select="dct:spatial[@rdf:resource]">
        <xsl:variable name="place" select="key('about', @rdf:resource)"/>
        <xsl:if test="not($place/dcat:bbox | $place/locn:geometry | $place/*[local-name() = 'asWKT'])">
          <m:link url="{normalize-space(@rdf:resource)}" name="spatial coverage" function="information"/>
        </xsl:if>
      </xsl:for-each>
      <!-- Formats and media types of the distributions, each once. -->
      <xsl:variable name="formats">
        <xsl:for-each select="$dists/dct:format | $dists/dcat:mediaType">
          <xsl:variable name="label">
            <xsl:call-template name="target-label">
              <xsl:with-param name="node" select="."/>
            </xsl:call-template>
          </xsl:variable>
          <xsl:variable name="v"><xsl:call-template name="value"/></xsl:variable>
          <m:format>
            <xsl:choose>
              <xsl:when test="$label != ''"><xsl:value-of select="$label"/></xsl:when>
              <xsl:when test="contains($v, '/media-types/')"><xsl:value-of select="substring-after($v, '/media-types/')"/></xsl:when>
              <xsl:when test="contains($v, '://')">
                <xsl:call-template name="uri-last"><xsl:with-param name="uri" select="$v"/></xsl:call-template>
              </xsl:when>
              <xsl:otherwise><xsl:value-of select="$v"/></xsl:otherwise>
            </xsl:choose>
          </m:format>
        </xsl:for-each>
      </xsl:variable>
      <xsl:copy-of select="exsl:node-set($formats)/m:format[. != ''][not(. = preceding-sibling::m:format)]"/>
      <xsl:call-template name="emit">
        <xsl:with-param name="name" select="'thumbnail'"/>
        <xsl:with-param name="value" select="normalize-space(foaf:thumbnail[1]/@rdf:resource)"/>
      </xsl:call-template>
      <xsl:if test="$service">
        <xsl:call-template name="emit">
          <xsl:with-param name="name" select="'serviceType'"/>
          <xsl:with-param name="value">
            <xsl:call-template name="uri-last">
              <xsl:with-param name="uri" select="normalize-space((dct:type/@rdf:resource | dct:type/*/@rdf:about
                                                 | geodcatap:serviceType/@rdf:resource)[1])"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
        <xsl:for-each select="dcat:servesDataset">
          <xsl:variable name="href"><xsl:call-template name="value"/></xsl:variable>
          <xsl:if test="$href != ''">
            <m:operatesOn href="{$href}"/>
          </xsl:if>
        </xsl:for-each>
      </xsl:if>
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

  <!-- The standard a node conforms to (dct:conformsTo, by reference or nested). -->
  <xsl:template name="conforms-to">
    <xsl:param name="node" select="."/>
    <xsl:value-of select="normalize-space(($node/dct:conformsTo/@rdf:resource
                          | $node/dct:conformsTo/*/@rdf:about)[1])"/>
  </xsl:template>

  <!-- A period of time: dcat:startDate / endDate (schema:, time:hasBeginning /
       hasEnd instants too), by reference or nested; a literal "begin/end". -->
  <xsl:template match="*" mode="temporal">
    <xsl:variable name="t" select="* | key('about', @rdf:resource) | key('node', @rdf:nodeID)"/>
    <xsl:variable name="b-inst" select="$t/time:hasBeginning/* | key('about', $t/time:hasBeginning/@rdf:resource)
                                        | key('node', $t/time:hasBeginning/@rdf:nodeID)"/>
    <xsl:variable name="e-inst" select="$t/time:hasEnd/* | key('about', $t/time:hasEnd/@rdf:resource)
                                        | key('node', $t/time:hasEnd/@rdf:nodeID)"/>
    <xsl:variable name="literal" select="normalize-space(self::*[not(* or @rdf:resource or @rdf:nodeID)])"/>
    <xsl:variable name="begin">
      <xsl:choose>
        <xsl:when test="contains($literal, '/')">
          <xsl:value-of select="normalize-space(substring-before($literal, '/'))"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:value-of select="normalize-space(($t/dcat:startDate | $t/schema:startDate
              | $b-inst/time:inXSDDateTime | $b-inst/time:inXSDDate | $b-inst/time:inXSDDateTimeStamp)[1])"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="end">
      <xsl:choose>
        <xsl:when test="contains($literal, '/')">
          <xsl:value-of select="normalize-space(substring-after($literal, '/'))"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:value-of select="normalize-space(($t/dcat:endDate | $t/schema:endDate
              | $e-inst/time:inXSDDateTime | $e-inst/time:inXSDDate | $e-inst/time:inXSDDateTimeStamp)[1])"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="concat($begin, $end) != '' and not(contains($begin, ' ')) and not(contains($end, ' '))">
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
  </xsl:template>

  <!-- Publisher, creator and contact point: a foaf agent or a vcard, nested or by
       reference. -->
  <xsl:template match="*" mode="party">
    <xsl:param name="scope"/>
    <xsl:variable name="agent" select="*[1] | key('about', @rdf:resource) | key('node', @rdf:nodeID)"/>
    <xsl:variable name="org-text">
      <xsl:call-template name="in-lang">
        <xsl:with-param name="nodes" select="$agent/foaf:name | $agent/vcard:organization-name
            | $agent/vcard:org/*/vcard:organisation-name | $agent/vcard:fn"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="org" select="normalize-space($org-text)"/>
    <xsl:variable name="mail" select="($agent/vcard:hasEmail/@rdf:resource | $agent/foaf:mbox/@rdf:resource
        | $agent/vcard:hasEmail[not(@rdf:resource)] | $agent/foaf:mbox[not(@rdf:resource)])[1]"/>
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

  <!-- A distribution is a link: its access URL (else download URL), with its
       format or the standard its access service conforms to as protocol; a
       download URL other than the access URL is a second link. -->
  <xsl:template match="*" mode="link">
    <xsl:variable name="access">
      <xsl:call-template name="value">
        <xsl:with-param name="node" select="dcat:accessURL[1]"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="download">
      <xsl:call-template name="value">
        <xsl:with-param name="node" select="dcat:downloadURL[1]"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="services" select="dcat:accessService/* | key('about', dcat:accessService/@rdf:resource)
                                          | key('node', dcat:accessService/@rdf:nodeID)"/>
    <xsl:variable name="format-node" select="key('about', dct:format/@rdf:resource) | key('node', dct:format/@rdf:nodeID)"/>
    <xsl:variable name="protocol">
      <xsl:choose>
        <xsl:when test="normalize-space(dct:format) != '' and not(dct:format/*)">
          <xsl:value-of select="normalize-space(dct:format)"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:value-of select="normalize-space(($services/dct:conformsTo/*/@rdf:about
                                | $services/dct:conformsTo/@rdf:resource
                                | dct:format/*/@rdf:about | dct:format/*/rdf:value
                                | $format-node/rdf:value | dct:format/@rdf:resource)[1])"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="name">
      <xsl:call-template name="in-lang">
        <xsl:with-param name="nodes" select="dct:title"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="description">
      <xsl:call-template name="in-lang">
        <xsl:with-param name="nodes" select="dct:description"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="first">
      <xsl:choose>
        <xsl:when test="$access != ''"><xsl:value-of select="$access"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$download"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="$first != ''">
      <m:link url="{$first}">
        <xsl:call-template name="link-attrs">
          <xsl:with-param name="protocol" select="$protocol"/>
          <xsl:with-param name="name" select="normalize-space($name)"/>
          <xsl:with-param name="description" select="normalize-space($description)"/>
        </xsl:call-template>
        <xsl:if test="$download != '' and ($access = '' or $download = $access)">
          <xsl:attribute name="function">download</xsl:attribute>
        </xsl:if>
      </m:link>
    </xsl:if>
    <xsl:if test="$access != '' and $download != '' and $download != $access">
      <m:link url="{$download}">
        <xsl:call-template name="link-attrs">
          <xsl:with-param name="protocol" select="$protocol"/>
          <xsl:with-param name="name" select="normalize-space($name)"/>
          <xsl:with-param name="description" select="normalize-space($description)"/>
        </xsl:call-template>
        <xsl:attribute name="function">download</xsl:attribute>
      </m:link>
    </xsl:if>
  </xsl:template>

  <xsl:template name="link-attrs">
    <xsl:param name="protocol"/>
    <xsl:param name="name"/>
    <xsl:param name="description"/>
    <xsl:call-template name="emit-attr">
      <xsl:with-param name="name" select="'protocol'"/>
      <xsl:with-param name="value" select="$protocol"/>
    </xsl:call-template>
    <xsl:call-template name="emit-attr">
      <xsl:with-param name="name" select="'name'"/>
      <xsl:with-param name="value" select="$name"/>
    </xsl:call-template>
    <xsl:call-template name="emit-attr">
      <xsl:with-param name="name" select="'description'"/>
      <xsl:with-param name="value" select="$description"/>
    </xsl:call-template>
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
        <!-- one sort per axis: its first value is the minimum, its last the maximum -->
        <xsl:variable name="a-sorted">
          <xsl:for-each select="$a"><xsl:sort data-type="number"/><xsl:if test="position() = 1 or position() = last()"><xsl:value-of select="concat(., ' ')"/></xsl:if></xsl:for-each>
        </xsl:variable>
        <xsl:variable name="b-sorted">
          <xsl:for-each select="$b"><xsl:sort data-type="number"/><xsl:if test="position() = 1 or position() = last()"><xsl:value-of select="concat(., ' ')"/></xsl:if></xsl:for-each>
        </xsl:variable>
        <xsl:variable name="amin" select="substring-before($a-sorted, ' ')"/>
        <xsl:variable name="amax" select="substring-before(concat(substring-after($a-sorted, ' '), $a-sorted), ' ')"/>
        <xsl:variable name="bmin" select="substring-before($b-sorted, ' ')"/>
        <xsl:variable name="bmax" select="substring-before(concat(substring-after($b-sorted, ' '), $b-sorted), ' ')"/>
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
