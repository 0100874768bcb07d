<?xml version="1.0" encoding="UTF-8"?>
<!--
  common.xsl — named templates shared by every *-to-unified.xsl stylesheet.

  Included (xsl:include) by the input stylesheets; it never matches anything by
  itself.  XSLT 1.0 + EXSLT (libxslt).  Every "emit-*" template writes nothing when
  its value is empty, so the unified record never carries empty elements.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:m="urn:x-moisson:record:1"
    xmlns:gml="http://www.opengis.net/gml"
    xmlns:gml32="http://www.opengis.net/gml/3.2">

  <!-- ISO free text (19139 and 19115-3 alike, hence local-name()): the record's main
       language text is the gco:CharacterString (or gmx:/gcx:Anchor text); when it is
       empty, the first non-empty PT_FreeText LocalisedCharacterString.  Collapsed
       with normalize-space: for one-line fields (titles, names, keywords). -->
  <xsl:template name="iso-text">
    <xsl:param name="node" select="."/>
    <xsl:variable name="main"
        select="normalize-space(($node/*[local-name() = 'CharacterString' or local-name() = 'Anchor'])[1])"/>
    <xsl:choose>
      <xsl:when test="$main != ''">
        <xsl:value-of select="$main"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="normalize-space(($node/*[local-name() = 'PT_FreeText']//*[local-name() = 'LocalisedCharacterString'][normalize-space() != ''])[1])"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Same rule for multi-line text (abstract, lineage, constraints): only the
       leading and trailing white space is removed, line breaks inside are kept. -->
  <xsl:template name="iso-block">
    <xsl:param name="node" select="."/>
    <xsl:variable name="main" select="($node/*[local-name() = 'CharacterString' or local-name() = 'Anchor'])[1]"/>
    <xsl:call-template name="trim">
      <xsl:with-param name="s">
        <xsl:choose>
          <xsl:when test="normalize-space($main) != ''">
            <xsl:value-of select="$main"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="($node/*[local-name() = 'PT_FreeText']//*[local-name() = 'LocalisedCharacterString'][normalize-space() != ''])[1]"/>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- Free text, or the xlink:href of an Anchor whose text is empty (licences and
       CRS are often given as a bare link). -->
  <xsl:template name="iso-text-or-href">
    <xsl:param name="node" select="."/>
    <xsl:variable name="text">
      <xsl:call-template name="iso-text">
        <xsl:with-param name="node" select="$node"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="string($text) != ''">
        <xsl:value-of select="$text"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="normalize-space($node/*[local-name() = 'Anchor']/@*[local-name() = 'href'])"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A code list property (gmd:role/gmd:CI_RoleCode, gmd:language/...): the
       codeListValue, else the element's text (LanguageCode with text, or a plain
       gco:CharacterString). -->
  <xsl:template name="iso-code">
    <xsl:param name="node" select="."/>
    <xsl:variable name="value" select="normalize-space($node/*[1]/@codeListValue)"/>
    <xsl:choose>
      <xsl:when test="$value != ''">
        <xsl:value-of select="$value"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="normalize-space($node/*[1])"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Removes leading and trailing white space without touching the inside.
       The trailing run is measured without recursion when it is shorter than 8
       characters (the usual case: none, or a space or line break): $k counts the
       blank suffixes of length 1..8 of the last 8 characters, and a blank suffix
       of length j implies blank suffixes of every length below j.  A longer run
       goes to rtrim. -->
  <xsl:template name="trim">
    <xsl:param name="s"/>
    <xsl:variable name="n" select="normalize-space($s)"/>
    <xsl:if test="$n != ''">
      <xsl:variable name="t" select="substring($s, string-length(substring-before($s, substring($n, 1, 1))) + 1)"/>
      <xsl:variable name="len" select="string-length($t)"/>
      <xsl:variable name="tail" select="substring($t, $len - 7)"/>
      <xsl:variable name="tl" select="string-length($tail)"/>
      <xsl:variable name="k" select="(normalize-space(substring($tail, $tl)) = '')
                                     + (normalize-space(substring($tail, $tl - 1)) = '')
                                     + (normalize-space(substring($tail, $tl - 2)) = '')
                                     + (normalize-space(substring($tail, $tl - 3)) = '')
                                     + (normalize-space(substring($tail, $tl - 4)) = '')
                                     + (normalize-space(substring($tail, $tl - 5)) = '')
                                     + (normalize-space(substring($tail, $tl - 6)) = '')
                                     + (normalize-space(substring($tail, $tl - 7)) = '')"/>
      <xsl:choose>
        <xsl:when test="$k &lt; 8">
          <xsl:value-of select="substring($t, 1, $len - $k)"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:call-template name="rtrim">
            <xsl:with-param name="s" select="$t"/>
          </xsl:call-template>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>

  <!-- Trailing white space off, by halves: recursion depth is log2 of the length,
       so a hostile run of blanks cannot exhaust the template depth limit. -->
  <xsl:template name="rtrim">
    <xsl:param name="s"/>
    <xsl:variable name="len" select="string-length($s)"/>
    <xsl:choose>
      <xsl:when test="translate(substring($s, $len), ' &#9;&#10;&#13;', '') != ''">
        <xsl:value-of select="$s"/>
      </xsl:when>
      <xsl:when test="$len &lt;= 1"/>
      <xsl:otherwise>
        <xsl:variable name="half" select="ceiling($len div 2)"/>
        <xsl:variable name="tail" select="substring($s, $half + 1)"/>
        <xsl:choose>
          <xsl:when test="normalize-space($tail) = ''">
            <xsl:call-template name="rtrim">
              <xsl:with-param name="s" select="substring($s, 1, $half)"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="substring($s, 1, $half)"/>
            <xsl:call-template name="rtrim">
              <xsl:with-param name="s" select="$tail"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- m:NAME with the text value, only when the value is not empty. -->
  <xsl:template name="emit">
    <xsl:param name="name"/>
    <xsl:param name="value"/>
    <xsl:if test="string($value) != ''">
      <xsl:element name="m:{$name}" namespace="urn:x-moisson:record:1">
        <xsl:value-of select="$value"/>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- An attribute on the element being built, only when the value is not empty. -->
  <xsl:template name="emit-attr">
    <xsl:param name="name"/>
    <xsl:param name="value"/>
    <xsl:if test="string($value) != ''">
      <xsl:attribute name="{$name}">
        <xsl:value-of select="$value"/>
      </xsl:attribute>
    </xsl:if>
  </xsl:template>

  <!-- m:date of a given type; value already trimmed. -->
  <xsl:template name="emit-date">
    <xsl:param name="type"/>
    <xsl:param name="value"/>
    <xsl:if test="string($value) != ''">
      <m:date type="{$type}">
        <xsl:value-of select="$value"/>
      </m:date>
    </xsl:if>
  </xsl:template>

  <!-- m:bbox only when the four values are numbers by XPath number() (digits, an
       optional point and minus sign: no exponent, no '+'); written as in the
       record, white space removed (XPath's own number form adds binary noise
       such as 8.396000000000001). -->
  <xsl:template name="emit-bbox">
    <xsl:param name="west"/>
    <xsl:param name="east"/>
    <xsl:param name="south"/>
    <xsl:param name="north"/>
    <xsl:variable name="w" select="normalize-space($west)"/>
    <xsl:variable name="e" select="normalize-space($east)"/>
    <xsl:variable name="s" select="normalize-space($south)"/>
    <xsl:variable name="n" select="normalize-space($north)"/>
    <xsl:if test="number($w) = number($w) and number($e) = number($e)
                  and number($s) = number($s) and number($n) = number($n)">
      <m:bbox west="{$w}" east="{$e}" south="{$s}" north="{$n}"/>
    </xsl:if>
  </xsl:template>

  <!-- m:temporal from a GML time primitive, either GML namespace (3.2 of ISO
       19139 2007 / EDEN, or the pre-release http://www.opengis.net/gml found in
       records written against the 2006 schemas): TimePeriod with
       beginPosition/endPosition or begin/end TimeInstant, or a TimeInstant (begin
       = end). -->
  <xsl:template name="emit-gml-time">
    <xsl:param name="node"/>
    <xsl:variable name="begin" select="normalize-space((
        $node/gml:beginPosition | $node/gml32:beginPosition
      | $node/gml:begin/gml:TimeInstant/gml:timePosition
      | $node/gml32:begin/gml32:TimeInstant/gml32:timePosition
      | $node/gml:timePosition | $node/gml32:timePosition)[1])"/>
    <xsl:variable name="end" select="normalize-space((
        $node/gml:endPosition | $node/gml32:endPosition
      | $node/gml:end/gml:TimeInstant/gml:timePosition
      | $node/gml32:end/gml32:TimeInstant/gml32:timePosition
      | $node/gml:timePosition | $node/gml32:timePosition)[1])"/>
    <xsl:if test="$begin != '' or $end != ''">
      <m:temporal>
        <xsl:if test="$begin != ''">
          <xsl:attribute name="begin"><xsl:value-of select="$begin"/></xsl:attribute>
        </xsl:if>
        <xsl:if test="$end != ''">
          <xsl:attribute name="end"><xsl:value-of select="$end"/></xsl:attribute>
        </xsl:if>
      </m:temporal>
    </xsl:if>
  </xsl:template>

  <!-- The last segment of a URI (…/TopicCategory/society → society). -->
  <xsl:template name="uri-last">
    <xsl:param name="uri"/>
    <xsl:choose>
      <xsl:when test="contains($uri, '/')">
        <xsl:call-template name="uri-last">
          <xsl:with-param name="uri" select="substring-after($uri, '/')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="$uri"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A Dublin Core / DCMI / INSPIRE resource type to an ISO MD_ScopeCode; ISO codes
       pass through (case fixed), unknown or empty types give dataset. -->
  <xsl:template name="scope-code">
    <xsl:param name="type"/>
    <xsl:variable name="last">
      <xsl:call-template name="uri-last">
        <xsl:with-param name="uri" select="normalize-space($type)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="t" select="translate($last, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"/>
    <xsl:choose>
      <xsl:when test="$t = 'series' or $t = 'collection'">series</xsl:when>
      <xsl:when test="$t = 'service'">service</xsl:when>
      <xsl:when test="$t = 'featuretype'">featureType</xsl:when>
      <xsl:when test="$t = 'application' or $t = 'software'">application</xsl:when>
      <xsl:when test="$t = 'nongeographicdataset' or $t = 'text'">nonGeographicDataset</xsl:when>
      <xsl:when test="$t = 'model' or $t = 'tile' or $t = 'attribute' or $t = 'feature'
                      or $t = 'collectionhardware' or $t = 'collectionsession'
                      or $t = 'dimensiongroup' or $t = 'fieldsession' or $t = 'software'
                      or $t = 'propertytype' or $t = 'attributetype'">
        <xsl:value-of select="$last"/>
      </xsl:when>
      <xsl:otherwise>dataset</xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
