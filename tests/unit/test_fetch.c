/*
 * test_fetch.c — fetch against a real HTTP server on loopback: an in-process
 * libmicrohttpd daemon whose routes misbehave on purpose (statuses, retries,
 * redirects, gzip, gzip bombs, endless and stalled bodies, POST echo).
 */
/* cmocka needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define GZIP_TEXT_REPEAT 200
#define BOMB_BYTES (4L * 1024 * 1024)
#define BIG_BYTES 2000
#define SLOW_GIVE_UP_S 10
#define COND_DATE "Wed, 21 Oct 2015 07:28:00 GMT"

struct server {
    struct MHD_Daemon *d;
    int port;
    char base[64];
    atomic_int hits;        /* requests on the counting routes */
    atomic_int connections; /* TCP connections accepted */
    atomic_int stopping;
    unsigned char *gz; /* gzip of gz_plain */
    size_t gz_len;
    char *gz_plain;
    unsigned char *bomb; /* gzip of BOMB_BYTES zeros */
    size_t bomb_len;
};

struct conn {
    char *body;
    size_t len;
};

/* ---- server side ---- */

static unsigned char *gzip_make(const void *data, size_t len, size_t *out_len)
{
    z_stream z = {0};
    size_t cap = len / 2 + 1024;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype,
                             const void *body, size_t len, ...)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(r, "Content-Type", ctype);
    va_list ap;
    va_start(ap, len);
    for (const char *name; (name = va_arg(ap, const char *));) {
        const char *value = va_arg(ap, const char *);
        MHD_add_response_header(r, name, value);
    }
    va_end(ap);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return reply(c, status, "text/plain", text, strlen(text), NULL);
}

static ssize_t endless_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    memset(buf, 'x', max);
    return (ssize_t)max;
}

/* One byte, then nothing: the client's low-speed timeout must end it. */
static ssize_t slow_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct server *s = cls;
    if (pos == 0) {
        buf[0] = '<';
        return 1;
    }
    for (int i = 0; i < SLOW_GIVE_UP_S * 20 && !atomic_load(&s->stopping); i++)
        usleep(50000);
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

static enum MHD_Result reply_stream(struct server *s, struct MHD_Connection *c,
                                    MHD_ContentReaderCallback cb)
{
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, cb, s, NULL);
    if (!r)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_gzip(struct MHD_Connection *c, const unsigned char *gz, size_t len)
{
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
    if (!ae || !strstr(ae, "gzip"))
        return reply_text(c, 406, "gzip not accepted");
    return reply(c, 200, "application/xml", gz, len, "Content-Encoding", "gzip", NULL);
}

static enum MHD_Result reply_html_error(struct MHD_Connection *c)
{
    char body[512];
    int n = snprintf(body, sizeof body,
                     "<!DOCTYPE html>\r\n<html>\n  <head>\t<title>Internal\x01Server   Error"
                     "</title></head>\n<body>%0*d TAIL_MARKER</body></html>",
                     250, 0);
    return reply(c, 500, "text/html", body, (size_t)n, NULL);
}

static enum MHD_Result reply_redirect(struct MHD_Connection *c, const char *url)
{
    int n = atoi(url + strlen("/redirect/"));
    char next[64];
    if (n <= 0)
        return reply_text(c, 200, "landed");
    snprintf(next, sizeof next, "/redirect/%d", n - 1);
    return reply(c, 302, "text/plain", "moved", 5, "Location", next, "ETag", "\"hop\"",
                 "Retry-After", "7", NULL);
}

static enum MHD_Result reply_flaky(struct server *s, struct MHD_Connection *c, const char *url)
{
    int hit = atomic_fetch_add(&s->hits, 1) + 1;
    if (strcmp(url, "/flaky") == 0 && hit <= 2)
        return reply(c, 503, "text/plain", "busy", 4, "Retry-After", "1", "ETag", "\"busy\"", NULL);
    if (strcmp(url, "/flaky-fast") == 0 && hit <= 2)
        return reply_text(c, 503, "busy");
    if (strcmp(url, "/flaky-date") == 0 && hit <= 1) {
        char date[64];
        time_t when = time(NULL) + 2;
        struct tm tm;
        strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&when, &tm));
        return reply(c, 503, "text/plain", "busy", 4, "Retry-After", date, NULL);
    }
    return reply_text(c, 200, "recovered");
}

static enum MHD_Result reply_echo(struct MHD_Connection *c, const char *method,
                                  const struct conn *st)
{
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    char *out = NULL;
    int n = asprintf(&out, "method=%s type=%s\n%.*s", method, ct ? ct : "-", (int)st->len,
                     st->body ? st->body : "");
    if (n < 0)
        return MHD_NO;
    enum MHD_Result ret = reply(c, 200, "text/plain", out, (size_t)n, NULL);
    free(out);
    return ret;
}

/* A resource with validators that honours If-None-Match, else
 * If-Modified-Since (RFC 9110: the ETag wins when both come). */
static enum MHD_Result reply_conditional(struct server *s, struct MHD_Connection *c)
{
    static const char body[] = "<?xml version=\"1.0\"?>\n<csw:Record>cond</csw:Record>\n";
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const char *ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Modified-Since");
    atomic_fetch_add(&s->hits, 1);
    if ((inm && !strcmp(inm, "\"c1\"")) || (!inm && ims && !strcmp(ims, COND_DATE)))
        return reply(c, 304, NULL, "", 0, "ETag", "\"c1\"", NULL);
    return reply(c, 200, "application/xml", body, sizeof body - 1, "ETag", "\"c1\"",
                 "Last-Modified", COND_DATE, NULL);
}

static enum MHD_Result route(struct server *s, struct MHD_Connection *c, const char *url,
                             const char *method, const struct conn *st)
{
    static const char ok_xml[] = "<?xml version=\"1.0\"?>\n<csw:Record>ok</csw:Record>\n";
    if (strcmp(url, "/ok") == 0)
        return reply(c, 200, "application/xml", ok_xml, sizeof ok_xml - 1, "ETag", "\"v1\"",
                     "Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT", NULL);
    if (strcmp(url, "/big") == 0) {
        char big[BIG_BYTES];
        for (int i = 0; i < BIG_BYTES; i++)
            big[i] = (char)('a' + i % 26);
        return reply(c, 200, "text/plain", big, sizeof big, NULL);
    }
    if (strncmp(url, "/status/", 8) == 0) {
        atomic_fetch_add(&s->hits, 1);
        return reply_text(c, (unsigned)atoi(url + 8), "no such\n\n   record");
    }
    if (strcmp(url, "/429") == 0) {
        atomic_fetch_add(&s->hits, 1);
        return reply(c, 429, "text/plain", "slow down", 9, "Retry-After", "0", NULL);
    }
    if (strcmp(url, "/empty503") == 0) {
        atomic_fetch_add(&s->hits, 1);
        return reply(c, 503, NULL, "", 0, NULL);
    }
    if (strncmp(url, "/flaky", 6) == 0)
        return reply_flaky(s, c, url);
    if (strncmp(url, "/redirect/", 10) == 0)
        return reply_redirect(c, url);
    if (strcmp(url, "/redirect-file") == 0)
        return reply(c, 302, NULL, "", 0, "Location", "file:///etc/passwd", NULL);
    if (strcmp(url, "/redirect-ftp") == 0)
        return reply(c, 302, NULL, "", 0, "Location", "ftp://127.0.0.1:1/x", NULL);
    if (strcmp(url, "/gzip") == 0)
        return reply_gzip(c, s->gz, s->gz_len);
    if (strcmp(url, "/bomb") == 0)
        return reply_gzip(c, s->bomb, s->bomb_len);
    if (strcmp(url, "/endless") == 0)
        return reply_stream(s, c, endless_read);
    if (strcmp(url, "/slow") == 0)
        return reply_stream(s, c, slow_read);
    if (strcmp(url, "/html") == 0) {
        atomic_fetch_add(&s->hits, 1);
        return reply_html_error(c);
    }
    if (strcmp(url, "/echo") == 0)
        return reply_echo(c, method, st);
    if (strcmp(url, "/cond") == 0)
        return reply_conditional(s, c);
    if (strcmp(url, "/ua") == 0) {
        const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
        return reply_text(c, 200, ua ? ua : "-");
    }
    return reply_text(c, 404, "no route");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct conn *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        *con_cls = st;
        return st ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        char *p = realloc(st->body, st->len + *upload_size);
        if (!p)
            return MHD_NO;
        memcpy(p + st->len, upload, *upload_size);
        st->body = p;
        st->len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    return route(cls, c, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn *st = *con_cls;
    if (st) {
        free(st->body);
        free(st);
    }
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&s->connections, 1);
}

static int server_start(void **state)
{
    struct server *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->gz_plain = calloc(GZIP_TEXT_REPEAT, 32);
    assert_non_null(s->gz_plain);
    for (int i = 0; i < GZIP_TEXT_REPEAT; i++)
        strcat(s->gz_plain, "<dc:title>moisson</dc:title>\n");
    s->gz = gzip_make(s->gz_plain, strlen(s->gz_plain), &s->gz_len);
    char *zeros = calloc(1, BOMB_BYTES);
    assert_non_null(zeros);
    s->bomb = gzip_make(zeros, BOMB_BYTES, &s->bomb_len);
    free(zeros);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, on_request, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_SOCK_ADDR,
                            NULL, MHD_OPTION_END);
    assert_non_null(s->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    s->port = info->port;
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    *state = s;
    return 0;
}

static int server_stop(void **state)
{
    struct server *s = *state;
    atomic_store(&s->stopping, 1);
    MHD_stop_daemon(s->d);
    free(s->gz);
    free(s->gz_plain);
    free(s->bomb);
    free(s);
    return 0;
}

static int hits_reset(void **state)
{
    struct server *s = *state;
    atomic_store(&s->hits, 0);
    return 0;
}

/* ---- client helpers ---- */

static struct fetch *client(int max_retries, long max_bytes)
{
    struct fetch_options o = {
        .connect_timeout_ms = 2000,
        .low_speed_time_s = 1,
        .total_timeout_s = 10,
        .max_bytes = max_bytes,
        .max_retries = max_retries,
        .retry_base_ms = 10,
        .retry_max_ms = 40,
    };
    struct fetch *f = NULL;
    assert_int_equal(fetch_new(&o, &f), MO_OK);
    assert_non_null(f);
    return f;
}

static char *url_of(const struct server *s, const char *path)
{
    char *u = NULL;
    assert_true(asprintf(&u, "%s%s", s->base, path) > 0);
    return u;
}

static char *body_read(struct fetch_response *r)
{
    char *all = calloc(1, (size_t)r->body_len + 1);
    assert_non_null(all);
    assert_int_equal(fread(all, 1, (size_t)r->body_len + 1, r->body), r->body_len);
    return all;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* GET path, expecting failure with want; the message is left in err. */
static void get_fails(const struct server *s, struct fetch *f, const char *path, mo_rc want,
                      struct mo_err *err)
{
    struct fetch_response r;
    char *u = url_of(s, path);
    memset(&r, 0xa5, sizeof r);
    mo_err_clear(err);
    assert_int_equal(fetch_get(f, u, &r, err), want);
    assert_int_equal(err->rc, want);
    if (getenv("TEST_FETCH_VERBOSE"))
        print_message("%s\n", err->msg);
    assert_null(r.body);
    assert_null(r.content_type);
    assert_int_equal(r.status, 0);
    free(u);
}

/* ---- tests ---- */

static void test_get_ok(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(0, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    char *u = url_of(s, "/ok");
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/xml");
    assert_string_equal(r.etag, "\"v1\"");
    assert_string_equal(r.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
    assert_string_equal(r.effective_url, u);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(fetch_last_attempts(f), 1);
    assert_true(r.seconds >= 0.0 && r.seconds < 5.0);
    char *body = body_read(&r);
    assert_string_equal(body, "<?xml version=\"1.0\"?>\n<csw:Record>ok</csw:Record>\n");
    assert_string_equal(r.head, body);
    assert_int_equal(r.body_len, (long)strlen(body));
    free(body);
    fetch_response_clear(&r);
    assert_null(r.body);
    assert_null(r.etag);
    fetch_response_clear(&r); /* twice is harmless */
    fetch_response_clear(NULL);
    free(u);
    fetch_free(f);
    fetch_free(NULL);
}

static void test_keepalive_reuses_connection(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(0, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    char *u = url_of(s, "/ok");
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    fetch_response_clear(&r);
    int before = atomic_load(&s->connections);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
        fetch_response_clear(&r);
    }
    assert_int_equal(atomic_load(&s->connections), before);
    free(u);
    fetch_free(f);
}

static void test_head_keeps_first_bytes(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(0, BIG_BYTES); /* exactly the size: allowed */
    struct fetch_response r = {0};
    struct mo_err err = {0};
    char *u = url_of(s, "/big");
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    assert_int_equal(r.body_len, BIG_BYTES);
    assert_int_equal(strlen(r.head), FETCH_HEAD_BYTES);
    char *body = body_read(&r);
    assert_memory_equal(r.head, body, FETCH_HEAD_BYTES);
    assert_int_equal(body[BIG_BYTES - 1], 'a' + (BIG_BYTES - 1) % 26);
    free(body);
    fetch_response_clear(&r);
    free(u);
    fetch_free(f);
}

static void test_content_length_over_limit(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(3, BIG_BYTES - 1);
    struct mo_err err = {0};
    char want[256];
    get_fails(s, f, "/big", MO_ELIMIT, &err);
    snprintf(want, sizeof want, "\"%s/big\" is larger than %d bytes", s->base, BIG_BYTES - 1);
    assert_string_equal(err.msg, want);
    assert_int_equal(fetch_last_attempts(f), 1); /* MO_ELIMIT is not retried */
    fetch_free(f);
}

static void test_status_404_not_retried(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(3, 0);
    struct mo_err err = {0};
    char want[256];
    get_fails(s, f, "/status/404", MO_EHTTP, &err);
    snprintf(want, sizeof want, "could not fetch \"%s/status/404\": HTTP 404: no such record",
             s->base);
    assert_string_equal(err.msg, want);
    assert_int_equal(atomic_load(&s->hits), 1);
    assert_int_equal(fetch_last_attempts(f), 1);
    fetch_free(f);
}

static void test_flaky_honours_retry_after(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(4, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    char *u = url_of(s, "/flaky");
    double t0 = now_s();
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    double elapsed = now_s() - t0;
    assert_true(elapsed >= 1.9); /* two Retry-After: 1, base backoff only 10 ms */
    assert_true(elapsed < 6.0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.attempts, 3);
    assert_int_equal(atomic_load(&s->hits), 3);
    assert_null(r.etag); /* the 503s' ETag does not leak into the answer */
    assert_string_equal(r.head, "recovered");
    fetch_response_clear(&r);
    free(u);
    fetch_free(f);
}

static void test_retry_after_http_date(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(2, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    char *u = url_of(s, "/flaky-date");
    double t0 = now_s();
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    double elapsed = now_s() - t0;
    assert_true(elapsed >= 0.9); /* date two seconds ahead, one-second resolution */
    assert_true(elapsed < 4.0);
    assert_int_equal(r.attempts, 2);
    fetch_response_clear(&r);
    free(u);
    fetch_free(f);
}

static void test_backoff_without_retry_after_is_short(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(2, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    char *u = url_of(s, "/flaky-fast");
    double t0 = now_s();
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    assert_true(now_s() - t0 < 1.0); /* backoff capped at retry_max_ms = 40 */
    assert_int_equal(r.attempts, 3);
    assert_int_equal(atomic_load(&s->hits), 3);
    fetch_response_clear(&r);
    free(u);
    fetch_free(f);
}

static void test_429_retried_then_fails(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(2, 0);
    struct mo_err err = {0};
    char want[256];
    get_fails(s, f, "/429", MO_EHTTP, &err);
    snprintf(want, sizeof want, "could not fetch \"%s/429\": HTTP 429: slow down", s->base);
    assert_string_equal(err.msg, want);
    assert_int_equal(atomic_load(&s->hits), 3);
    assert_int_equal(fetch_last_attempts(f), 3);
    fetch_free(f);
}

static void test_503_without_body(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(-1, 0);
    struct mo_err err = {0};
    char want[256];
    get_fails(s, f, "/empty503", MO_EHTTP, &err);
    snprintf(want, sizeof want, "could not fetch \"%s/empty503\": HTTP 503", s->base);
    assert_string_equal(err.msg, want);
    assert_int_equal(atomic_load(&s->hits), 1); /* max_retries < 0: no retry */
    fetch_free(f);
}

static void test_html_error_page_quoted(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(1, 0);
    struct mo_err err = {0};
    char want[256];
    get_fails(s, f, "/html", MO_EHTTP, &err);
    snprintf(want, sizeof want,
             "could not fetch \"%s/html\": HTTP 500: <!DOCTYPE html> <html> <head> "
             "<title>Internal?Server Error</title></head> <body>0000",
             s->base);
    assert_int_equal(strncmp(err.msg, want, strlen(want)), 0);
    assert_null(strstr(err.msg, "TAIL_MARKER")); /* past the first 200 bytes */
    assert_null(strchr(err.msg, '\n'));
    assert_int_equal(atomic_load(&s->hits), 2);
    fetch_free(f);
}

static void test_redirects(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(2, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    char *u = url_of(s, "/redirect/5");
    char *last = url_of(s, "/redirect/0");
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    assert_string_equal(r.effective_url, last);
    assert_string_equal(r.head, "landed");
    assert_null(r.etag); /* set by the hops only */
    assert_string_equal(r.content_type, "text/plain");
    fetch_response_clear(&r);
    get_fails(s, f, "/redirect/6", MO_EHTTP, &err);
    assert_non_null(strstr(err.msg, "/redirect/6\": "));
    assert_non_null(strstr(err.msg, "edirects"));
    assert_int_equal(fetch_last_attempts(f), 1);
    free(u);
    free(last);
    fetch_free(f);
}

static void test_protocols_refused(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(2, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    assert_int_equal(fetch_get(f, "file:///etc/passwd", &r, &err), MO_EHTTP);
    assert_int_equal(strncmp(err.msg, "could not fetch \"file:///etc/passwd\": ", 38), 0);
    assert_non_null(strstr(err.msg, "file"));
    assert_null(r.body);
    assert_int_equal(fetch_last_attempts(f), 1);
    assert_int_equal(fetch_get(f, "ftp://127.0.0.1/x", &r, &err), MO_EHTTP);
    assert_non_null(strstr(err.msg, "\"ftp\""));
    get_fails(s, f, "/redirect-file", MO_EHTTP, &err); /* not through a redirect either */
    assert_non_null(strstr(err.msg, "file"));
    get_fails(s, f, "/redirect-ftp", MO_EHTTP, &err); /* libcurl's default would follow */
    assert_non_null(strstr(err.msg, "\"ftp\""));
    assert_int_equal(fetch_last_attempts(f), 1);
    fetch_free(f);
}

static void test_gzip_decoded(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(0, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    char *u = url_of(s, "/gzip");
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    assert_true(s->gz_len < strlen(s->gz_plain) / 10);
    assert_int_equal(r.body_len, (long)strlen(s->gz_plain));
    char *body = body_read(&r);
    assert_string_equal(body, s->gz_plain);
    free(body);
    fetch_response_clear(&r);
    free(u);
    fetch_free(f);
}

static void test_gzip_bomb_stopped(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(3, 64 * 1024);
    struct mo_err err = {0};
    char want[256];
    assert_true(s->bomb_len < 64 * 1024); /* small on the wire */
    get_fails(s, f, "/bomb", MO_ELIMIT, &err);
    snprintf(want, sizeof want, "\"%s/bomb\" is larger than 65536 bytes", s->base);
    assert_string_equal(err.msg, want);
    assert_int_equal(fetch_last_attempts(f), 1);
    fetch_free(f);
}

static void test_endless_stream_stopped(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(3, 100000);
    struct mo_err err = {0};
    double t0 = now_s();
    get_fails(s, f, "/endless", MO_ELIMIT, &err);
    assert_true(now_s() - t0 < 5.0);
    assert_non_null(strstr(err.msg, "/endless\" is larger than 100000 bytes"));
    fetch_free(f);
}

static void test_slow_stream_times_out(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(-1, 0);
    struct mo_err err = {0};
    double t0 = now_s();
    get_fails(s, f, "/slow", MO_EHTTP, &err);
    double elapsed = now_s() - t0;
    assert_true(elapsed >= 0.9 && elapsed < 5.0);
    assert_non_null(strstr(err.msg, "/slow\": "));
    assert_non_null(strstr(err.msg, "too slow"));
    fetch_free(f);
}

/* A stop request (a signal handler's flag) ends a stalled transfer and the
 * wait before a retry at once. */
static void *raise_stop_later(void *arg)
{
    usleep(300 * 1000);
    *(volatile sig_atomic_t *)arg = 1;
    return NULL;
}

static void test_stop_interrupts(void **state)
{
    struct server *s = *state;
    static volatile sig_atomic_t stop;
    struct fetch_options o = {.low_speed_time_s = 30, .max_retries = 4, .retry_base_ms = 30000,
                              .retry_max_ms = 30000, .stop = &stop};
    const char *paths[] = {"/slow", "/flaky"}; /* a stalled body; a 503 with Retry-After */
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct fetch *f = NULL;
        struct mo_err err = {0};
        pthread_t th;
        stop = 0;
        assert_int_equal(fetch_new(&o, &f), MO_OK);
        assert_int_equal(pthread_create(&th, NULL, raise_stop_later, (void *)&stop), 0);
        double t0 = now_s();
        get_fails(s, f, paths[i], MO_EIO, &err);
        assert_true(now_s() - t0 < 3.0);
        assert_non_null(strstr(err.msg, "interrupted"));
        pthread_join(th, NULL);
        fetch_free(f);
    }
}

static int closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_connection_refused_retried(void **state)
{
    struct fetch *f = client(2, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    char url[64], want[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", closed_port());
    assert_int_equal(fetch_get(f, url, &r, &err), MO_EHTTP);
    snprintf(want, sizeof want, "could not fetch \"%s\": ", url);
    assert_int_equal(strncmp(err.msg, want, strlen(want)), 0);
    assert_non_null(strstr(err.msg, "onnect"));
    assert_int_equal(fetch_last_attempts(f), 3);
    assert_null(r.body);
    fetch_free(f);
}

static void test_post_then_get(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(0, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    static const char req[] = "<csw:GetRecords service=\"CSW\"/>";
    char *u = url_of(s, "/echo");
    assert_int_equal(fetch_post(f, u, "application/xml", req, strlen(req), &r, &err), MO_OK);
    assert_string_equal(r.head, "method=POST type=application/xml\n"
                                "<csw:GetRecords service=\"CSW\"/>");
    fetch_response_clear(&r);
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    assert_string_equal(r.head, "method=GET type=-\n");
    fetch_response_clear(&r);
    assert_int_equal(fetch_post(f, u, "text/xml\r\nX-Evil: 1", req, 3, &r, &err), MO_EBADREQ);
    assert_null(r.body);
    free(u);
    fetch_free(f);
}

static void test_user_agent(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(0, 0);
    struct fetch_response r = {0};
    struct mo_err err = {0};
    char *u = url_of(s, "/ua");
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    assert_string_equal(r.head, "moisson/0.1 (+metadata harvester)");
    fetch_response_clear(&r);
    fetch_free(f);
    struct fetch_options o = {.user_agent = "probe/1"};
    assert_int_equal(fetch_new(&o, &f), MO_OK);
    assert_int_equal(fetch_get(f, u, &r, &err), MO_OK);
    assert_string_equal(r.head, "probe/1");
    fetch_response_clear(&r);
    free(u);
    fetch_free(f);
}

/* GET /cond with cond; the status it ended with (body checked on a 200). */
static long get_cond(const struct server *s, struct fetch *f, const struct fetch_condition *cond)
{
    struct fetch_response r;
    struct mo_err err = {0};
    char *u = url_of(s, "/cond");
    memset(&r, 0xa5, sizeof r);
    if (fetch_get_if(f, u, cond, &r, &err) != MO_OK)
        fail_msg("fetch_get_if: %s", err.msg);
    long status = r.status;
    if (status == 304) {
        assert_null(r.body);
        assert_int_equal(r.body_len, 0);
    } else {
        assert_int_equal(status, 200);
        assert_non_null(r.body);
        assert_non_null(strstr(r.head, "<csw:Record>cond</csw:Record>"));
        assert_string_equal(r.etag, "\"c1\"");
        assert_string_equal(r.last_modified, COND_DATE);
    }
    assert_int_equal(r.attempts, 1);
    fetch_response_clear(&r);
    free(u);
    return status;
}

static void test_conditional_get(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(2, 0);
    struct {
        struct fetch_condition cond;
        long want;
    } cases[] = {
        {{"\"c1\"", NULL}, 304},       /* same ETag */
        {{NULL, COND_DATE}, 304},      /* same date */
        {{"\"c1\"", COND_DATE}, 304},  /* both */
        {{"\"old\"", NULL}, 200},      /* another ETag */
        {{"\"old\"", COND_DATE}, 200}, /* the ETag decides */
        {{NULL, "Tue, 20 Oct 2015 07:28:00 GMT"}, 200},
        {{NULL, NULL}, 200}, /* no validators: a plain GET */
        {{"", ""}, 200},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (get_cond(s, f, &cases[i].cond) != cases[i].want)
            fail_msg("case %zu: wanted %ld", i, cases[i].want);
        /* nothing of a conditional request stays on the handle */
        assert_int_equal(get_cond(s, f, NULL), 200);
    }
    assert_int_equal(atomic_load(&s->hits), 16); /* a 304 is never retried */
    fetch_free(f);
}

static void test_conditional_refusals(void **state)
{
    struct server *s = *state;
    struct fetch *f = client(0, 0);
    struct fetch_response r;
    struct mo_err err = {0};
    char *u = url_of(s, "/cond");
    char long_tag[FETCH_MAX_VALIDATOR + 2];
    memset(long_tag, 'a', sizeof long_tag - 1);
    long_tag[sizeof long_tag - 1] = '\0';
    const struct fetch_condition bad[] = {
        {"\"c1\"\r\nX-Injected: 1", NULL},
        {NULL, "Wed, 21 Oct 2015\n07:28:00 GMT"},
        {long_tag, NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&r, 0xa5, sizeof r);
        assert_int_equal(fetch_get_if(f, u, &bad[i], &r, &err), MO_EBADREQ);
        assert_non_null(strstr(err.msg, "invalid validator \""));
        assert_null(r.body);
        assert_int_equal(r.status, 0);
    }
    assert_int_equal(atomic_load(&s->hits), 0); /* refused before any request */
    /* a 304 nobody asked for is an HTTP failure */
    get_fails(s, f, "/status/304", MO_EHTTP, &err);
    assert_non_null(strstr(err.msg, "HTTP 304"));
    free(u);
    fetch_free(f);
}

static void test_options_defaults(void **state)
{
    struct fetch_options o;
    memset(&o, 0x5a, sizeof o);
    fetch_options_defaults(&o);
    assert_int_equal(o.connect_timeout_ms, 15000);
    assert_int_equal(o.low_speed_time_s, 60);
    assert_int_equal(o.total_timeout_s, 600);
    assert_int_equal(o.max_bytes, FETCH_DEFAULT_MAX_BYTES);
    assert_int_equal(o.max_retries, 4);
    assert_int_equal(o.retry_base_ms, 500);
    assert_int_equal(o.retry_max_ms, 30000);
    assert_string_equal(o.user_agent, "moisson/0.1 (+metadata harvester)");
    assert_int_equal(o.allow_insecure_tls, 0);
}

static void test_escape(void **state)
{
    struct fetch *f = client(0, 0);
    char *e = fetch_escape(f, "a b&c=d/\xc3\xa9");
    assert_non_null(e);
    assert_string_equal(e, "a%20b%26c%3Dd%2F%C3%A9");
    free(e);
    e = fetch_escape(f, "");
    assert_non_null(e);
    assert_string_equal(e, "");
    free(e);
    fetch_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_get_ok, hits_reset),
        cmocka_unit_test_setup(test_keepalive_reuses_connection, hits_reset),
        cmocka_unit_test_setup(test_head_keeps_first_bytes, hits_reset),
        cmocka_unit_test_setup(test_content_length_over_limit, hits_reset),
        cmocka_unit_test_setup(test_status_404_not_retried, hits_reset),
        cmocka_unit_test_setup(test_flaky_honours_retry_after, hits_reset),
        cmocka_unit_test_setup(test_retry_after_http_date, hits_reset),
        cmocka_unit_test_setup(test_backoff_without_retry_after_is_short, hits_reset),
        cmocka_unit_test_setup(test_429_retried_then_fails, hits_reset),
        cmocka_unit_test_setup(test_503_without_body, hits_reset),
        cmocka_unit_test_setup(test_html_error_page_quoted, hits_reset),
        cmocka_unit_test_setup(test_redirects, hits_reset),
        cmocka_unit_test_setup(test_protocols_refused, hits_reset),
        cmocka_unit_test_setup(test_gzip_decoded, hits_reset),
        cmocka_unit_test_setup(test_gzip_bomb_stopped, hits_reset),
        cmocka_unit_test_setup(test_endless_stream_stopped, hits_reset),
        cmocka_unit_test_setup(test_slow_stream_times_out, hits_reset),
        cmocka_unit_test_setup(test_connection_refused_retried, hits_reset),
        cmocka_unit_test_setup(test_post_then_get, hits_reset),
        cmocka_unit_test_setup(test_user_agent, hits_reset),
        cmocka_unit_test_setup(test_conditional_get, hits_reset),
        cmocka_unit_test_setup(test_conditional_refusals, hits_reset),
        cmocka_unit_test(test_options_defaults),
        cmocka_unit_test(test_escape),
        cmocka_unit_test_setup(test_stop_interrupts, hits_reset),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int failed = cmocka_run_group_tests(tests, server_start, server_stop);
    curl_global_cleanup();
    return failed;
}
