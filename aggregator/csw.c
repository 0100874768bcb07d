/*
 * csw.c — the CSW server's entry point: csw_new / csw_handle, the dispatch
 * of a parsed request to its writer, and the OWS exception report every
 * refusal becomes.
 *
 *   csw_handle → csw_request_from_kvp | csw_request_from_xml  (csw_request.c)
 *              → csw_dispatch → csw_caps_write | csw_describe_write   (csw_caps.c)
 *                             → dbpool_borrow → csw_records_get | csw_records_by_id
 *                                              | csw_domain_write     (csw_records.c → catalog.c)
 *              → csw_exception_write (on any refusal)
 */
#include "csw_ahead.h"
#include "csw_internal.h"

#include "http_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CSW_CONTENT_TYPE "application/xml; charset=UTF-8"
#define CSW_RETRY_AFTER "5"

static const char *const default_identity[] = {
    "moisson — catalogue of the territory",
    "Metadata harvested from the territory's partner catalogues by moisson and served as one "
    "CSW 2.0.2 endpoint (Dublin Core and ISO 19139).",
    "catalogue, metadata, CSW, ISO 19139",
    "moisson",
    "",
    "",
    "",
};

mo_rc csw_xml_escape(struct buf *out, const char *s)
{
    mo_rc rc = MO_OK;
    const char *run = s;
    for (const char *p = s; rc == MO_OK && *p; p++) {
        const char *rep = NULL;
        char num[8];
        unsigned char ch = (unsigned char)*p;
        if (ch == '&')
            rep = "&amp;";
        else if (ch == '<')
            rep = "&lt;";
        else if (ch == '>')
            rep = "&gt;";
        else if (ch == '"')
            rep = "&quot;";
        else if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
            rep = "?"; /* not allowed in XML 1.0 at all */
        else if (ch == '\t' || ch == '\n' || ch == '\r') {
            snprintf(num, sizeof num, "&#%u;", ch);
            rep = num;
        }
        if (!rep)
            continue;
        rc = buf_append(out, run, (size_t)(p - run));
        if (rc == MO_OK)
            rc = buf_append_str(out, rep);
        run = p + 1;
    }
    if (rc == MO_OK)
        rc = buf_append_str(out, run);
    return rc;
}

void csw_now(char *out, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *const identity_names[] = {"title",         "abstract",      "keywords",
                                             "provider name", "provider site", "contact name",
                                             "contact e-mail"};

/* An http:// or https:// URL with a host, printable ASCII without spaces. */
static int csw_site_ok(const char *s)
{
    size_t scheme = !strncasecmp(s, "http://", 7) ? 7 : !strncasecmp(s, "https://", 8) ? 8 : 0;
    if (!scheme || !s[scheme] || s[scheme] == '/' || s[scheme] == ':')
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F)
            return 0;
    return 1;
}

/* NAME@DOMAIN: one '@' with text on both sides, no space. */
static int csw_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@'))
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7F)
            return 0;
    return 1;
}

mo_rc csw_identity_check_text(enum csw_identity_field field, const char *text, struct mo_err *err)
{
    if (!text)
        return MO_OK;
    size_t n = strlen(text);
    if (n > CSW_MAX_TEXT)
        return mo_fail(err, MO_EBADREQ, "longer than %d bytes (%zu)", CSW_MAX_TEXT, n);
    if (!http_text_utf8_ok(text, n))
        return mo_fail(err, MO_EBADREQ, "not valid UTF-8");
    for (const char *p = text; *p; p++)
        if (((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7F)
            return mo_fail(err, MO_EBADREQ, "control character 0x%02X", (unsigned)*p);
    if (field == CSW_ID_PROVIDER_SITE && text[0] && !csw_site_ok(text))
        return mo_fail(err, MO_EBADREQ,
                       "not an http:// or https:// URL (printable ASCII, no spaces)");
    if (field == CSW_ID_CONTACT_EMAIL && text[0] && !csw_email_ok(text))
        return mo_fail(err, MO_EBADREQ, "not an e-mail address (NAME@DOMAIN, no spaces)");
    return MO_OK;
}

static void identity_texts(const struct csw_identity *id, const char *out[CSW_ID_FIELDS])
{
    out[CSW_ID_TITLE] = id->title;
    out[CSW_ID_ABSTRACT] = id->abstract;
    out[CSW_ID_KEYWORDS] = id->keywords;
    out[CSW_ID_PROVIDER_NAME] = id->provider_name;
    out[CSW_ID_PROVIDER_SITE] = id->provider_site;
    out[CSW_ID_CONTACT_NAME] = id->contact_name;
    out[CSW_ID_CONTACT_EMAIL] = id->contact_email;
}

mo_rc csw_identity_check(const struct csw_identity *id, struct mo_err *err)
{
    const char *given[CSW_ID_FIELDS];
    identity_texts(id, given);
    for (int i = 0; i < CSW_ID_FIELDS; i++) {
        mo_rc rc = csw_identity_check_text((enum csw_identity_field)i, given[i], err);
        if (rc != MO_OK) {
            char quoted[HTTP_TEXT_QUOTE_MAX];
            http_text_quote(given[i], quoted, sizeof quoted);
            mo_err_prefix(err, "bad CSW %s \"%s\"", identity_names[i], quoted);
            return rc;
        }
    }
    return MO_OK;
}

mo_rc csw_new(const struct csw_config *cfg, struct csw **out, struct mo_err *err)
{
    const char *given[CSW_ID_FIELDS];
    *out = NULL;
    if (!cfg->public_url || !cfg->public_url[0] || !cfg->pool || !cfg->xslt_dir)
        return mo_fail(err, MO_EBADREQ,
                       "CSW configuration without public URL, pool or stylesheets");
    mo_rc rc = csw_identity_check(&cfg->identity, err);
    if (rc != MO_OK)
        return rc;
    if (strlen(cfg->public_url) > CSW_MAX_TEXT ||
        !http_text_utf8_ok(cfg->public_url, strlen(cfg->public_url)))
        return mo_fail(err, MO_EBADREQ, "bad CSW public URL: not UTF-8 text of at most %d bytes",
                       CSW_MAX_TEXT);
    struct csw *c = calloc(1, sizeof *c);
    if (!c)
        return mo_fail(err, MO_ENOMEM, "out of memory");
    c->cfg = *cfg;
    identity_texts(&cfg->identity, given);
    for (int i = 0; rc == MO_OK && i < CSW_ID_FIELDS; i++) {
        c->texts[i] = strdup(given[i] ? given[i] : default_identity[i]);
        if (!c->texts[i])
            rc = mo_fail(err, MO_ENOMEM, "out of memory");
    }
    if (rc == MO_OK && !(c->public_url = strdup(cfg->public_url)))
        rc = mo_fail(err, MO_ENOMEM, "out of memory");
    if (rc == MO_OK) {
        c->cfg.identity = (struct csw_identity){c->texts[0], c->texts[1], c->texts[2], c->texts[3],
                                                c->texts[4], c->texts[5], c->texts[6]};
        if (!c->texts[CSW_ID_PROVIDER_SITE][0]) /* the provider's site: this server, by default */
            c->cfg.identity.provider_site = c->public_url;
        c->cfg.public_url = c->public_url;
        rc = render_new(cfg->xslt_dir, &c->render, err);
    }
    if (rc == MO_OK)
        rc = catalog_new(&c->catalog, err);
    if (rc == MO_OK)
        rc = csw_cache_new(CSW_CACHE_SLOTS, CSW_CACHE_MAX_BYTES, &c->pages, err);
    if (rc == MO_OK && csw_ahead_new(c, &c->ahead) != MO_OK)
        rc = mo_fail(err, MO_ENOMEM, "could not start the thread that reads pages ahead");
    if (rc != MO_OK) {
        csw_free(c);
        return rc;
    }
    *out = c;
    return MO_OK;
}

void csw_free(struct csw *c)
{
    if (!c)
        return;
    csw_ahead_free(c->ahead); /* first: its thread uses the rest */
    for (int i = 0; i < CSW_ID_FIELDS; i++)
        free(c->texts[i]);
    free(c->public_url);
    render_free(c->render);
    catalog_free(c->catalog);
    csw_cache_free(c->pages);
    free(c);
}

struct catalog *csw_catalog(struct csw *c)
{
    return c->catalog;
}

struct csw_cache *csw_pages(struct csw *c)
{
    return c->pages;
}

void csw_ahead_stats(struct csw *c, unsigned long *served, unsigned long *made)
{
    csw_ahead_counts(c->ahead, served, made);
}

/* The exception report of ex (OWS 1.0.0). */
static mo_rc csw_exception_write(const struct csw_exception *ex, struct buf *out)
{
    mo_rc rc = buf_printf(out,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<ows:ExceptionReport xmlns:ows=\"http://www.opengis.net/ows\""
                          " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                          " version=\"1.2.0\" language=\"en\""
                          " xsi:schemaLocation=\"http://www.opengis.net/ows"
                          " http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd\">\n"
                          "<ows:Exception exceptionCode=\"%s\"",
                          ex->code);
    if (rc == MO_OK && ex->locator[0]) {
        rc = buf_append_str(out, " locator=\"");
        if (rc == MO_OK)
            rc = csw_xml_escape(out, ex->locator);
        if (rc == MO_OK)
            rc = buf_append_str(out, "\"");
    }
    if (rc == MO_OK)
        rc = buf_append_str(out, "><ows:ExceptionText>");
    if (rc == MO_OK)
        rc = csw_xml_escape(out, ex->text);
    if (rc == MO_OK)
        rc = buf_append_str(out, "</ows:ExceptionText></ows:Exception>\n</ows:ExceptionReport>\n");
    return rc;
}

/* The operations that read the index, with a borrowed connection. */
static int csw_dispatch_db(struct csw *c, const struct csw_request *req, struct buf *out,
                           struct csw_exception *ex)
{
    PGconn *conn = NULL;
    struct mo_err err = {0};
    if (dbpool_borrow(c->cfg.pool, &conn, &err) != MO_OK) {
        log_warn(c->cfg.log, "csw: %s", err.msg);
        csw_fail(ex, CSW_EX_NO_CODE, NULL, "the catalogue is busy or unavailable: try again");
        ex->status = 503;
        return -1;
    }
    int r = req->op == CSW_OP_GET_RECORDS        ? csw_records_get(c, conn, req, out, ex)
            : req->op == CSW_OP_GET_RECORD_BY_ID ? csw_records_by_id(c, conn, req, out, ex)
                                                 : csw_domain_write(c, conn, req, out, ex);
    dbpool_return(c->cfg.pool, conn);
    return r;
}

static int csw_dispatch(struct csw *c, const struct csw_request *req, struct buf *out,
                        struct csw_exception *ex)
{
    switch (req->op) {
    case CSW_OP_GET_CAPABILITIES:
        return csw_caps_write(c, req, out, ex);
    case CSW_OP_DESCRIBE_RECORD:
        return csw_describe_write(req, out, ex);
    case CSW_OP_GET_DOMAIN:
        if (!req->domain_property)
            return csw_domain_write(c, NULL, req, out, ex);
        return csw_dispatch_db(c, req, out, ex);
    default:
        return csw_dispatch_db(c, req, out, ex);
    }
}

void csw_handle(struct csw *c, const struct http_request *http, struct http_response *resp)
{
    struct csw_request req = {0};
    struct csw_exception ex = {0};
    int r = http->method == HTTP_POST ? csw_request_from_xml(http->body, http->body_len, &req, &ex)
                                      : csw_request_from_kvp(http, &req, &ex);
    if (r == 0)
        r = csw_dispatch(c, &req, &resp->body, &ex);
    csw_request_clear(&req);
    resp->status = 200;
    if (r != 0) {
        log_info(c->cfg.log, "csw: %s %s (%s): %s", ex.code, ex.locator, http->client, ex.text);
        buf_reset(&resp->body);
        resp->status = ex.status;
        if (csw_exception_write(&ex, &resp->body) != MO_OK) {
            http_response_error(resp, 500, "out of memory");
            return;
        }
        if (ex.status == 503 &&
            http_response_add_header(resp, "Retry-After", CSW_RETRY_AFTER) != MO_OK)
            log_warn(c->cfg.log, "csw: could not add Retry-After");
    }
    if (http_response_set_type(resp, CSW_CONTENT_TYPE) != MO_OK)
        http_response_error(resp, 500, "bad content type");
}
