/*
 * ogc_url.c — the URLs of an OGC service from what a user pastes.
 *
 * The URL is cut into its parts by hand (scheme, userinfo, host, port, path,
 * query) and written back with a capped buffer: only the parts named in
 * ogc_url.h change, so a URL the user got from their partner keeps every
 * byte that the partner's server may care about.
 */
#include "ogc_url.h"

#include "buf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A pasted URL cut into parts: pointers into the caller's string. */
struct url_parts {
    const char *scheme; /* "http" or "https", as written */
    size_t scheme_len;
    const char *userinfo; /* up to and including '@', or empty */
    size_t userinfo_len;
    const char *host; /* with brackets for IPv6 */
    size_t host_len;
    const char *port; /* digits after ':', or empty */
    size_t port_len;
    const char *path;
    size_t path_len;
    const char *query; /* after '?', up to '#' */
    size_t query_len;
};

/* Query parameters that belong to the request, not to the service. */
enum param_kind { PARAM_VENDOR, PARAM_SERVICE, PARAM_REQUEST, PARAM_VERSION, PARAM_ACCEPT };

static const struct {
    const char *name;
    enum param_kind kind;
} request_params[] = {
    {"service", PARAM_SERVICE},
    {"request", PARAM_REQUEST},
    {"version", PARAM_VERSION},
    {"acceptversions", PARAM_ACCEPT},
};

static void trim_span(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* Splits host[:port] of an authority (IPv6 literals in brackets). */
static void split_host_port(struct url_parts *u, const char *a, size_t n)
{
    const char *colon = NULL;
    const char *close = memchr(a, ']', n);
    const char *from = close ? close : a;
    colon = memchr(from, ':', n - (size_t)(from - a));
    u->host = a;
    u->host_len = colon ? (size_t)(colon - a) : n;
    u->port = colon ? colon + 1 : a + n;
    u->port_len = colon ? n - u->host_len - 1 : 0;
}

/* Cuts url (n bytes, trimmed) into u; errors quote the pasted text. */
static mo_rc url_split(const char *url, size_t n, const char *pasted, struct url_parts *u,
                       struct mo_err *err)
{
    memset(u, 0, sizeof *u);
    for (size_t i = 0; i < n; i++)
        if (isspace((unsigned char)url[i]) || iscntrl((unsigned char)url[i]))
            return mo_fail(err, MO_EBADREQ, "\"%s\" contains white space or control characters",
                           pasted);
    const char *sep = n >= 3 ? strstr(url, "://") : NULL;
    if (!sep || sep >= url + n)
        return mo_fail(err, MO_EBADREQ, "\"%s\" is not an http or https URL", pasted);
    u->scheme = url;
    u->scheme_len = (size_t)(sep - url);
    if (!((u->scheme_len == 4 && !strncasecmp(url, "http", 4)) ||
          (u->scheme_len == 5 && !strncasecmp(url, "https", 5))))
        return mo_fail(err, MO_EBADREQ, "\"%s\" is not an http or https URL", pasted);
    const char *a = sep + 3, *end = url + n;
    size_t alen = strcspn(a, "/?#");
    if (a + alen > end)
        alen = (size_t)(end - a);
    const char *at = NULL;
    for (const char *p = a; p < a + alen; p++)
        if (*p == '@')
            at = p;
    u->userinfo = a;
    u->userinfo_len = at ? (size_t)(at - a) + 1 : 0;
    split_host_port(u, a + u->userinfo_len, alen - u->userinfo_len);
    if (u->host_len == 0)
        return mo_fail(err, MO_EBADREQ, "\"%s\" has no host", pasted);
    for (size_t i = 0; i < u->port_len; i++)
        if (!isdigit((unsigned char)u->port[i]))
            return mo_fail(err, MO_EBADREQ, "\"%s\" has a bad port", pasted);
    const char *rest = a + alen;
    u->path = rest;
    u->path_len = strcspn(rest, "?#");
    if (rest + u->path_len > end)
        u->path_len = (size_t)(end - rest);
    rest += u->path_len;
    if (rest < end && *rest == '?') {
        u->query = rest + 1;
        u->query_len = strcspn(u->query, "#");
        if (u->query + u->query_len > end)
            u->query_len = (size_t)(end - u->query);
    }
    return MO_OK;
}

static int is_default_port(const struct url_parts *u)
{
    if (u->port_len == 0)
        return 1;
    const char *def = u->scheme_len == 5 ? "443" : "80";
    return u->port_len == strlen(def) && !strncmp(u->port, def, u->port_len);
}

static mo_rc append_lower(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = (char)tolower((unsigned char)s[i]);
        mo_rc rc = buf_append(b, &c, 1);
        if (rc != MO_OK)
            return rc;
    }
    return MO_OK;
}

/* scheme://userinfo@host[:port]/path, normalised as ogc_url.h says. */
static mo_rc write_base(struct buf *b, const struct url_parts *u)
{
    mo_rc rc = append_lower(b, u->scheme, u->scheme_len);
    if (rc == MO_OK)
        rc = buf_append_str(b, "://");
    if (rc == MO_OK)
        rc = buf_append(b, u->userinfo, u->userinfo_len);
    if (rc == MO_OK)
        rc = append_lower(b, u->host, u->host_len);
    if (rc == MO_OK && !is_default_port(u))
        rc = buf_printf(b, ":%.*s", (int)u->port_len, u->port);
    if (rc == MO_OK)
        rc = u->path_len ? buf_append(b, u->path, u->path_len) : buf_append_str(b, "/");
    return rc;
}

static enum param_kind param_kind(const char *p, size_t n)
{
    const char *eq = memchr(p, '=', n);
    size_t klen = eq ? (size_t)(eq - p) : n;
    for (size_t i = 0; i < sizeof request_params / sizeof *request_params; i++)
        if (klen == strlen(request_params[i].name) && !strncasecmp(p, request_params[i].name, klen))
            return request_params[i].kind;
    return PARAM_VENDOR;
}

/* The value of a parameter "key=value" (empty when there is no '='). */
static void param_value(const char *p, size_t n, const char **v, size_t *vlen)
{
    const char *eq = memchr(p, '=', n);
    *v = eq ? eq + 1 : p + n;
    *vlen = eq ? n - (size_t)(eq - p) - 1 : 0;
}

/* What the query holds besides vendor parameters. */
struct request_seen {
    const char *service, *version, *accept;
    size_t service_len, version_len, accept_len;
};

/* Appends the vendor parameters of the query ("?" before the first, "&"
 * between) and counts them in written; notes the request parameters in seen. */
static mo_rc write_vendor_params(struct buf *b, const struct url_parts *u,
                                 struct request_seen *seen, int *written)
{
    const char *q = u->query, *end = u->query + u->query_len;
    *written = 0;
    while (q && q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        size_t n = amp ? (size_t)(amp - q) : (size_t)(end - q);
        enum param_kind kind = n ? param_kind(q, n) : PARAM_VENDOR;
        if (kind == PARAM_SERVICE)
            param_value(q, n, &seen->service, &seen->service_len);
        else if (kind == PARAM_VERSION)
            param_value(q, n, &seen->version, &seen->version_len);
        else if (kind == PARAM_ACCEPT)
            param_value(q, n, &seen->accept, &seen->accept_len);
        else if (kind == PARAM_VENDOR && n) {
            mo_rc rc = buf_append_str(b, *written ? "&" : "?");
            if (rc == MO_OK)
                rc = buf_append(b, q, n);
            if (rc != MO_OK)
                return rc;
            (*written)++;
        }
        q = amp ? amp + 1 : end;
    }
    return MO_OK;
}

/* Copies the built URL out, or fails with MO_ELIMIT naming the input. */
static mo_rc finish(struct buf *b, mo_rc rc, const char *pasted, char *out, size_t size,
                    struct mo_err *err)
{
    if (rc == MO_OK && b->len < size)
        snprintf(out, size, "%s", b->data);
    else if (rc == MO_OK || rc == MO_ELIMIT)
        rc = mo_fail(err, MO_ELIMIT, "URL built from \"%.200s\" is longer than %zu bytes", pasted,
                     size && size - 1 < b->max ? size - 1 : b->max);
    else
        rc = mo_fail(err, rc, "out of memory building a URL from \"%.200s\"", pasted);
    buf_free(b);
    return rc;
}

/* Trims pasted and cuts it into u. */
static mo_rc parse_pasted(const char *pasted, struct url_parts *u, struct mo_err *err)
{
    if (!pasted)
        return mo_fail(err, MO_EBADREQ, "no URL given");
    const char *s = pasted;
    size_t n = strlen(pasted);
    trim_span(&s, &n);
    if (n == 0)
        return mo_fail(err, MO_EBADREQ, "empty URL \"%s\"", pasted);
    return url_split(s, n, pasted, u, err);
}

mo_rc ogc_url_service(const char *pasted, char *out, size_t size, struct mo_err *err)
{
    struct url_parts u;
    struct request_seen seen = {0};
    struct buf b;
    int written = 0;
    mo_rc rc = parse_pasted(pasted, &u, err);
    if (rc != MO_OK)
        return rc;
    buf_init(&b, OGC_URL_MAX);
    rc = write_base(&b, &u);
    if (rc == MO_OK)
        rc = write_vendor_params(&b, &u, &seen, &written);
    return finish(&b, rc, pasted, out, size, err);
}

mo_rc ogc_url_capabilities(const char *pasted, const char *service, char *out, size_t size,
                           struct mo_err *err)
{
    struct url_parts u;
    struct request_seen seen = {0};
    struct buf b;
    int written = 0;
    if (!service || (strcasecmp(service, "WFS") != 0 && strcasecmp(service, "WMS") != 0))
        return mo_fail(err, MO_EBADREQ, "unknown OGC service \"%s\" (WFS or WMS)",
                       service ? service : "");
    mo_rc rc = parse_pasted(pasted, &u, err);
    if (rc != MO_OK)
        return rc;
    buf_init(&b, OGC_URL_MAX);
    rc = write_base(&b, &u);
    if (rc == MO_OK)
        rc = write_vendor_params(&b, &u, &seen, &written);
    if (rc == MO_OK && seen.service && seen.service_len &&
        (seen.service_len != 3 || strncasecmp(seen.service, service, 3) != 0)) {
        buf_free(&b);
        return mo_fail(err, MO_EBADREQ, "\"%s\" asks for service %.*s, not %s", pasted,
                       (int)seen.service_len, seen.service, service);
    }
    if (rc == MO_OK)
        rc = buf_printf(&b, "%sSERVICE=%c%c%c&REQUEST=GetCapabilities", written ? "&" : "?",
                        toupper((unsigned char)service[0]), toupper((unsigned char)service[1]),
                        toupper((unsigned char)service[2]));
    if (rc == MO_OK && seen.version_len)
        rc = buf_printf(&b, "&VERSION=%.*s", (int)seen.version_len, seen.version);
    if (rc == MO_OK && seen.accept_len)
        rc = buf_printf(&b, "&ACCEPTVERSIONS=%.*s", (int)seen.accept_len, seen.accept);
    return finish(&b, rc, pasted, out, size, err);
}
