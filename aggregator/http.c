/*
 * http.c — the libmicrohttpd daemon and the router: checks a request before
 * allocating anything for it, collects it into a struct http_request,
 * dispatches it to the route's handler, sends the struct http_response.
 * Per-request state (struct http_exchange) lives from the first call of the
 * access handler to the completion callback, which frees it.
 */
#include "http.h"

#include "http_text.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HTTP_STOP_POLL_US 10000
#define HTTP_LOG_LINE 512

struct http {
    struct MHD_Daemon *daemon;
    struct http_config cfg;
    char address[HTTP_MAX_ADDR];
    int fd; /* the listening socket, ours: see http_stop */
    int ipv6;
    unsigned port;
    atomic_int active;   /* exchanges alive: handled and not yet completed */
    atomic_int stopping; /* responses ask the client to close */
};

/* One request, from its first call to its completion callback. */
struct http_exchange {
    struct http *h;
    const struct http_route *route;
    struct http_request req;
    struct http_pair *args;
    struct http_pair *headers;
    struct buf body;
    char client[HTTP_MAX_ADDR];
    int status; /* what was sent, for the log */
    struct timespec started;
};

/* A streamed body on its way: the handler's callback and the current part. */
struct http_stream {
    const struct log *log;
    http_stream_fn fn;
    void *state;
    http_stream_free_fn free_fn;
    struct buf part;
    size_t off;
    int ended;
};

static const char http_default_csp[] = "default-src 'none'; frame-ancestors 'none'; sandbox";

/* ---- sending ---- */

static ssize_t http_stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct http_stream *s = cls;
    while (s->off == s->part.len) {
        if (s->ended)
            return MHD_CONTENT_READER_END_OF_STREAM;
        buf_reset(&s->part);
        s->off = 0;
        enum http_stream_status st = s->fn(s->state, &s->part);
        if (st == HTTP_STREAM_ERROR)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (st == HTTP_STREAM_END) {
            s->ended = 1;
        } else if (s->part.len == 0) {
            log_warn(s->log, "a streamed body produced an empty part; connection cut");
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
    size_t n = s->part.len - s->off;
    if (n > max)
        n = max;
    memcpy(out, s->part.data + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static void http_stream_free(void *cls)
{
    struct http_stream *s = cls;
    if (s->free_fn && s->state)
        s->free_fn(s->state);
    buf_free(&s->part);
    free(s);
}

/* The MHD response of resp, taking its body or its stream over; NULL when
 * out of memory (resp still owns what was not taken). */
static struct MHD_Response *http_make_body(struct http *h, struct http_response *resp)
{
    if (resp->stream) {
        struct http_stream *s = calloc(1, sizeof *s);
        if (!s)
            return NULL;
        s->log = h->cfg.log;
        s->fn = resp->stream;
        s->state = resp->stream_state;
        s->free_fn = resp->stream_free;
        buf_init(&s->part, HTTP_MAX_STREAM_CHUNK);
        struct MHD_Response *r = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, 64 * 1024, http_stream_read, s, http_stream_free);
        if (!r) {
            free(s);
            return NULL;
        }
        resp->stream = NULL;
        resp->stream_state = NULL;
        resp->stream_free = NULL;
        return r;
    }
    if (resp->body.len == 0)
        return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(resp->body.len, resp->body.data, MHD_RESPMEM_MUST_FREE);
    if (r)
        buf_init(&resp->body, HTTP_MAX_RESPONSE_BODY); /* the data now belongs to r */
    return r;
}

static int http_has_header(const struct http_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->n_headers; i++)
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return 1;
    return 0;
}

/* Queues resp on c; returns MHD_NO (the connection is closed) when the
 * response cannot be built. */
static enum MHD_Result http_send(struct http *h, struct MHD_Connection *c,
                                 struct http_response *resp)
{
    if (resp->status < 100 || resp->status > 599) {
        log_error(h->cfg.log, "a handler left the status %d; answering 500", resp->status);
        http_response_error(resp, 500, "internal error");
    }
    struct MHD_Response *r = http_make_body(h, resp);
    if (!r)
        return MHD_NO;
    int ok = MHD_add_response_header(r, "Content-Type", resp->content_type) == MHD_YES &&
             MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") == MHD_YES;
    if (!http_has_header(resp, "Content-Security-Policy"))
        ok = ok && MHD_add_response_header(r, "Content-Security-Policy", http_default_csp);
    for (size_t i = 0; ok && i < resp->n_headers; i++)
        ok = MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value) == MHD_YES;
    if (ok && atomic_load(&h->stopping))
        ok = MHD_add_response_header(r, "Connection", "close") == MHD_YES;
    enum MHD_Result ret = ok ? MHD_queue_response(c, (unsigned)resp->status, r) : MHD_NO;
    MHD_destroy_response(r);
    return ret;
}

/* Answers a request refused before anything was allocated for it. */
static enum MHD_Result http_refuse(struct http *h, struct MHD_Connection *c, int status,
                                   const char *allow, const char *fmt, ...) MO_PRINTF(5, 6);

static enum MHD_Result http_refuse(struct http *h, struct MHD_Connection *c, int status,
                                   const char *allow, const char *fmt, ...)
{
    char msg[MO_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_debug(h->cfg.log, "refused with %d: %s", status, msg);

    struct http_response resp;
    http_response_init(&resp);
    http_response_error(&resp, status, "%s", msg);
    if (allow && http_response_add_header(&resp, "Allow", allow) != MO_OK) {
        http_response_clear(&resp);
        return MHD_NO;
    }
    enum MHD_Result ret = http_send(h, c, &resp);
    http_response_clear(&resp);
    return ret;
}

/* ---- checks before allocating ---- */

static unsigned http_method_bit(const char *method)
{
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        return HTTP_GET;
    if (strcmp(method, "POST") == 0)
        return HTTP_POST;
    return 0;
}

static const struct http_route *http_find_route(const struct http *h, const char *path)
{
    for (size_t i = 0; i < h->cfg.n_routes; i++) {
        const struct http_route *r = &h->cfg.routes[i];
        size_t n = strlen(r->path);
        if (strcmp(path, r->path) == 0)
            return r;
        if (r->prefix && strncmp(path, r->path, n) == 0 && path[n] == '/')
            return r;
    }
    return NULL;
}

static void http_allow_text(unsigned methods, char *out, size_t size)
{
    snprintf(out, size, "%s%s%s", methods & HTTP_GET ? "GET, HEAD" : "",
             (methods & HTTP_GET) && (methods & HTTP_POST) ? ", " : "",
             methods & HTTP_POST ? "POST" : "");
}

/* The declared body size: 0 when absent, SIZE_MAX when not a number. */
static size_t http_content_length(struct MHD_Connection *c)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (!v)
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || *end || errno || v[0] == '-' || n > SIZE_MAX)
        return SIZE_MAX;
    return (size_t)n;
}

struct http_args_scan {
    size_t count;
    const char *bad_key; /* first argument that is not valid text */
};

static enum MHD_Result http_scan_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
    struct http_args_scan *scan = cls;
    scan->count++;
    if (!http_text_utf8_ok(key, key_size) || (value && !http_text_utf8_ok(value, value_size))) {
        scan->bad_key = key;
        return MHD_NO;
    }
    return MHD_YES;
}

/* Method, path, arguments, content type and size of a new request: answers
 * the refusal itself and returns 0, or returns 1 with the route. */
static int http_check(struct http *h, struct MHD_Connection *c, const char *url, const char *method,
                      const struct http_route **route, enum MHD_Result *ret)
{
    char quoted[HTTP_TEXT_QUOTE_MAX], allow[32];
    unsigned bit = http_method_bit(method);
    struct http_args_scan scan = {0};

    http_text_quote(url, quoted, sizeof quoted);
    if (url[0] != '/' || !http_text_utf8_ok(url, strlen(url))) {
        *ret = http_refuse(h, c, 400, NULL, "bad path \"%s\": not valid percent-encoded UTF-8",
                           quoted);
        return 0;
    }
    if (!(*route = http_find_route(h, url))) {
        *ret = http_refuse(h, c, 404, NULL, "no such path \"%s\"", quoted);
        return 0;
    }
    http_allow_text((*route)->methods, allow, sizeof allow);
    if (!(bit & (*route)->methods)) {
        http_text_quote(method, quoted, sizeof quoted);
        *ret = http_refuse(h, c, 405, allow, "method \"%s\" is not allowed here (allowed: %s)",
                           quoted, allow);
        return 0;
    }
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, http_scan_arg, &scan);
    if (scan.bad_key) {
        http_text_quote(scan.bad_key, quoted, sizeof quoted);
        *ret = http_refuse(h, c, 400, NULL,
                           "query argument \"%s\" is not valid percent-encoded UTF-8", quoted);
        return 0;
    }
    if (scan.count > HTTP_MAX_ARGS) {
        *ret =
            http_refuse(h, c, 400, NULL, "too many query arguments (more than %d)", HTTP_MAX_ARGS);
        return 0;
    }
    if (MHD_get_connection_values(c, MHD_HEADER_KIND, NULL, NULL) > HTTP_MAX_HEADERS) {
        *ret = http_refuse(h, c, 431, NULL, "too many headers (more than %d)", HTTP_MAX_HEADERS);
        return 0;
    }
    return 1;
}

/* Content type (of a POST) and announced size of a body (of any request). */
static int http_check_body(struct http *h, struct MHD_Connection *c, const struct http_route *route,
                           int post, enum MHD_Result *ret)
{
    char quoted[HTTP_TEXT_QUOTE_MAX];
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    size_t length = http_content_length(c);

    if (post && route->body_types && !http_text_media_type_in(type, route->body_types)) {
        http_text_quote(type ? type : "", quoted, sizeof quoted);
        *ret =
            http_refuse(h, c, 415, NULL, "unsupported content type \"%s\" for a body here", quoted);
        return 0;
    }
    if (length > h->cfg.limits.max_body) {
        if (length == SIZE_MAX)
            *ret = http_refuse(h, c, 413, NULL, "bad or huge Content-Length");
        else
            *ret = http_refuse(h, c, 413, NULL,
                               "request body of %zu bytes is over the limit of %zu bytes", length,
                               h->cfg.limits.max_body);
        return 0;
    }
    return 1;
}

/* ---- the exchange ---- */

struct http_fill {
    struct http_pair *pairs;
    size_t n;
    size_t cap;
};

static enum MHD_Result http_fill_pair(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    struct http_fill *f = cls;
    if (f->n == f->cap)
        return MHD_NO;
    f->pairs[f->n].key = key;
    f->pairs[f->n].value = value ? value : "";
    f->n++;
    return MHD_YES;
}

static void http_exchange_free(struct http_exchange *x)
{
    if (!x)
        return;
    free(x->args);
    free(x->headers);
    buf_free(&x->body);
    free(x);
}

static void http_client_address(struct MHD_Connection *c, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                           : sizeof(struct sockaddr_in);
    if (getnameinfo(ci->client_addr, len, out, (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0)
        out[0] = '\0';
}

/* Collects the request's arguments and headers (their strings stay in the
 * connection's memory, valid until completion); NULL when out of memory. */
static struct http_exchange *http_exchange_new(struct http *h, struct MHD_Connection *c,
                                               const struct http_route *route, const char *url,
                                               const char *method)
{
    struct http_exchange *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    int n_args = MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, NULL, NULL);
    int n_headers = MHD_get_connection_values(c, MHD_HEADER_KIND, NULL, NULL);
    struct http_fill args = {calloc((size_t)n_args + 1, sizeof *args.pairs), 0, (size_t)n_args};
    struct http_fill headers = {calloc((size_t)n_headers + 1, sizeof *headers.pairs), 0,
                                (size_t)n_headers};
    x->args = args.pairs;
    x->headers = headers.pairs;
    if (!x->args || !x->headers) {
        http_exchange_free(x);
        return NULL;
    }
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, http_fill_pair, &args);
    MHD_get_connection_values(c, MHD_HEADER_KIND, http_fill_pair, &headers);
    buf_init(&x->body, h->cfg.limits.max_body);
    http_client_address(c, x->client, sizeof x->client);
    clock_gettime(CLOCK_MONOTONIC, &x->started);
    x->h = h;
    x->route = route;
    x->req.method = (enum http_method)http_method_bit(method);
    x->req.method_name = method;
    x->req.path = url;
    x->req.args = x->args;
    x->req.n_args = args.n;
    x->req.headers = x->headers;
    x->req.n_headers = headers.n;
    x->req.client = x->client;
    return x;
}

static enum MHD_Result http_begin(struct http *h, struct MHD_Connection *c, const char *url,
                                  const char *method, void **con_cls)
{
    const struct http_route *route = NULL;
    enum MHD_Result ret = MHD_NO;
    if (!http_check(h, c, url, method, &route, &ret))
        return ret;
    if (!http_check_body(h, c, route, http_method_bit(method) == HTTP_POST, &ret))
        return ret;
    struct http_exchange *x = http_exchange_new(h, c, route, url, method);
    if (!x) {
        log_error(h->cfg.log, "out of memory for a request");
        return MHD_NO;
    }
    atomic_fetch_add(&h->active, 1);
    *con_cls = x;
    return MHD_YES;
}

static enum MHD_Result http_take_body(struct http_exchange *x, const char *data, size_t *size)
{
    if (buf_append(&x->body, data, *size) != MO_OK) {
        /* a chunked body (no Content-Length) grew past the cap: a response
         * cannot be queued in the middle of an upload, so the connection is
         * closed */
        char quoted[HTTP_TEXT_QUOTE_MAX];
        http_text_quote(x->req.path, quoted, sizeof quoted);
        log_debug(x->h->cfg.log, "request body to \"%s\" over %zu bytes; connection closed", quoted,
                  x->h->cfg.limits.max_body);
        return MHD_NO;
    }
    *size = 0;
    return MHD_YES;
}

static enum MHD_Result http_dispatch(struct http *h, struct MHD_Connection *c,
                                     struct http_exchange *x)
{
    struct http_response resp;
    http_response_init(&resp);
    x->req.body = x->body.data ? x->body.data : "";
    x->req.body_len = x->body.len;
    x->route->handler(h->cfg.ctx, &x->req, &resp);
    enum MHD_Result ret = http_send(h, c, &resp);
    x->status = resp.status;
    http_response_clear(&resp);
    return ret;
}

static enum MHD_Result http_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct http *h = cls;
    struct http_exchange *x = *con_cls;
    if (!x)
        return http_begin(h, c, url, method, con_cls);
    if (*upload_size)
        return http_take_body(x, upload_data, upload_size);
    return http_dispatch(h, c, x);
}

static void http_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    struct http *h = cls;
    struct http_exchange *x = *con_cls;
    if (!x)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms =
        (now.tv_sec - x->started.tv_sec) * 1000 + (now.tv_nsec - x->started.tv_nsec) / 1000000;
    char quoted[HTTP_TEXT_QUOTE_MAX];
    http_text_quote(x->req.path, quoted, sizeof quoted);
    log_debug(h->cfg.log, "%s %s %s %d %ld ms%s", x->client, x->req.method_name, quoted, x->status,
              ms, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (cut)");
    http_exchange_free(x);
    *con_cls = NULL;
    atomic_fetch_sub(&h->active, 1);
}

/* ---- the daemon ---- */

static size_t http_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    return http_text_unescape(s);
}

static void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
    const struct log *log = cls;
    char line[HTTP_LOG_LINE];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    log_debug(log, "http: %s", line);
}

static mo_rc http_check_limits(const struct http_limits *l, struct mo_err *err)
{
    if (l->threads < 1 || l->threads > HTTP_MAX_THREADS)
        return mo_fail(err, MO_EBADREQ, "bad thread count %u (1 to %d)", l->threads,
                       HTTP_MAX_THREADS);
    if (l->max_connections < l->threads || l->max_per_ip < 1)
        return mo_fail(err, MO_EBADREQ,
                       "bad connection limits %u total, %u per address (at least one per "
                       "thread and per address)",
                       l->max_connections, l->max_per_ip);
    if (l->connection_memory < 4096 || l->timeout_s < 1 || l->max_body < 1)
        return mo_fail(err, MO_EBADREQ, "bad limits: memory %zu, timeout %u s, body %zu",
                       l->connection_memory, l->timeout_s, l->max_body);
    return MO_OK;
}

void http_limits_default(struct http_limits *limits)
{
    limits->threads = HTTP_DEFAULT_THREADS;
    limits->max_connections = HTTP_MAX_CONNECTIONS;
    limits->max_per_ip = HTTP_MAX_CONNECTIONS_PER_IP;
    limits->connection_memory = HTTP_MAX_CONNECTION_MEMORY;
    limits->timeout_s = HTTP_TIMEOUT_S;
    limits->max_body = HTTP_MAX_BODY;
}

/* A listening socket on address:port (non-blocking, close-on-exec). */
static mo_rc http_listen(struct http *h, unsigned port, struct mo_err *err)
{
    struct sockaddr_storage ss = {0};
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    int one = 1;

    if (inet_pton(AF_INET, h->address, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        len = sizeof *in4;
    } else if (inet_pton(AF_INET6, h->address, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        len = sizeof *in6;
        h->ipv6 = 1;
    } else {
        char quoted[HTTP_TEXT_QUOTE_MAX];
        http_text_quote(h->address, quoted, sizeof quoted);
        return mo_fail(err, MO_EBADREQ, "bad listen address \"%s\": not a numeric IP address",
                       quoted);
    }
    h->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (h->fd < 0)
        return mo_fail(err, MO_EIO, "could not create a socket: %s", strerror(errno));
    setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (h->ipv6)
        setsockopt(h->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(h->fd, (struct sockaddr *)&ss, len) != 0 || listen(h->fd, HTTP_LISTEN_BACKLOG) != 0)
        return mo_fail(err, MO_EIO, "could not listen on %s%s%s:%u: %s", h->ipv6 ? "[" : "",
                       h->address, h->ipv6 ? "]" : "", port, strerror(errno));
    len = sizeof ss;
    if (getsockname(h->fd, (struct sockaddr *)&ss, &len) != 0)
        return mo_fail(err, MO_EIO, "could not read the bound address: %s", strerror(errno));
    h->port = ntohs(h->ipv6 ? in6->sin6_port : in4->sin_port);
    return MO_OK;
}

mo_rc http_new(const struct http_config *cfg, struct http **out, struct mo_err *err)
{
    *out = NULL;
    if (!cfg->address || cfg->port > 65535 || !cfg->routes)
        return mo_fail(err, MO_EBADREQ, "bad HTTP configuration (address, port or routes)");
    if (strlen(cfg->address) >= HTTP_MAX_ADDR)
        return mo_fail(err, MO_EBADREQ, "bad listen address: too long");
    mo_rc rc = http_check_limits(&cfg->limits, err);
    if (rc != MO_OK)
        return rc;
    struct http *h = calloc(1, sizeof *h);
    if (!h)
        return mo_fail(err, MO_ENOMEM, "out of memory starting the HTTP server");
    h->fd = -1;
    h->cfg = *cfg;
    snprintf(h->address, sizeof h->address, "%s", cfg->address);
    h->cfg.address = h->address;
    rc = http_listen(h, cfg->port, err);
    if (rc != MO_OK) {
        http_free(h);
        return rc;
    }
    *out = h;
    return MO_OK;
}

/* Accept policy: while stopping, a new connection is closed at once.  (Not
 * MHD_quiesce_daemon: with a thread pool and epoll, libmicrohttpd 0.9.75's
 * quiesce races its own worker threads removing the listening socket from
 * their epoll sets, and aborts the process now and then.) */
static enum MHD_Result http_on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    struct http *h = cls;
    (void)addr;
    (void)addrlen;
    return atomic_load(&h->stopping) ? MHD_NO : MHD_YES;
}

mo_rc http_start(struct http *h, struct mo_err *err)
{
    const struct http_limits *l = &h->cfg.limits;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (h->ipv6 ? MHD_USE_IPv6 : 0);
    struct MHD_OptionItem pool[] = {
        {l->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, l->threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    if (h->daemon || h->fd < 0)
        return mo_fail(err, MO_EBADREQ, "HTTP server already started or stopped");
    h->daemon = MHD_start_daemon(
        flags, 0, http_on_accept, h, http_on_request, h, MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log,
        (void *)h->cfg.log, MHD_OPTION_LISTEN_SOCKET, h->fd, MHD_OPTION_CONNECTION_LIMIT,
        l->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, l->max_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, l->connection_memory, MHD_OPTION_CONNECTION_TIMEOUT,
        l->timeout_s, MHD_OPTION_NOTIFY_COMPLETED, http_on_completed, h,
        MHD_OPTION_UNESCAPE_CALLBACK, http_unescape, NULL, MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
    if (!h->daemon)
        return mo_fail(err, MO_EIO, "could not start the HTTP server on %s%s%s:%u",
                       h->ipv6 ? "[" : "", h->address, h->ipv6 ? "]" : "", h->port);
    return MO_OK;
}

unsigned http_port(const struct http *h)
{
    return h->port;
}

void http_stop(struct http *h, unsigned grace_s)
{
    if (!h || !h->daemon)
        return;
    atomic_store(&h->stopping, 1); /* new connections closed at once (http_on_accept) */
    long waited_us = 0;
    while (atomic_load(&h->active) > 0 && waited_us < (long)grace_s * 1000000L) {
        usleep(HTTP_STOP_POLL_US);
        waited_us += HTTP_STOP_POLL_US;
    }
    if (atomic_load(&h->active) > 0)
        log_warn(h->cfg.log, "%d request(s) still running after %u s; cut", atomic_load(&h->active),
                 grace_s);
    MHD_stop_daemon(h->daemon); /* closes the listening socket it was given */
    h->daemon = NULL;
    h->fd = -1;
}

void http_free(struct http *h)
{
    if (!h)
        return;
    http_stop(h, HTTP_STOP_GRACE_S);
    if (h->fd >= 0)
        close(h->fd);
    free(h);
}
