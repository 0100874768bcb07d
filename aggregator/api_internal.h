/*
 * api_internal.h — what api.c (routing, parameters, problems) and
 * api_json.c (the documents) share.  Not for other modules.
 */
#ifndef MOISSON_API_INTERNAL_H
#define MOISSON_API_INTERNAL_H

#include "api.h"
#include "json.h"
#include "search.h"

struct api {
    char public_url[API_MAX_URL];
    char title[API_MAX_TITLE + 1]; /* empty: the default */
    struct dbpool *pool;
    const struct log *log;
    struct search *search;
};

/* Appends s percent-encoded for a URL query value (everything but the RFC
 * 3986 unreserved characters). */
mo_rc api_url_encode(struct buf *out, const char *s) MO_MUST_CHECK;

/* Where the HTML page of the document at rest (the path after /api) is:
 * the public URL and the page's path and query into out (api_html.c). */
mo_rc api_html_location(const struct api *a, const char *rest, const struct http_request *req,
                        struct buf *out) MO_MUST_CHECK;

/* The documents; each writes one complete JSON value with j. */
void api_json_landing(const struct api *a, struct json *j);
void api_json_conformance(struct json *j);
void api_json_collections(const struct api *a, struct json *j);
void api_json_collection(const struct api *a, struct json *j);
void api_json_queryables(const struct api *a, struct json *j);
void api_json_openapi(const struct api *a, struct json *j);

/* The items page: self_query is the request's query string re-encoded
 * without offset (for the self, next and prev links). */
void api_json_items(const struct api *a, const struct search_request *r,
                    const struct search_result *res, const char *self_query, struct json *j);

/* One record as a GeoJSON Feature. */
void api_json_record(const struct api *a, const struct search_record *rec, struct json *j);

#endif
