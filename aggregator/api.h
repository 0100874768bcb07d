/*
 * api.h — the OGC API - Records Part 1 JSON API over the index (issue 5):
 *
 *   /api                                   landing page
 *   /api/conformance                       conformance classes
 *   /api/openapi                           OpenAPI 3.0 document (JSON)
 *   /api/collections                       the one collection
 *   /api/collections/territoire            the territory's records
 *   /api/collections/territoire/queryables JSON Schema of the query parameters
 *   /api/collections/territoire/items      GeoJSON FeatureCollection: q, bbox,
 *                                          datetime, type, limit, offset,
 *                                          sortby, the facet filters, facets
 *   /api/collections/territoire/items/ID   one record as a GeoJSON Feature
 *
 * Searches go through search.h (ranking, counts, estimates, facets).  Bad
 * parameters get 400 with an RFC 7807 application/problem+json body naming
 * the parameter; an unknown path 404, f=html 406 (the HTML pages will take
 * it), the database busy or down 503, anything else 500 with a fixed text
 * (the cause is logged).  Knows no libmicrohttpd: tests call api_handle with
 * a hand-built request.
 */
#ifndef MOISSON_API_H
#define MOISSON_API_H

#include "dbpool.h"
#include "http.h"
#include "log.h"
#include "result.h"
#include "search.h"

#define API_PATH "/api"
#define API_COLLECTION "territoire"
#define API_MAX_BODY (16 * 1024 * 1024) /* one JSON response */
#define API_MAX_URL 4096                /* a link built from the request */
#define API_MAX_LIST 1000               /* elements of a record's list shown */
#define API_MAX_TITLE 512               /* the landing page's title (bytes) */

struct api_config {
    const char *public_url; /* base URL of the server, no trailing '/' */
    struct dbpool *pool;    /* borrowed: must outlive the struct api */
    const struct log *log;  /* borrowed; may be NULL */
    const char *title;      /* the landing page's title (copied); NULL or "": the default */
};

struct api;

/* A new API (MO_ENOMEM; MO_EBADREQ without public URL or pool, or with a
 * title longer than API_MAX_TITLE bytes). */
mo_rc api_new(const struct api_config *cfg, struct api **out, struct mo_err *err) MO_MUST_CHECK;

/* Frees a; a may be NULL.  No request may be running. */
void api_free(struct api *a);

/* The search state (for stats and tests). */
struct search *api_search(struct api *a);

/* Answers one GET under API_PATH.  Never fails: errors become a problem
 * document in resp.  Safe to call from several threads at once. */
void api_handle(struct api *a, const struct http_request *req, struct http_response *resp);

#endif
