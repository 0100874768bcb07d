/*
 * test_cluster.c — the embedded cluster on a fresh home of its own: initdb,
 * start, connect, idempotent ensure, stop, data kept across a restart, a
 * stale postmaster.pid that must not block a start, status reporting.
 */
#include "cluster.h"

#include <ftw.h>
#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char home[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int setup(void **state)
{
    snprintf(home, sizeof home, "/tmp/mct-XXXXXX");
    if (!mkdtemp(home) || chmod(home, 0755) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    struct mo_err err = {0};
    if (cluster_stop(home, &err) != MO_OK)
        fprintf(stderr, "cluster_stop: %s\n", err.msg);
    nftw(home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Runs sql and returns the first value (static buffer), or fails. */
static const char *query(const char *conninfo, const char *sql)
{
    static char value[256];
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(value, sizeof value, "%s", PQerrorMessage(conn));
        PQfinish(conn);
        fail_msg("could not connect: %s", value);
    }
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    value[0] = '\0';
    if (st == PGRES_TUPLES_OK && PQntuples(res) > 0)
        snprintf(value, sizeof value, "%s", PQgetvalue(res, 0, 0));
    else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        snprintf(value, sizeof value, "error: %s", PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    return value;
}

static void ensure(char *conninfo, size_t size)
{
    struct mo_err err = {0};
    if (cluster_ensure(home, conninfo, size, &err) != MO_OK)
        fail_msg("cluster_ensure: %s", err.msg);
}

static void test_lifecycle(void **state)
{
    struct mo_err err = {0};
    struct cluster_status st;
    char conninfo[1024], again[1024], want[256];

    assert_int_equal(cluster_status(home, &st, &err), MO_OK);
    assert_false(st.initialised);
    assert_false(st.running);

    ensure(conninfo, sizeof conninfo);
    snprintf(want, sizeof want, "host=%s/run dbname=moisson user=moisson", home);
    assert_string_equal(conninfo, want);
    assert_string_equal(query(conninfo, "SELECT current_database()"), "moisson");
    assert_string_equal(query(conninfo, "SHOW listen_addresses"), "");
    assert_string_equal(query(conninfo, "SHOW fsync"), "on");
    assert_string_equal(query(conninfo, "SHOW server_encoding"), "UTF8");

    assert_int_equal(cluster_status(home, &st, &err), MO_OK);
    assert_true(st.initialised);
    assert_true(st.running);
    assert_true(st.pid > 0);
    long pid = st.pid;
    assert_string_equal(st.conninfo, want);

    ensure(again, sizeof again); /* no-op: same postmaster */
    assert_string_equal(again, conninfo);
    assert_int_equal(cluster_status(home, &st, &err), MO_OK);
    assert_int_equal(st.pid, pid);

    query(conninfo, "CREATE TABLE kept (v text)");
    query(conninfo, "INSERT INTO kept VALUES ('survives')");
    assert_int_equal(cluster_stop(home, &err), MO_OK);
    assert_int_equal(cluster_status(home, &st, &err), MO_OK);
    assert_true(st.initialised);
    assert_false(st.running);
    assert_int_equal(cluster_stop(home, &err), MO_OK); /* stopped: still ok */

    ensure(conninfo, sizeof conninfo);
    assert_string_equal(query(conninfo, "SELECT v FROM kept"), "survives");
}

/* After a machine restart postmaster.pid names a pid that is now another
 * program (here: this test); the start must go through. */
static void test_stale_pid(void **state)
{
    struct mo_err err = {0};
    struct cluster_status st;
    char conninfo[1024], path[128];

    ensure(conninfo, sizeof conninfo);
    assert_int_equal(cluster_stop(home, &err), MO_OK);
    snprintf(path, sizeof path, "%s/pg/postmaster.pid", home);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%ld\n%s/pg\n1700000000\n5432\n%s/run\n\n  5432001         0\nready   \n",
            (long)getpid(), home, home);
    fclose(f);
    assert_int_equal(cluster_status(home, &st, &err), MO_OK);
    assert_false(st.running);
    assert_int_equal(cluster_stop(home, &err), MO_OK); /* must not signal us */
    ensure(conninfo, sizeof conninfo);
    assert_string_equal(query(conninfo, "SELECT v FROM kept"), "survives");
}

static void test_long_home_refused(void **state)
{
    struct mo_err err = {0};
    char conninfo[1024], longhome[200];
    memset(longhome, 'x', sizeof longhome);
    memcpy(longhome, "/tmp/", 5);
    longhome[sizeof longhome - 1] = '\0';
    assert_int_equal(cluster_ensure(longhome, conninfo, sizeof conninfo, &err), MO_ELIMIT);
    assert_non_null(strstr(err.msg, "shorter MOISSON_HOME"));
    assert_int_equal(cluster_ensure("relative/home", conninfo, sizeof conninfo, &err), MO_EBADREQ);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_stale_pid),
        cmocka_unit_test(test_long_home_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
