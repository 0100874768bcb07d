/*
 * web_internal.h — what the HTML pages (web*.c) share: the HTML writer with
 * its escaping, the message table (French, English), the page frame, and
 * links that keep the search state.  Not for other modules.
 */
#ifndef MOISSON_WEB_INTERNAL_H
#define MOISSON_WEB_INTERNAL_H

#include "web.h"

#include <stddef.h>

struct web {
    char public_url[WEB_MAX_URL];
    char title[WEB_MAX_TITLE + 1]; /* empty: MSG_SITE */
    /* the map's tile template (empty: the offline map) and its credit (as
     * given, else the tile server's host) */
    char tile_url[WEB_MAX_TILE_URL + 1];
    char tile_attribution[WEB_MAX_TILE_ATTRIBUTION + 1];
    /* WEB_CSP, with the tile server's origin in img-src when there is one */
    char csp[sizeof WEB_CSP + WEB_MAX_TILE_URL + 1];
    struct dbpool *pool;
    struct search *search;
    const struct log *log;
};

/* ---- the HTML writer (web_html.c) ---- */

/* Writes into a capped buf; the first error is kept (sticky) and every
 * later call does nothing, so a page is written without checks and
 * html_finish reports once. */
struct html {
    struct buf *out;
    mo_rc rc;
};

void html_init(struct html *h, struct buf *out);

/* Trusted markup: literals of this program only, never harvested text. */
void html_raw(struct html *h, const char *markup);
void html_printf(struct html *h, const char *fmt, ...) MO_PRINTF(2, 3);

/* Text for an element's content: & < > " ' escaped, control characters
 * but tab and newline dropped, each byte of invalid UTF-8 replaced by
 * U+FFFD.  EVERY harvested or user string goes through html_text(_n) or
 * html_attr. */
void html_text(struct html *h, const char *s);
void html_text_n(struct html *h, const char *s, size_t len);

/* Text for a double-quoted attribute value (same escaping; newlines and
 * tabs as character references too). */
void html_attr(struct html *h, const char *s);

/* s percent-encoded for a URL query value (unreserved characters kept):
 * safe in an attribute as it is. */
void html_url_arg(struct html *h, const char *s);

/* MO_OK, or the first error (MO_ELIMIT past the buffer's cap). */
mo_rc html_finish(const struct html *h, struct mo_err *err) MO_MUST_CHECK;

/* ---- messages (web_i18n.c) ---- */

enum web_lang { WEB_FR, WEB_EN };

enum web_msg {
    MSG_SITE,
    MSG_SKIP,
    MSG_NAV,
    MSG_NAV_SEARCH,
    MSG_NAV_PARTNERS,
    MSG_OTHER_LANG,
    MSG_SEARCH_LABEL,
    MSG_SEARCH_BUTTON,
    MSG_BBOX_LABEL,
    MSG_BBOX_HINT,
    MSG_FROM,
    MSG_TO,
    MSG_SORT,
    MSG_SORT_RELEVANCE,
    MSG_SORT_DATE,
    MSG_SORT_DATE_OLD,
    MSG_SORT_TITLE,
    MSG_RESULTS,
    MSG_RESULTS_ABOUT,
    MSG_INDEX_BEHIND,
    MSG_NO_RESULT,
    MSG_FILTERS,
    MSG_ACTIVE_FILTERS,
    MSG_REMOVE,
    MSG_FACET_PARTNER,
    MSG_FACET_ORGANISATION,
    MSG_FACET_KEYWORD,
    MSG_FACET_THEME,
    MSG_FACET_TYPE,
    MSG_FACET_FORMAT,
    MSG_FACET_YEAR,
    MSG_MAP,
    MSG_MAP_DESC,
    MSG_MAP_DESC_TILES,
    MSG_MAP_BACKGROUND,
    MSG_PAGES,
    MSG_PREV,
    MSG_NEXT,
    MSG_PAGE_OF,
    MSG_UPDATED,
    MSG_PARTNERS_OF,
    MSG_F_IDENTIFIER,
    MSG_F_TITLE,
    MSG_F_ABSTRACT,
    MSG_F_TYPE,
    MSG_F_LANGUAGE,
    MSG_F_MODIFIED,
    MSG_F_CREATED,
    MSG_F_PUBLISHED,
    MSG_F_REVISED,
    MSG_F_TEMPORAL,
    MSG_F_KEYWORDS,
    MSG_F_TOPICS,
    MSG_F_ORGANISATIONS,
    MSG_F_FORMATS,
    MSG_F_LICENCES,
    MSG_F_CRS,
    MSG_F_BBOX,
    MSG_F_HARVESTED,
    MSG_LINKS,
    MSG_LINK_WMS,
    MSG_LINK_WFS,
    MSG_LINK_DOWNLOAD,
    MSG_LINK_PAGE,
    MSG_PROVENANCE,
    MSG_PARTNER,
    MSG_LAST_SEEN,
    MSG_CHANGED,
    MSG_ORIGINAL,
    MSG_NO_ORIGINAL,
    MSG_CSW_LINKS,
    MSG_PARTNERS_TITLE,
    MSG_PARTNERS_INTRO,
    MSG_NO_RUN,
    MSG_RUN_STARTED,
    MSG_RUN_STATUS,
    MSG_RUN_RECEIVED,
    MSG_RUN_ADDED,
    MSG_RUN_UPDATED,
    MSG_RUN_UNCHANGED,
    MSG_RUN_FAILED,
    MSG_RUN_RETIRED,
    MSG_RUN_DURATION,
    MSG_RUN_ERRORS,
    MSG_RUN_MORE_ERRORS,
    MSG_NO_IDENTIFIER,
    MSG_ERROR_TITLE,
    MSG_NOT_FOUND,
    MSG_UNAVAILABLE,
    MSG_INTERNAL,
    MSG_BAD_REQUEST,
    MSG_COUNT
};

/* The message in lang (a literal: trusted markup-free text). */
const char *web_msg(enum web_lang lang, enum web_msg m);

/* lang=en|fr wins, else the preferred of fr/en in Accept-Language, else
 * French. */
enum web_lang web_lang_pick(const struct http_request *req);

/* ---- the page frame and the state of a search in links (web.c) ---- */

/* Doctype, head (title escaped, then the site's name, the style sheet, the
 * map script when script), header with the site's name, the navigation and
 * the language switch, <main>. */
void web_page_begin(const struct web *w, struct html *h, enum web_lang lang,
                    const struct http_request *req, const char *title, int script);

/* </main>, footer, </html>. */
void web_page_end(const struct web *w, struct html *h, enum web_lang lang);

/* An href to path with the request's non-empty arguments but page (and
 * drop_key, all its values when drop_value is NULL, else only that one),
 * then add_key=add_value when add_key is set.  Escaped for an attribute. */
void web_href(struct html *h, const char *path, const struct http_request *req,
              const char *drop_key, const char *drop_value, const char *add_key,
              const char *add_value);

/* Sends what h wrote as an HTML page with status and the CSP header, or a
 * 500 when writing failed. */
void web_send(const struct web *w, struct http_response *resp, struct html *h, int status);

/* Replaces resp by an HTML error page: status, a title from the table, and
 * detail (may be NULL; escaped). */
void web_error(const struct web *w, struct http_response *resp, enum web_lang lang, int status,
               const char *detail);

/* The pages. */
void web_search_page(struct web *w, const struct http_request *req, struct http_response *resp);
void web_record_page(struct web *w, const char *id, const struct http_request *req,
                     struct http_response *resp);
void web_partners_page(struct web *w, const struct http_request *req, struct http_response *resp);

/* A static file by name ("moisson.css", "map.js"): 0 when there is none. */
int web_asset_get(const char *name, const char **type, const char **body);

/* The map of n boxes (west, south, east, north; titles escaped) as an SVG
 * (web_map.c): over a lon/lat graticule when tile_url is NULL or empty;
 * else in Web Mercator over the tiles of tile_url (checked by
 * web_tile_url_check) and a light graticule, with attribution (escaped)
 * under it.  The map script (static map.js) lets a drag on it fill the
 * form's bbox field. */
void web_map_write(struct html *h, enum web_lang lang, const char *tile_url,
                   const char *attribution, const double (*boxes)[4], const char *const *titles,
                   size_t n);

/* The origin (scheme://host[:port]) of a checked tile template, into out
 * (size bytes; the template's length + 1 is always enough). */
void web_tile_origin(const char *tile_url, char *out, size_t size);

/* The host of a checked tile template, into out (size bytes). */
void web_tile_host(const char *tile_url, char *out, size_t size);

#endif
