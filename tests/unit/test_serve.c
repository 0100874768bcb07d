/*
 * test_serve.c — the database pool and the serve front against the test
 * cluster: bounded waits, broken connections replaced, read-only sessions,
 * /health over real HTTP (200, 503 when the pool is exhausted, recovery
 * after the server killed our connections), and the configuration checks
 * as tables.
 */
/* cmocka needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dbpool.h"
#include "serve.h"
#include "testdb.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TEST_CONNINFO_MAX 2048
#define TEST_DB "serve"
#define TEST_WAIT_MS 300

static char conninfo[TEST_CONNINFO_MAX];
static struct log quiet = {LOG_ERROR};

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct dbpool *pool_new(unsigned size, unsigned wait_ms)
{
    struct dbpool_config cfg = {.conninfo = conninfo,
                                .size = size,
                                .wait_ms = wait_ms,
                                .statement_timeout_ms = DBPOOL_DEFAULT_STATEMENT_TIMEOUT_MS,
                                .read_only = 1,
                                .log = &quiet};
    struct dbpool *p = NULL;
    struct mo_err err = {0};
    if (dbpool_new(&cfg, &p, &err) != MO_OK)
        fail_msg("pool: %s", err.msg);
    return p;
}

/* Terminates the pool's server processes in the test database and waits
 * until they are gone. */
static void kill_pool_backends(void)
{
    char *n = testdb_query_value(conninfo,
                                 "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND application_name = "
                                 "'" DBPOOL_APPLICATION_NAME "'");
    assert_non_null(n);
    assert_true(atoi(n) > 0);
    free(n);
    for (int i = 0; i < 200; i++) {
        n = testdb_query_value(conninfo, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                         "current_database() AND application_name = "
                                         "'" DBPOOL_APPLICATION_NAME "'");
        int left = atoi(n);
        free(n);
        if (left == 0)
            return;
        usleep(10000);
    }
    fail_msg("the pool's backends did not go away");
}

static int setup_db(void **state)
{
    testdb_create(TEST_DB, conninfo, sizeof conninfo);
    return 0;
}

/* ---- the pool ---- */

static void test_pool_bounded_wait(void **state)
{
    struct dbpool *p = pool_new(2, TEST_WAIT_MS);
    struct mo_err err = {0};
    PGconn *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(dbpool_borrow(p, &a, &err), MO_OK);
    assert_int_equal(dbpool_borrow(p, &b, &err), MO_OK);
    assert_ptr_not_equal(a, b);

    long start = now_ms();
    assert_int_equal(dbpool_borrow(p, &c, &err), MO_ELIMIT);
    long waited = now_ms() - start;
    assert_null(c);
    assert_true(waited >= TEST_WAIT_MS - 20 && waited < TEST_WAIT_MS + 1000);
    assert_string_equal(err.msg, "no database connection free after 300 ms (2 of 2 in use)");

    struct dbpool_stats st;
    dbpool_get_stats(p, &st);
    assert_int_equal(st.borrowed, 2);
    assert_int_equal(st.idle, 0);
    assert_int_equal(st.timeouts, 1);

    dbpool_return(p, b);
    assert_int_equal(dbpool_borrow(p, &c, &err), MO_OK);
    assert_ptr_equal(c, b);
    dbpool_return(p, a);
    dbpool_return(p, c);
    dbpool_return(p, NULL);
    dbpool_get_stats(p, &st);
    assert_int_equal(st.idle, 2);
    assert_int_equal(st.borrowed, 0);
    dbpool_free(p);
}

struct waiter {
    struct dbpool *p;
    mo_rc rc;
    long waited;
    PGconn *conn;
};

static void *borrow_waiting(void *arg)
{
    struct waiter *w = arg;
    struct mo_err err = {0};
    long start = now_ms();
    w->rc = dbpool_borrow(w->p, &w->conn, &err);
    w->waited = now_ms() - start;
    return NULL;
}

static void test_pool_return_wakes_waiter(void **state)
{
    struct dbpool *p = pool_new(1, 5000);
    struct mo_err err = {0};
    PGconn *a = NULL;
    pthread_t t;
    struct waiter w = {.p = p};
    assert_int_equal(dbpool_borrow(p, &a, &err), MO_OK);
    assert_int_equal(pthread_create(&t, NULL, borrow_waiting, &w), 0);
    usleep(200 * 1000);
    dbpool_return(p, a);
    pthread_join(t, NULL);
    assert_int_equal(w.rc, MO_OK);
    assert_ptr_equal(w.conn, a);
    assert_true(w.waited >= 150 && w.waited < 2000);
    dbpool_return(p, w.conn);
    dbpool_free(p);
}

static void test_pool_replaces_broken(void **state)
{
    struct dbpool *p = pool_new(1, TEST_WAIT_MS);
    struct mo_err err = {0};
    PGconn *conn = NULL;
    char sql[128];
    assert_int_equal(dbpool_borrow(p, &conn, &err), MO_OK);
    int pid = PQbackendPID(conn);
    assert_int_equal(dbpool_ping(conn, &err), MO_OK);

    /* the server kills it while borrowed: the next statement fails */
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", pid);
    free(testdb_query_value(conninfo, sql));
    usleep(100 * 1000);
    assert_int_equal(dbpool_ping(conn, &err), MO_EDB);
    assert_non_null(strstr(err.msg, "database did not answer: "));
    dbpool_return(p, conn);

    struct dbpool_stats st;
    dbpool_get_stats(p, &st);
    assert_int_equal(st.replaced, 1);
    assert_int_equal(st.idle, 1);
    assert_int_equal(dbpool_borrow(p, &conn, &err), MO_OK);
    assert_int_not_equal(PQbackendPID(conn), pid);
    assert_int_equal(dbpool_ping(conn, &err), MO_OK);

    /* left inside a transaction: replaced as well, nothing stays open */
    PQclear(PQexec(conn, "BEGIN"));
    assert_int_equal(PQtransactionStatus(conn), PQTRANS_INTRANS);
    pid = PQbackendPID(conn);
    dbpool_return(p, conn);
    assert_int_equal(dbpool_borrow(p, &conn, &err), MO_OK);
    assert_int_not_equal(PQbackendPID(conn), pid);
    assert_int_equal(PQtransactionStatus(conn), PQTRANS_IDLE);
    dbpool_return(p, conn);
    dbpool_get_stats(p, &st);
    assert_int_equal(st.replaced, 2);
    dbpool_free(p);
}

static void test_pool_idle_loss_detected(void **state)
{
    struct dbpool *p = pool_new(2, TEST_WAIT_MS);
    struct mo_err err = {0};
    kill_pool_backends(); /* both idle connections die */
    for (int i = 0; i < 2; i++) {
        PGconn *conn = NULL;
        assert_int_equal(dbpool_borrow(p, &conn, &err), MO_OK);
        assert_int_equal(dbpool_ping(conn, &err), MO_OK);
        dbpool_return(p, conn);
    }
    struct dbpool_stats st;
    dbpool_get_stats(p, &st);
    assert_true(st.replaced >= 1);
    dbpool_free(p);
}

static void test_pool_session(void **state)
{
    struct dbpool *p = pool_new(1, TEST_WAIT_MS);
    struct mo_err err = {0};
    PGconn *conn = NULL;
    assert_int_equal(dbpool_borrow(p, &conn, &err), MO_OK);
    PGresult *res = PQexec(conn, "SHOW statement_timeout");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(res, 0, 0), "30s");
    PQclear(res);
    res = PQexec(conn, "CREATE TABLE moisson_should_fail (x int)");
    assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
    assert_non_null(strstr(PQerrorMessage(conn), "read-only"));
    PQclear(res);
    assert_string_equal(PQparameterStatus(conn, "client_encoding"), "UTF8");
    assert_string_equal(PQparameterStatus(conn, "application_name"), DBPOOL_APPLICATION_NAME);
    dbpool_return(p, conn);
    dbpool_free(p);
}

struct pool_bad_case {
    const char *conninfo;
    unsigned size;
    mo_rc rc;
    const char *msg;
};

static void test_pool_bad(void **state)
{
    static const struct pool_bad_case cases[] = {
        {"host=/nonexistent/moisson dbname=x", 1, MO_EDB, "could not connect to the database: "},
        {"nonsense=1", 1, MO_EBADREQ, "bad database connection string: "},
        {"dbname=x", 0, MO_EBADREQ, "bad database pool size 0 (1 to 64)"},
        {"dbname=x", DBPOOL_MAX_SIZE + 1, MO_EBADREQ, "bad database pool size 65"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dbpool_config cfg = {
            .conninfo = cases[i].conninfo, .size = cases[i].size, .wait_ms = 100, .log = &quiet};
        struct dbpool *p = NULL;
        struct mo_err err = {0};
        if (dbpool_new(&cfg, &p, &err) != cases[i].rc || !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: rc %d, \"%s\"", i, err.rc, err.msg);
        assert_null(p);
    }
}

/* ---- serve and /health over HTTP ---- */

struct reply {
    long status;
    char body[256];
    char head[2048];
    size_t body_len, head_len;
};

static size_t take(char *p, size_t size, size_t n, char *dst, size_t *len, size_t cap)
{
    size_t k = size * n;
    if (*len + k >= cap)
        return 0;
    memcpy(dst + *len, p, k);
    *len += k;
    dst[*len] = '\0';
    return k;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct reply *r = ud;
    return take(p, size, n, r->body, &r->body_len, sizeof r->body);
}

static size_t on_head(char *p, size_t size, size_t n, void *ud)
{
    struct reply *r = ud;
    return take(p, size, n, r->head, &r->head_len, sizeof r->head);
}

static void get(struct serve *s, const char *path, struct reply *r)
{
    char url[128];
    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", serve_port(s), path);
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_head);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(curl);
}

static struct serve *serve_new(const char *public_url, unsigned db_connections)
{
    struct serve_config cfg = {.address = "127.0.0.1",
                               .port = 0,
                               .public_url = public_url,
                               .conninfo = conninfo,
                               .db_connections = db_connections,
                               .db_wait_ms = TEST_WAIT_MS,
                               .log = &quiet};
    struct serve *s = NULL;
    struct mo_err err = {0};
    http_limits_default(&cfg.limits);
    cfg.limits.threads = 2;
    if (serve_start(&cfg, &s, &err) != MO_OK)
        fail_msg("serve: %s", err.msg);
    return s;
}

static void test_serve_health(void **state)
{
    struct serve *s = serve_new(NULL, 0);
    struct reply r;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", serve_port(s));
    assert_string_equal(serve_public_url(s), url);

    get(s, SERVE_HEALTH_PATH, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    assert_non_null(strstr(r.head, "Cache-Control: no-store"));
    assert_non_null(strstr(r.head, "X-Content-Type-Options: nosniff"));

    get(s, "/csw", &r); /* not yet a route */
    assert_int_equal(r.status, 404);

    /* every connection borrowed: 503 after the bounded wait, then back */
    struct dbpool *p = serve_pool(s);
    struct dbpool_stats st;
    dbpool_get_stats(p, &st);
    assert_int_equal(st.size, 4); /* threads + 2 */
    PGconn *held[4];
    struct mo_err err = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(dbpool_borrow(p, &held[i], &err), MO_OK);
    get(s, SERVE_HEALTH_PATH, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body, "database unavailable\n");
    assert_non_null(strstr(r.head, "Retry-After: 5"));
    for (int i = 0; i < 4; i++)
        dbpool_return(p, held[i]);
    get(s, SERVE_HEALTH_PATH, &r);
    assert_int_equal(r.status, 200);

    /* the server killed our connections: /health reconnects */
    kill_pool_backends();
    get(s, SERVE_HEALTH_PATH, &r);
    assert_int_equal(r.status, 200);
    dbpool_get_stats(p, &st);
    assert_true(st.replaced >= 1);

    serve_stop(s, 5);
    assert_null(serve_pool(s));
    serve_stop(s, 5); /* idempotent */
    serve_free(s);
}

static void test_serve_public_url(void **state)
{
    struct serve *s = serve_new("https://geo.example.fr/moisson//", 1);
    assert_string_equal(serve_public_url(s), "https://geo.example.fr/moisson");
    serve_free(s);
}

static void test_serve_bad(void **state)
{
    struct serve *s = serve_new(NULL, 1);
    struct serve_config cfg = {
        .address = "127.0.0.1", .port = serve_port(s), .conninfo = conninfo, .log = &quiet};
    struct serve *other = NULL;
    struct mo_err err = {0};
    http_limits_default(&cfg.limits);
    assert_int_equal(serve_start(&cfg, &other, &err), MO_EIO);
    assert_non_null(strstr(err.msg, "Address already in use"));
    assert_null(other);
    cfg.port = 0;
    cfg.public_url = "ftp://example.fr/";
    assert_int_equal(serve_start(&cfg, &other, &err), MO_EBADREQ);
    assert_string_equal(err.msg, "bad public URL \"ftp://example.fr/\": not http:// or https://");
    cfg.public_url = NULL;
    /* a bad identity text: refused before anything is bound (the port is taken) */
    cfg.port = serve_port(s);
    cfg.identity.contact_email = "sig at example.fr";
    assert_int_equal(serve_start(&cfg, &other, &err), MO_EBADREQ);
    assert_string_equal(err.msg, "bad CSW contact e-mail \"sig at example.fr\": not an e-mail "
                                 "address (NAME@DOMAIN, no spaces)");
    assert_null(other);
    cfg.identity.contact_email = NULL;
    /* a bad tile template: refused before anything is bound as well */
    cfg.tile_url = "https://tiles.example.fr/{z}/{x}.png";
    assert_int_equal(serve_start(&cfg, &other, &err), MO_EBADREQ);
    assert_string_equal(err.msg,
                        "bad tile URL \"https://tiles.example.fr/{z}/{x}.png\": {y} missing");
    assert_null(other);
    cfg.tile_url = NULL;
    cfg.port = 0;
    cfg.conninfo = "host=/nonexistent/moisson dbname=x";
    assert_int_equal(serve_start(&cfg, &other, &err), MO_EDB);
    assert_null(other);
    serve_free(s);
    serve_free(NULL);
}

/* ---- configuration text, as tables ---- */

struct listen_case {
    const char *text;
    mo_rc rc;
    const char *addr;
    unsigned port;
    const char *msg;
};

static void test_parse_listen(void **state)
{
    static const struct listen_case cases[] = {
        {"127.0.0.1:8080", MO_OK, "127.0.0.1", 8080, ""},
        {"0.0.0.0:0", MO_OK, "0.0.0.0", 0, ""},
        {"10.1.2.3", MO_OK, "10.1.2.3", SERVE_DEFAULT_PORT, ""},
        {"[::1]:9000", MO_OK, "::1", 9000, ""},
        {"[::]", MO_OK, "::", SERVE_DEFAULT_PORT, ""},
        {"localhost:80", MO_EBADREQ, "", 0, "not a numeric IPv4 address"},
        {"::1:80", MO_EBADREQ, "", 0, "write an IPv6 address as [ADDR]:PORT"},
        {"[::1", MO_EBADREQ, "", 0, "expected [IPv6]:PORT"},
        {"[::1]80", MO_EBADREQ, "", 0, "expected [IPv6]:PORT"},
        {"[127.0.0.1]:80", MO_EBADREQ, "", 0, "not a numeric IPv6 address"},
        {"127.0.0.1:", MO_EBADREQ, "", 0, "bad port"},
        {"127.0.0.1:65536", MO_EBADREQ, "", 0, "bad port"},
        {"127.0.0.1:-1", MO_EBADREQ, "", 0, "bad port"},
        {"127.0.0.1:80x", MO_EBADREQ, "", 0, "bad port in listen address \"127.0.0.1:80x\""},
        {"", MO_EBADREQ, "", 0, "bad listen address \"\""},
        {"1.2.3.4:80\n", MO_EBADREQ, "", 0, "\"1.2.3.4:80?\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char addr[64] = "";
        unsigned port = 12345;
        struct mo_err err = {0};
        mo_rc rc = serve_parse_listen(cases[i].text, addr, sizeof addr, &port, &err);
        if (rc != cases[i].rc ||
            (rc == MO_OK && (strcmp(addr, cases[i].addr) || port != cases[i].port)) ||
            (rc != MO_OK && !strstr(err.msg, cases[i].msg)))
            fail_msg("listen case %zu \"%s\": rc %d addr \"%s\" port %u msg \"%s\"", i,
                     cases[i].text, rc, addr, port, err.msg);
    }
}

struct url_case {
    const char *url;
    mo_rc rc;
    const char *out;
};

static void test_check_public_url(void **state)
{
    static const struct url_case cases[] = {
        {"http://127.0.0.1:8080", MO_OK, "http://127.0.0.1:8080"},
        {"https://geo.example.fr/csw/", MO_OK, "https://geo.example.fr/csw"},
        {"HTTPS://Geo.Example.fr", MO_OK, "HTTPS://Geo.Example.fr"},
        {"http://[::1]:8080/", MO_OK, "http://[::1]:8080"},
        {"http://x/a%20b", MO_OK, "http://x/a%20b"},
        {"ftp://example.fr", MO_EBADREQ, "not http:// or https://"},
        {"example.fr", MO_EBADREQ, "not http:// or https://"},
        {"http://", MO_EBADREQ, "no host"},
        {"http:///path", MO_EBADREQ, "no host"},
        {"http://a b", MO_EBADREQ, "character space not allowed"},
        {"http://x/\"><script>", MO_EBADREQ, "not allowed"},
        {"http://x/?q=1", MO_EBADREQ, "no query or fragment"},
        {"http://x/#f", MO_EBADREQ, "no query or fragment"},
        {"http://x/\xc3\xa9", MO_EBADREQ, "percent-encode it"},
        {NULL, MO_EBADREQ, "not http:// or https://"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[SERVE_MAX_URL + 1] = "";
        struct mo_err err = {0};
        mo_rc rc = serve_check_public_url(cases[i].url, out, sizeof out, &err);
        if (rc != cases[i].rc || (rc == MO_OK && strcmp(out, cases[i].out)) ||
            (rc != MO_OK && !strstr(err.msg, cases[i].out)))
            fail_msg("url case %zu: rc %d out \"%s\" msg \"%s\"", i, rc, out, err.msg);
    }
    char big[SERVE_MAX_URL + 16], out[SERVE_MAX_URL + 1];
    struct mo_err err = {0};
    snprintf(big, sizeof big, "http://x/");
    memset(big + 9, 'a', SERVE_MAX_URL);
    big[SERVE_MAX_URL + 9] = '\0';
    assert_int_equal(serve_check_public_url(big, out, sizeof out, &err), MO_EBADREQ);
    assert_non_null(strstr(err.msg, "longer than 512 bytes"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_listen),
        cmocka_unit_test(test_check_public_url),
        cmocka_unit_test(test_pool_bounded_wait),
        cmocka_unit_test(test_pool_return_wakes_waiter),
        cmocka_unit_test(test_pool_replaces_broken),
        cmocka_unit_test(test_pool_idle_loss_detected),
        cmocka_unit_test(test_pool_session),
        cmocka_unit_test(test_pool_bad),
        cmocka_unit_test(test_serve_health),
        cmocka_unit_test(test_serve_public_url),
        cmocka_unit_test(test_serve_bad),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int failed = cmocka_run_group_tests(tests, setup_db, NULL);
    curl_global_cleanup();
    return failed;
}
