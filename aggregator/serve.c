/*
 * serve.c — the public endpoints: the route table, the configuration of the
 * HTTP front and of its database pool, and the /health handler.
 */
#include "serve.h"

#include "api.h"
#include "web.h"
#include "csw.h"
#include "http_text.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct serve {
    struct http *http;
    struct dbpool *pool;
    struct csw *csw; /* NULL when no stylesheets were given */
    struct api *api; /* OGC API Records (api.h) */
    struct web *web; /* the HTML pages (web.h) */
    const struct log *log;
    char public_url[SERVE_MAX_URL + 1];
};

/* ---- handlers ---- */

/* 200 "ok" when a borrowed connection answers; 503 otherwise (the reason is
 * logged, never shown). */
static void serve_health(void *ctx, const struct http_request *req, struct http_response *resp)
{
    struct serve *s = ctx;
    struct mo_err err = {0};
    PGconn *conn = NULL;
    mo_rc rc = dbpool_borrow(s->pool, &conn, &err);
    if (rc == MO_OK)
        rc = dbpool_ping(conn, &err);
    dbpool_return(s->pool, conn);
    if (rc != MO_OK) {
        char retry[16];
        log_warn(s->log, "health: %s", err.msg);
        http_response_error(resp, 503, "database unavailable");
        snprintf(retry, sizeof retry, "%d", SERVE_RETRY_AFTER_S);
        if (http_response_add_header(resp, "Retry-After", retry) != MO_OK)
            log_warn(s->log, "health: could not add Retry-After");
    } else if (buf_append_str(&resp->body, "ok\n") != MO_OK) {
        http_response_error(resp, 500, "out of memory");
        return;
    } else {
        resp->status = 200;
    }
    if (http_response_add_header(resp, "Cache-Control", "no-store") != MO_OK)
        log_warn(s->log, "health: could not add Cache-Control");
}

/* CSW 2.0.2 (csw.c): GET with KVP, POST with an XML body. */
static void serve_csw(void *ctx, const struct http_request *req, struct http_response *resp)
{
    struct serve *s = ctx;
    if (!s->csw) {
        http_response_error(resp, 404, "no CSW endpoint on this server");
        return;
    }
    csw_handle(s->csw, req, resp);
}

/* OGC API Records (api.c): everything under /api. */
static void serve_api(void *ctx, const struct http_request *req, struct http_response *resp)
{
    struct serve *s = ctx;
    api_handle(s->api, req, resp);
}

/* The HTML pages (web.c): /, /record/ID, /partners, /static/NAME. */
static void serve_web(void *ctx, const struct http_request *req, struct http_response *resp)
{
    struct serve *s = ctx;
    web_handle(s->web, req, resp);
}

static const char *const serve_xml_types[] = {"application/xml", "text/xml", "application/soap+xml",
                                              NULL};

/* The route table.  The CSW endpoint (/csw), the HTML pages and the OGC API
 * Records routes are added here, one entry each (see aggregator/README.md). */
static const struct http_route serve_routes[] = {
    {SERVE_HEALTH_PATH, 0, HTTP_GET, NULL, serve_health},
    {CSW_PATH, 0, HTTP_GET | HTTP_POST, serve_xml_types, serve_csw},
    {API_PATH, 1, HTTP_GET, NULL, serve_api},
    {"/", 0, HTTP_GET, NULL, serve_web},
    {WEB_RECORD_PATH, 1, HTTP_GET, NULL, serve_web},
    {WEB_PARTNERS_PATH, 0, HTTP_GET, NULL, serve_web},
    {WEB_STATIC_PATH, 1, HTTP_GET, NULL, serve_web},
};

/* ---- configuration ---- */

mo_rc serve_parse_listen(const char *text, char *addr, size_t size, unsigned *port,
                         struct mo_err *err)
{
    char quoted[HTTP_TEXT_QUOTE_MAX], host[SERVE_MAX_LISTEN];
    const char *port_text = NULL;
    unsigned char probe[sizeof(struct in6_addr)];

    http_text_quote(text ? text : "", quoted, sizeof quoted);
    if (!text || !text[0] || strlen(text) >= sizeof host)
        return mo_fail(err, MO_EBADREQ, "bad listen address \"%s\"", quoted);
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || (close[1] && close[1] != ':'))
            return mo_fail(err, MO_EBADREQ, "bad listen address \"%s\": expected [IPv6]:PORT",
                           quoted);
        snprintf(host, sizeof host, "%.*s", (int)(close - text - 1), text + 1);
        port_text = close[1] ? close + 2 : NULL;
    } else {
        const char *colon = strrchr(text, ':');
        if (colon && strchr(text, ':') != colon)
            return mo_fail(err, MO_EBADREQ,
                           "bad listen address \"%s\": write an IPv6 address as [ADDR]:PORT",
                           quoted);
        snprintf(host, sizeof host, "%.*s", (int)(colon ? colon - text : (long)strlen(text)), text);
        port_text = colon ? colon + 1 : NULL;
    }
    int v6 = text[0] == '[';
    if (inet_pton(v6 ? AF_INET6 : AF_INET, host, probe) != 1)
        return mo_fail(err, MO_EBADREQ, "bad listen address \"%s\": not a numeric %s address",
                       quoted, v6 ? "IPv6" : "IPv4");
    *port = SERVE_DEFAULT_PORT;
    if (port_text) {
        char *end = NULL;
        long p = strtol(port_text, &end, 10);
        if (!port_text[0] || *end || p < 0 || p > 65535 || port_text[0] == '-' ||
            port_text[0] == '+')
            return mo_fail(err, MO_EBADREQ, "bad port in listen address \"%s\"", quoted);
        *port = (unsigned)p;
    }
    if (strlen(host) >= size)
        return mo_fail(err, MO_EBADREQ, "bad listen address \"%s\": too long", quoted);
    snprintf(addr, size, "%s", host);
    return MO_OK;
}

mo_rc serve_check_public_url(const char *url, char *out, size_t size, struct mo_err *err)
{
    char quoted[HTTP_TEXT_QUOTE_MAX];
    size_t n = url ? strlen(url) : 0;
    http_text_quote(url ? url : "", quoted, sizeof quoted);
    size_t scheme = url && !strncasecmp(url, "http://", 7)    ? 7
                    : url && !strncasecmp(url, "https://", 8) ? 8
                                                              : 0;
    if (!scheme)
        return mo_fail(err, MO_EBADREQ, "bad public URL \"%s\": not http:// or https://", quoted);
    if (n > SERVE_MAX_URL || n >= size)
        return mo_fail(err, MO_EBADREQ, "bad public URL \"%s\": longer than %d bytes", quoted,
                       SERVE_MAX_URL);
    if (!url[scheme] || url[scheme] == '/' || url[scheme] == ':')
        return mo_fail(err, MO_EBADREQ, "bad public URL \"%s\": no host", quoted);
    for (const char *p = url; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7F || strchr("\"'<>\\`{}|^", c))
            return mo_fail(err, MO_EBADREQ,
                           "bad public URL \"%s\": character %s not allowed (percent-encode it)",
                           quoted, c == ' ' ? "space" : "at that position");
        if (c == '?' || c == '#')
            return mo_fail(err, MO_EBADREQ, "bad public URL \"%s\": no query or fragment", quoted);
    }
    while (n > scheme && url[n - 1] == '/')
        n--;
    snprintf(out, size, "%.*s", (int)n, url);
    return MO_OK;
}

static void serve_default_url(struct serve *s, const char *address, unsigned port)
{
    int v6 = strchr(address, ':') != NULL;
    snprintf(s->public_url, sizeof s->public_url, "http://%s%s%s:%u", v6 ? "[" : "", address,
             v6 ? "]" : "", port);
    if (!strcmp(address, "0.0.0.0") || !strcmp(address, "::"))
        log_warn(s->log, "listening on every address: set --public-url to the URL clients use");
}

/* ---- lifecycle ---- */

mo_rc serve_start(const struct serve_config *cfg, struct serve **out, struct mo_err *err)
{
    struct http_config hc = {
        .address = cfg->address ? cfg->address : SERVE_DEFAULT_ADDRESS,
        .port = cfg->port,
        .limits = cfg->limits,
        .routes = serve_routes,
        .n_routes = sizeof serve_routes / sizeof serve_routes[0],
        .log = cfg->log,
    };
    struct dbpool_config pc = {
        .conninfo = cfg->conninfo,
        .size = cfg->db_connections ? cfg->db_connections : cfg->limits.threads + 2,
        .wait_ms = cfg->db_wait_ms ? cfg->db_wait_ms : DBPOOL_DEFAULT_WAIT_MS,
        .statement_timeout_ms = DBPOOL_DEFAULT_STATEMENT_TIMEOUT_MS,
        .read_only = 1,
        .log = cfg->log,
    };
    mo_rc rc = MO_OK;
    *out = NULL;
    struct serve *s = calloc(1, sizeof *s);
    if (!s)
        return mo_fail(err, MO_ENOMEM, "out of memory starting the server");
    s->log = cfg->log;
    hc.ctx = s;
    if (cfg->public_url)
        rc = serve_check_public_url(cfg->public_url, s->public_url, sizeof s->public_url, err);
    if (rc == MO_OK)
        rc = csw_identity_check(&cfg->identity, err);
    if (rc == MO_OK)
        rc = web_tiles_check(cfg->tile_url, cfg->tile_attribution, err);
    if (rc == MO_OK)
        rc = http_new(&hc, &s->http, err);
    if (rc == MO_OK && !cfg->public_url)
        serve_default_url(s, hc.address, http_port(s->http));
    if (rc == MO_OK)
        rc = dbpool_new(&pc, &s->pool, err);
    if (rc == MO_OK) {
        struct api_config ac = {.public_url = s->public_url,
                                .pool = s->pool,
                                .log = cfg->log,
                                .title = cfg->identity.title};
        rc = api_new(&ac, &s->api, err);
    }
    if (rc == MO_OK && !cfg->no_search_index)
        rc =
            search_start_index(api_search(s->api), cfg->conninfo, cfg->search_lag_s, cfg->log, err);
    if (rc == MO_OK) {
        struct web_config wc = {.public_url = s->public_url,
                                .pool = s->pool,
                                .search = api_search(s->api),
                                .log = cfg->log,
                                .title = cfg->identity.title,
                                .tile_url = cfg->tile_url,
                                .tile_attribution = cfg->tile_attribution};
        rc = web_new(&wc, &s->web, err);
    }
    if (rc == MO_OK && cfg->xslt_dir) {
        struct csw_config cc = {.identity = cfg->identity,
                                .public_url = s->public_url,
                                .xslt_dir = cfg->xslt_dir,
                                .pool = s->pool,
                                .log = cfg->log};
        rc = csw_new(&cc, &s->csw, err);
    }
    if (rc == MO_OK)
        rc = http_start(s->http, err);
    if (rc != MO_OK) {
        serve_free(s);
        return rc;
    }
    *out = s;
    return MO_OK;
}

unsigned serve_port(const struct serve *s)
{
    return http_port(s->http);
}

const char *serve_public_url(const struct serve *s)
{
    return s->public_url;
}

struct dbpool *serve_pool(struct serve *s)
{
    return s->pool;
}

void serve_stop(struct serve *s, unsigned grace_s)
{
    if (!s)
        return;
    http_stop(s->http, grace_s); /* no handler and no stream holds a connection after this */
    dbpool_free(s->pool);
    s->pool = NULL;
}

void serve_free(struct serve *s)
{
    if (!s)
        return;
    serve_stop(s, HTTP_STOP_GRACE_S);
    http_free(s->http);
    csw_free(s->csw);
    web_free(s->web);
    api_free(s->api);
    free(s);
}
