/*
 * api_openapi.c — the OpenAPI 3.0 document of the API (/api/openapi): a
 * constant description of the paths, parameters and responses, with the
 * server's public URL written in.
 */
#include "api_internal.h"

#define P_REF(name) "{\"$ref\":\"#/components/parameters/" name "\"}"
#define R_REF(name) "{\"$ref\":\"#/components/responses/" name "\"}"
#define JSON_OK(desc)                                                                              \
    "\"200\":{\"description\":\"" desc                                                             \
    "\",\"content\":{\"application/json\":{\"schema\":{\"type\":\"object\"}}}}"
#define ERRORS                                                                                     \
    ",\"303\":" R_REF("SeeHtml") ",\"400\":" R_REF("BadRequest") ",\"503\":" R_REF("Unavailable")
#define GET(op, summary, params, ok)                                                               \
    "{\"get\":{\"operationId\":\"" op "\",\"summary\":\"" summary "\",\"parameters\":[" params     \
    "],\"responses\":{" ok ERRORS "}}}"
#define TEXT_PARAM(name, desc)                                                                     \
    "\"" name "\":{\"name\":\"" name                                                               \
    "\",\"in\":\"query\",\"required\":false,\"description\":\"" desc                               \
    "\",\"schema\":{\"type\":\"string\"},\"style\":\"form\",\"explode\":true}"

/* clang-format off: one path per line reads better than any reflow */
static const char paths
    [] = "{"
         "\"/api\":" GET(
             "getLandingPage", "Landing page", P_REF("f"),
             JSON_OK("links to the API")) ","
                                          "\"/api/conformance\":" GET(
                                              "getConformance", "Conformance classes", P_REF("f"),
                                              JSON_OK(
                                                  "conformsTo")) ","
                                                                 "\"/api/openapi\":" GET(
                                                                     "getOpenAPI", "This document",
                                                                     P_REF("f"),
                                                                     JSON_OK("OpenAPI 3.0")) ","
                                                                                             "\"/"
                                                                                             "api/"
                                                                                             "colle"
                                                                                             "ction"
                                                                                             "s\""
                                                                                             ":" GET("getCollections",
                                                                                                     "The collections",
                                                                                                     P_REF("f"), JSON_OK("one collection: territoire")) ","
                                                                                                                                                        "\"/api/collections/territoire\":" GET("describeCollection", "The territory's records", P_REF("f"), JSON_OK("the collection")) ","
                                                                                                                                                                                                                                                                                       "\"/api/collections/territoire/queryables\":" GET("getQueryables", "Query parameters as JSON Schema", P_REF("f"), JSON_OK("JSON Schema")) ","
                                                                                                                                                                                                                                                                                                                                                                                                                                 "\"/api/collections/territoire/items\":" GET("getRecords",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                              "Search the records: French full text, bounding box, time, facet filters; ranked by relevance", P_REF("q") "," P_REF("bbox") "," P_REF("datetime") "," P_REF("type") "," P_REF("limit") "," P_REF("offset") "," P_REF("sortby") "," P_REF("facets") "," P_REF("partner") "," P_REF("organisation") "," P_REF("keyword") "," P_REF("theme") "," P_REF("format") "," P_REF("year") "," P_REF("f"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                              "\"200\":{\"description\":\"a page of records\",\"content\":{\"application/geo+json\":"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                              "{\"schema\":{\"$ref\":\"#/components/schemas/FeatureCollection\"}}}}") ","
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                      "\"/api/collections/territoire/items/{recordId}\":" GET("getRecord", "One record", P_REF("recordId") "," P_REF("f"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                              "\"200\":{\"description\":\"the record\",\"content\":{\"application/geo+json\":"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                              "{\"schema\":{\"$ref\":\"#/components/schemas/Feature\"}}}},\"404\":" R_REF(
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                  "NotFound")) "}";
/* clang-format on */

/* clang-format off */
static const char components[] =
    "{\"parameters\":{\"f\":{\"name\":\"f\",\"in\":\"query\",\"required\":false,\"description\":"
    "\"Output format: json, or html: 303 See Other to the HTML page that shows the"
    " same (the items: the search page with the same search)\",\"schema\":{\"type\":"
    "\"string\",\"enum\":[\"json\",\"html\"]}},"
    "\"q\":{\"name\":\"q\",\"in\":\"query\",\"required\":false,\"description\":\"French full"
    " text; accents, case and plurals forgiven; \\\"phrase\\\", or, -word as on web search"
    " engines\",\"schema\":{\"type\":\"string\",\"maxLength\":512}},"
    "\"bbox\":{\"name\":\"bbox\",\"in\":\"query\",\"required\":false,\"description\":\"west,south"
    ",east,north in WGS84 degrees (CRS84); records whose extent intersects"
    " it\",\"schema\":{\"type\":\"array\",\"minItems\":4,\"maxItems\":6,\"items\":{\"type\":\"num"
    "ber\"}},"
    "\"style\":\"form\",\"explode\":false},"
    "\"datetime\":{\"name\":\"datetime\",\"in\":\"query\",\"required\":false,\"description\":\"An"
    " instant or START/END (.. for an open end); matches records whose temporal extent, else"
    " metadata date, intersects it; an end given as a date, month or year covers all of"
    " it\",\"schema\":{\"type\":\"string\"}},"
    "\"limit\":{\"name\":\"limit\",\"in\":\"query\",\"required\":false,\"description\":\"Records"
    " per page; above 100 served as"
    " 100\",\"schema\":{\"type\":\"integer\",\"minimum\":0,\"default\":10}},"
    "\"offset\":{\"name\":\"offset\",\"in\":\"query\",\"required\":false,\"description\":\"Record"
    "s skipped (the next and prev links carry"
    " it)\",\"schema\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10000,\"default\":0}},"
    "\"sortby\":{\"name\":\"sortby\",\"in\":\"query\",\"required\":false,\"description\":\"releva"
    "nce (default), updated (or date), title; - before for"
    " descending\",\"schema\":{\"type\":\"string\",\"enum\":[\"relevance\",\"updated\",\"+updated"
    "\",\"-updated\",\"date\",\"+date\",\"-date\",\"title\",\"+title\",\"-title\"]}},"
    "\"facets\":{\"name\":\"facets\",\"in\":\"query\",\"required\":false,\"description\":\"Extens"
    "ion: true adds the member facets (per facet, the 20 most frequent values among the matches"
    " with their counts) and facetsExact (false when the counts are estimates, see"
    " numberMatchedExact)\",\"schema\":{\"type\":\"boolean\",\"default\":false}},"
    TEXT_PARAM("type", "Resource type (dataset, series, service…); repeat for several (OR)")
    ","
    TEXT_PARAM("partner", "Extension (facet filter): name of a partner holding the record; repeat for several (OR); facets combine with AND")
    ","
    TEXT_PARAM("organisation", "Extension (facet filter): responsible organisation")
    ","
    TEXT_PARAM("keyword", "Extension (facet filter): keyword (INSPIRE themes are keywords)")
    ","
    TEXT_PARAM("theme", "Extension (facet filter): ISO 19115 topic category")
    ","
    TEXT_PARAM("format", "Extension (facet filter): distribution format")
    ","
    TEXT_PARAM("year", "Extension (facet filter): year of the metadata date (four digits)")
    ",\"recordId\":{\"name\":\"recordId\",\"in\":\"path\",\"required\":true,\"description\":\"The"
    " metadata identifier\",\"schema\":{\"type\":\"string\"}}},"
    "\"responses\":{\"BadRequest\":{\"description\":\"A bad parameter, named in"
    " invalid-params\",\"content\":{\"application/problem+json\":{\"schema\":{\"$ref\":\"#/compon"
    "ents/schemas/Problem\"}}}},"
    "\"NotFound\":{\"description\":\"No such"
    " record\",\"content\":{\"application/problem+json\":{\"schema\":{\"$ref\":\"#/components/sch"
    "emas/Problem\"}}}},"
    "\"SeeHtml\":{\"description\":\"f=html: the HTML page of the document, in"
    " Location\",\"headers\":{\"Location\":{\"schema\":{\"type\":\"string\",\"format\":"
    "\"uri\"}}}},"
    "\"Unavailable\":{\"description\":\"The database is busy or down"
    " (Retry-After)\",\"content\":{\"application/problem+json\":{\"schema\":{\"$ref\":\"#/compone"
    "nts/schemas/Problem\"}}}}},"
    "\"schemas\":{\"Problem\":{\"type\":\"object\",\"required\":[\"type\",\"title\",\"status\",\""
    "detail\"],\"properties\":{\"type\":{\"type\":\"string\"},"
    "\"title\":{\"type\":\"string\"},"
    "\"status\":{\"type\":\"integer\"},"
    "\"detail\":{\"type\":\"string\"},"
    "\"invalid-params\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"name"
    "\":{\"type\":\"string\"},"
    "\"reason\":{\"type\":\"string\"}}}}}},"
    "\"Link\":{\"type\":\"object\",\"required\":[\"href\",\"rel\"],\"properties\":{\"href\":{\"ty"
    "pe\":\"string\"},"
    "\"rel\":{\"type\":\"string\"},"
    "\"type\":{\"type\":\"string\"},"
    "\"title\":{\"type\":\"string\"}}},"
    "\"Feature\":{\"type\":\"object\",\"required\":[\"type\",\"id\",\"geometry\",\"properties\","
    "\"links\"],\"properties\":{\"type\":{\"type\":\"string\",\"enum\":[\"Feature\"]},"
    "\"id\":{\"type\":\"string\"},"
    "\"geometry\":{\"type\":\"object\",\"nullable\":true},"
    "\"properties\":{\"type\":\"object\",\"properties\":{\"type\":{\"type\":\"string\"},"
    "\"title\":{\"type\":\"string\"},"
    "\"description\":{\"type\":\"string\"},"
    "\"rank\":{\"type\":\"number\",\"description\":\"Extension: ts_rank of the record for q (0"
    " without q)\"},"
    "\"highlight\":{\"type\":\"object\",\"description\":\"Extension (items page): where the"
    " words of q match in title and description, as [start, length] pairs counted in Unicode"
    " code points\"}}},"
    "\"links\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Link\"}}}},"
    "\"FeatureCollection\":{\"type\":\"object\",\"required\":[\"type\",\"features\",\"links\",\"n"
    "umberMatched\",\"numberReturned\",\"timeStamp\"],\"properties\":{\"type\":{\"type\":\"string"
    "\",\"enum\":[\"FeatureCollection\"]},"
    "\"timeStamp\":{\"type\":\"string\",\"format\":\"date-time\"},"
    "\"numberMatched\":{\"type\":\"integer\"},"
    "\"numberMatchedExact\":{\"type\":\"boolean\",\"description\":\"Extension: false when"
    " numberMatched (and the facet counts) are estimates, past 5000 matches, from a fixed 1/64"
    " or 1/16 sample of the records (only when the server answers from SQL: its in-memory"
    " search index counts exactly)\"},"
    "\"numberReturned\":{\"type\":\"integer\"},"
    "\"indexBehindSeconds\":{\"type\":\"integer\",\"description\":\"Extension: present"
    " when the server answers with a lag (serve --search-lag) while a harvest writes: the"
    " answer comes from the search index as it was this many seconds ago\"},"
    "\"features\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Feature\"}},"
    "\"links\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Link\"}},"
    "\"facets\":{\"type\":\"object\",\"description\":\"Extension"
    " (facets=true)\",\"additionalProperties\":{\"type\":\"array\",\"items\":{\"type\":\"object\""
    ",\"required\":[\"value\",\"count\"],\"properties\":{\"value\":{\"type\":\"string\"},"
    "\"count\":{\"type\":\"integer\"}}}}},"
    "\"facetsExact\":{\"type\":\"boolean\"}}}}}";
/* clang-format on */

void api_json_openapi(const struct api *a, struct json *j)
{
    json_begin_object(j);
    json_member_string(j, "openapi", "3.0.3");
    json_key(j, "info");
    json_begin_object(j);
    json_member_string(j, "title", "moisson — OGC API - Records");
    json_member_string(j, "version", "1.0.0");
    json_member_string(j, "description",
                       "The territory's metadata records, harvested from every partner. "
                       "Extensions: the facet filters, facets=true, numberMatchedExact, "
                       "rank and highlight.");
    json_end_object(j);
    json_key(j, "servers");
    json_begin_array(j);
    json_begin_object(j);
    json_member_string(j, "url", a->public_url);
    json_end_object(j);
    json_end_array(j);
    json_key(j, "paths");
    json_raw(j, paths);
    json_key(j, "components");
    json_raw(j, components);
    json_end_object(j);
}
