/*
 * api.c — the OGC API Records front (api.h): routing under /api, the query
 * parameters, RFC 7807 problems, borrowing a database connection.  The
 * documents themselves are written by api_json.c.
 */
#include "api.h"

#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_COLLECTION_PATH API_PATH "/collections/" API_COLLECTION
#define API_JSON "application/json"
#define API_GEOJSON "application/geo+json"
#define API_PROBLEM "application/problem+json"
#define API_OPENAPI_TYPE "application/vnd.oai.openapi+json;version=3.0"

mo_rc api_new(const struct api_config *cfg, struct api **out, struct mo_err *err)
{
    *out = NULL;
    if (!cfg->public_url || !cfg->pool || strlen(cfg->public_url) >= API_MAX_URL)
        return mo_fail(err, MO_EBADREQ, "the API needs a public URL and a database pool");
    if (cfg->title && strlen(cfg->title) > API_MAX_TITLE)
        return mo_fail(err, MO_EBADREQ, "the API's title is longer than %d bytes", API_MAX_TITLE);
    struct api *a = calloc(1, sizeof *a);
    if (!a)
        return mo_fail(err, MO_ENOMEM, "out of memory for the API");
    snprintf(a->public_url, sizeof a->public_url, "%s", cfg->public_url);
    snprintf(a->title, sizeof a->title, "%s", cfg->title ? cfg->title : "");
    a->pool = cfg->pool;
    a->log = cfg->log;
    mo_rc rc = search_new(&a->search, err);
    if (rc != MO_OK) {
        free(a);
        return rc;
    }
    *out = a;
    return MO_OK;
}

void api_free(struct api *a)
{
    if (!a)
        return;
    search_free(a->search);
    free(a);
}

struct search *api_search(struct api *a)
{
    return a->search;
}

mo_rc api_url_encode(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    mo_rc rc = MO_OK;
    for (const unsigned char *p = (const unsigned char *)s; *p && rc == MO_OK; p++) {
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~", *p);
        char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        rc = plain ? buf_append(out, p, 1) : buf_append(out, enc, 3);
    }
    return rc;
}

/* ---- answers ---- */

/* Replaces the response by an RFC 7807 problem; param (may be NULL) is
 * named in an "invalid-params" member. */
static void api_problem(struct http_response *resp, int status, const char *title,
                        const char *detail, const char *param)
{
    struct json j;
    http_response_clear(resp);
    http_response_init(resp);
    json_init(&j, &resp->body);
    json_begin_object(&j);
    json_member_string(&j, "type", "about:blank");
    json_member_string(&j, "title", title);
    json_member_int(&j, "status", status);
    json_member_string(&j, "detail", detail);
    if (param) {
        json_key(&j, "invalid-params");
        json_begin_array(&j);
        json_begin_object(&j);
        json_member_string(&j, "name", param);
        json_member_string(&j, "reason", detail);
        json_end_object(&j);
        json_end_array(&j);
    }
    json_end_object(&j);
    struct mo_err err = {0};
    if (json_finish(&j, &err) != MO_OK || http_response_set_type(resp, API_PROBLEM) != MO_OK) {
        http_response_error(resp, 500, "internal error");
        return;
    }
    resp->status = status;
}

static void api_bad(struct http_response *resp, const char *param, const char *detail)
{
    api_problem(resp, 400, "Bad Request", detail, param);
}

/* Sends what j wrote as type, or a 500 when writing failed. */
static void api_send(const struct api *a, struct http_response *resp, struct json *j,
                     const char *type)
{
    struct mo_err err = {0};
    if (json_finish(j, &err) != MO_OK || http_response_set_type(resp, type) != MO_OK) {
        log_warn(a->log, "api: %s", err.msg);
        api_problem(resp, 500, "Internal Server Error", "the response could not be written", NULL);
        return;
    }
    resp->status = 200;
}

static void api_unavailable(const struct api *a, struct http_response *resp,
                            const struct mo_err *err)
{
    log_warn(a->log, "api: %s", err->msg);
    api_problem(resp, 503, "Service Unavailable", "the database is busy or down; try again", NULL);
    if (http_response_add_header(resp, "Retry-After", "5") != MO_OK)
        log_warn(a->log, "api: could not add Retry-After");
}

/* ---- parameters ---- */

/* f=html: 303 See Other to the HTML page of the document (api_html.c). */
static void api_see_html(const struct api *a, const char *rest, const struct http_request *req,
                         struct http_response *resp)
{
    struct buf loc;
    buf_init(&loc, API_MAX_URL * 4);
    if (api_html_location(a, rest, req, &loc) != MO_OK ||
        http_response_add_header(resp, "Location", loc.data) != MO_OK ||
        buf_printf(&resp->body, "see %s\n", loc.data) != MO_OK)
        api_problem(resp, 500, "Internal Server Error", "the HTML page could not be named", "f");
    else
        resp->status = 303;
    buf_free(&loc);
}

/* The f parameter: 0 for JSON, else the response was answered (303 to the
 * HTML page for html, 400 for anything else). */
static int api_format_answered(const struct api *a, const char *rest,
                               const struct http_request *req, struct http_response *resp)
{
    const char *f = http_request_arg(req, "f");
    if (!f || !strcmp(f, "json"))
        return 0;
    if (!strcmp(f, "html"))
        api_see_html(a, rest, req, resp);
    else
        api_bad(resp, "f", "bad parameter f: expected json or html");
    return 1;
}

/* True for the parameters of the items request that may be repeated. */
static int api_repeatable(const char *key)
{
    return search_facet_find(key) >= 0;
}

/* Reads every query argument into r; answers 400 and returns 0 on the
 * first bad, unknown or repeated one. */
static int api_items_params(const struct http_request *req, struct search_request *r,
                            struct http_response *resp)
{
    search_request_init(r);
    for (size_t i = 0; i < req->n_args; i++) {
        const char *k = req->args[i].key, *v = req->args[i].value;
        struct mo_err err = {0};
        char msg[MO_ERR_MAX];
        if (!strcmp(k, "f"))
            continue;
        if (!api_repeatable(k) && http_request_arg_count(req, k) > 1) {
            snprintf(msg, sizeof msg, "parameter %.100s given more than once", k);
            api_bad(resp, k, msg);
            return 0;
        }
        mo_rc rc = search_request_set(r, k, v, &err);
        if (rc == MO_ENOTFOUND) {
            snprintf(msg, sizeof msg, "unknown parameter %.100s", k);
            api_bad(resp, k, msg);
            return 0;
        }
        if (rc != MO_OK) {
            api_bad(resp, k, err.msg);
            return 0;
        }
    }
    return 1;
}

/* The request's arguments re-encoded, without offset. */
static mo_rc api_self_query(const struct http_request *req, struct buf *out)
{
    mo_rc rc = MO_OK;
    for (size_t i = 0; i < req->n_args && rc == MO_OK; i++) {
        if (!strcmp(req->args[i].key, "offset"))
            continue;
        rc = buf_append_str(out, out->len ? "&" : "");
        if (rc == MO_OK)
            rc = api_url_encode(out, req->args[i].key);
        if (rc == MO_OK)
            rc = buf_append_str(out, "=");
        if (rc == MO_OK)
            rc = api_url_encode(out, req->args[i].value);
    }
    return rc == MO_OK ? buf_append_str(out, "") : rc;
}

/* ---- handlers ---- */

static void api_items(struct api *a, const struct http_request *req, struct http_response *resp)
{
    struct search_request r;
    struct search_result res = {0};
    struct mo_err err = {0};
    struct buf self;
    PGconn *conn = NULL;
    struct json j;
    if (!api_items_params(req, &r, resp))
        return;
    if (dbpool_borrow(a->pool, &conn, &err) != MO_OK) {
        api_unavailable(a, resp, &err);
        return;
    }
    mo_rc rc = search_run(a->search, conn, &r, &res, &err);
    dbpool_return(a->pool, conn);
    if (rc == MO_EBADREQ) {
        api_bad(resp, NULL, err.msg);
        return;
    }
    if (rc != MO_OK) {
        log_warn(a->log, "api: %s", err.msg);
        api_problem(resp, 500, "Internal Server Error", "the search failed", NULL);
        return;
    }
    buf_init(&self, API_MAX_URL * 4);
    if (api_self_query(req, &self) != MO_OK) {
        buf_free(&self);
        search_result_clear(&res);
        api_bad(resp, NULL, "query string too long");
        return;
    }
    json_init(&j, &resp->body);
    api_json_items(a, &r, &res, self.data, &j);
    api_send(a, resp, &j, API_GEOJSON);
    buf_free(&self);
    search_result_clear(&res);
}

static void api_item(struct api *a, const char *id, const struct http_request *req,
                     struct http_response *resp)
{
    struct search_record rec = {0};
    struct mo_err err = {0};
    PGconn *conn = NULL;
    struct json j;
    for (size_t i = 0; i < req->n_args; i++)
        if (strcmp(req->args[i].key, "f")) {
            api_bad(resp, req->args[i].key, "unknown parameter (a record takes only f)");
            return;
        }
    if (dbpool_borrow(a->pool, &conn, &err) != MO_OK) {
        api_unavailable(a, resp, &err);
        return;
    }
    mo_rc rc = search_record_get(conn, id, &rec, &err);
    dbpool_return(a->pool, conn);
    if (rc == MO_ENOTFOUND) {
        api_problem(resp, 404, "Not Found", "no record with that identifier", NULL);
        return;
    }
    if (rc != MO_OK) {
        log_warn(a->log, "api: %s", err.msg);
        api_problem(resp, 500, "Internal Server Error", "the record could not be read", NULL);
        return;
    }
    json_init(&j, &resp->body);
    api_json_record(a, &rec, &j);
    api_send(a, resp, &j, API_GEOJSON);
    search_record_clear(&rec);
}

/* The documents without parameters but f. */
static int api_static(struct api *a, const char *rest, const struct http_request *req,
                      struct http_response *resp)
{
    struct json j;
    const char *type = API_JSON;
    json_init(&j, &resp->body);
    if (!strcmp(rest, "") || !strcmp(rest, "/"))
        api_json_landing(a, &j);
    else if (!strcmp(rest, "/conformance"))
        api_json_conformance(&j);
    else if (!strcmp(rest, "/collections"))
        api_json_collections(a, &j);
    else if (!strcmp(rest, "/collections/" API_COLLECTION))
        api_json_collection(a, &j);
    else if (!strcmp(rest, "/collections/" API_COLLECTION "/queryables"))
        api_json_queryables(a, &j), type = "application/schema+json";
    else if (!strcmp(rest, "/openapi"))
        api_json_openapi(a, &j), type = API_OPENAPI_TYPE;
    else
        return 0;
    for (size_t i = 0; i < req->n_args; i++)
        if (strcmp(req->args[i].key, "f")) {
            buf_reset(&resp->body);
            api_bad(resp, req->args[i].key, "unknown parameter (this document takes only f)");
            return 1;
        }
    api_send(a, resp, &j, type);
    return 1;
}

void api_handle(struct api *a, const struct http_request *req, struct http_response *resp)
{
    const char *path = req->path;
    static const char items[] = "/collections/" API_COLLECTION "/items";
    if (strncmp(path, API_PATH, strlen(API_PATH))) {
        api_problem(resp, 404, "Not Found", "no such document", NULL);
        return;
    }
    const char *rest = path + strlen(API_PATH);
    resp->body.max = API_MAX_BODY;
    if (api_format_answered(a, rest, req, resp))
        return;
    if (api_static(a, rest, req, resp))
        return;
    if (!strcmp(rest, items))
        api_items(a, req, resp);
    else if (!strncmp(rest, items, sizeof items - 1) && rest[sizeof items - 1] == '/' &&
             rest[sizeof items])
        api_item(a, rest + sizeof items, req, resp);
    else
        api_problem(resp, 404, "Not Found", "no such document", NULL);
    if (resp->status == 200 &&
        http_response_add_header(resp, "Access-Control-Allow-Origin", "*") != MO_OK)
        log_warn(a->log, "api: could not add Access-Control-Allow-Origin");
}
