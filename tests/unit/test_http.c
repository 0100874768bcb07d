/*
 * test_http.c — the HTTP front over real sockets on loopback, driven with
 * libcurl and raw sockets: query arguments, bodies, the router's refusals,
 * the body cap, connection limits, a slowloris client, streamed bodies,
 * response headers, graceful stop; and the text helpers as tables.
 */
/* cmocka needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http.h"
#include "http_text.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TEST_MAX_BODY (64 * 1024)
#define TEST_TIMEOUT_S 2
#define TEST_REPLY_MAX (64 * 1024 * 1024)
#define TEST_HUGE_BODY (100L * 1024 * 1024)
#define TEST_SLOW_MS 1500

/* ---- the server under test ---- */

struct srv {
    struct http *h;
    char base[64];
    struct log log;
    atomic_int slow_entered;
    atomic_int stream_freed;
    atomic_size_t stream_peak; /* largest capacity of a streamed part buffer */
};

static void echo(void *ctx, const struct http_request *req, struct http_response *resp)
{
    struct buf *b = &resp->body;
    const char *a = http_request_arg(req, "a");
    const char *host = http_request_header(req, "host");
    const char *lang = http_request_header(req, "Accept-Language");
    const char *type = http_request_header(req, "CONTENT-TYPE");
    int ok = buf_printf(b, "method=%s\npath=%s\nclient=%s\nn_args=%zu\n", req->method_name,
                        req->path, req->client, req->n_args) == MO_OK;
    for (size_t i = 0; ok && i < req->n_args; i++)
        ok = buf_printf(b, "arg=%s=%s\n", req->args[i].key, req->args[i].value) == MO_OK;
    ok =
        ok && buf_printf(b, "a=%s\na_count=%zu\nhost=%s\nlang=%s\ntype=%s\nbody_len=%zu\nbody=",
                         a ? a : "(null)", http_request_arg_count(req, "a"), host ? host : "(null)",
                         lang ? lang : "(null)", type ? type : "(null)", req->body_len) == MO_OK;
    ok = ok && buf_append(b, req->body, req->body_len) == MO_OK;
    resp->status = ok ? 200 : 500;
}

static void slow(void *ctx, const struct http_request *req, struct http_response *resp)
{
    struct srv *s = ctx;
    atomic_store(&s->slow_entered, 1);
    usleep(TEST_SLOW_MS * 1000);
    assert_int_equal(buf_append_str(&resp->body, "slow done"), MO_OK);
    resp->status = 200;
}

static void nostatus(void *ctx, const struct http_request *req, struct http_response *resp)
{
    assert_int_equal(buf_append_str(&resp->body, "forgot the status"), MO_OK);
}

/* Tries what a careless handler might do with headers; reports each rc. */
static void headers(void *ctx, const struct http_request *req, struct http_response *resp)
{
    char name[32];
    mo_rc injection = http_response_add_header(resp, "X-Test", "a\r\nSet-Cookie: evil=1");
    mo_rc bad_name = http_response_add_header(resp, "X Test", "v");
    mo_rc bad_type = http_response_set_type(resp, "text/html\r\nX-Evil: 1");
    mo_rc csp = http_response_add_header(resp, "Content-Security-Policy", "default-src 'self'");
    mo_rc cache = http_response_add_header(resp, "Cache-Control", "max-age=60");
    mo_rc again = http_response_add_header(resp, "cache-control", "no-store");
    mo_rc managed = http_response_add_header(resp, "content-length", "1");
    mo_rc type = http_response_add_header(resp, "Content-Type", "application/xml; charset=UTF-8");
    mo_rc many = MO_OK;
    for (int i = 0; i < HTTP_MAX_RESPONSE_HEADERS && many == MO_OK; i++) {
        snprintf(name, sizeof name, "X-Many-%d", i);
        many = http_response_add_header(resp, name, "1");
    }
    assert_int_equal(buf_printf(&resp->body,
                                "injection=%d bad_name=%d bad_type=%d csp=%d cache=%d again=%d "
                                "managed=%d type=%d many=%d\n",
                                injection, bad_name, bad_type, csp, cache, again, managed, type,
                                many),
                     MO_OK);
    resp->status = 200;
}

struct stream_state {
    struct srv *s;
    long parts, size, fail_at, i;
};

static enum http_stream_status stream_next(void *state, struct buf *out)
{
    struct stream_state *st = state;
    if (st->i == st->fail_at)
        return HTTP_STREAM_ERROR;
    char fill = (char)('a' + st->i % 26);
    for (long k = 0; k < st->size; k++)
        if (buf_append(out, &fill, 1) != MO_OK)
            return HTTP_STREAM_ERROR;
    size_t peak = atomic_load(&st->s->stream_peak);
    while (out->cap > peak && !atomic_compare_exchange_weak(&st->s->stream_peak, &peak, out->cap))
        ;
    st->i++;
    return st->i == st->parts ? HTTP_STREAM_END : HTTP_STREAM_MORE;
}

static void stream_free(void *state)
{
    struct stream_state *st = state;
    atomic_fetch_add(&st->s->stream_freed, 1);
    free(st);
}

static long arg_long(const struct http_request *req, const char *key, long dflt)
{
    const char *v = http_request_arg(req, key);
    return v ? atol(v) : dflt;
}

static void stream(void *ctx, const struct http_request *req, struct http_response *resp)
{
    struct stream_state *st = calloc(1, sizeof *st);
    assert_non_null(st);
    st->s = ctx;
    st->parts = arg_long(req, "parts", 10);
    st->size = arg_long(req, "size", 1000);
    st->fail_at = arg_long(req, "fail_at", -1);
    resp->status = 200;
    http_response_stream(resp, stream_next, st, stream_free);
}

static const char *const xml_types[] = {"application/xml", "text/xml", NULL};

static const struct http_route routes[] = {
    {"/echo", 0, HTTP_GET | HTTP_POST, NULL, echo},
    {"/xml", 0, HTTP_POST, xml_types, echo},
    {"/tree", 1, HTTP_GET, NULL, echo},
    {"/slow", 0, HTTP_GET, NULL, slow},
    {"/nostatus", 0, HTTP_GET, NULL, nostatus},
    {"/headers", 0, HTTP_GET, NULL, headers},
    {"/stream", 0, HTTP_GET, NULL, stream},
};

static void test_limits(struct http_limits *l)
{
    http_limits_default(l);
    l->threads = 2;
    l->max_connections = 64;
    l->max_per_ip = 16;
    l->timeout_s = TEST_TIMEOUT_S;
    l->max_body = TEST_MAX_BODY;
}

static struct srv *srv_start(const struct http_limits *limits)
{
    struct srv *s = calloc(1, sizeof *s);
    struct mo_err err = {0};
    assert_non_null(s);
    s->log.level = getenv("MOISSON_TEST_VERBOSE") ? LOG_DEBUG : LOG_ERROR;
    struct http_config cfg = {.address = "127.0.0.1",
                              .port = 0,
                              .limits = *limits,
                              .routes = routes,
                              .n_routes = sizeof routes / sizeof routes[0],
                              .ctx = s,
                              .log = &s->log};
    if (http_new(&cfg, &s->h, &err) != MO_OK || http_start(s->h, &err) != MO_OK)
        fail_msg("could not start the server: %s", err.msg);
    assert_true(http_port(s->h) > 0);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%u", http_port(s->h));
    return s;
}

static void srv_free(struct srv *s)
{
    http_free(s->h);
    free(s);
}

static int setup_default(void **state)
{
    struct http_limits l;
    test_limits(&l);
    *state = srv_start(&l);
    return 0;
}

static int teardown_srv(void **state)
{
    srv_free(*state);
    return 0;
}

/* ---- the client ---- */

struct call {
    const char *method; /* NULL: GET, or POST when body is set */
    const char *path;   /* path and query, as sent */
    const char *type;   /* Content-Type; NULL: none */
    const char *body;
    size_t body_len;
    const char *iface; /* local address to connect from */
    const char *header;
    long timeout_s; /* 0: 20 s */
};

struct reply {
    CURLcode rc;
    long status;
    struct buf head;
    struct buf body;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    return buf_append(ud, p, size * n) == MO_OK ? size * n : 0;
}

static void reply_free(struct reply *r)
{
    buf_free(&r->head);
    buf_free(&r->body);
}

static void call(struct srv *s, const struct call *c, struct reply *r)
{
    struct curl_slist *hdrs = NULL;
    CURL *curl = curl_easy_init();
    char *url = NULL;
    assert_non_null(curl);
    assert_true(asprintf(&url, "%s%s", s->base, c->path) > 0);
    buf_init(&r->head, TEST_REPLY_MAX);
    buf_init(&r->body, TEST_REPLY_MAX);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, c->timeout_s ? c->timeout_s : 20L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r->head);
    if (c->body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)c->body_len);
    }
    if (c->method && !strcmp(c->method, "HEAD"))
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    else if (c->method)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, c->method);
    if (c->iface)
        curl_easy_setopt(curl, CURLOPT_INTERFACE, c->iface);
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (c->type) {
        char h[256];
        snprintf(h, sizeof h, "Content-Type: %s", c->type);
        hdrs = curl_slist_append(hdrs, h);
    } else {
        hdrs = curl_slist_append(hdrs, "Content-Type:");
    }
    if (c->header)
        hdrs = curl_slist_append(hdrs, c->header);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    r->rc = curl_easy_perform(curl);
    r->status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    free(url);
}

static void get(struct srv *s, const char *path, struct reply *r)
{
    struct call c = {.path = path};
    call(s, &c, r);
}

static void assert_has(const struct buf *b, const char *needle)
{
    if (!b->data || !strstr(b->data, needle))
        fail_msg("\"%s\" not found in:\n%s", needle, b->data ? b->data : "(empty)");
}

/* A raw TCP connection to the server from src (NULL: any). */
static int raw_connect(struct srv *s, const char *src)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)http_port(s->h))};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (src) {
        struct sockaddr_in from = {.sin_family = AF_INET};
        inet_pton(AF_INET, src, &from.sin_addr);
        assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof from), 0);
    }
    assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof to), 0);
    return fd;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads fd until the server closes it; returns the time that took in ms,
 * or -1 when it stayed open for timeout_ms.  What was read goes to got. */
static long wait_closed(int fd, long timeout_ms, struct buf *got)
{
    long start = now_ms();
    char tmp[4096];
    for (;;) {
        long left = timeout_ms - (now_ms() - start);
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            return -1;
        ssize_t n = recv(fd, tmp, sizeof tmp, 0);
        if (n <= 0)
            return now_ms() - start;
        if (got)
            assert_int_equal(buf_append(got, tmp, (size_t)n), MO_OK);
    }
}

/* ---- queries and bodies ---- */

static void test_get_args(void **state)
{
    struct reply r;
    get(*state,
        "/echo?a=1&B=x%20y&A=2&c=%C3%A9t%C3%A9&flag&e=a+b&empty=&k%3Dq=v%26w&service=CSW&a=3", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_has(&r.body, "method=GET\npath=/echo\nclient=127.0.0.1\nn_args=10\n"
                        "arg=a=1\narg=B=x y\narg=A=2\narg=c=\xc3\xa9t\xc3\xa9\narg=flag=\n"
                        "arg=e=a b\narg=empty=\narg=k=q=v&w\narg=service=CSW\narg=a=3\n");
    /* the lookup is case-insensitive and returns the first; the count sees
     * every spelling */
    assert_has(&r.body, "a=1\na_count=3\n");
    reply_free(&r);
}

static void test_headers_lookup(void **state)
{
    struct call c = {.path = "/echo", .header = "Accept-Language: fr-FR, en;q=0.5"};
    struct reply r;
    call(*state, &c, &r);
    assert_int_equal(r.status, 200);
    assert_has(&r.body, "host=127.0.0.1:");
    assert_has(&r.body, "lang=fr-FR, en;q=0.5\n");
    assert_has(&r.body, "type=(null)\n");
    reply_free(&r);
}

static void test_post_bodies(void **state)
{
    static const char xml[] =
        "<csw:GetRecords xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\"/>";
    static const char binary[] = {'x', '\0', 'y', '\0'};
    struct reply r;
    struct call c = {.path = "/xml",
                     .type = "application/xml; charset=UTF-8",
                     .body = xml,
                     .body_len = sizeof xml - 1};
    call(*state, &c, &r);
    assert_int_equal(r.status, 200);
    assert_has(&r.body, "method=POST\npath=/xml\n");
    assert_has(&r.body, "type=application/xml; charset=UTF-8\n");
    assert_has(&r.body, "body_len=66\nbody=<csw:GetRecords xmlns:csw=");
    reply_free(&r);

    /* bytes with NULs arrive whole; body_len says how many */
    struct call cb = {.path = "/echo?a=q",
                      .type = "application/octet-stream",
                      .body = binary,
                      .body_len = sizeof binary};
    call(*state, &cb, &r);
    assert_int_equal(r.status, 200);
    assert_has(&r.body, "a=q\n");
    assert_has(&r.body, "body_len=4\n");
    assert_true(r.body.len >= 4 && memcmp(r.body.data + r.body.len - 4, binary, 4) == 0);
    reply_free(&r);

    /* a body exactly at the cap is taken */
    char *full = malloc(TEST_MAX_BODY);
    assert_non_null(full);
    memset(full, 'z', TEST_MAX_BODY);
    struct call cf = {
        .path = "/echo", .type = "text/plain", .body = full, .body_len = TEST_MAX_BODY};
    call(*state, &cf, &r);
    assert_int_equal(r.status, 200);
    assert_has(&r.body, "body_len=65536\n");
    reply_free(&r);

    /* one byte more, even on a GET: 413 before anything is allocated */
    struct call over = {.method = "GET",
                        .path = "/echo",
                        .type = "text/plain",
                        .body = full,
                        .body_len = TEST_MAX_BODY + 1};
    full = realloc(full, TEST_MAX_BODY + 1);
    assert_non_null(full);
    full[TEST_MAX_BODY] = 'z';
    over.body = full;
    call(*state, &over, &r);
    assert_int_equal(r.status, 413);
    assert_has(&r.body, "request body of 65537 bytes is over the limit of 65536 bytes");
    reply_free(&r);
    free(full);
}

/* ---- what the router answers itself: one row per case ---- */

struct route_case {
    const char *method;
    const char *path;
    const char *type;
    const char *body;
    long status;
    const char *expect; /* in the body, or "" */
};

static const struct route_case route_cases[] = {
    {NULL, "/nope", NULL, NULL, 404, "no such path \"/nope\""},
    {NULL, "/echox", NULL, NULL, 404, "no such path"},
    {NULL, "/echo/", NULL, NULL, 404, "no such path"},
    {NULL, "/treex", NULL, NULL, 404, "no such path"},
    {NULL, "/tree", NULL, NULL, 200, "path=/tree\n"},
    {NULL, "/tree/a%20b/c", NULL, NULL, 200, "path=/tree/a b/c\n"},
    {NULL, "/ech%6F", NULL, NULL, 200, "path=/echo\n"},
    {NULL, "/echo%0A%22x", NULL, NULL, 404, "no such path \"/echo??x\""},
    {"PUT", "/echo", "text/plain", "x", 405,
     "method \"PUT\" is not allowed here (allowed: GET, "
     "HEAD, POST)"},
    {"DELETE", "/echo", NULL, NULL, 405, "\"DELETE\""},
    {"OPTIONS", "/echo", NULL, NULL, 405, "not allowed"},
    {"GET", "/xml", NULL, NULL, 405, "(allowed: POST)"},
    {"POST", "/tree/x", "text/plain", "x", 405, "(allowed: GET, HEAD)"},
    {"POST", "/xml", "text/plain", "<a/>", 415, "unsupported content type \"text/plain\""},
    {"POST", "/xml", NULL, "<a/>", 415, "unsupported content type \"\""},
    {"POST", "/xml", "TEXT/XML ; charset=utf-8", "<a/>", 200, "body=<a/>"},
    {"POST", "/xml", "application/xml+evil", "<a/>", 415, "unsupported"},
    {"HEAD", "/echo", NULL, NULL, 200, ""},
    {NULL, "/echo%00x", NULL, NULL, 400, "bad path \"/echo?x\": not valid percent-encoded UTF-8"},
    {NULL, "/%C3%28", NULL, NULL, 400, "bad path"},
    {NULL, "/%ED%A0%80", NULL, NULL, 400, "bad path"}, /* a UTF-16 surrogate */
    {NULL, "/%C0%AF", NULL, NULL, 400, "bad path"},    /* overlong '/' */
    {NULL, "/echo?q=%FF", NULL, NULL, 400, "query argument \"q\" is not valid"},
    {NULL, "/echo?%00=1", NULL, NULL, 400, "query argument"},
    {NULL, "/echo?q=%00", NULL, NULL, 400, "query argument \"q\""},
    {NULL, "/echo?q=%E2%82", NULL, NULL, 400, "query argument \"q\""},
    {NULL, "/echo?q=100%", NULL, NULL, 200, "arg=q=100%\n"},
    {NULL, "/echo?q=%zz", NULL, NULL, 200, "arg=q=%zz\n"},
    {NULL, "/nostatus", NULL, NULL, 500, "internal error"},
};

static void test_router_table(void **state)
{
    for (size_t i = 0; i < sizeof route_cases / sizeof route_cases[0]; i++) {
        const struct route_case *rc = &route_cases[i];
        struct call c = {.method = rc->method,
                         .path = rc->path,
                         .type = rc->type,
                         .body = rc->body,
                         .body_len = rc->body ? strlen(rc->body) : 0};
        struct reply r;
        call(*state, &c, &r);
        if (r.rc != CURLE_OK || r.status != rc->status)
            fail_msg("case %zu %s %s: curl %d, status %ld (wanted %ld)\n%s", i,
                     rc->method ? rc->method : "GET", rc->path, r.rc, r.status, rc->status,
                     r.body.data ? r.body.data : "");
        assert_has(&r.head, "X-Content-Type-Options: nosniff");
        if (rc->status == 405)
            assert_has(&r.head, "Allow: ");
        if (rc->expect[0])
            assert_has(&r.body, rc->expect);
        reply_free(&r);
    }
}

static void test_too_many_args_and_long_url(void **state)
{
    struct buf path;
    struct reply r;
    buf_init(&path, 1024 * 1024);
    assert_int_equal(buf_append_str(&path, "/echo?"), MO_OK);
    for (int i = 0; i <= HTTP_MAX_ARGS; i++)
        assert_int_equal(buf_printf(&path, "k%d=v&", i), MO_OK);
    get(*state, path.data, &r);
    assert_int_equal(r.status, 400);
    assert_has(&r.body, "too many query arguments (more than 256)");
    reply_free(&r);

    /* a request line past the connection's memory: libmicrohttpd answers 414
     * and closes (the client may see the reset before the answer) */
    buf_reset(&path);
    assert_int_equal(buf_append_str(&path, "/echo?q="), MO_OK);
    for (int i = 0; i < 2 * HTTP_MAX_CONNECTION_MEMORY; i++)
        assert_int_equal(buf_append(&path, "x", 1), MO_OK);
    get(*state, path.data, &r);
    if (r.rc == CURLE_OK && r.status != 414 && r.status != 431)
        fail_msg("long request line: status %ld", r.status);
    reply_free(&r);
    buf_free(&path);

    /* the server still serves */
    get(*state, "/echo?a=ok", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

/* ---- the body cap ---- */

struct upload {
    long sent;
    long total;
};

static size_t upload_read(char *p, size_t size, size_t n, void *ud)
{
    struct upload *u = ud;
    size_t room = size * n;
    long left = u->total - u->sent;
    if ((long)room > left)
        room = (size_t)left;
    memset(p, 'u', room);
    u->sent += (long)room;
    return room;
}

/* A POST whose body is produced by a callback: announced (Content-Length)
 * or chunked.  Returns curl's result; *status and *sent are filled. */
static CURLcode upload(struct srv *s, long total, int chunked, long *status, long *sent)
{
    char url[128];
    struct upload u = {0, total};
    struct buf body;
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: text/plain");
    if (chunked)
        hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
    CURL *curl = curl_easy_init();
    buf_init(&body, TEST_REPLY_MAX);
    snprintf(url, sizeof url, "%s/echo", s->base);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, upload_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    if (!chunked)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)total);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    CURLcode rc = curl_easy_perform(curl);
    *status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    *sent = u.sent;
    if (*status == 413)
        assert_has(&body, "request body of 104857600 bytes is over the limit of 65536 bytes");
    buf_free(&body);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    return rc;
}

static void test_body_over_cap(void **state)
{
    struct srv *s = *state;
    long status, sent;

    /* announced: 413 at once; curl (Expect: 100-continue) sends little or nothing */
    upload(s, TEST_HUGE_BODY, 0, &status, &sent);
    assert_int_equal(status, 413);
    assert_true(sent < TEST_HUGE_BODY / 10);

    /* a raw client that announces 100 MB and starts sending without waiting:
     * it gets 413 and the connection is closed, long before 100 MB */
    int fd = raw_connect(s, NULL);
    static const char head[] = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
                               "Content-Length: 104857600\r\n\r\n";
    assert_int_equal(send(fd, head, sizeof head - 1, MSG_NOSIGNAL), (ssize_t)(sizeof head - 1));
    char chunk[16384];
    memset(chunk, 'x', sizeof chunk);
    long pushed = 0;
    for (int i = 0; i < 64; i++) { /* at most 1 MiB, until the server closes */
        ssize_t n = send(fd, chunk, sizeof chunk, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0)
            break;
        pushed += n;
    }
    struct buf got;
    buf_init(&got, 1024 * 1024);
    assert_true(wait_closed(fd, 5000, &got) >= 0);
    assert_non_null(got.data);
    assert_true(strncmp(got.data, "HTTP/1.1 413", 12) == 0);
    assert_true(pushed <= 1024 * 1024);
    buf_free(&got);
    close(fd);

    /* chunked (no size announced): cut once past the cap, no 200 */
    CURLcode rc = upload(s, 1024 * 1024, 1, &status, &sent);
    assert_true(rc != CURLE_OK || status != 200);
    assert_true(status != 200);

    /* and the server still serves */
    struct reply r;
    get(s, "/echo?a=after", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

/* ---- connection limits ---- */

static void test_per_ip_limit(void **state)
{
    struct http_limits l;
    test_limits(&l);
    l.max_per_ip = 3;
    struct srv *s = srv_start(&l);
    int fds[3];
    struct reply r;
    for (int i = 0; i < 3; i++)
        fds[i] = raw_connect(s, "127.0.0.1");
    usleep(300 * 1000); /* the daemon accepts them */

    struct call mine = {.path = "/echo", .iface = "127.0.0.1"};
    call(s, &mine, &r);
    assert_true(r.rc != CURLE_OK); /* the fourth from this address is closed at once */
    reply_free(&r);

    struct call other = {.path = "/echo?a=other", .iface = "127.0.0.2"};
    call(s, &other, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_has(&r.body, "client=127.0.0.2\n");
    reply_free(&r);

    close(fds[0]);
    usleep(300 * 1000);
    call(s, &mine, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    close(fds[1]);
    close(fds[2]);
    srv_free(s);
}

/* At the total limit the daemon stops accepting: a new client waits in the
 * listen queue (bounded by HTTP_LISTEN_BACKLOG) until a connection closes. */
static void test_total_limit(void **state)
{
    struct http_limits l;
    test_limits(&l);
    l.threads = 1; /* the daemon splits the total between its threads */
    l.max_connections = 3;
    l.max_per_ip = 3;
    l.timeout_s = 30; /* the idle connections below must not time out */
    struct srv *s = srv_start(&l);
    int fds[3] = {raw_connect(s, "127.0.0.3"), raw_connect(s, "127.0.0.4"),
                  raw_connect(s, "127.0.0.5")};
    usleep(300 * 1000);
    struct reply r;
    struct call waits = {.path = "/echo", .iface = "127.0.0.2", .timeout_s = 1};
    call(s, &waits, &r);
    assert_int_equal(r.rc, CURLE_OPERATION_TIMEDOUT);
    reply_free(&r);
    struct call c = {.path = "/echo", .iface = "127.0.0.2"};
    close(fds[0]);
    usleep(300 * 1000);
    call(s, &c, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    close(fds[1]);
    close(fds[2]);
    srv_free(s);
}

/* ---- slowloris ---- */

static void test_slowloris_times_out(void **state)
{
    struct srv *s = *state;
    int slow_fds[3];
    static const char half[] = "GET /ech";
    for (int i = 0; i < 3; i++) {
        slow_fds[i] = raw_connect(s, NULL);
        assert_int_equal(send(slow_fds[i], half, sizeof half - 1, MSG_NOSIGNAL),
                         (ssize_t)(sizeof half - 1));
    }
    /* another client is served meanwhile, at once */
    long start = now_ms();
    struct reply r;
    get(s, "/echo?a=meanwhile", &r);
    assert_int_equal(r.status, 200);
    assert_true(now_ms() - start < 1500);
    reply_free(&r);
    /* the half request is dropped after the inactivity timeout */
    for (int i = 0; i < 3; i++) {
        long took = wait_closed(slow_fds[i], (TEST_TIMEOUT_S + 4) * 1000L, NULL);
        assert_true(took >= 0);
        close(slow_fds[i]);
    }
    assert_true(now_ms() - start >= (TEST_TIMEOUT_S - 1) * 1000L);
    assert_true(now_ms() - start <= (TEST_TIMEOUT_S + 4) * 1000L);
}

/* ---- streamed bodies ---- */

struct counted {
    long bytes;
    long bad; /* bytes out of the expected sequence */
    long stop_at;
    long part; /* part size, to check the fill */
};

static size_t on_counted(char *p, size_t size, size_t n, void *ud)
{
    struct counted *c = ud;
    for (size_t i = 0; i < size * n; i++) {
        long pos = c->bytes + (long)i;
        if (p[i] != (char)('a' + (pos / c->part) % 26))
            c->bad++;
    }
    c->bytes += (long)(size * n);
    if (c->stop_at && c->bytes >= c->stop_at)
        return 0;
    return size * n;
}

static CURLcode get_counted(struct srv *s, const char *path, struct counted *c, long *status)
{
    char url[256];
    CURL *curl = curl_easy_init();
    snprintf(url, sizeof url, "%s%s", s->base, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_counted);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(curl);
    return rc;
}

static void wait_freed(struct srv *s, int want)
{
    for (int i = 0; i < 200 && atomic_load(&s->stream_freed) < want; i++)
        usleep(10000);
    assert_int_equal(atomic_load(&s->stream_freed), want);
}

static void test_stream(void **state)
{
    struct srv *s = *state;
    long status = 0;

    /* 400 parts of 64 KiB: 25 MiB through one part buffer */
    struct counted c = {.part = 65536};
    assert_int_equal(get_counted(s, "/stream?parts=400&size=65536", &c, &status), CURLE_OK);
    assert_int_equal(status, 200);
    assert_int_equal(c.bytes, 400L * 65536);
    assert_int_equal(c.bad, 0);
    assert_true(atomic_load(&s->stream_peak) <= 2 * 65536 + 1); /* flat: one part at a time */
    wait_freed(s, 1);

    /* the client goes away after 1 MiB: the state is freed all the same */
    struct counted gone = {.part = 65536, .stop_at = 1024 * 1024};
    assert_int_equal(get_counted(s, "/stream?parts=400&size=65536", &gone, &status),
                     CURLE_WRITE_ERROR);
    wait_freed(s, 2);

    /* the producer fails on part 3: the body is cut, the client knows */
    struct counted cut = {.part = 1000};
    CURLcode rc = get_counted(s, "/stream?parts=10&size=1000&fail_at=3", &cut, &status);
    assert_true(rc != CURLE_OK);
    assert_true(cut.bytes <= 3000);
    wait_freed(s, 3);

    /* an empty streamed body */
    struct counted none = {.part = 1};
    assert_int_equal(get_counted(s, "/stream?parts=1&size=0", &none, &status), CURLE_OK);
    assert_int_equal(none.bytes, 0);
    wait_freed(s, 4);
}

/* ---- response headers ---- */

static void test_response_headers(void **state)
{
    struct reply r;
    get(*state, "/headers", &r);
    assert_int_equal(r.status, 200);
    assert_has(&r.body, "injection=9 bad_name=9 bad_type=9 csp=0 cache=0 again=0 managed=9 type=0 "
                        "many=8");
    assert_has(&r.head, "Content-Type: application/xml; charset=UTF-8\r\n");
    assert_has(&r.head, "X-Content-Type-Options: nosniff\r\n");
    assert_has(&r.head, "Content-Security-Policy: default-src 'self'\r\n");
    assert_null(strstr(r.head.data, "default-src 'none'")); /* the handler's replaced ours */
    assert_has(&r.head, "Cache-Control: no-store\r\n");
    assert_null(strstr(r.head.data, "max-age=60"));
    assert_null(strstr(r.head.data, "evil"));
    assert_null(strstr(r.head.data, "Set-Cookie"));
    reply_free(&r);

    get(*state, "/echo", &r);
    assert_has(&r.head, "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'");
    reply_free(&r);
}

/* ---- graceful stop ---- */

struct in_flight {
    struct srv *s;
    struct reply r;
};

static void *slow_client(void *arg)
{
    struct in_flight *f = arg;
    get(f->s, "/slow", &f->r);
    return NULL;
}

struct stopper {
    struct srv *s;
    long took_ms;
};

static void *stop_server(void *arg)
{
    struct stopper *st = arg;
    long start = now_ms();
    http_stop(st->s->h, 5);
    st->took_ms = now_ms() - start;
    return NULL;
}

static void test_graceful_stop(void **state)
{
    struct http_limits l;
    test_limits(&l);
    struct srv *s = srv_start(&l);
    struct in_flight f = {.s = s};
    struct stopper st = {.s = s};
    pthread_t client, stopper;

    assert_int_equal(pthread_create(&client, NULL, slow_client, &f), 0);
    for (int i = 0; i < 500 && !atomic_load(&s->slow_entered); i++)
        usleep(10000);
    assert_true(atomic_load(&s->slow_entered));
    assert_int_equal(pthread_create(&stopper, NULL, stop_server, &st), 0);

    /* while stopping: a new client's connection is closed at once, with no
     * answer (the first tries may come before the stopper thread ran) */
    CURLcode refused = CURLE_OK;
    for (int i = 0; i < 20 && refused == CURLE_OK; i++) {
        struct reply r;
        usleep(50 * 1000);
        get(s, "/echo", &r);
        refused = r.rc;
        reply_free(&r);
    }
    assert_true(refused == CURLE_GOT_NOTHING || refused == CURLE_RECV_ERROR ||
                refused == CURLE_SEND_ERROR || refused == CURLE_COULDNT_CONNECT);

    pthread_join(stopper, NULL);
    pthread_join(client, NULL);
    /* the request in flight completed */
    assert_int_equal(f.r.rc, CURLE_OK);
    assert_int_equal(f.r.status, 200);
    assert_string_equal(f.r.body.data, "slow done");
    assert_has(&f.r.head, "Connection: close");
    reply_free(&f.r);
    assert_true(st.took_ms >= TEST_SLOW_MS / 2);
    assert_true(st.took_ms < 5000);
    http_stop(s->h, 5); /* idempotent */
    srv_free(s);
}

/* ---- configuration errors ---- */

static void test_bad_config(void **state)
{
    struct srv *s = *state;
    struct http *h = NULL;
    struct mo_err err = {0};
    struct http_config cfg = {
        .address = "127.0.0.1", .port = http_port(s->h), .routes = routes, .n_routes = 1};
    http_limits_default(&cfg.limits);

    assert_int_equal(http_new(&cfg, &h, &err), MO_EIO);
    assert_null(h);
    assert_non_null(strstr(err.msg, "could not listen on 127.0.0.1:"));
    assert_non_null(strstr(err.msg, "Address already in use"));

    cfg.port = 0;
    cfg.address = "localhost";
    assert_int_equal(http_new(&cfg, &h, &err), MO_EBADREQ);
    assert_string_equal(err.msg, "bad listen address \"localhost\": not a numeric IP address");

    cfg.address = "127.0.0.1";
    cfg.limits.threads = 0;
    assert_int_equal(http_new(&cfg, &h, &err), MO_EBADREQ);
    assert_non_null(strstr(err.msg, "bad thread count 0"));

    /* IPv6 loopback, when the machine has it */
    http_limits_default(&cfg.limits);
    cfg.limits.threads = 1;
    cfg.address = "::1";
    mo_rc rc = http_new(&cfg, &h, &err);
    if (rc == MO_OK) {
        assert_int_equal(http_start(h, &err), MO_OK);
        assert_true(http_port(h) > 0);
        http_free(h);
    } else {
        print_message("no IPv6 loopback here: %s\n", err.msg);
    }
}

/* ---- without a socket: what handler tests do ---- */

static void test_request_by_hand(void **state)
{
    const struct http_pair args[] = {
        {"REQUEST", "GetRecords"}, {"typeNames", "csw:Record"}, {"request", "again"}};
    const struct http_pair hdrs[] = {{"Accept-Language", "fr"}};
    struct http_request req = {.method = HTTP_GET,
                               .method_name = "GET",
                               .path = "/csw",
                               .args = args,
                               .n_args = 3,
                               .headers = hdrs,
                               .n_headers = 1,
                               .body = "",
                               .client = ""};
    assert_string_equal(http_request_arg(&req, "request"), "GetRecords");
    assert_string_equal(http_request_arg(&req, "TYPENAMES"), "csw:Record");
    assert_int_equal(http_request_arg_count(&req, "Request"), 2);
    assert_int_equal(http_request_arg_count(&req, "nope"), 0);
    assert_null(http_request_arg(&req, "nope"));
    assert_string_equal(http_request_header(&req, "accept-language"), "fr");
    assert_null(http_request_header(&req, "Host"));

    struct http_response resp;
    http_response_init(&resp);
    assert_int_equal(resp.status, 0);
    assert_string_equal(resp.content_type, "text/plain; charset=utf-8");
    http_response_error(&resp, 400, "bad \"%s\"", "x");
    assert_int_equal(resp.status, 400);
    assert_string_equal(resp.body.data, "bad \"x\"\n");
    /* a stream never sent is freed by the response */
    struct srv dummy = {0};
    struct stream_state *st = calloc(1, sizeof *st);
    assert_non_null(st);
    st->s = &dummy;
    http_response_stream(&resp, stream_next, st, stream_free);
    http_response_clear(&resp);
    assert_int_equal(atomic_load(&dummy.stream_freed), 1);
}

/* ---- the text helpers, as tables ---- */

struct utf8_case {
    const char *s;
    size_t len;
    int ok;
};

static void test_text_utf8(void **state)
{
    static const struct utf8_case cases[] = {
        {"", 0, 1},
        {"plain", 5, 1},
        {"\xc3\xa9t\xc3\xa9", 5, 1},
        {"\xe2\x82\xac", 3, 1},         /* euro sign */
        {"\xf0\x9f\x8c\xbe", 4, 1},     /* ear of rice, 4 bytes */
        {"\xf4\x8f\xbf\xbf", 4, 1},     /* U+10FFFF */
        {"a\0b", 3, 0},                 /* NUL */
        {"\xff", 1, 0},                 /* our marker for %00 */
        {"\xc3", 1, 0},                 /* truncated */
        {"\xc3\x28", 2, 0},             /* bad continuation */
        {"\xc0\xaf", 2, 0},             /* overlong */
        {"\xe0\x80\xaf", 3, 0},         /* overlong */
        {"\xed\xa0\x80", 3, 0},         /* surrogate */
        {"\xf4\x90\x80\x80", 4, 0},     /* past U+10FFFF */
        {"\xf8\x88\x80\x80\x80", 5, 0}, /* 5 bytes */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (http_text_utf8_ok(cases[i].s, cases[i].len) != cases[i].ok)
            fail_msg("utf8 case %zu: wanted %d", i, cases[i].ok);
}

struct unescape_case {
    const char *in;
    const char *out;
    size_t len;
};

static void test_text_unescape(void **state)
{
    static const struct unescape_case cases[] = {
        {"", "", 0},         {"a%20b", "a b", 3},   {"%2F%2f", "//", 2}, {"a+b", "a+b", 3},
        {"100%", "100%", 4}, {"%zz%4", "%zz%4", 5}, {"%00", "\xff", 1},  {"%C3%A9", "\xc3\xa9", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char s[64];
        snprintf(s, sizeof s, "%s", cases[i].in);
        size_t n = http_text_unescape(s);
        if (n != cases[i].len || memcmp(s, cases[i].out, n + 1) != 0)
            fail_msg("unescape case %zu \"%s\": got \"%s\" (%zu)", i, cases[i].in, s, n);
    }
}

struct quote_case {
    const char *in;
    size_t size;
    const char *out;
};

static void test_text_quote_and_types(void **state)
{
    static const struct quote_case cases[] = {
        {"plain", 64, "plain"},
        {"a\"b\\c\nd\x7f", 64, "a?b?c?d?"},
        {"\xc3\xa9t\xc3\xa9", 64, "\xc3\xa9t\xc3\xa9"},
        {"bad\xff\xc3", 64, "bad??"},
        {"abcdefghij", 8, "abcd..."},
        {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 9, "\xc3\xa9\xc3\xa9..."}, /* cut between characters */
        {"abc", 3, ""},
        {NULL, 8, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[HTTP_TEXT_QUOTE_MAX];
        http_text_quote(cases[i].in, out, cases[i].size);
        if (strcmp(out, cases[i].out) != 0)
            fail_msg("quote case %zu: got \"%s\", wanted \"%s\"", i, out, cases[i].out);
    }
    char big[1000], out[HTTP_TEXT_QUOTE_MAX * 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    http_text_quote(big, out, sizeof out);
    assert_true(strlen(out) < HTTP_TEXT_QUOTE_MAX);

    static const char *const xml[] = {"application/xml", "text/xml", NULL};
    assert_true(http_text_media_type_in("application/xml", xml));
    assert_true(http_text_media_type_in("  Text/XML;charset=utf-8", xml));
    assert_false(http_text_media_type_in("application/xmlx", xml));
    assert_false(http_text_media_type_in("application/json", xml));
    assert_false(http_text_media_type_in("", xml));
    assert_false(http_text_media_type_in(NULL, xml));
    assert_true(http_text_token_ok("Content-Security-Policy"));
    assert_false(http_text_token_ok("Bad Name"));
    assert_false(http_text_token_ok("Bad:Name"));
    assert_false(http_text_token_ok(""));
    assert_true(http_text_value_ok("default-src 'none'\tx"));
    assert_false(http_text_value_ok("a\r\nb"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_utf8),
        cmocka_unit_test(test_text_unescape),
        cmocka_unit_test(test_text_quote_and_types),
        cmocka_unit_test(test_request_by_hand),
        cmocka_unit_test_setup_teardown(test_get_args, setup_default, teardown_srv),
        cmocka_unit_test_setup_teardown(test_headers_lookup, setup_default, teardown_srv),
        cmocka_unit_test_setup_teardown(test_post_bodies, setup_default, teardown_srv),
        cmocka_unit_test_setup_teardown(test_router_table, setup_default, teardown_srv),
        cmocka_unit_test_setup_teardown(test_too_many_args_and_long_url, setup_default,
                                        teardown_srv),
        cmocka_unit_test_setup_teardown(test_body_over_cap, setup_default, teardown_srv),
        cmocka_unit_test(test_per_ip_limit),
        cmocka_unit_test(test_total_limit),
        cmocka_unit_test_setup_teardown(test_slowloris_times_out, setup_default, teardown_srv),
        cmocka_unit_test_setup_teardown(test_stream, setup_default, teardown_srv),
        cmocka_unit_test_setup_teardown(test_response_headers, setup_default, teardown_srv),
        cmocka_unit_test(test_graceful_stop),
        cmocka_unit_test_setup_teardown(test_bad_config, setup_default, teardown_srv),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
