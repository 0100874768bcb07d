/*
 * http.h — the HTTP front: a libmicrohttpd daemon, a route table, and the
 * request and response that handlers see.
 *
 * The daemon runs an internal thread pool, each thread with its own epoll
 * loop, under explicit limits (connections in total and per client address,
 * memory per connection, inactivity timeout, request body cap).  Before any
 * per-request allocation, http.c checks the path (404), the method (405),
 * the body's content type (415) and its announced size (413), and answers
 * those itself.  A handler then gets a plain request (method, decoded path,
 * ordered query arguments, headers, body, client address) and fills a
 * response (status, content type, extra headers, body in a capped struct buf
 * or streamed through a callback).  Handlers know nothing of libmicrohttpd:
 * tests may build a struct http_request by hand and call them directly.
 *
 * Every response carries X-Content-Type-Options: nosniff and, unless the
 * handler sets its own, a Content-Security-Policy that forbids everything
 * (right for XML and JSON; HTML handlers set theirs).
 */
#ifndef MOISSON_HTTP_H
#define MOISSON_HTTP_H

#include "buf.h"
#include "log.h"
#include "result.h"

#include <stddef.h>

/* Defaults of struct http_limits (documented in aggregator/README.md). */
#define HTTP_DEFAULT_THREADS 4
#define HTTP_MAX_THREADS 64
#define HTTP_MAX_CONNECTIONS 512               /* open at once, in total */
#define HTTP_MAX_CONNECTIONS_PER_IP 32         /* open at once, per client address */
#define HTTP_MAX_CONNECTION_MEMORY (64 * 1024) /* request line + headers + read buffer */
#define HTTP_TIMEOUT_S 30                      /* inactivity before a connection is closed */
#define HTTP_MAX_BODY (4 * 1024 * 1024)        /* request body */
#define HTTP_STOP_GRACE_S 10                   /* running requests may finish in this time */

/* Fixed caps. */
#define HTTP_MAX_RESPONSE_BODY (256 * 1024 * 1024) /* a buffered response body */
#define HTTP_MAX_STREAM_CHUNK (8 * 1024 * 1024)    /* one chunk of a streamed body */
#define HTTP_MAX_ARGS 256                          /* query arguments of one request */
#define HTTP_MAX_HEADERS 128                       /* request headers */
#define HTTP_MAX_RESPONSE_HEADERS 16               /* extra headers a handler adds */
#define HTTP_MAX_HEADER_VALUE 4096                 /* one response header value */
#define HTTP_MAX_CONTENT_TYPE 128
#define HTTP_MAX_ADDR 64 /* a client address as text */
#define HTTP_LISTEN_BACKLOG 511

enum http_method {
    HTTP_GET = 1 << 0, /* HEAD is served as GET without the body */
    HTTP_POST = 1 << 1,
};

/* A query argument or a header: both strings NUL-terminated.  Query
 * arguments are percent-decoded ('+' is a space), valid UTF-8, without NUL;
 * an argument without '=' has the value "". */
struct http_pair {
    const char *key;
    const char *value;
};

/* What a handler sees.  Every pointer is borrowed for the duration of the
 * handler call (and of a streamed body's callbacks: copy what they need). */
struct http_request {
    enum http_method method;
    const char *method_name; /* "GET", "HEAD", "POST" */
    const char *path;        /* percent-decoded, valid UTF-8, starts with '/' */
    const struct http_pair *args;
    size_t n_args; /* in the order of the query string, repeats kept */
    const struct http_pair *headers;
    size_t n_headers;
    const char *body;   /* NUL-terminated ("" when none) */
    size_t body_len;    /* at most the daemon's max_body */
    const char *client; /* numeric client address, "" when unknown */
};

/* First value of the query argument named key, compared case-insensitively
 * (OGC KVP keys are); NULL when absent. */
const char *http_request_arg(const struct http_request *req, const char *key);

/* How many query arguments are named key (case-insensitive). */
size_t http_request_arg_count(const struct http_request *req, const char *key);

/* First value of the header named name (case-insensitive); NULL when absent. */
const char *http_request_header(const struct http_request *req, const char *name);

/* A streamed body: called again and again to append the next part of the
 * body to out (emptied before each call; capped at HTTP_MAX_STREAM_CHUNK).
 * Returns HTTP_STREAM_MORE after appending something, HTTP_STREAM_END when
 * the body is complete (out may hold a last part), HTTP_STREAM_ERROR to cut
 * the connection (the client sees a truncated chunked body).  Called on a
 * daemon thread, one call at a time per response. */
enum http_stream_status { HTTP_STREAM_MORE, HTTP_STREAM_END, HTTP_STREAM_ERROR };
typedef enum http_stream_status (*http_stream_fn)(void *state, struct buf *out);
/* Frees a stream's state: called exactly once, when the response is done,
 * abandoned by the client, or never sent. */
typedef void (*http_stream_free_fn)(void *state);

struct http_header_out {
    char *name;
    char *value;
};

/* What a handler fills.  Start with http_response_init; the daemon sends and
 * clears it.  status 0 (never set) is answered as 500. */
struct http_response {
    int status;
    char content_type[HTTP_MAX_CONTENT_TYPE];
    struct http_header_out headers[HTTP_MAX_RESPONSE_HEADERS];
    size_t n_headers;
    struct buf body; /* capped at HTTP_MAX_RESPONSE_BODY */
    http_stream_fn stream;
    void *stream_state;
    http_stream_free_fn stream_free;
};

/* An empty response: status 0, content type "text/plain; charset=utf-8". */
void http_response_init(struct http_response *resp);

/* Frees the headers, the body and a stream state not yet handed over; resp
 * may be NULL.  The response may be initialised again afterwards. */
void http_response_clear(struct http_response *resp);

/* Sets the content type (MO_EBADREQ when too long or holding a control
 * character). */
mo_rc http_response_set_type(struct http_response *resp, const char *type) MO_MUST_CHECK;

/* Adds a header (copied).  Replaces one of the same name set before;
 * Content-Type goes to http_response_set_type.  MO_EBADREQ for a name that
 * is not a token, a header the daemon manages (Content-Length,
 * Transfer-Encoding, Connection, X-Content-Type-Options), or a value with a
 * control character (no header injection); MO_ELIMIT past the caps. */
mo_rc http_response_add_header(struct http_response *resp, const char *name,
                               const char *value) MO_MUST_CHECK;

/* Replaces the response by status and a one-line text/plain message. */
void http_response_error(struct http_response *resp, int status, const char *fmt, ...)
    MO_PRINTF(3, 4);

/* Makes the body streamed: fn produces it part by part (sent chunked).
 * The response takes state over (free_fn may be NULL): it is freed by the
 * daemon or by http_response_clear, even when the response is never sent.
 * Whatever the body buffer held is dropped. */
void http_response_stream(struct http_response *resp, http_stream_fn fn, void *state,
                          http_stream_free_fn free_fn);

/* A handler: ctx is the daemon's ctx (struct http_config).  Runs on a daemon
 * thread, several at a time: ctx must be safe to share. */
typedef void (*http_handler_fn)(void *ctx, const struct http_request *req,
                                struct http_response *resp);

/* One entry of the route table.  path matches exactly; with prefix set it
 * also matches every path under path + "/".  methods is a set of enum
 * http_method bits.  body_types, a NULL-terminated list of media types
 * (compared case-insensitively, parameters ignored), is what a POST body may
 * be; NULL accepts any. */
struct http_route {
    const char *path;
    int prefix;
    unsigned methods;
    const char *const *body_types;
    http_handler_fn handler;
};

struct http_limits {
    unsigned threads;         /* HTTP_DEFAULT_THREADS, at most HTTP_MAX_THREADS */
    unsigned max_connections; /* HTTP_MAX_CONNECTIONS */
    unsigned max_per_ip;      /* HTTP_MAX_CONNECTIONS_PER_IP */
    size_t connection_memory; /* HTTP_MAX_CONNECTION_MEMORY */
    unsigned timeout_s;       /* HTTP_TIMEOUT_S */
    size_t max_body;          /* HTTP_MAX_BODY */
};

/* The defaults above. */
void http_limits_default(struct http_limits *limits);

struct http_config {
    const char *address; /* numeric IPv4 or IPv6 address to listen on */
    unsigned port;       /* 0: a free port (see http_port) */
    struct http_limits limits;
    const struct http_route *routes; /* borrowed: must outlive the daemon */
    size_t n_routes;
    void *ctx;             /* handed to every handler */
    const struct log *log; /* borrowed; may be NULL */
};

struct http;

/* Checks the configuration and binds the listening socket (nothing is
 * served yet): MO_EBADREQ for a bad address or limit, MO_EIO when the
 * address cannot be bound (the message names it and says why). */
mo_rc http_new(const struct http_config *cfg, struct http **out, struct mo_err *err) MO_MUST_CHECK;

/* Starts serving on the daemon's threads until http_stop.  MO_EIO when the
 * daemon cannot start. */
mo_rc http_start(struct http *h, struct mo_err *err) MO_MUST_CHECK;

/* The port listened on (the real one when the config asked for 0). */
unsigned http_port(const struct http *h);

/* Stops gracefully: stops accepting connections, lets the requests already
 * being handled finish and their responses go out (at most grace_s seconds),
 * then closes every connection.  Idempotent. */
void http_stop(struct http *h, unsigned grace_s);

/* Stops (grace HTTP_STOP_GRACE_S) if still running, closes the socket and
 * frees; h may be NULL. */
void http_free(struct http *h);

#endif
