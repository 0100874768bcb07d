/*
 * test_filter.c — the query filter without a database: OGC Filter XML and
 * CQL text → the SQL text and parameters expected, or the exact error
 * expected (one row per case), hostile inputs, limits, the queryables table,
 * dates, parameter numbering after the caller's own and all-or-nothing.
 */
#include "filter.h"
#include "queryables.h"
#include "xmlsafe.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* OGC snippets are wrapped in this Filter (default namespace ogc). */
#define XML_OPEN                                                                                   \
    "<Filter xmlns=\"http://www.opengis.net/ogc\" xmlns:gml=\"http://www.opengis.net/gml\">"
#define XML_CLOSE "</Filter>"

#define EQ_TITLE(v)                                                                                \
    "<PropertyIsEqualTo><PropertyName>dc:title</PropertyName><Literal>" v                          \
    "</Literal></PropertyIsEqualTo>"
#define BBOX_ENV(srs, lo, up)                                                                      \
    "<BBOX><PropertyName>ows:BoundingBox</PropertyName><gml:Envelope" srs "><gml:lowerCorner>" lo  \
    "</gml:lowerCorner><gml:upperCorner>" up "</gml:upperCorner></gml:Envelope></BBOX>"

enum syntax { CQL, XML, DOC };

struct parse_case {
    enum syntax syntax; /* CQL text, an XML snippet inside Filter, or a whole document */
    const char *text;
    const char *sql;    /* expected SQL, or NULL when an error is expected */
    const char *params; /* expected parameters joined with '|' */
    const char *error;  /* expected message (exact; a final '*' matches any rest) */
};

#define SUBJ "unnest((r.keywords || r.topics))"
#define TS "to_tsquery('moisson_fr', $1)"
#define BOX_FR "(5,49),(1,43)"

static const struct parse_case cases[] = {
    /* ---- CQL: comparisons on text ---- */
    {CQL, "dc:title = 'Routes'", "(r.title = $1)", "Routes", NULL},
    {CQL, "title <> 'x'", "(r.title <> $1)", "x", NULL},
    {CQL, "apiso:Title != 'x'", "(r.title <> $1)", "x", NULL},
    {CQL, "APISO:TITLE < 'm'", "(r.title < $1)", "m", NULL},
    {CQL, "dc:title>'m'", "(r.title > $1)", "m", NULL},
    {CQL, "dc:title <= 'm'", "(r.title <= $1)", "m", NULL},
    {CQL, "dc:title >= 'm'", "(r.title >= $1)", "m", NULL},
    {CQL, "dc:title = 'it''s'", "(r.title = $1)", "it's", NULL},
    {CQL, "dc:title = ''", "(r.title = $1)", "", NULL},
    {CQL, "dc:title = 42", "(r.title = $1)", "42", NULL},
    {CQL, "dc:title = -4.5e3", "(r.title = $1)", "-4.5e3", NULL},
    {CQL, "\"dc:title\" = 'x'", "(r.title = $1)", "x", NULL},
    {CQL, "dc:identifier = 'a' OR apiso:ParentIdentifier = 'b'",
     "((r.identifier = $1) OR (r.parent = $2))", "a|b", NULL},
    {CQL, "dc:type = 'service' and apiso:ServiceType = 'view' and dc:language = 'fre'",
     "((r.type = $1) AND (r.service_type = $2) AND (r.language = $3))", "service|view|fre", NULL},
    /* ---- CQL: Like ---- */
    {CQL, "dc:title LIKE '%route%'", "(r.title ILIKE $1)", "%route%", NULL},
    {CQL, "dc:title ilike 'a_b'", "(r.title ILIKE $1)", "a_b", NULL},
    {CQL, "dc:title LIKE '100\\%'", "(r.title ILIKE $1)", "100\\%", NULL},
    {CQL, "dct:abstract NOT LIKE 'a%'", "(NOT coalesce((r.abstract ILIKE $1), false))", "a%", NULL},
    /* ---- CQL: lists ---- */
    {CQL, "dc:subject = 'eau'", "(EXISTS (SELECT 1 FROM " SUBJ " AS q(v) WHERE v = $1))", "eau",
     NULL},
    {CQL, "dc:subject <> 'eau'", "(NOT EXISTS (SELECT 1 FROM " SUBJ " AS q(v) WHERE v = $1))",
     "eau", NULL},
    {CQL, "apiso:OrganisationName LIKE '%DREAL%'",
     "(EXISTS (SELECT 1 FROM unnest(r.organisations) AS q(v) WHERE v ILIKE $1))", "%DREAL%", NULL},
    {CQL, "dc:creator = 'x'",
     "(EXISTS (SELECT 1 FROM unnest(r.organisations) AS q(v) WHERE v = $1))", "x", NULL},
    {CQL, "apiso:Format BETWEEN 'a' AND 'b'",
     "(EXISTS (SELECT 1 FROM unnest(r.formats) AS q(v) WHERE v BETWEEN $1 AND $2))", "a|b", NULL},
    {CQL, "apiso:CRS IS NULL", "(cardinality(r.crs) = 0)", "", NULL},
    {CQL, "apiso:OperatesOn IS NOT NULL", "(NOT coalesce((cardinality(r.operates_on) = 0), false))",
     "", NULL},
    {CQL, "apiso:ResourceLanguage = 'fre'",
     "(EXISTS (SELECT 1 FROM unnest(r.resource_languages) AS q(v) WHERE v = $1))", "fre", NULL},
    {CQL, "apiso:AlternateTitle = 'x'",
     "(EXISTS (SELECT 1 FROM unnest(r.alt_titles) AS q(v) WHERE v = $1))", "x", NULL},
    /* ---- CQL: dates (a day compares as the whole day) ---- */
    {CQL, "apiso:Modified >= '2020-01-01'", "(r.modified >= $1::timestamptz)",
     "2020-01-01T00:00:00Z", NULL},
    {CQL, "dct:modified = 2020-02-28",
     "(r.modified >= $1::timestamptz AND r.modified < $2::timestamptz)",
     "2020-02-28T00:00:00Z|2020-02-29T00:00:00Z", NULL},
    {CQL, "dct:modified <> '2019-02-28'",
     "(r.modified < $1::timestamptz OR r.modified >= $2::timestamptz)",
     "2019-02-28T00:00:00Z|2019-03-01T00:00:00Z", NULL},
    {CQL, "apiso:Modified <= '2020-12'", "(r.modified < $1::timestamptz)", "2021-01-01T00:00:00Z",
     NULL},
    {CQL, "apiso:Modified > '2020-12-31'", "(r.modified >= $1::timestamptz)",
     "2021-01-01T00:00:00Z", NULL},
    {CQL, "apiso:Modified < '9999'", "(r.modified < $1::timestamptz)", "9999-01-01T00:00:00Z",
     NULL},
    {CQL, "apiso:Modified <= '9999'", "(r.modified < $1::timestamptz)", "infinity", NULL},
    {CQL, "apiso:Modified > '2020-01-01T10:00:00+02:00'", "(r.modified > $1::timestamptz)",
     "2020-01-01T10:00:00+02:00", NULL},
    {CQL, "apiso:RevisionDate = 2020-01-01T10:00:00.250Z", "(r.revised = $1::timestamptz)",
     "2020-01-01T10:00:00.250Z", NULL},
    {CQL, "apiso:PublicationDate <= '2020-01-01 10:00'", "(r.published <= $1::timestamptz)",
     "2020-01-01T10:00:00Z", NULL},
    {CQL, "apiso:CreationDate BETWEEN '2019' AND '2020-06-30'",
     "(r.created >= $1::timestamptz AND r.created < $2::timestamptz)",
     "2019-01-01T00:00:00Z|2020-07-01T00:00:00Z", NULL},
    {CQL, "apiso:TempExtent_begin BETWEEN '2019' AND '2020-06-30T12:00:00-0130'",
     "(r.temporal_from >= $1::timestamptz AND r.temporal_from <= $2::timestamptz)",
     "2019-01-01T00:00:00Z|2020-06-30T12:00:00-01:30", NULL},
    {CQL, "apiso:TempExtent_end IS NULL", "(r.temporal_to IS NULL)", "", NULL},
    {CQL, "dc:title NOT BETWEEN 'a' AND 'b'", "(NOT coalesce((r.title BETWEEN $1 AND $2), false))",
     "a|b", NULL},
    /* ---- CQL: logic ---- */
    {CQL, "dc:title = 'a' AND dc:type = 'b' OR dc:format = 'c'",
     "(((r.title = $1) AND (r.type = $2)) OR (EXISTS (SELECT 1 FROM unnest(r.formats) AS q(v)"
     " WHERE v = $3)))",
     "a|b|c", NULL},
    {CQL, "NOT (dc:title = 'a' OR dc:title = 'b') AND dc:type = 'c'",
     "((NOT coalesce(((r.title = $1) OR (r.title = $2)), false)) AND (r.type = $3))", "a|b|c",
     NULL},
    {CQL, "not not dc:title is null",
     "(NOT coalesce((NOT coalesce((r.title IS NULL), false)), false))", "", NULL},
    {CQL, "((dc:title = 'a'))", "(r.title = $1)", "a", NULL},
    /* ---- CQL: spatial (BBOX in the axis order of its CRS) ---- */
    {CQL, "BBOX(ows:BoundingBox, 1, 43, 5, 49)", "(r.bbox && $1::box)", BOX_FR, NULL},
    {CQL, "bbox(BoundingBox, 1, 43, 5, 49, 'EPSG:4326')", "(r.bbox && $1::box)", BOX_FR, NULL},
    {CQL, "BBOX(ows:BoundingBox, 1, 43, 5, 49, 'urn:ogc:def:crs:OGC:1.3:CRS84')",
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {CQL, "BBOX(ows:BoundingBox, 43, 1, 49, 5, 'urn:ogc:def:crs:EPSG::4326')",
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {CQL, "BBOX(apiso:BoundingBox, 43, 1, 49, 5, 'http://www.opengis.net/def/crs/EPSG/0/4326')",
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {CQL, "INTERSECTS(ows:BoundingBox, ENVELOPE(1, 5, 49, 43))", "(r.bbox && $1::box)", BOX_FR,
     NULL},
    {CQL, "WITHIN(ows:BoundingBox, POLYGON((1 43, 5 43, 5 49, 1 49, 1 43)))", "(r.bbox <@ $1::box)",
     BOX_FR, NULL},
    {CQL, "CONTAINS(ows:BoundingBox, POLYGON((1 43, 5 43, 1 49, 1 43), (2 44, 3 44, 2 45, 2 44)))",
     "(r.bbox @> $1::box)", "(5,49),(1,43)", NULL},
    {CQL, "DISJOINT(ows:BoundingBox, ENVELOPE(-1.5, 2.25, 48, 47))",
     "(r.bbox IS NOT NULL AND NOT (r.bbox && $1::box))", "(2.25,48),(-1.5,47)", NULL},
    {CQL, "ows:BoundingBox IS NULL", "(r.bbox IS NULL)", "", NULL},
    /* ---- CQL: csw:AnyText is a full-text match ---- */
    {CQL, "csw:AnyText LIKE '%église%'", "(r.fts @@ " TS ")", "'église':*", NULL},
    {CQL, "AnyText = 'Plan local d''urbanisme'", "(r.fts @@ " TS ")",
     "'Plan' & 'local' & 'd' & 'urbanisme'", NULL},
    {CQL, "anytext like 'urba%isme'", "(r.fts @@ " TS ")", "'urba':* & 'isme'", NULL},
    {CQL, "apiso:AnyText LIKE 'rout_ 2%'", "(r.fts @@ " TS ")", "'rout':* & '2':*", NULL},
    {CQL, "csw:AnyText LIKE '%'", "(TRUE)", "", NULL},
    {CQL, "csw:AnyText = ' ; '", "(FALSE)", "", NULL},
    {CQL, "csw:AnyText <> 'eau'", "(NOT r.fts @@ " TS ")", "'eau'", NULL},
    {CQL, "csw:AnyText LIKE 'l''eau « potable »—x'", "(r.fts @@ " TS ")",
     "'l' & 'eau' & 'potable' & 'x'", NULL},
    {CQL, "csw:AnyText = 'a'' OR 1=1 --'", "(r.fts @@ " TS ")", "'a' & 'OR' & '1' & '1'", NULL},
    /* ---- CQL: refusals ---- */
    {CQL, "foo:bar = 'x'", NULL, NULL, "unknown queryable \"foo:bar\""},
    {CQL, "gmd:title = 'x'", NULL, NULL, "unknown queryable \"gmd:title\""},
    {CQL, "dc:title; DROP TABLE record", NULL, NULL,
     "bad CQL at offset 8 near \"; DROP TABLE record\": unexpected character"},
    {CQL, "\"dc:title; DROP TABLE record\" = 'x'", NULL, NULL,
     "unknown queryable \"dc:title; DROP TABLE record\""},
    {CQL, "\"../../etc/passwd\" = 'x'", NULL, NULL, "unknown queryable \"../../etc/passwd\""},
    {CQL, "../etc = 'x'", NULL, NULL,
     "bad CQL at offset 0 near \"../etc = 'x'\": unexpected character"},
    {CQL, "fn() = 'x'", NULL, NULL,
     "bad CQL at offset 2 near \"() = 'x'\": expected a comparison, LIKE, BETWEEN or IS"},
    {CQL, "\"//csw:Record/dc:title\" = 'x'", NULL, NULL,
     "unknown queryable \"//csw:Record/dc:title\""},
    {CQL, "dc:title = 'x' OR 1=1", NULL, NULL,
     "bad CQL at offset 18 near \"1=1\": expected a property name or a spatial operator"},
    {CQL, "dc:title = 'x' --", NULL, NULL,
     "bad CQL at offset 15 near \"--\": unexpected character"},
    {CQL, "dc:title = 'x'; DELETE FROM entry", NULL, NULL,
     "bad CQL at offset 14 near \"; DELETE FROM entry\": unexpected character"},
    {CQL, "dc:title = dc:type", NULL, NULL,
     "bad CQL at offset 11 near \"dc:type\": expected a quoted text, a number or a date"},
    {CQL, "dc:title =", NULL, NULL,
     "bad CQL at its end: expected a quoted text, a number or a date"},
    {CQL, "dc:title = 'x", NULL, NULL,
     "bad CQL at offset 11 near \"'x\": unterminated quoted text"},
    {CQL, "dc:title = 'x' dc:type", NULL, NULL,
     "bad CQL at offset 15 near \"dc:type\": expected AND, OR or the end"},
    {CQL, "(dc:title = 'x'", NULL, NULL, "bad CQL at its end: expected ) or an operator"},
    {CQL, "dc:title LIKE 5", NULL, NULL,
     "bad CQL at offset 14 near \"5\": expected a quoted pattern"},
    {CQL, "dc:title BETWEEN 'a' 'b'", NULL, NULL,
     "bad CQL at offset 21 near \"'b'\": expected AND in BETWEEN"},
    {CQL, "dc:title IS 'x'", NULL, NULL,
     "bad CQL at offset 12 near \"'x'\": expected NULL after IS"},
    {CQL, "dc:title NOT = 'x'", NULL, NULL,
     "bad CQL at offset 13 near \"= 'x'\": expected LIKE or BETWEEN after NOT"},
    {CQL, "", NULL, NULL, "empty CQL filter"},
    {CQL, "  \n ", NULL, NULL, "empty CQL filter"},
    {CQL, "dc:title = '\xff'", NULL, NULL, "literal for dc:title is not valid UTF-8 text: \"?\""},
    {CQL, "dc:title = 'caf\xc3'", NULL, NULL,
     "literal for dc:title is not valid UTF-8 text: \"caf?\""},
    {CQL, "apiso:Modified = '2020-13-45'", NULL, NULL,
     "bad date \"2020-13-45\" for apiso:Modified"},
    {CQL, "apiso:Modified = '2019-02-29'", NULL, NULL,
     "bad date \"2019-02-29\" for apiso:Modified"},
    {CQL, "apiso:Modified = '2020-01-01T24:00'", NULL, NULL,
     "bad date \"2020-01-01T24:00\" for apiso:Modified"},
    {CQL, "apiso:Modified = 'yesterday'", NULL, NULL, "bad date \"yesterday\" for apiso:Modified"},
    {CQL, "dct:modified = 20200101", NULL, NULL, "bad date \"20200101\" for dct:modified"},
    {CQL, "apiso:Modified BETWEEN '2020' AND '2020-02-30'", NULL, NULL,
     "bad date \"2020-02-30\" for apiso:Modified"},
    {CQL, "dct:modified LIKE '2020%'", NULL, NULL,
     "PropertyIsLike does not apply to dct:modified (a date)"},
    {CQL, "csw:AnyText < 'x'", NULL, NULL,
     "PropertyIsLessThan does not apply to csw:AnyText (the full text)"},
    {CQL, "csw:AnyText IS NULL", NULL, NULL,
     "PropertyIsNull does not apply to csw:AnyText (the full text)"},
    {CQL, "ows:BoundingBox = 'x'", NULL, NULL,
     "PropertyIsEqualTo does not apply to ows:BoundingBox (a bounding box)"},
    {CQL, "BBOX(dc:title, 1, 2, 3, 4)", NULL, NULL, "BBOX does not apply to dc:title (a text)"},
    {CQL, "BBOX(ows:BoundingBox, 1, 43, 5, 100)", NULL, NULL,
     "bad envelope in BBOX: lower corner 1 43, upper corner 5 100 (longitude first): latitude"
     " outside [-90, 90]"},
    {CQL, "BBOX(ows:BoundingBox, 100, 1, 120, 5, 'urn:ogc:def:crs:EPSG::4326')", NULL, NULL,
     "bad envelope in BBOX: lower corner 100 1, upper corner 120 5 (latitude first): latitude"
     " outside [-90, 90]"},
    {CQL, "BBOX(ows:BoundingBox, 5, 43, 1, 49)", NULL, NULL,
     "bad envelope in BBOX: lower corner 5 43, upper corner 1 49 (longitude first): west 5 east"
     " of east 1"},
    {CQL, "BBOX(ows:BoundingBox, 1, 49, 5, 43)", NULL, NULL,
     "bad envelope in BBOX: lower corner 1 49, upper corner 5 43 (longitude first): south 49"
     " above north 43"},
    {CQL, "BBOX(ows:BoundingBox, 1, 2, 3, 4, 'EPSG:2154')", NULL, NULL,
     "bad envelope in BBOX: unsupported srsName \"EPSG:2154\" (only WGS84: EPSG:4326,"
     " urn:ogc:def:crs:EPSG::4326, CRS84)"},
    {CQL, "BBOX(ows:BoundingBox, 1, 2, 3)", NULL, NULL,
     "bad CQL at offset 29 near \")\": expected a comma"},
    {CQL, "BBOX(ows:BoundingBox, 1, 2, 3, nan)", NULL, NULL,
     "bad CQL at offset 31 near \"nan)\": expected a number"},
    {CQL, "BBOX(ows:BoundingBox, 1, 2, 3, 1e999)", NULL, NULL,
     "bad CQL at offset 31 near \"1e999)\": expected a number"},
    {CQL, "INTERSECTS(ows:BoundingBox, POINT(1 2))", NULL, NULL,
     "bad CQL at offset 28 near \"POINT(1 2))\": expected ENVELOPE(…) or POLYGON((…))"},
    {CQL, "WITHIN(ows:BoundingBox, ENVELOPE(1, 5, 49, 43)", NULL, NULL,
     "bad CQL at its end: expected ) after the geometry"},
    {CQL, "CONTAINS(ows:BoundingBox, POLYGON((1 2 3, 4 5 6)))", NULL, NULL,
     "bad CQL at offset 39 near \"3, 4 5 6)))\": expected , or ) in a ring of POLYGON"},
    {CQL, "NOT", NULL, NULL, "bad CQL at its end: expected a property name or a spatial operator"},
    {CQL, "AND dc:title = 'x'", NULL, NULL,
     "bad CQL at offset 0 near \"AND dc:title = 'x'\": expected a property name or a spatial"
     " operator"},
    /* ---- OGC Filter XML: comparisons ---- */
    {XML, EQ_TITLE("Routes"), "(r.title = $1)", "Routes", NULL},
    {XML,
     "<PropertyIsEqualTo matchCase=\"false\"><PropertyName>dc:title</PropertyName>"
     "<Literal>Routes</Literal></PropertyIsEqualTo>",
     "(lower(r.title) = lower($1))", "Routes", NULL},
    {XML,
     "<PropertyIsNotEqualTo><PropertyName> apiso:Type </PropertyName><Literal>service"
     "</Literal></PropertyIsNotEqualTo>",
     "(r.type <> $1)", "service", NULL},
    {XML,
     "<PropertyIsLessThan><Literal>2020-01-01</Literal><PropertyName>apiso:Modified"
     "</PropertyName></PropertyIsLessThan>",
     "(r.modified >= $1::timestamptz)", "2020-01-02T00:00:00Z", NULL},
    {XML,
     "<PropertyIsGreaterThanOrEqualTo><PropertyName>dct:modified</PropertyName><Literal>"
     "2021-03-15T10:00:00Z</Literal></PropertyIsGreaterThanOrEqualTo>",
     "(r.modified >= $1::timestamptz)", "2021-03-15T10:00:00Z", NULL},
    {XML,
     "<PropertyIsLessThanOrEqualTo matchCase=\"false\"><PropertyName>dc:title</PropertyName>"
     "<Literal>M</Literal></PropertyIsLessThanOrEqualTo>",
     "(lower(r.title) <= lower($1))", "M", NULL},
    {XML,
     "<PropertyIsGreaterThan><PropertyName>dc:title</PropertyName><Literal>M</Literal>"
     "</PropertyIsGreaterThan>",
     "(r.title > $1)", "M", NULL},
    {XML, EQ_TITLE("x'); DROP TABLE record; --"), "(r.title = $1)", "x'); DROP TABLE record; --",
     NULL},
    {XML, EQ_TITLE("&lt;b&gt; &amp; $1"), "(r.title = $1)", "<b> & $1", NULL},
    /* ---- OGC Filter XML: Like with the request's characters ---- */
    {XML,
     "<PropertyIsLike wildCard=\"*\" singleChar=\"?\" escapeChar=\"!\"><PropertyName>dc:title"
     "</PropertyName><Literal>a%b_c\\d*e?f!*g!!</Literal></PropertyIsLike>",
     "(r.title ILIKE $1)", "a\\%b\\_c\\\\d%e_f*g!", NULL},
    {XML,
     "<PropertyIsLike wildCard=\"%\" singleChar=\"_\" escapeChar=\"\\\" matchCase=\"true\">"
     "<PropertyName>dc:title</PropertyName><Literal>50\\%_x%</Literal></PropertyIsLike>",
     "(r.title LIKE $1)", "50\\%_x%", NULL},
    {XML,
     "<PropertyIsLike wildCard=\"é\" singleChar=\"·\" escape=\"§\"><PropertyName>dc:title"
     "</PropertyName><Literal>éaé·§é</Literal></PropertyIsLike>",
     "(r.title ILIKE $1)", "%a%_é", NULL},
    {XML,
     "<PropertyIsLike wildCard=\"*\" singleChar=\"#\" escapeChar=\"!\"><PropertyName>"
     "csw:AnyText</PropertyName><Literal>*églises* Saint-Étienne#</Literal></PropertyIsLike>",
     "(r.fts @@ " TS ")", "'églises':* & 'Saint' & 'Étienne':*", NULL},
    {XML,
     "<PropertyIsLike wildCard=\"*\" singleChar=\"#\" escapeChar=\"!\"><PropertyName>"
     "csw:AnyText</PropertyName><Literal>!*</Literal></PropertyIsLike>",
     "(FALSE)", "", NULL},
    {XML,
     "<PropertyIsEqualTo><PropertyName>csw:AnyText</PropertyName><Literal>eau%</Literal>"
     "</PropertyIsEqualTo>",
     "(r.fts @@ " TS ")", "'eau'", NULL},
    /* ---- OGC Filter XML: Between, Null, logic ---- */
    {XML,
     "<PropertyIsBetween><PropertyName>apiso:Modified</PropertyName><LowerBoundary><Literal>"
     "2020</Literal></LowerBoundary><UpperBoundary><Literal>2020-06</Literal></UpperBoundary>"
     "</PropertyIsBetween>",
     "(r.modified >= $1::timestamptz AND r.modified < $2::timestamptz)",
     "2020-01-01T00:00:00Z|2020-07-01T00:00:00Z", NULL},
    {XML, "<PropertyIsNull><PropertyName>dc:title</PropertyName></PropertyIsNull>",
     "(r.title IS NULL)", "", NULL},
    {XML,
     "<And>" EQ_TITLE("a") "<Or>" EQ_TITLE("b") "<Not>" EQ_TITLE(
         "c") "</Not></Or>"
              "<PropertyIsNull><PropertyName>dc:subject</PropertyName></PropertyIsNull></And>",
     "((r.title = $1) AND ((r.title = $2) OR (NOT coalesce((r.title = $3), false))) AND"
     " (cardinality((r.keywords || r.topics)) = 0))",
     "a|b|c", NULL},
    {XML, "<Or>" EQ_TITLE("a") "</Or>", "((r.title = $1))", "a", NULL},
    /* ---- OGC Filter XML: spatial, both axis orders, GML 2 and 3 ---- */
    {XML, BBOX_ENV("", "1 43", "5 49"), "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML, BBOX_ENV(" srsName=\"EPSG:4326\"", "1 43", "5 49"), "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML, BBOX_ENV(" srsName=\"urn:ogc:def:crs:OGC::CRS84\"", "1 43", "5 49"),
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML, BBOX_ENV(" srsName=\"urn:ogc:def:crs:EPSG::4326\"", "43 1", "49 5"),
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML, BBOX_ENV(" srsName=\"urn:ogc:def:crs:EPSG:6.6:4326\"", "43 1", "49 5"),
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML, BBOX_ENV(" srsName=\"urn:x-ogc:def:crs:EPSG:4326\"", "43 1", "49 5"),
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML, BBOX_ENV(" srsName=\"http://www.opengis.net/def/crs/EPSG/0/4326\"", "43 1", "49 5"),
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML, BBOX_ENV(" srsName=\"urn:ogc:def:crs:EPSG::4326\"", "-90 -180", "90 180"),
     "(r.bbox && $1::box)", "(180,90),(-180,-90)", NULL},
    {XML,
     "<BBOX><PropertyName>ows:BoundingBox</PropertyName><gml:Box srsName=\"EPSG:4326\">"
     "<gml:coordinates>1,43 5,49</gml:coordinates></gml:Box></BBOX>",
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML,
     "<BBOX><PropertyName>ows:BoundingBox</PropertyName><gml:Box><gml:coord><gml:X>1</gml:X>"
     "<gml:Y>43</gml:Y></gml:coord><gml:coord><gml:X>5</gml:X><gml:Y>49</gml:Y></gml:coord>"
     "</gml:Box></BBOX>",
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML,
     "<BBOX><gml:Envelope><gml:pos>1 43</gml:pos><gml:pos>5 49</gml:pos></gml:Envelope>"
     "</BBOX>",
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML,
     "<Intersects><PropertyName>ows:BoundingBox</PropertyName><gml:Polygon srsName="
     "\"urn:ogc:def:crs:EPSG::4326\"><gml:exterior><gml:LinearRing><gml:posList>43 1 43 5 49"
     " 5 49 1 43 1</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></Intersects>",
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {XML,
     "<Within><PropertyName>ows:BoundingBox</PropertyName><gml:Polygon><gml:outerBoundaryIs>"
     "<gml:LinearRing><gml:coordinates>1,43 5,43 5,49 1,49 1,43</gml:coordinates>"
     "</gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></Within>",
     "(r.bbox <@ $1::box)", BOX_FR, NULL},
    {XML,
     "<Contains><PropertyName>ows:BoundingBox</PropertyName><gml:Envelope><gml:lowerCorner>"
     "1 43</gml:lowerCorner><gml:upperCorner>5 49</gml:upperCorner></gml:Envelope></Contains>",
     "(r.bbox @> $1::box)", BOX_FR, NULL},
    {XML,
     "<Disjoint><PropertyName>ows:BoundingBox</PropertyName><gml:Envelope><gml:lowerCorner>"
     "1 43</gml:lowerCorner><gml:upperCorner>5 49</gml:upperCorner></gml:Envelope></Disjoint>",
     "(r.bbox IS NOT NULL AND NOT (r.bbox && $1::box))", BOX_FR, NULL},
    /* ---- whole documents: other namespaces ---- */
    {DOC,
     "<ogc:Filter xmlns:ogc=\"http://www.opengis.net/ogc\" xmlns:gml=\"http://www.opengis.net/"
     "gml/3.2\"><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope"
     " srsName=\"urn:ogc:def:crs:EPSG::4326\"><gml:lowerCorner>43 1</gml:lowerCorner>"
     "<gml:upperCorner>49 5</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter>",
     "(r.bbox && $1::box)", BOX_FR, NULL},
    {DOC,
     "<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"><fes:PropertyIsEqualTo>"
     "<fes:ValueReference>dc:title</fes:ValueReference><fes:Literal>x</fes:Literal>"
     "</fes:PropertyIsEqualTo></fes:Filter>",
     "(r.title = $1)", "x", NULL},
    {DOC, "<Filter><PropertyIsNull><PropertyName>dc:title</PropertyName></PropertyIsNull></Filter>",
     "(r.title IS NULL)", "", NULL},
    /* ---- OGC Filter XML: refusals ---- */
    {XML, EQ_TITLE("x") EQ_TITLE("y"), NULL, NULL,
     "ogc:Filter holds 2 predicates: one expected (join several with And or Or)"},
    {XML, "", NULL, NULL,
     "ogc:Filter holds 0 predicates: one expected (join several with And or Or)"},
    {DOC, "<csw:Constraint xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\"/>", NULL, NULL,
     "expected an ogc:Filter element, found csw:Constraint"},
    {DOC, "<Filter xmlns=\"http://www.opengis.net/ogc\"><PropertyIsNull>", NULL, NULL,
     "malformed XML in \"Filter\" at line 1: *"},
    {DOC,
     "<!DOCTYPE Filter [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Filter xmlns=\"http://"
     "www.opengis.net/ogc\"><PropertyIsEqualTo><PropertyName>dc:title</PropertyName><Literal>"
     "&x;</Literal></PropertyIsEqualTo></Filter>",
     NULL, NULL, "\"Filter\" declares a DOCTYPE*"},
    {XML,
     "<PropertyIsEqualTo><PropertyName>foo:bar</PropertyName><Literal>x</Literal>"
     "</PropertyIsEqualTo>",
     NULL, NULL, "unknown queryable \"foo:bar\""},
    {XML,
     "<PropertyIsEqualTo><PropertyName>dc:title; DROP TABLE record</PropertyName><Literal>x"
     "</Literal></PropertyIsEqualTo>",
     NULL, NULL, "unknown queryable \"dc:title; DROP TABLE record\""},
    {XML,
     "<PropertyIsEqualTo><PropertyName>/csw:Record/dc:title</PropertyName><Literal>x"
     "</Literal></PropertyIsEqualTo>",
     NULL, NULL, "unknown queryable \"/csw:Record/dc:title\""},
    {XML,
     "<PropertyIsEqualTo><PropertyName>../../dc:title</PropertyName><Literal>x"
     "</Literal></PropertyIsEqualTo>",
     NULL, NULL, "unknown queryable \"../../dc:title\""},
    {XML,
     "<PropertyIsEqualTo><PropertyName>pg_sleep(10)</PropertyName><Literal>x"
     "</Literal></PropertyIsEqualTo>",
     NULL, NULL, "unknown queryable \"pg_sleep(10)\""},
    {XML,
     "<PropertyIsEqualTo><PropertyName>a\nb</PropertyName><Literal>x</Literal>"
     "</PropertyIsEqualTo>",
     NULL, NULL, "unknown queryable \"a?b\""},
    {XML,
     "<PropertyIsEqualTo><PropertyName></PropertyName><Literal>x</Literal>"
     "</PropertyIsEqualTo>",
     NULL, NULL, "unknown queryable \"\""},
    {XML,
     "<PropertyIsEqualTo><PropertyName>dc:title</PropertyName><Function name=\"lower\">"
     "<Literal>x</Literal></Function></PropertyIsEqualTo>",
     NULL, NULL,
     "unsupported expression Function in PropertyIsEqualTo (PropertyName and Literal only)"},
    {XML, "<PropertyIsEqualTo><PropertyName>dc:title</PropertyName></PropertyIsEqualTo>", NULL,
     NULL, "PropertyIsEqualTo needs a PropertyName and a Literal"},
    {XML,
     "<PropertyIsEqualTo><PropertyName>dc:title</PropertyName><Literal>x<gml:Point/>"
     "</Literal></PropertyIsEqualTo>",
     NULL, NULL, "unexpected element gml:Point in Literal of PropertyIsEqualTo"},
    {XML,
     "<PropertyIsEqualTo matchCase=\"maybe\"><PropertyName>dc:title</PropertyName><Literal>x"
     "</Literal></PropertyIsEqualTo>",
     NULL, NULL, "bad matchCase in PropertyIsEqualTo: true or false expected"},
    {XML,
     "<PropertyIsLike wildCard=\"**\" singleChar=\"?\" escapeChar=\"!\"><PropertyName>"
     "dc:title</PropertyName><Literal>x</Literal></PropertyIsLike>",
     NULL, NULL, "bad wildCard \"**\" in PropertyIsLike: one character expected"},
    {XML,
     "<PropertyIsLike wildCard=\"*\" singleChar=\"*\" escapeChar=\"!\"><PropertyName>"
     "dc:title</PropertyName><Literal>x</Literal></PropertyIsLike>",
     NULL, NULL,
     "PropertyIsLike needs three different characters: wildCard \"*\", singleChar \"*\","
     " escapeChar \"!\""},
    {XML,
     "<PropertyIsBetween><PropertyName>dc:title</PropertyName><LowerBoundary><Literal>a"
     "</Literal></LowerBoundary></PropertyIsBetween>",
     NULL, NULL, "PropertyIsBetween needs a PropertyName, a LowerBoundary and UpperBoundary"},
    {XML, "<Touches><PropertyName>ows:BoundingBox</PropertyName></Touches>", NULL, NULL,
     "unsupported filter operator Touches"},
    {XML, "<FeatureId fid=\"x\"/>", NULL, NULL, "unsupported filter operator FeatureId"},
    {XML, "<Not>" EQ_TITLE("a") EQ_TITLE("b") "</Not>", NULL, NULL,
     "Not needs exactly one operand"},
    {XML, "<And/>", NULL, NULL, "And needs operands"},
    {XML, BBOX_ENV("", "a b", "5 49"), NULL, NULL,
     "bad envelope in BBOX: \"a\" is not a number in gml:lowerCorner"},
    {XML, BBOX_ENV("", "1 43 0", "5 49"), NULL, NULL,
     "bad envelope in BBOX: gml:lowerCorner holds 3 numbers, pairs of coordinates expected"},
    {XML, BBOX_ENV("", "1 43", "5 49 1 2"), NULL, NULL,
     "bad envelope in BBOX: gml:Envelope holds 3 positions, two corners expected"},
    {XML, BBOX_ENV("", "0x10 43", "5 49"), NULL, NULL,
     "bad envelope in BBOX: \"0x10\" is not a number in gml:lowerCorner"},
    {XML, BBOX_ENV(" srsName=\"urn:ogc:def:crs:EPSG::4326\"", "100 1", "120 5"), NULL, NULL,
     "bad envelope in BBOX: lower corner 100 1, upper corner 120 5 (latitude first): latitude"
     " outside [-90, 90]"},
    {XML, BBOX_ENV("", "1 -91", "5 49"), NULL, NULL,
     "bad envelope in BBOX: lower corner 1 -91, upper corner 5 49 (longitude first): latitude"
     " outside [-90, 90]"},
    {XML, BBOX_ENV("", "5 43", "1 49"), NULL, NULL,
     "bad envelope in BBOX: lower corner 5 43, upper corner 1 49 (longitude first): west 5 east"
     " of east 1"},
    {XML, BBOX_ENV(" srsName=\"urn:ogc:def:crs:EPSG::2154\"", "1 43", "5 49"), NULL, NULL,
     "bad envelope in BBOX: unsupported srsName \"urn:ogc:def:crs:EPSG::2154\" (only WGS84:"
     " EPSG:4326, urn:ogc:def:crs:EPSG::4326, CRS84)"},
    {XML,
     "<BBOX><PropertyName>ows:BoundingBox</PropertyName><gml:Point><gml:pos>1 2</gml:pos>"
     "</gml:Point></BBOX>",
     NULL, NULL,
     "unsupported geometry gml:Point in BBOX (gml:Envelope, gml:Box or gml:Polygon expected)"},
    {XML, "<BBOX><PropertyName>ows:BoundingBox</PropertyName></BBOX>", NULL, NULL,
     "BBOX needs a gml:Envelope"},
    {XML, "<BBOX><PropertyName>ows:BoundingBox</PropertyName><gml:Envelope/></BBOX>", NULL, NULL,
     "bad envelope in BBOX: gml:Envelope without coordinates"},
    {XML,
     "<BBOX><PropertyName>ows:BoundingBox</PropertyName><gml:Box><gml:coordinates cs=\";\">"
     "1;43 5;49</gml:coordinates></gml:Box></BBOX>",
     NULL, NULL, "bad envelope in BBOX: gml:coordinates with cs other than \",\""},
    {XML, "<Within><PropertyName>ows:BoundingBox</PropertyName><gml:Polygon/></Within>", NULL, NULL,
     "bad envelope in Within: gml:Polygon without an exterior LinearRing"},
    {XML,
     "<BBOX><PropertyName>dc:title</PropertyName><gml:Envelope><gml:lowerCorner>1 43"
     "</gml:lowerCorner><gml:upperCorner>5 49</gml:upperCorner></gml:Envelope></BBOX>",
     NULL, NULL, "BBOX does not apply to dc:title (a text)"},
    {XML,
     "<PropertyIsEqualTo><PropertyName>apiso:Modified</PropertyName><Literal>2020-13-45"
     "</Literal></PropertyIsEqualTo>",
     NULL, NULL, "bad date \"2020-13-45\" for apiso:Modified"},
};

/* Parses one case; the filter or NULL with err set. */
static mo_rc parse_case(const struct parse_case *c, struct filter **f, struct mo_err *err)
{
    char doc[16384];
    if (c->syntax == CQL)
        return filter_parse_cql(c->text, f, err);
    if (c->syntax == XML)
        snprintf(doc, sizeof doc, "%s%s%s", XML_OPEN, c->text, XML_CLOSE);
    else
        snprintf(doc, sizeof doc, "%s", c->text);
    return filter_parse_ogc_text(doc, strlen(doc), f, err);
}

/* The parameters from first on, joined with '|'. */
static void join_params(const struct sql_params *p, int first, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = first; i < p->n; i++)
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s",
                                i > first ? "|" : "", p->values[i]);
}

/* want exactly, or its start when want ends with '*' (messages of xmlsafe). */
static int message_matches(const char *got, const char *want)
{
    size_t n = strlen(want);
    if (n && want[n - 1] == '*')
        return strncmp(got, want, n - 1) == 0;
    return strcmp(got, want) == 0;
}

static void test_cases(void **state)
{
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct parse_case *c = &cases[i];
        struct mo_err err = {0};
        struct filter *f = NULL;
        struct buf sql;
        struct sql_params p = {0};
        char params[4096] = "";
        buf_init(&sql, 1 << 20);
        mo_rc rc = parse_case(c, &f, &err);
        if (rc == MO_OK)
            rc = filter_to_sql(f, &sql, &p, &err);
        join_params(&p, 0, params, sizeof params);
        if (c->sql && (rc != MO_OK || strcmp(sql.data, c->sql) || strcmp(params, c->params))) {
            print_error("case %zu (%s): got rc %d \"%s\"\n  sql    %s\n  params %s\n  wanted %s\n"
                        "  params %s\n",
                        i, c->text, rc, err.msg, sql.data ? sql.data : "", params, c->sql,
                        c->params);
            failures++;
        }
        if (!c->sql && (rc != MO_EBADREQ || !message_matches(err.msg, c->error) || f)) {
            print_error("case %zu (%s): got rc %d \"%s\" sql %s\n  wanted \"%s\"\n", i, c->text, rc,
                        err.msg, sql.data ? sql.data : "", c->error);
            failures++;
        }
        filter_free(f);
        buf_free(&sql);
        sql_params_free(&p);
    }
    assert_int_equal(failures, 0);
}

/* Repeats unit n times between head and tail into a new string. */
static char *repeat(const char *head, const char *unit, int n, const char *mid, const char *tail,
                    int m)
{
    size_t len = strlen(head) + strlen(unit) * (size_t)n + strlen(mid) + strlen(tail) * (size_t)m;
    char *s = malloc(len + 1);
    assert_non_null(s);
    strcpy(s, head);
    for (int i = 0; i < n; i++)
        strcat(s, unit);
    strcat(s, mid);
    for (int i = 0; i < m; i++)
        strcat(s, tail);
    return s;
}

static void expect_cql_error(const char *text, const char *msg)
{
    struct mo_err err = {0};
    struct filter *f = NULL;
    assert_int_equal(filter_parse_cql(text, &f, &err), MO_EBADREQ);
    assert_null(f);
    assert_string_equal(err.msg, msg);
}

static void expect_xml_error(const char *text, const char *msg)
{
    struct mo_err err = {0};
    struct filter *f = NULL;
    assert_int_equal(filter_parse_ogc_text(text, strlen(text), &f, &err), MO_EBADREQ);
    assert_null(f);
    if (msg)
        assert_string_equal(err.msg, msg);
    else
        assert_true(err.msg[0] != '\0');
}

static void test_limits(void **state)
{
    struct mo_err err = {0};
    struct filter *f = NULL;
    /* depth: 31 parentheses around a predicate parse, 40 and 1,000 do not */
    char *s = repeat("", "(", 31, "dc:title = 'x'", ")", 31);
    assert_int_equal(filter_parse_cql(s, &f, &err), MO_OK);
    filter_free(f);
    free(s);
    s = repeat("", "(", 40, "dc:title = 'x'", ")", 40);
    expect_cql_error(s, "filter nested deeper than 32");
    free(s);
    s = repeat("", "NOT ", 1000, "dc:title = 'x'", "", 0);
    expect_cql_error(s, "filter nested deeper than 32");
    free(s);
    s = repeat("", "(", 100000, "", "", 0);
    expect_cql_error(s, "CQL text longer than 65536 bytes");
    free(s);
    /* the tree's depth counts, not only parentheses: 31 nested Or + a predicate parse, one
     * more Or at the top does not */
    s = repeat("", "(dc:title = 'a' OR ", 31, "dc:title = 'x'", ")", 31);
    assert_int_equal(filter_parse_cql(s, &f, &err), MO_OK);
    filter_free(f);
    free(s);
    s = repeat("dc:title = 'a' OR ", "(dc:title = 'a' OR ", 31, "dc:title = 'x'", ")", 31);
    expect_cql_error(s, "filter nested deeper than 32");
    free(s);
    /* Not inside Not: 32 levels parse, 33 do not (XML, below libxml2's own depth limit) */
    s = repeat(XML_OPEN, "<Not>", 31, EQ_TITLE("x"), "</Not>", 31);
    char *t = repeat(s, "", 0, XML_CLOSE, "", 0);
    assert_int_equal(filter_parse_ogc_text(t, strlen(t), &f, &err), MO_OK);
    filter_free(f);
    free(s);
    free(t);
    s = repeat(XML_OPEN, "<And>", 40, EQ_TITLE("x"), "</And>", 40);
    t = repeat(s, "", 0, XML_CLOSE, "", 0);
    expect_xml_error(t, "filter nested deeper than 32");
    free(s);
    free(t);
    /* 1,000 deep: refused (by libxml2's depth limit or ours), never a crash */
    s = repeat(XML_OPEN, "<Or>", 1000, EQ_TITLE("x"), "</Or>", 1000);
    t = repeat(s, "", 0, XML_CLOSE, "", 0);
    expect_xml_error(t, NULL);
    free(s);
    free(t);
    /* node count: 256 conditions parse, 257 do not */
    s = repeat("dc:title = 'x'", " OR dc:title = 'x'", 254, "", "", 0);
    assert_int_equal(filter_parse_cql(s, &f, &err), MO_OK);
    filter_free(f);
    free(s);
    s = repeat("dc:title = 'x'", " OR dc:title = 'x'", 256, "", "", 0);
    expect_cql_error(s, "filter has more than 256 conditions");
    free(s);
    s = repeat(XML_OPEN "<Or>", EQ_TITLE("x"), 300, "</Or>", XML_CLOSE, 1);
    expect_xml_error(s, "filter has more than 256 conditions");
    free(s);
    /* literal length */
    s = repeat("dc:title = '", "a", FILTER_MAX_LITERAL, "'", "", 0);
    assert_int_equal(filter_parse_cql(s, &f, &err), MO_OK);
    filter_free(f);
    free(s);
    s = repeat("dc:title = '", "a", FILTER_MAX_LITERAL + 1, "'", "", 0);
    expect_cql_error(s, "literal longer than 4096 bytes in CQL at offset 11");
    free(s);
    s = repeat(XML_OPEN "<PropertyIsEqualTo><PropertyName>dc:title</PropertyName><Literal>", "a",
               FILTER_MAX_LITERAL + 1, "</Literal></PropertyIsEqualTo>", XML_CLOSE, 1);
    expect_xml_error(s,
                     "literal longer than 4096 bytes for dc:title: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
    free(s);
    s = repeat("", "x", QUERYABLES_MAX_NAME + 10, " = 'a'", "", 0);
    expect_cql_error(s, "unknown queryable \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                        "xxxxxxx...\"");
    free(s);
    /* a filter document past its cap is refused before parsing */
    assert_int_equal(filter_parse_ogc_text("<x/>", FILTER_MAX_XML_BYTES + 1, &f, &err), MO_EBADREQ);
    assert_string_equal(err.msg, "filter document longer than 1048576 bytes");
    assert_int_equal(filter_parse_cql(NULL, &f, &err), MO_EBADREQ);
}

/* Numbering continues after the caller's parameters; a failure leaves the
 * caller's SQL and parameters as they were. */
static void test_numbering_and_rollback(void **state)
{
    struct mo_err err = {0};
    struct filter *f = NULL;
    struct buf sql;
    struct sql_params p = {0};
    buf_init(&sql, 4096);
    assert_int_equal(buf_append_str(&sql, "e.identifier <> $1 AND r.source_id = $2::bigint AND "),
                     MO_OK);
    assert_int_equal(sql_params_add(&p, "x", &err), MO_OK);
    assert_int_equal(sql_params_add(&p, "7", &err), MO_OK);
    assert_int_equal(filter_parse_cql("dc:title = 'a' AND apiso:Modified = '2020-01-01'", &f, &err),
                     MO_OK);
    assert_int_equal(filter_to_sql(f, &sql, &p, &err), MO_OK);
    assert_string_equal(sql.data, "e.identifier <> $1 AND r.source_id = $2::bigint AND "
                                  "((r.title = $3) AND (r.modified >= $4::timestamptz AND"
                                  " r.modified < $5::timestamptz))");
    assert_int_equal(p.n, 5);
    assert_string_equal(p.values[2], "a");
    assert_string_equal(p.values[4], "2020-01-02T00:00:00Z");

    /* the buffer fills up: MO_ELIMIT, nothing appended, no parameter added */
    struct buf small;
    buf_init(&small, 20);
    assert_int_equal(buf_append_str(&small, "TRUE AND "), MO_OK);
    assert_int_equal(filter_to_sql(f, &small, &p, &err), MO_ELIMIT);
    assert_string_equal(small.data, "TRUE AND ");
    assert_int_equal(p.n, 5);
    buf_free(&small);
    filter_free(f);

    /* the parameters fill up: MO_ELIMIT, and the same rollback */
    sql_params_free(&p);
    for (int i = 0; i < SQL_PARAMS_MAX - 1; i++)
        assert_int_equal(sql_params_add(&p, "v", &err), MO_OK);
    assert_int_equal(filter_parse_cql("dc:title = 'a' OR dc:title = 'b'", &f, &err), MO_OK);
    size_t len = sql.len;
    assert_int_equal(filter_to_sql(f, &sql, &p, &err), MO_ELIMIT);
    assert_string_equal(err.msg, "more than 1024 SQL parameters");
    assert_int_equal(p.n, SQL_PARAMS_MAX - 1);
    assert_int_equal(sql.len, len);
    assert_int_equal(filter_to_sql(NULL, &sql, &p, &err), MO_EBADREQ);
    assert_string_equal(err.msg, "empty filter");
    filter_free(f);
    sql_params_free(&p);
    buf_free(&sql);
}

static void test_queryables(void **state)
{
    static const struct {
        const char *name;
        const char *sql; /* NULL: unknown */
    } rows[] = {
        {"csw:AnyText", "r.fts"},
        {"apiso:AnyText", "r.fts"},
        {"anytext", "r.fts"},
        {"dc:title", "r.title"},
        {"DC:TITLE", "r.title"},
        {"Title", "r.title"},
        {"apiso:Title", "r.title"},
        {"dct:abstract", "r.abstract"},
        {"dc:subject", "(r.keywords || r.topics)"},
        {"apiso:TopicCategory", "r.topics"},
        {"dc:type", "r.type"},
        {"dc:identifier", "r.identifier"},
        {"dc:format", "r.formats"},
        {"dct:modified", "r.modified"},
        {"ows:BoundingBox", "r.bbox"},
        {"dc:creator", "r.organisations"},
        {"dc:publisher", "r.organisations"},
        {"dc:contributor", "r.organisations"},
        {"dc:language", "r.language"},
        {"apiso:ResourceLanguage", "r.resource_languages"},
        {"apiso:CreationDate", "r.created"},
        {"apiso:RevisionDate", "r.revised"},
        {"apiso:PublicationDate", "r.published"},
        {"apiso:ServiceType", "r.service_type"},
        {"apiso:ParentIdentifier", "r.parent"},
        {"apiso:CRS", "r.crs"},
        {"apiso:OperatesOn", "r.operates_on"},
        {"apiso:TempExtent_begin", "r.temporal_from"},
        {"apiso:TempExtent_end", "r.temporal_to"},
        {"apiso:AlternateTitle", "r.alt_titles"},
        {"apiso:OrganisationName", "r.organisations"},
        {"foo:title", NULL},
        {"dc:", NULL},
        {":title", NULL},
        {"dc:title:x", NULL},
        {"dc:ti tle", NULL},
        {"r.title", NULL},
        {"title--", NULL},
        {"", NULL},
        {"dc:hash", NULL},
        {"apiso:Original", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct queryable *q = queryable_find(rows[i].name);
        if (!rows[i].sql) {
            if (q)
                fail_msg("\"%s\" should be unknown", rows[i].name);
            continue;
        }
        if (!q)
            fail_msg("\"%s\" should be known", rows[i].name);
        assert_string_equal(q->sql, rows[i].sql);
    }
    assert_null(queryable_find(NULL));
    size_t n = 0;
    const struct queryable *all = queryable_list(&n);
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        /* every canonical name finds a row with the same column */
        const struct queryable *q = queryable_find(all[i].name);
        assert_non_null(q);
        assert_string_equal(q->sql, all[i].sql);
        /* SQL text is a constant column expression: no quote, no semicolon */
        assert_null(strpbrk(all[i].sql, "';$"));
        if (all[i].sortable)
            assert_true(all[i].type == QUERYABLE_TEXT || all[i].type == QUERYABLE_DATE);
    }
    assert_true(queryable_find("dc:title")->sortable);
    assert_false(queryable_find("csw:AnyText")->sortable);
}

static void test_crs_and_dates(void **state)
{
    static const struct {
        const char *srs;
        int lat_first;
    } crs[] = {
        {NULL, 0},
        {"", 0},
        {"EPSG:4326", 0},
        {"epsg:4326", 0},
        {"CRS:84", 0},
        {"urn:ogc:def:crs:OGC:1.3:CRS84", 0},
        {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", 0},
        {"http://www.opengis.net/gml/srs/epsg.xml#4326", 0},
        {"urn:ogc:def:crs:EPSG::4326", 1},
        {"URN:OGC:DEF:CRS:EPSG::4326", 1},
        {"urn:ogc:def:crs:EPSG:6.6:4326", 1},
        {"urn:x-ogc:def:crs:EPSG:4326", 1},
        {"http://www.opengis.net/def/crs/EPSG/0/4326", 1},
        {"EPSG:2154", -1},
        {"urn:ogc:def:crs:EPSG::3857", -1},
        {"urn:ogc:def:crs:EPSG:a:b:4326", -1},
        {"http://www.opengis.net/def/crs/EPSG/0/2154", -1},
        {"4326", -1},
    };
    for (size_t i = 0; i < sizeof crs / sizeof crs[0]; i++)
        if (filter_crs_lat_first(crs[i].srs) != crs[i].lat_first)
            fail_msg("srsName \"%s\": %d expected", crs[i].srs ? crs[i].srs : "(none)",
                     crs[i].lat_first);

    static const struct {
        const char *in, *lo, *hi; /* lo NULL: refused */
    } dates[] = {
        {"2020", "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"},
        {"2020-12", "2020-12-01T00:00:00Z", "2021-01-01T00:00:00Z"},
        {"2020-02-29", "2020-02-29T00:00:00Z", "2020-03-01T00:00:00Z"},
        {"2000-02-29", "2000-02-29T00:00:00Z", "2000-03-01T00:00:00Z"},
        {" 2020-12-31\n", "2020-12-31T00:00:00Z", "2021-01-01T00:00:00Z"},
        {"2020-06-30T23:59", "2020-06-30T23:59:00Z", ""},
        {"2020-06-30t23:59:59.123456789123z", "2020-06-30T23:59:59.123456789Z", ""},
        {"2020-06-30T23:59:59,5+05:30", "2020-06-30T23:59:59.5+05:30", ""},
        {"2020-06-30T23:59:59-0800", "2020-06-30T23:59:59-08:00", ""},
        {"2020-06-30T23:59:59+01", "2020-06-30T23:59:59+01:00", ""},
        {"1900-02-29", NULL, NULL},
        {"0000-01-01", NULL, NULL},
        {"2020-00-10", NULL, NULL},
        {"2020-1-1", NULL, NULL},
        {"2020-06-31", NULL, NULL},
        {"2020-06-30T", NULL, NULL},
        {"2020-06-30T12", NULL, NULL},
        {"2020-06-30T12:60", NULL, NULL},
        {"2020-06-30T12:00:60", NULL, NULL},
        {"2020-06-30T12:00:00.", NULL, NULL},
        {"2020-06-30T12:00:00+15:00", NULL, NULL},
        {"2020-06-30T12:00:00Zjunk", NULL, NULL},
        {"2020-06-30 x", NULL, NULL},
        {"-2020", NULL, NULL},
        {"", NULL, NULL},
        {"2020-06-30T12:00:00+01:00:00", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        struct filter_date d;
        struct mo_err err = {0};
        mo_rc rc = filter_date_parse(dates[i].in, "apiso:Modified", &d, &err);
        if (!dates[i].lo) {
            if (rc != MO_EBADREQ)
                fail_msg("date \"%s\" should be refused", dates[i].in);
            assert_non_null(strstr(err.msg, "bad date \""));
            continue;
        }
        if (rc != MO_OK)
            fail_msg("date \"%s\": %s", dates[i].in, err.msg);
        assert_string_equal(d.lo, dates[i].lo);
        assert_string_equal(d.hi, dates[i].hi);
    }
}

/* The tree is what both syntaxes agree on: the same constraint written in
 * CQL and in XML gives the same SQL and parameters. */
static void test_same_tree(void **state)
{
    static const char *const pairs[][2] = {
        {"dc:title LIKE '%eau%' AND NOT dc:type = 'service'",
         "<And><PropertyIsLike wildCard=\"%\" singleChar=\"_\" escapeChar=\"\\\"><PropertyName>"
         "dc:title</PropertyName><Literal>%eau%</Literal></PropertyIsLike><Not>"
         "<PropertyIsEqualTo><PropertyName>dc:type</PropertyName><Literal>service</Literal>"
         "</PropertyIsEqualTo></Not></And>"},
        {"BBOX(ows:BoundingBox, 46, 2, 47, 3, 'urn:ogc:def:crs:EPSG::4326') OR csw:AnyText LIKE"
         " 'route%'",
         "<Or>" BBOX_ENV(
             " srsName=\"EPSG:4326\"", "2 46",
             "3 47") "<PropertyIsLike wildCard=\"*\" singleChar=\"?\" "
                     "escapeChar=\"\\\"><PropertyName>"
                     "csw:AnyText</PropertyName><Literal>route*</Literal></PropertyIsLike></Or>"},
        {"apiso:Modified BETWEEN '2020-01' AND '2020-03' AND dc:subject IS NULL",
         "<And><PropertyIsBetween><PropertyName>apiso:Modified</PropertyName><LowerBoundary>"
         "<Literal>2020-01</Literal></LowerBoundary><UpperBoundary><Literal>2020-03</Literal>"
         "</UpperBoundary></PropertyIsBetween><PropertyIsNull><PropertyName>dc:subject"
         "</PropertyName></PropertyIsNull></And>"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        struct parse_case a = {CQL, pairs[i][0], NULL, NULL, NULL};
        struct parse_case b = {XML, pairs[i][1], NULL, NULL, NULL};
        char pa[1024], pb[1024];
        struct buf sa, sb;
        struct sql_params qa = {0}, qb = {0};
        struct filter *fa = NULL, *fb = NULL;
        struct mo_err err = {0};
        buf_init(&sa, 1 << 16);
        buf_init(&sb, 1 << 16);
        if (parse_case(&a, &fa, &err) != MO_OK || parse_case(&b, &fb, &err) != MO_OK)
            fail_msg("pair %zu: %s", i, err.msg);
        assert_int_equal(filter_to_sql(fa, &sa, &qa, &err), MO_OK);
        assert_int_equal(filter_to_sql(fb, &sb, &qb, &err), MO_OK);
        assert_string_equal(sa.data, sb.data);
        join_params(&qa, 0, pa, sizeof pa);
        join_params(&qb, 0, pb, sizeof pb);
        assert_string_equal(pa, pb);
        filter_free(fa);
        filter_free(fb);
        buf_free(&sa);
        buf_free(&sb);
        sql_params_free(&qa);
        sql_params_free(&qb);
    }
}

/* The tree as the CSW module sees it: root, operators, envelope. */
static void test_tree(void **state)
{
    struct mo_err err = {0};
    struct filter *f = NULL;
    assert_int_equal(
        filter_parse_cql("dc:title = 'a' AND BBOX(ows:BoundingBox, -1, -2, 3, 4)", &f, &err),
        MO_OK);
    const struct filter_node *root = filter_root(f);
    assert_int_equal(root->op, FILTER_AND);
    assert_int_equal(root->child->op, FILTER_EQ);
    assert_string_equal(root->child->prop->name, "dc:title");
    assert_string_equal(root->child->value, "a");
    const struct filter_node *bbox = root->child->next;
    assert_int_equal(bbox->op, FILTER_BBOX);
    assert_true(bbox->env.west == -1 && bbox->env.south == -2 && bbox->env.east == 3 &&
                bbox->env.north == 4);
    assert_null(bbox->next);
    assert_string_equal(filter_op_name(root->op), "And");
    assert_string_equal(filter_op_name(FILTER_OP_COUNT), "unknown operator");
    filter_free(f);
    filter_free(NULL);
    assert_string_equal(FILTER_LOCATOR, "Constraint");

    /* a filter element handed over by the CSW module (already parsed) */
    const char *doc = XML_OPEN EQ_TITLE("a") XML_CLOSE;
    xmlDoc *d = NULL;
    assert_int_equal(xmlsafe_parse_memory(doc, strlen(doc), "test", &d, &err), MO_OK);
    assert_int_equal(filter_parse_ogc(xmlDocGetRootElement(d), &f, &err), MO_OK);
    assert_int_equal(filter_root(f)->op, FILTER_EQ);
    filter_free(f);
    assert_int_equal(filter_parse_ogc(NULL, &f, &err), MO_EBADREQ);
    assert_string_equal(err.msg, "expected an ogc:Filter element, found nothing");
    xmlFreeDoc(d);
}

int main(void)
{
    xmlsafe_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_numbering_and_rollback),
        cmocka_unit_test(test_queryables),
        cmocka_unit_test(test_crs_and_dates),
        cmocka_unit_test(test_same_tree),
        cmocka_unit_test(test_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
