/*
 * testdb.c — a fresh, migrated database per test in the test run's cluster.
 *
 * The cluster is normally started by the CTest fixture (moisson db start);
 * db_resolve ensures it as well (cluster_ensure is idempotent), so a test
 * run by hand works too.
 */
#include "testdb.h"

#include "db.h"
#include "store.h"

#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define TESTDB_CONNINFO_MAX 2048

/* conninfo with dbname replaced by db (values quoted for libpq). */
static void testdb_with_dbname(const char *conninfo, const char *db, char *out, size_t size)
{
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
    size_t len = 0;
    if (!opts)
        fail_msg("could not parse conninfo \"%s\": %s", conninfo, errmsg ? errmsg : "");
    out[0] = '\0';
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        const char *v = strcmp(o->keyword, "dbname") == 0 ? db : o->val;
        if (!v)
            continue;
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s='", len ? " " : "",
                                o->keyword);
        for (const char *p = v; *p && len + 3 < size; p++) {
            if (*p == '\'' || *p == '\\')
                out[len++] = '\\';
            out[len++] = *p;
        }
        if (len + 2 >= size)
            fail_msg("conninfo for \"%s\" is too long", db);
        out[len++] = '\'';
        out[len] = '\0';
    }
    PQconninfoFree(opts);
}

static void testdb_admin_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        PQclear(res);
        PQfinish(conn);
        fail_msg("could not run \"%s\": %s", sql, msg);
    }
    PQclear(res);
}

static void testdb_ignore_notice(void *arg, const char *message)
{
}

static void testdb_recreate(const char *base, const char *db)
{
    char sql[512];
    PGconn *conn = PQconnectdb(base);
    PQsetNoticeProcessor(conn, testdb_ignore_notice, NULL);
    if (PQstatus(conn) != CONNECTION_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        PQfinish(conn);
        fail_msg("could not connect to the test cluster (%s): %s", base, msg);
    }
    char *ident = PQescapeIdentifier(conn, db, strlen(db));
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", ident);
    testdb_admin_exec(conn, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", ident);
    PQfreemem(ident);
    testdb_admin_exec(conn, sql);
    PQfinish(conn);
}

void testdb_create(const char *name, char *out, size_t size)
{
    char base[TESTDB_CONNINFO_MAX];
    char db[128];
    char schemas[1024];
    struct mo_err err = {0};
    struct store *s = NULL;
    int applied = 0;
    const char *share = getenv("MOISSON_SHARE");

    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            fail_msg("test database name \"%s\" is not [a-z0-9_]", name);
    }
    if (!share)
        fail_msg("MOISSON_SHARE is not set");
    if (db_resolve(NULL, getenv("MOISSON_HOME"), base, sizeof base, &err) != MO_OK)
        fail_msg("no test cluster: %s", err.msg);
    snprintf(db, sizeof db, "t_%s", name);
    testdb_recreate(base, db);
    testdb_with_dbname(base, db, out, size);
    snprintf(schemas, sizeof schemas, "%s/schemas", share);
    if (store_open(out, &s, &err) != MO_OK)
        fail_msg("could not open \"%s\": %s", out, err.msg);
    if (store_migrate(s, schemas, &applied, &err) != MO_OK) {
        store_close(s);
        fail_msg("could not migrate \"%s\": %s", db, err.msg);
    }
    store_close(s);
}

char *testdb_query_value(const char *conninfo, const char *sql)
{
    char *value = NULL;
    PGconn *conn = testdb_connect(conninfo);
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        PQclear(res);
        PQfinish(conn);
        fail_msg("query \"%s\" failed: %s", sql, msg);
    }
    if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
        value = strdup(PQgetvalue(res, 0, 0));
        if (!value)
            fail_msg("out of memory");
    }
    PQclear(res);
    PQfinish(conn);
    return value;
}

const char *testdb_corpus_dir(void)
{
    struct stat st;
    const char *dir = getenv("MOISSON_CORPUS");
    if (!dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return dir;
}

PGconn *testdb_connect(const char *conninfo)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        PQfinish(conn);
        fail_msg("could not connect (%s): %s", conninfo, msg);
    }
    PQsetNoticeProcessor(conn, testdb_ignore_notice, NULL);
    return conn;
}

void testdb_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(res));
        PQclear(res);
        fail_msg("sql failed: %s\n%.300s", msg, sql);
    }
    PQclear(res);
}

char *testdb_read_source(const char *relpath)
{
    const char *top = getenv("MOISSON_SOURCE_DIR");
    char path[4096];
    if (!top)
        fail_msg("MOISSON_SOURCE_DIR is not set");
    snprintf(path, sizeof path, "%s/%s", top, relpath);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = n >= 0 ? calloc(1, (size_t)n + 1) : NULL;
    if (!s || fread(s, 1, (size_t)n, fp) != (size_t)n)
        fail_msg("cannot read %s", path);
    fclose(fp);
    return s;
}
