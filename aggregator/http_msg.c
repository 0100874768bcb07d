/*
 * http_msg.c — the request lookups and the response building of http.h,
 * without libmicrohttpd: handlers and their tests use them without a socket.
 */
#include "http.h"

#include "http_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char http_text_type[] = "text/plain; charset=utf-8";

/* ---- request lookups ---- */

static const char *http_pairs_find(const struct http_pair *pairs, size_t n, const char *key,
                                   size_t *count)
{
    const char *first = NULL;
    size_t seen = 0;
    for (size_t i = 0; pairs && i < n; i++) {
        if (strcasecmp(pairs[i].key, key) != 0)
            continue;
        if (!first)
            first = pairs[i].value;
        seen++;
    }
    if (count)
        *count = seen;
    return first;
}

const char *http_request_arg(const struct http_request *req, const char *key)
{
    return http_pairs_find(req->args, req->n_args, key, NULL);
}

size_t http_request_arg_count(const struct http_request *req, const char *key)
{
    size_t n = 0;
    http_pairs_find(req->args, req->n_args, key, &n);
    return n;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
    return http_pairs_find(req->headers, req->n_headers, name, NULL);
}

/* ---- responses ---- */

void http_response_init(struct http_response *resp)
{
    memset(resp, 0, sizeof *resp);
    snprintf(resp->content_type, sizeof resp->content_type, "%s", http_text_type);
    buf_init(&resp->body, HTTP_MAX_RESPONSE_BODY);
}

void http_response_clear(struct http_response *resp)
{
    if (!resp)
        return;
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    resp->n_headers = 0;
    buf_free(&resp->body);
    if (resp->stream_free && resp->stream_state)
        resp->stream_free(resp->stream_state);
    resp->stream = NULL;
    resp->stream_state = NULL;
    resp->stream_free = NULL;
}

mo_rc http_response_set_type(struct http_response *resp, const char *type)
{
    if (!http_text_value_ok(type) || strlen(type) >= sizeof resp->content_type)
        return MO_EBADREQ;
    snprintf(resp->content_type, sizeof resp->content_type, "%s", type);
    return MO_OK;
}

mo_rc http_response_add_header(struct http_response *resp, const char *name, const char *value)
{
    static const char *const managed[] = {"Content-Length", "Transfer-Encoding", "Connection",
                                          "X-Content-Type-Options", NULL};
    if (!http_text_token_ok(name) || !http_text_value_ok(value))
        return MO_EBADREQ;
    if (strcasecmp(name, "Content-Type") == 0)
        return http_response_set_type(resp, value);
    for (size_t i = 0; managed[i]; i++)
        if (strcasecmp(name, managed[i]) == 0)
            return MO_EBADREQ;
    if (strlen(value) > HTTP_MAX_HEADER_VALUE)
        return MO_ELIMIT;
    char *v = strdup(value);
    if (!v)
        return MO_ENOMEM;
    for (size_t i = 0; i < resp->n_headers; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0) {
            free(resp->headers[i].value);
            resp->headers[i].value = v;
            return MO_OK;
        }
    }
    if (resp->n_headers == HTTP_MAX_RESPONSE_HEADERS) {
        free(v);
        return MO_ELIMIT;
    }
    char *n = strdup(name);
    if (!n) {
        free(v);
        return MO_ENOMEM;
    }
    resp->headers[resp->n_headers].name = n;
    resp->headers[resp->n_headers].value = v;
    resp->n_headers++;
    return MO_OK;
}

void http_response_error(struct http_response *resp, int status, const char *fmt, ...)
{
    char msg[MO_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    http_response_clear(resp);
    http_response_init(resp);
    resp->status = status;
    /* a message of at most MO_ERR_MAX bytes always fits the body's cap */
    if (buf_printf(&resp->body, "%s\n", msg) != MO_OK)
        buf_reset(&resp->body);
}

void http_response_stream(struct http_response *resp, http_stream_fn fn, void *state,
                          http_stream_free_fn free_fn)
{
    if (resp->stream_free && resp->stream_state)
        resp->stream_free(resp->stream_state);
    buf_free(&resp->body);
    resp->stream = fn;
    resp->stream_state = state;
    resp->stream_free = free_fn;
}
