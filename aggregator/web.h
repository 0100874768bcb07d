/*
 * web.h — the HTML pages for people (issue 5):
 *
 *   /                the search: one text box, facets with counts as links
 *                    that add or remove a filter, a bounding box chosen on
 *                    a map (or typed), a date range, sort, paging; the URL
 *                    (a GET form) holds the whole state
 *   /record/ID       one entry: every unified field, its links labelled by
 *                    kind, the partners that carry it and when each was
 *                    harvested, the original XML, the CSW GetRecordById links
 *   /partners        each source with its last runs and their per-record errors
 *   /static/NAME     the style sheet and the map script (web_assets.c)
 *
 * French by default, English from `lang=en` or Accept-Language.  Every
 * harvested string goes through html_text / html_attr (web_internal.h);
 * pages carry a Content-Security-Policy starting with default-src 'self'
 * (img-src also names the tile server when the map has a tile background)
 * and need no inline script.  Knows no libmicrohttpd: tests call
 * web_handle with a hand-built request.
 */
#ifndef MOISSON_WEB_H
#define MOISSON_WEB_H

#include "dbpool.h"
#include "http.h"
#include "log.h"
#include "result.h"
#include "search.h"

#define WEB_RECORD_PATH "/record"
#define WEB_PARTNERS_PATH "/partners"
#define WEB_STATIC_PATH "/static"
#define WEB_MAX_BODY (8 * 1024 * 1024) /* one page */
#define WEB_MAX_URL 4096               /* a link built from the request */
#define WEB_PAGE_SIZE 10               /* results per page */
#define WEB_MAX_RUNS 5                 /* runs shown per partner */
#define WEB_MAX_ERRORS 50              /* per-record errors shown per run */
#define WEB_MAX_SOURCES 1000           /* partners shown */
#define WEB_MAX_LIST 1000              /* elements of a record's list shown */
#define WEB_MAX_ORIGINAL (1024 * 1024) /* bytes of original XML shown */
#define WEB_MAX_TITLE 512              /* the site's name (bytes) */
#define WEB_MAX_TILE_URL 512           /* --tile-url, the map's tile template (bytes) */
#define WEB_MAX_TILE_ATTRIBUTION 512   /* --tile-attribution (bytes) */
/* The pages' Content-Security-Policy, in two halves so that the tile server's
 * origin can go at the end of img-src (web_new). */
#define WEB_CSP_HEAD "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
#define WEB_CSP_TAIL                                                                               \
    "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
#define WEB_CSP WEB_CSP_HEAD WEB_CSP_TAIL /* without a tile background */

struct web_config {
    const char *public_url; /* base URL of the server, no trailing '/' */
    struct dbpool *pool;    /* borrowed: must outlive the struct web */
    struct search *search;  /* borrowed (shared with the API): must outlive it */
    const struct log *log;  /* borrowed; may be NULL */
    const char *title;      /* the site's name on every page (copied); NULL or "": each
                               language's default */
    /* the map's background: an XYZ tile template ({z}, {x}, {y}; copied, checked by
     * web_tile_url_check; NULL or "": the offline map over a graticule) and the credit
     * shown under it (copied; NULL or "": the tile server's host) */
    const char *tile_url;
    const char *tile_attribution;
};

struct web;

/* A new set of pages (MO_ENOMEM; MO_EBADREQ without public URL, pool or
 * search, with a title longer than WEB_MAX_TITLE bytes, or with a tile
 * template or attribution that web_tiles_check refuses). */
mo_rc web_new(const struct web_config *cfg, struct web **out, struct mo_err *err) MO_MUST_CHECK;

/* Checks a tile template: http:// or https://, a host of letters, digits,
 * dots and hyphens (it goes into the CSP's img-src as it is) with an
 * optional port, no user name, printable ASCII without spaces, quotes,
 * backslashes or angle brackets, at most WEB_MAX_TILE_URL bytes, and each
 * of {z}, {x} and {y} exactly once after the host (no other brace).  NULL
 * (no tiles) is good.  MO_EBADREQ with the reason alone, for the caller to
 * name the option: "{y} missing". */
mo_rc web_tile_url_check(const char *url, struct mo_err *err) MO_MUST_CHECK;

/* Checks a tile attribution: valid UTF-8, at most WEB_MAX_TILE_ATTRIBUTION
 * bytes, no control character (C0, DEL or C1).  NULL is good.  MO_EBADREQ
 * with the reason alone. */
mo_rc web_tile_attribution_check(const char *text, struct mo_err *err) MO_MUST_CHECK;

/* Both checks, the message naming what is wrong: `bad tile URL "…": {y}
 * missing`.  An attribution without a template is ignored, not refused. */
mo_rc web_tiles_check(const char *url, const char *attribution, struct mo_err *err) MO_MUST_CHECK;

/* Frees w; w may be NULL.  No request may be running. */
void web_free(struct web *w);

/* Answers one GET of a page or a static file.  Never fails: errors become
 * an HTML error page in resp (400 naming the parameter, 404, 503 with
 * Retry-After, 500 with a fixed text, the cause logged).  Safe to call from
 * several threads at once. */
void web_handle(struct web *w, const struct http_request *req, struct http_response *resp);

#endif
