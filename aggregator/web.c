/*
 * web.c — the HTML pages (web.h): routing, the page frame, links that keep
 * the search state, sending pages and errors, the static files.
 */
#include "web.h"

#include "web_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tile background of a checked configuration, and the CSP that lets
 * the browser fetch its tiles (the tile server's origin and nothing more). */
static void web_tiles_set(struct web *w, const struct web_config *cfg)
{
    snprintf(w->csp, sizeof w->csp, "%s", WEB_CSP);
    if (!cfg->tile_url || !cfg->tile_url[0])
        return;
    char origin[WEB_MAX_TILE_URL + 1];
    snprintf(w->tile_url, sizeof w->tile_url, "%s", cfg->tile_url);
    web_tile_origin(w->tile_url, origin, sizeof origin);
    snprintf(w->csp, sizeof w->csp, "%s %s%s", WEB_CSP_HEAD, origin, WEB_CSP_TAIL);
    if (cfg->tile_attribution && cfg->tile_attribution[0])
        snprintf(w->tile_attribution, sizeof w->tile_attribution, "%s", cfg->tile_attribution);
    else
        web_tile_host(w->tile_url, w->tile_attribution, sizeof w->tile_attribution);
}

mo_rc web_new(const struct web_config *cfg, struct web **out, struct mo_err *err)
{
    *out = NULL;
    if (!cfg->public_url || !cfg->pool || !cfg->search || strlen(cfg->public_url) >= WEB_MAX_URL)
        return mo_fail(err, MO_EBADREQ, "the pages need a public URL, a pool and a search");
    if (cfg->title && strlen(cfg->title) > WEB_MAX_TITLE)
        return mo_fail(err, MO_EBADREQ, "the pages' title is longer than %d bytes", WEB_MAX_TITLE);
    mo_rc rc = web_tiles_check(cfg->tile_url, cfg->tile_attribution, err);
    if (rc != MO_OK)
        return rc;
    struct web *w = calloc(1, sizeof *w);
    if (!w)
        return mo_fail(err, MO_ENOMEM, "out of memory for the pages");
    snprintf(w->public_url, sizeof w->public_url, "%s", cfg->public_url);
    snprintf(w->title, sizeof w->title, "%s", cfg->title ? cfg->title : "");
    w->pool = cfg->pool;
    w->search = cfg->search;
    w->log = cfg->log;
    web_tiles_set(w, cfg);
    *out = w;
    return MO_OK;
}

void web_free(struct web *w)
{
    free(w);
}

/* ---- links ---- */

/* path percent-encoded but its '/'. */
static void web_path(struct html *h, const char *path)
{
    char one[2] = {0};
    for (const char *p = path; *p; p++) {
        if (*p == '/') {
            html_raw(h, "/");
            continue;
        }
        one[0] = *p;
        html_url_arg(h, one);
    }
}

static int web_dropped(const struct http_pair *a, const char *drop_key, const char *drop_value)
{
    if (!a->value[0] || !strcmp(a->key, "page"))
        return 1;
    if (!drop_key || strcmp(a->key, drop_key))
        return 0;
    return !drop_value || !strcmp(a->value, drop_value);
}

void web_href(struct html *h, const char *path, const struct http_request *req,
              const char *drop_key, const char *drop_value, const char *add_key,
              const char *add_value)
{
    int first = 1;
    web_path(h, path);
    for (size_t i = 0; i < req->n_args; i++) {
        if (web_dropped(&req->args[i], drop_key, drop_value))
            continue;
        html_raw(h, first ? "?" : "&amp;");
        first = 0;
        html_url_arg(h, req->args[i].key);
        html_raw(h, "=");
        html_url_arg(h, req->args[i].value);
    }
    if (add_key) {
        html_raw(h, first ? "?" : "&amp;");
        html_url_arg(h, add_key);
        html_raw(h, "=");
        html_url_arg(h, add_value);
    }
}

/* ---- the frame ---- */

/* The site's name: the configured title, else the language's default. */
static const char *web_site(const struct web *w, enum web_lang lang)
{
    return w->title[0] ? w->title : web_msg(lang, MSG_SITE);
}

void web_page_begin(const struct web *w, struct html *h, enum web_lang lang,
                    const struct http_request *req, const char *title, int script)
{
    html_printf(h,
                "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>",
                lang == WEB_EN ? "en" : "fr");
    html_text(h, title);
    html_raw(h, " — ");
    html_text(h, web_site(w, lang));
    html_raw(h, "</title>\n<link rel=\"icon\" href=\"data:,\">\n"
                "<link rel=\"stylesheet\" href=\"" WEB_STATIC_PATH "/moisson.css\">\n");
    if (script)
        html_raw(h, "<script src=\"" WEB_STATIC_PATH "/map.js\" defer></script>\n");
    html_raw(h, "</head>\n<body>\n<a class=\"skip\" href=\"#main\">");
    html_text(h, web_msg(lang, MSG_SKIP));
    html_raw(h, "</a>\n<header class=\"site\">\n<p class=\"brand\"><a href=\"/");
    html_raw(h, lang == WEB_EN ? "?lang=en" : "");
    html_raw(h, "\">");
    html_text(h, web_site(w, lang));
    html_raw(h, "</a></p>\n<nav aria-label=\"");
    html_attr(h, web_msg(lang, MSG_NAV));
    html_printf(h, "\"><ul>\n<li><a href=\"/%s\">", lang == WEB_EN ? "?lang=en" : "");
    html_text(h, web_msg(lang, MSG_NAV_SEARCH));
    html_printf(h, "</a></li>\n<li><a href=\"" WEB_PARTNERS_PATH "%s\">",
                lang == WEB_EN ? "?lang=en" : "");
    html_text(h, web_msg(lang, MSG_NAV_PARTNERS));
    html_printf(h, "</a></li>\n<li><a lang=\"%s\" hreflang=\"%s\" href=\"",
                lang == WEB_EN ? "fr" : "en", lang == WEB_EN ? "fr" : "en");
    web_href(h, req->path, req, "lang", NULL, "lang", lang == WEB_EN ? "fr" : "en");
    html_raw(h, "\">");
    html_text(h, web_msg(lang, MSG_OTHER_LANG));
    html_raw(h, "</a></li>\n</ul></nav>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

void web_page_end(const struct web *w, struct html *h, enum web_lang lang)
{
    html_raw(h, "</main>\n<footer class=\"site\"><p>moisson — ");
    html_text(h, web_site(w, lang));
    html_raw(h, " · <a href=\"/api\">OGC API Records</a> · <a "
                "href=\"/csw?service=CSW&amp;request=GetCapabilities\">CSW 2.0.2</a></p>"
                "</footer>\n</body>\n</html>\n");
}

/* ---- answers ---- */

static int web_headers(const struct web *w, struct http_response *resp, const char *type)
{
    return http_response_set_type(resp, type) == MO_OK &&
           http_response_add_header(resp, "Content-Security-Policy", w->csp) == MO_OK &&
           /* a tile server may want to know which site shows its tiles
            * (OpenStreetMap's tile policy asks web pages for a Referer): then
            * the page's origin, never its path and query, goes with them */
           http_response_add_header(resp, "Referrer-Policy",
                                    w->tile_url[0] ? "strict-origin-when-cross-origin"
                                                   : "same-origin") == MO_OK;
}

void web_send(const struct web *w, struct http_response *resp, struct html *h, int status)
{
    struct mo_err err = {0};
    if (html_finish(h, &err) != MO_OK || !web_headers(w, resp, "text/html; charset=utf-8")) {
        log_warn(w->log, "web: %s", err.msg[0] ? err.msg : "could not set the headers");
        http_response_error(resp, 500, "the page could not be written");
        return;
    }
    resp->status = status;
}

void web_error(const struct web *w, struct http_response *resp, enum web_lang lang, int status,
               const char *detail)
{
    struct html h;
    struct http_request none = {.path = "/"};
    enum web_msg title = status == 404   ? MSG_NOT_FOUND
                         : status == 503 ? MSG_UNAVAILABLE
                         : status == 400 ? MSG_BAD_REQUEST
                                         : MSG_INTERNAL;
    http_response_clear(resp);
    http_response_init(resp);
    resp->body.max = WEB_MAX_BODY;
    html_init(&h, &resp->body);
    web_page_begin(w, &h, lang, &none, web_msg(lang, title), 0);
    html_raw(&h, "<h1>");
    html_text(&h, web_msg(lang, title));
    html_raw(&h, "</h1>\n");
    if (detail) {
        html_raw(&h, "<p class=\"error\" role=\"alert\">");
        html_text(&h, detail);
        html_raw(&h, "</p>\n");
    }
    web_page_end(w, &h, lang);
    web_send(w, resp, &h, status);
    if (status == 503 && http_response_add_header(resp, "Retry-After", "5") != MO_OK)
        log_warn(w->log, "web: could not add Retry-After");
}

static void web_static(struct web *w, const char *name, struct http_response *resp)
{
    const char *type = NULL, *body = NULL;
    if (!web_asset_get(name, &type, &body)) {
        web_error(w, resp, WEB_FR, 404, NULL);
        return;
    }
    if (buf_append_str(&resp->body, body) != MO_OK || !web_headers(w, resp, type) ||
        http_response_add_header(resp, "Cache-Control", "public, max-age=3600") != MO_OK) {
        http_response_error(resp, 500, "the file could not be sent");
        return;
    }
    resp->status = 200;
}

void web_handle(struct web *w, const struct http_request *req, struct http_response *resp)
{
    const char *path = req->path;
    static const char record[] = WEB_RECORD_PATH "/";
    static const char stat[] = WEB_STATIC_PATH "/";
    resp->body.max = WEB_MAX_BODY;
    if (!strcmp(path, "/"))
        web_search_page(w, req, resp);
    else if (!strcmp(path, WEB_PARTNERS_PATH))
        web_partners_page(w, req, resp);
    else if (!strncmp(path, record, sizeof record - 1) && path[sizeof record - 1])
        web_record_page(w, path + sizeof record - 1, req, resp);
    else if (!strncmp(path, stat, sizeof stat - 1))
        web_static(w, path + sizeof stat - 1, resp);
    else
        web_error(w, resp, web_lang_pick(req), 404, NULL);
}
