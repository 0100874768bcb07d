<?xml version="1.0" encoding="UTF-8"?>
<!--
  common-out.xsl — named templates shared by the output stylesheets that read a
  unified record (unified-to-iso19139.xsl, unified-to-csw-record.xsl).

  Included by them; it matches nothing by itself.  XSLT 1.0 + EXSLT strings
  (libxslt), no document().  What is here:
    * date-kind     : is a date text an xs:date / gYearMonth / gYear ("date"), an
                      xs:dateTime ("datetime"), or neither ("")?  The ISO schemas
                      type gco:Date and gco:DateTime strictly, the unified record
                      keeps dates as the partner wrote them.
    * safe-uri      : a URL made acceptable to xs:anyURI (libxml2's check) with the
                      fewest changes: '[' ']' escaped, a '%' not followed by two
                      hex digits escaped, every '#' after the first escaped.
    * provenance    : the one sentence that says where a rebuilt record came from,
                      built from the stylesheet parameters sources, harvested and
                      public-url (see xslt/README.md, "Output stylesheets").
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:str="http://exslt.org/strings"
    xmlns:m="urn:x-moisson:record:1"
    exclude-result-prefixes="str m">

  <!-- Partner names that carry the record, separated by commas and/or spaces
       (names are [A-Za-z0-9_.-]+); written back as "a, b". -->
  <xsl:param name="sources" select="''"/>
  <!-- When the record was harvested (ISO 8601 date-time). -->
  <xsl:param name="harvested" select="''"/>
  <!-- Public base URL of this moisson server (moisson serve public URL). -->
  <xsl:param name="public-url" select="''"/>

  <xsl:variable name="source-list"
      select="str:replace(normalize-space(translate($sources, ',', ' ')), ' ', ', ')"/>
  <xsl:variable name="harvested-text" select="normalize-space($harvested)"/>
  <xsl:variable name="public-url-text" select="normalize-space($public-url)"/>
  <xsl:variable name="has-provenance" select="$source-list != '' or $harvested-text != ''"/>

  <xsl:variable name="hex" select="'0123456789abcdefABCDEF'"/>

  <!-- ============================================================ dates -->

  <!-- "date", "datetime" or "" for the text $d (already trimmed).  Accepted:
       YYYY, YYYY-MM, YYYY-MM-DD (each with an optional time zone), and
       YYYY-MM-DDThh:mm:ss[.s+][zone]; year 0000, months, days (leap years
       included), hours, minutes, seconds and zones are range-checked as XML
       Schema does.  The shape is told on a copy with every digit turned to 9;
       ranges by looking two-digit fields up in lists, and the month length
       only for days 29 to 31.  Every XPath function call counts here (this runs
       for every date of every rebuilt record): one test with short-circuit
       "and"s, four variables (libxslt computes variables eagerly). -->
  <xsl:template name="date-kind">
    <xsl:param name="d"/>
    <xsl:variable name="p" select="translate($d, '0123456789', '9999999999')"/>
    <xsl:variable name="n" select="string-length($p)"/>
    <xsl:variable name="zone"
        select="number(substring($p, $n) = 'Z')
                + 6 * number($n &gt;= 10 and (substring($p, $n - 5) = '+99:99'
                                              or substring($p, $n - 5) = '-99:99'))"/>
    <xsl:variable name="body" select="substring($p, 1, $n - $zone)"/>
    <xsl:if test="($body = '9999' or $body = '9999-99' or $body = '9999-99-99'
                   or (substring($body, 1, 19) = '9999-99-99T99:99:99'
                       and (string-length($body) = 19
                            or (substring($body, 20, 1) = '.' and string-length($body) &gt; 20
                                and translate(substring($body, 21), '9', '') = ''))))
                  and not(starts-with($d, '0000'))
                  and (string-length($body) = 4
                       or contains('|01|02|03|04|05|06|07|08|09|10|11|12|',
                                   concat('|', substring($d, 6, 2), '|')))
                  and (string-length($body) &lt; 10
                       or contains('|01|02|03|04|05|06|07|08|09|10|11|12|13|14|15|16|17|18|19|20|21|22|23|24|25|26|27|28|',
                                   concat('|', substring($d, 9, 2), '|'))
                       or (contains('|29|30|31|', concat('|', substring($d, 9, 2), '|'))
                           and number(substring($d, 9, 2))
                               &lt;= number(substring('312931303130313130313031', 2 * substring($d, 6, 2) - 1, 2))
                                  - number(substring($d, 6, 2) = '02'
                                           and not((substring($d, 1, 4) mod 4 = 0 and substring($d, 1, 4) mod 100 != 0)
                                                   or substring($d, 1, 4) mod 400 = 0))))
                  and (string-length($body) &lt; 19
                       or (contains('|00|01|02|03|04|05|06|07|08|09|10|11|12|13|14|15|16|17|18|19|20|21|22|23|',
                                    concat('|', substring($d, 12, 2), '|'))
                           and contains('012345', substring($d, 15, 1))
                           and contains('012345', substring($d, 18, 1))))
                  and ($zone != 6
                       or (contains('|00|01|02|03|04|05|06|07|08|09|10|11|12|13|', concat('|', substring($d, $n - 4, 2), '|'))
                           and contains('012345', substring($d, $n - 1, 1)))
                       or substring($d, $n - 4) = '14:00')">
      <xsl:choose>
        <xsl:when test="string-length($body) &gt;= 19">datetime</xsl:when>
        <xsl:otherwise>date</xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>

  <!-- ============================================================ URLs -->

  <!-- $u written so that xs:anyURI accepts it.  Most URLs pass unchanged; only
       the characters libxml2 refuses are percent-encoded. -->
  <xsl:template name="safe-uri">
    <xsl:param name="u"/>
    <xsl:choose>
      <xsl:when test="not(contains($u, '%') or contains($u, '[') or contains($u, ']')
                          or contains(substring-after($u, '#'), '#'))">
        <xsl:value-of select="$u"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="one-hash">
          <xsl:choose>
            <xsl:when test="contains(substring-after($u, '#'), '#')">
              <xsl:value-of select="concat(substring-before($u, '#'), '#',
                                           str:replace(substring-after($u, '#'), '#', '%23'))"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="$u"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:variable>
        <xsl:variable name="no-brackets"
            select="str:replace(str:replace(string($one-hash), '[', '%5B'), ']', '%5D')"/>
        <!-- a '%' not followed by two hex digits: map 'h' away, hex digits to 'h',
             remove every "%hh"; a '%' left over is a bad one -->
        <xsl:choose>
          <xsl:when test="not(contains(str:replace(translate(translate($no-brackets, 'h', 'g'), $hex,
                                                             'hhhhhhhhhhhhhhhhhhhhhh'), '%hh', ''), '%'))">
            <xsl:value-of select="$no-brackets"/>
          </xsl:when>
          <!-- past 200 '%' the recursion below would go too deep: every '%'
               is escaped (the URL stays valid, its escapes are doubled) -->
          <xsl:when test="string-length($no-brackets) - string-length(translate($no-brackets, '%', '')) &gt; 200">
            <xsl:value-of select="str:replace($no-brackets, '%', '%25')"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="escape-bad-percent">
              <xsl:with-param name="s" select="$no-brackets"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Recursion per '%' of $s (reached only for a URL that has a bad one and
       at most 200 '%'). -->
  <xsl:template name="escape-bad-percent">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="not(contains($s, '%'))">
        <xsl:value-of select="$s"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="rest" select="substring-after($s, '%')"/>
        <xsl:value-of select="substring-before($s, '%')"/>
        <xsl:choose>
          <xsl:when test="string-length($rest) &gt;= 2
                          and translate(substring($rest, 1, 2), $hex, '') = ''">%</xsl:when>
          <xsl:otherwise>%25</xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="escape-bad-percent">
          <xsl:with-param name="s" select="$rest"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ============================================================ provenance -->

  <!-- "Harvested by moisson (URL) from the partner catalogue(s) a, b on DATE;
       rebuilt from its SCHEMA record." — parts whose parameter is empty are
       left out.  Context: the m:record. -->
  <xsl:template name="provenance">
    <xsl:text>Harvested by moisson</xsl:text>
    <xsl:if test="$public-url-text != ''">
      <xsl:value-of select="concat(' (', $public-url-text, ')')"/>
    </xsl:if>
    <xsl:if test="$source-list != ''">
      <xsl:choose>
        <xsl:when test="contains($source-list, ',')"> from the partner catalogues </xsl:when>
        <xsl:otherwise> from the partner catalogue </xsl:otherwise>
      </xsl:choose>
      <xsl:value-of select="$source-list"/>
    </xsl:if>
    <xsl:if test="$harvested-text != ''">
      <xsl:value-of select="concat(' on ', $harvested-text)"/>
    </xsl:if>
    <xsl:value-of select="concat('; rebuilt from its ', m:schema, ' record.')"/>
  </xsl:template>

</xsl:stylesheet>
