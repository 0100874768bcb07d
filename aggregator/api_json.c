/*
 * api_json.c — the documents of the OGC API Records front (api.h) written
 * with json.h: landing page, conformance, collections, queryables, the
 * items page (GeoJSON FeatureCollection with the facets extension) and one
 * record (GeoJSON Feature).  The OpenAPI document is api_openapi.c.
 */
#include "api_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define COLLECTION_PATH "/api/collections/" API_COLLECTION
#define CRS84 "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#define ISO_SCHEMA "http://www.isotc211.org/2005/gmd"
#define DC_SCHEMA "http://www.opengis.net/cat/csw/2.0.2"
#define API_DEFAULT_TITLE "moisson — catalogue du territoire"

/* One link object; href is public_url + path (+ "?" + query when not
 * empty). */
static void link_write(struct json *j, const struct api *a, const char *path, const char *query,
                       const char *rel, const char *type, const char *title)
{
    char href[API_MAX_URL * 5];
    snprintf(href, sizeof href, "%s%s%s%s", a->public_url, path, query && query[0] ? "?" : "",
             query ? query : "");
    json_begin_object(j);
    json_member_string(j, "href", href);
    json_member_string(j, "rel", rel);
    if (type)
        json_member_string(j, "type", type);
    if (title)
        json_member_string(j, "title", title);
    json_end_object(j);
}

void api_json_landing(const struct api *a, struct json *j)
{
    json_begin_object(j);
    json_member_string(j, "title", a->title[0] ? a->title : API_DEFAULT_TITLE);
    json_member_string(j, "description",
                       "Every metadata record harvested from the territory's partners, "
                       "as OGC API - Records");
    json_key(j, "links");
    json_begin_array(j);
    link_write(j, a, "/api", NULL, "self", "application/json", "this document");
    link_write(j, a, "/api/openapi", NULL, "service-desc",
               "application/vnd.oai.openapi+json;version=3.0", "the API definition");
    link_write(j, a, "/api/conformance", NULL, "conformance", "application/json",
               "conformance classes");
    link_write(j, a, "/api/collections", NULL, "data", "application/json", "collections");
    link_write(j, a, "/csw", "service=CSW&request=GetCapabilities", "alternate", "application/xml",
               "the same index as CSW 2.0.2");
    json_end_array(j);
    json_end_object(j);
}

void api_json_conformance(struct json *j)
{
    static const char *const classes[] = {
        "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
        "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core",
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-collection",
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-api",
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/searchable-catalog",
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/sorting",
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/json",
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    };
    json_begin_object(j);
    json_key(j, "conformsTo");
    json_begin_array(j);
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        json_string(j, classes[i]);
    json_end_array(j);
    json_end_object(j);
}

static void collection_write(const struct api *a, struct json *j)
{
    json_begin_object(j);
    json_member_string(j, "id", API_COLLECTION);
    json_member_string(j, "type", "Collection");
    json_member_string(j, "itemType", "record");
    json_member_string(j, "title", "Catalogue du territoire");
    json_member_string(j, "description",
                       "One record per metadata identifier, whichever partner holds it");
    json_key(j, "extent");
    json_begin_object(j);
    json_key(j, "spatial");
    json_begin_object(j);
    json_key(j, "bbox");
    json_begin_array(j);
    json_begin_array(j);
    json_int(j, -180), json_int(j, -90), json_int(j, 180), json_int(j, 90);
    json_end_array(j);
    json_end_array(j);
    json_member_string(j, "crs", CRS84);
    json_end_object(j);
    json_end_object(j);
    json_key(j, "crs");
    json_begin_array(j);
    json_string(j, CRS84);
    json_end_array(j);
    json_key(j, "links");
    json_begin_array(j);
    link_write(j, a, COLLECTION_PATH, NULL, "self", "application/json", "this collection");
    link_write(j, a, COLLECTION_PATH "/items", NULL, "items", "application/geo+json",
               "the records");
    link_write(j, a, COLLECTION_PATH "/queryables", NULL,
               "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json",
               "the query parameters");
    json_end_array(j);
    json_end_object(j);
}

void api_json_collections(const struct api *a, struct json *j)
{
    json_begin_object(j);
    json_key(j, "collections");
    json_begin_array(j);
    collection_write(a, j);
    json_end_array(j);
    json_key(j, "links");
    json_begin_array(j);
    link_write(j, a, "/api/collections", NULL, "self", "application/json", "this document");
    json_end_array(j);
    json_end_object(j);
}

void api_json_collection(const struct api *a, struct json *j)
{
    collection_write(a, j);
}

static void queryable(struct json *j, const char *name, const char *title, const char *type,
                      const char *format)
{
    json_key(j, name);
    json_begin_object(j);
    json_member_string(j, "title", title);
    if (type)
        json_member_string(j, "type", type);
    if (format)
        json_member_string(j, "format", format);
    json_end_object(j);
}

void api_json_queryables(const struct api *a, struct json *j)
{
    char id[API_MAX_URL + 64];
    snprintf(id, sizeof id, "%s" COLLECTION_PATH "/queryables", a->public_url);
    json_begin_object(j);
    json_member_string(j, "$schema", "https://json-schema.org/draft/2019-09/schema");
    json_member_string(j, "$id", id);
    json_member_string(j, "type", "object");
    json_member_string(j, "title", "Catalogue du territoire");
    json_key(j, "properties");
    json_begin_object(j);
    queryable(j, "q", "French full text (accents, case and plurals forgiven)", "string", NULL);
    queryable(j, "title", "Title (sortby=title)", "string", NULL);
    queryable(j, "updated", "Metadata date (sortby=updated)", "string", "date-time");
    queryable(j, "partner", "Partner holding the record (facet)", "string", NULL);
    queryable(j, "organisation", "Responsible organisation (facet)", "string", NULL);
    queryable(j, "keyword", "Keyword, INSPIRE themes included (facet)", "string", NULL);
    queryable(j, "theme", "ISO 19115 topic category (facet)", "string", NULL);
    queryable(j, "type", "Resource type: dataset, series, service… (facet)", "string", NULL);
    queryable(j, "format", "Distribution format (facet)", "string", NULL);
    queryable(j, "year", "Year of the metadata date (facet)", "integer", NULL);
    json_key(j, "geometry");
    json_begin_object(j);
    json_member_string(j, "title", "Bounding box (bbox)");
    json_member_string(j, "format", "geometry-polygon");
    json_end_object(j);
    json_end_object(j);
    json_key(j, "additionalProperties");
    json_bool(j, 0);
    json_end_object(j);
}

/* ---- features ---- */

/* The bounding box as a GeoJSON Polygon (a point for a degenerate box), or
 * null. */
static void geometry_write(struct json *j, int has, const double b[4])
{
    if (!has) {
        json_null(j);
        return;
    }
    const double ring[5][2] = {
        {b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}};
    json_begin_object(j);
    if (b[0] == b[2] && b[1] == b[3]) {
        json_member_string(j, "type", "Point");
        json_key(j, "coordinates");
        json_begin_array(j);
        json_double(j, b[0]), json_double(j, b[1]);
        json_end_array(j);
        json_end_object(j);
        return;
    }
    json_member_string(j, "type", "Polygon");
    json_key(j, "coordinates");
    json_begin_array(j);
    json_begin_array(j);
    for (int i = 0; i < 5; i++) {
        json_begin_array(j);
        json_double(j, ring[i][0]), json_double(j, ring[i][1]);
        json_end_array(j);
    }
    json_end_array(j);
    json_end_array(j);
    json_end_object(j);
}

/* The record-core member time: {"interval": [from, to]} with ".." for an
 * open end, or null when the record has no temporal extent. */
static void interval_write(struct json *j, const char *from, const char *to)
{
    json_key(j, "time");
    if (!from[0] && !to[0]) {
        json_null(j);
        return;
    }
    json_begin_object(j);
    json_key(j, "interval");
    json_begin_array(j);
    json_string(j, from[0] ? from : "..");
    json_string(j, to[0] ? to : "..");
    json_end_array(j);
    json_end_object(j);
}

/* Unicode code points in the first n bytes of UTF-8 text s. */
static size_t code_points(const char *s, size_t n)
{
    size_t cp = 0;
    for (size_t i = 0; i < n && s[i]; i++)
        cp += ((unsigned char)s[i] & 0xC0) != 0x80;
    return cp;
}

/* [[start, length], …] in code points. */
static void matches_write(struct json *j, const struct search_text *t)
{
    json_begin_array(j);
    for (size_t i = 0; i < t->n_matches; i++) {
        json_begin_array(j);
        json_int(j, (long long)code_points(t->text, t->match_start[i]));
        json_int(j, (long long)code_points(t->text + t->match_start[i], t->match_len[i]));
        json_end_array(j);
    }
    json_end_array(j);
}

/* A ", "-separated list as a JSON array of strings. */
static void names_write(struct json *j, const char *list)
{
    json_begin_array(j);
    while (list && *list) {
        size_t n = strcspn(list, ",");
        json_string_n(j, list, n);
        list += n;
        while (*list == ',' || *list == ' ')
            list++;
    }
    json_end_array(j);
}

static void item_links(const struct api *a, struct json *j, const char *id)
{
    struct buf path;
    buf_init(&path, API_MAX_URL);
    if (buf_append_str(&path, COLLECTION_PATH "/items/") != MO_OK ||
        api_url_encode(&path, id) != MO_OK)
        buf_reset(&path);
    link_write(j, a, path.len ? path.data : COLLECTION_PATH "/items", NULL, "self",
               "application/geo+json", "this record");
    link_write(j, a, COLLECTION_PATH, NULL, "collection", "application/json", "the collection");
    buf_free(&path);
}

static void hit_write(const struct api *a, struct json *j, const struct search_hit *h)
{
    json_begin_object(j);
    json_member_string(j, "type", "Feature");
    json_member_string(j, "id", h->identifier);
    json_key(j, "geometry");
    geometry_write(j, h->has_bbox, h->bbox);
    interval_write(j, h->time_from, h->time_to);
    json_key(j, "properties");
    json_begin_object(j);
    json_member_string(j, "type", h->type);
    json_member_string(j, "title", h->title.text);
    json_member_string(j, "description", h->excerpt.text);
    if (h->modified[0])
        json_member_string(j, "updated", h->modified);
    json_key(j, "partners");
    names_write(j, h->sources);
    json_key(j, "rank");
    json_double(j, h->rank);
    json_key(j, "highlight");
    json_begin_object(j);
    json_key(j, "title");
    matches_write(j, &h->title);
    json_key(j, "description");
    matches_write(j, &h->excerpt);
    json_end_object(j);
    json_end_object(j);
    json_key(j, "links");
    json_begin_array(j);
    item_links(a, j, h->identifier);
    json_end_array(j);
    json_end_object(j);
}

static void facets_write(struct json *j, const struct search_result *res)
{
    json_key(j, "facets");
    json_begin_object(j);
    for (int f = 0; f < SEARCH_FACET_COUNT; f++) {
        json_key(j, search_facet_name(f));
        json_begin_array(j);
        for (size_t i = 0; i < res->facets[f].n; i++) {
            json_begin_object(j);
            json_member_string(j, "value", res->facets[f].values[i].value);
            json_member_int(j, "count", res->facets[f].values[i].count);
            json_end_object(j);
        }
        json_end_array(j);
    }
    json_end_object(j);
    json_key(j, "facetsExact");
    json_bool(j, res->matched_exact);
}

static void page_link(const struct api *a, struct json *j, const char *self_query, long offset,
                      const char *rel, const char *title)
{
    char q[API_MAX_URL * 4 + 32];
    snprintf(q, sizeof q, "%s%soffset=%ld", self_query, self_query[0] ? "&" : "", offset);
    link_write(j, a, COLLECTION_PATH "/items", q, rel, "application/geo+json", title);
}

void api_json_items(const struct api *a, const struct search_request *r,
                    const struct search_result *res, const char *self_query, struct json *j)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_begin_object(j);
    json_member_string(j, "type", "FeatureCollection");
    json_member_string(j, "timeStamp", stamp);
    json_member_int(j, "numberMatched", res->matched);
    json_key(j, "numberMatchedExact");
    json_bool(j, res->matched_exact);
    json_member_int(j, "numberReturned", (long long)res->n);
    if (res->behind_ms) /* serve --search-lag: from a snapshot this old */
        json_member_int(j, "indexBehindSeconds", (res->behind_ms + 999) / 1000);
    json_key(j, "features");
    json_begin_array(j);
    for (size_t i = 0; i < res->n; i++)
        hit_write(a, j, &res->hits[i]);
    json_end_array(j);
    if (r->facets)
        facets_write(j, res);
    json_key(j, "links");
    json_begin_array(j);
    page_link(a, j, self_query, r->offset, "self", "this page");
    link_write(j, a, COLLECTION_PATH, NULL, "collection", "application/json", "the collection");
    int more = r->limit > 0 && (long long)(r->offset + r->limit) < res->matched &&
               r->offset + r->limit <= SEARCH_MAX_OFFSET;
    if (more)
        page_link(a, j, self_query, r->offset + r->limit, "next", "next page");
    if (r->offset > 0)
        page_link(a, j, self_query, r->offset > r->limit ? r->offset - r->limit : 0, "prev",
                  "previous page");
    json_end_array(j);
    json_end_object(j);
}

/* ---- one record ---- */

/* A SEARCH_LIST_SEP-separated list (at most API_MAX_LIST elements); as
 * strings, or as objects {key: element} when key is set. */
static void list_write(struct json *j, const char *list, const char *key)
{
    size_t n = 0;
    json_begin_array(j);
    while (list && *list && n++ < API_MAX_LIST) {
        size_t len = strcspn(list, "\x1f");
        if (key) {
            json_begin_object(j);
            json_key(j, key);
        }
        json_string_n(j, list, len);
        if (key)
            json_end_object(j);
        list += len;
        if (*list)
            list++;
    }
    json_end_array(j);
}

static void optional_member(struct json *j, const struct search_record *rec, const char *key,
                            enum search_record_col c)
{
    if (!search_record_null(rec, c) && search_record_field(rec, c)[0])
        json_member_string(j, key, search_record_field(rec, c));
}

static void themes_write(struct json *j, const struct search_record *rec)
{
    json_key(j, "themes");
    json_begin_array(j);
    if (search_record_field(rec, REC_TOPICS)[0]) {
        json_begin_object(j);
        json_key(j, "concepts");
        list_write(j, search_record_field(rec, REC_TOPICS), "id");
        json_member_string(j, "scheme",
                           "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#"
                           "MD_TopicCategoryCode");
        json_end_object(j);
    }
    json_end_array(j);
}

/* The CSW GetRecordById link of the record in one output schema. */
static void csw_link(const struct api *a, struct json *j, const char *id, const char *schema,
                     const char *title)
{
    struct buf q;
    buf_init(&q, API_MAX_URL * 2);
    if (buf_append_str(&q, "service=CSW&version=2.0.2&request=GetRecordById&id=") == MO_OK &&
        api_url_encode(&q, id) == MO_OK &&
        buf_append_str(&q, "&elementSetName=full&outputSchema=") == MO_OK &&
        api_url_encode(&q, schema) == MO_OK)
        link_write(j, a, "/csw", q.data, "alternate", "application/xml", title);
    buf_free(&q);
}

static void record_links(const struct api *a, struct json *j, const struct search_record *rec)
{
    const char *id = search_record_field(rec, REC_IDENTIFIER);
    const char *links = search_record_field(rec, REC_LINKS);
    size_t n = 0;
    json_key(j, "links");
    json_begin_array(j);
    item_links(a, j, id);
    csw_link(a, j, id, ISO_SCHEMA, "ISO 19139 (CSW GetRecordById)");
    csw_link(a, j, id, DC_SCHEMA, "Dublin Core (CSW GetRecordById)");
    while (*links && n++ < API_MAX_LIST) {
        size_t len = strcspn(links, "\x1f");
        json_begin_object(j);
        json_key(j, "href");
        json_string_n(j, links, len);
        json_member_string(j, "rel", "related");
        json_end_object(j);
        links += len;
        if (*links)
            links++;
    }
    json_end_array(j);
}

void api_json_record(const struct api *a, const struct search_record *rec, struct json *j)
{
    double b[4] = {0};
    int has = !search_record_null(rec, REC_WEST);
    for (int i = 0; i < 4 && has; i++)
        sscanf(search_record_field(rec, REC_WEST + i), "%lf", &b[i]);
    json_begin_object(j);
    json_member_string(j, "type", "Feature");
    json_member_string(j, "id", search_record_field(rec, REC_IDENTIFIER));
    json_key(j, "geometry");
    geometry_write(j, has, b);
    json_key(j, "conformsTo");
    json_begin_array(j);
    json_string(j, "http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core");
    json_end_array(j);
    interval_write(j, search_record_field(rec, REC_TEMPORAL_FROM),
                   search_record_field(rec, REC_TEMPORAL_TO));
    json_key(j, "properties");
    json_begin_object(j);
    json_member_string(j, "type", search_record_field(rec, REC_TYPE));
    json_member_string(j, "title", search_record_field(rec, REC_TITLE));
    json_member_string(j, "description", search_record_field(rec, REC_ABSTRACT));
    optional_member(j, rec, "language", REC_LANGUAGE);
    optional_member(j, rec, "created", REC_CREATED);
    optional_member(j, rec, "updated", REC_MODIFIED);
    optional_member(j, rec, "published", REC_PUBLISHED);
    optional_member(j, rec, "revised", REC_REVISED);
    json_key(j, "keywords");
    list_write(j, search_record_field(rec, REC_KEYWORDS), NULL);
    themes_write(j, rec);
    json_key(j, "contacts");
    list_write(j, search_record_field(rec, REC_ORGANISATIONS), "organization");
    json_key(j, "formats");
    list_write(j, search_record_field(rec, REC_FORMATS), "name");
    json_key(j, "rights");
    list_write(j, search_record_field(rec, REC_LICENCES), NULL);
    json_key(j, "crs");
    list_write(j, search_record_field(rec, REC_CRS), NULL);
    json_key(j, "partners");
    names_write(j, search_record_field(rec, REC_SOURCES));
    optional_member(j, rec, "harvested", REC_HARVESTED);
    json_end_object(j);
    record_links(a, j, rec);
    json_end_object(j);
}
