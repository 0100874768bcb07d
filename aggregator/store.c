/*
 * store.c — the index in PostgreSQL (see store.h and aggregator/README.md).
 *
 * Every statement is constant text with $n parameters.  A page of records
 * goes through COPY (text format) into a per-connection temporary staging
 * table, then set-based statements move it into record, record_seen and
 * entry, all in one transaction.  On any database error the transaction is
 * rolled back before returning, so the connection is always idle.
 */
#include "store.h"

#include "buf.h"

#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORE_MAX_MIGRATION_BYTES (16u << 20)
#define STORE_MAX_MIGRATIONS 999
#define STORE_COPY_FLUSH_BYTES (1u << 20)
#define STORE_MAX_FIELD_BYTES (512u << 20) /* one escaped COPY line at most */
#define STORE_MIGRATE_LOCK "7236984417"    /* advisory lock key of store_migrate */

struct store {
    PGconn *conn;
    int staged;       /* the temporary staging table exists on this connection */
    long pages;       /* pages written on this connection */
    long next_analyze; /* refresh the planner's statistics at this page count */
    char sqlstate[6]; /* of the last failed statement */
};

static mo_rc store_array_literal(struct buf *out, const char *const *items, size_t n);
static mo_rc store_analyze(struct store *s, struct mo_err *err);

/* ---- errors and statements ---- */

/* The server's primary message (or libpq's), without trailing newline. */
static void store_pg_message(const struct store *s, const PGresult *res, char *out, size_t size)
{
    const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!m || !m[0])
        m = PQerrorMessage(s->conn);
    snprintf(out, size, "%s", m && m[0] ? m : "unknown error");
    /* one line: libpq's connection messages span several */
    size_t w = 0;
    for (size_t r = 0; out[r]; r++) {
        char c = out[r] == '\n' || out[r] == '\t' ? ' ' : out[r];
        if (c == ' ' && (w == 0 || out[w - 1] == ' '))
            continue;
        out[w++] = c;
    }
    while (w > 0 && out[w - 1] == ' ')
        w--;
    out[w] = '\0';
}

/* Leaves the connection idle: rolls back an open or failed transaction. */
static void store_rollback(struct store *s)
{
    PGTransactionStatusType ts = PQtransactionStatus(s->conn);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        PQclear(PQexec(s->conn, "ROLLBACK"));
}

static mo_rc store_vfail(struct store *s, const PGresult *res, struct mo_err *err, const char *fmt,
                         va_list ap) MO_PRINTF(4, 0);

static mo_rc store_vfail(struct store *s, const PGresult *res, struct mo_err *err, const char *fmt,
                         va_list ap)
{
    char what[512];
    char msg[MO_ERR_MAX / 2];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(s->sqlstate, sizeof s->sqlstate, "%s", state ? state : "");
    vsnprintf(what, sizeof what, fmt, ap);
    store_pg_message(s, res, msg, sizeof msg);
    store_rollback(s);
    return mo_fail(err, MO_EDB, "%s: %s", what, msg);
}

static mo_rc store_fail(struct store *s, const PGresult *res, struct mo_err *err, const char *fmt,
                        ...) MO_PRINTF(4, 5);
static mo_rc store_fail(struct store *s, const PGresult *res, struct mo_err *err, const char *fmt,
                        ...)
{
    va_list ap;
    va_start(ap, fmt);
    mo_rc rc = store_vfail(s, res, err, fmt, ap);
    va_end(ap);
    return rc;
}

/* Runs one statement with text parameters.  On success *out (may be NULL)
 * receives the result; on failure the transaction is rolled back and err
 * reads "<what>: <server message>". */
static mo_rc store_exec(struct store *s, const char *sql, int n, const char *const *params,
                        PGresult **out, struct mo_err *err, const char *fmt, ...) MO_PRINTF(7, 8);
static mo_rc store_exec(struct store *s, const char *sql, int n, const char *const *params,
                        PGresult **out, struct mo_err *err, const char *fmt, ...)
{
    PGresult *res = PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (out)
        *out = NULL;
    s->sqlstate[0] = '\0';
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        if (out)
            *out = res;
        else
            PQclear(res);
        return MO_OK;
    }
    va_list ap;
    va_start(ap, fmt);
    mo_rc rc = store_vfail(s, res, err, fmt, ap);
    va_end(ap);
    PQclear(res);
    return rc;
}

static char *store_strdup_or_null(const PGresult *res, int row, int col, int *oom)
{
    if (PQgetisnull(res, row, col))
        return NULL;
    char *p = strdup(PQgetvalue(res, row, col));
    if (!p)
        *oom = 1;
    return p;
}

static long long store_ll(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* ---- connection ---- */

/* Server notices ("relation already exists, skipping") are not for the user. */
static void store_ignore_notice(void *arg, const char *message)
{
}

mo_rc store_open(const char *conninfo, struct store **out, struct mo_err *err)
{
    struct store *s = calloc(1, sizeof *s);
    mo_rc rc = MO_OK;
    *out = NULL;
    if (!s)
        return mo_fail(err, MO_ENOMEM, "out of memory opening the store");
    s->conn = PQconnectdb(conninfo ? conninfo : "");
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char msg[MO_ERR_MAX / 2];
        store_pg_message(s, NULL, msg, sizeof msg);
        rc = mo_fail(err, MO_EDB, "could not connect to the database: %s", msg);
        goto out;
    }
    PQsetNoticeProcessor(s->conn, store_ignore_notice, NULL);
    if (PQsetClientEncoding(s->conn, "UTF8") != 0) {
        rc = store_fail(s, NULL, err, "could not set the client encoding to UTF8");
        goto out;
    }
    *out = s;
    s = NULL;
out:
    store_close(s);
    return rc;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    PQfinish(s->conn);
    free(s);
}

/* ---- migrations ---- */

static int store_migration_name_ok(const char *name)
{
    size_t n = strlen(name);
    return n > 8 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' &&
           name[2] >= '0' && name[2] <= '9' && name[3] == '_' && strcmp(name + n - 4, ".sql") == 0;
}

static int store_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void store_free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* The NNN_name.sql files of dir, sorted. */
static mo_rc store_list_migrations(const char *dir, char ***out, size_t *n, struct mo_err *err)
{
    char **names = NULL;
    size_t count = 0;
    mo_rc rc = MO_OK;
    DIR *d = opendir(dir);
    if (!d)
        return mo_fail(err, MO_EIO, "could not open migrations directory \"%s\": %s", dir,
                       strerror(errno));
    names = calloc(STORE_MAX_MIGRATIONS, sizeof *names);
    if (!names) {
        rc = mo_fail(err, MO_ENOMEM, "out of memory listing \"%s\"", dir);
        goto out;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!store_migration_name_ok(e->d_name))
            continue;
        if (count == STORE_MAX_MIGRATIONS) {
            rc = mo_fail(err, MO_ELIMIT, "more than %d migrations in \"%s\"", STORE_MAX_MIGRATIONS,
                         dir);
            goto out;
        }
        names[count] = strdup(e->d_name);
        if (!names[count++]) {
            rc = mo_fail(err, MO_ENOMEM, "out of memory listing \"%s\"", dir);
            goto out;
        }
    }
    qsort(names, count, sizeof *names, store_cmp_names);
    *out = names;
    *n = count;
    names = NULL;
out:
    store_free_names(names, count);
    closedir(d);
    return rc;
}

static mo_rc store_read_file(const char *path, char **out, struct mo_err *err)
{
    struct buf b;
    char chunk[8192];
    mo_rc rc = MO_OK;
    buf_init(&b, STORE_MAX_MIGRATION_BYTES);
    FILE *f = fopen(path, "rb");
    if (!f)
        return mo_fail(err, MO_EIO, "could not open \"%s\": %s", path, strerror(errno));
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if ((rc = buf_append(&b, chunk, got)) != MO_OK) {
            rc = mo_fail(err, rc, "could not read \"%s\": too large or out of memory", path);
            goto out;
        }
    }
    if (ferror(f)) {
        rc = mo_fail(err, MO_EIO, "could not read \"%s\"", path);
        goto out;
    }
    rc = buf_steal(&b, out);
    if (rc != MO_OK)
        mo_fail(err, rc, "out of memory reading \"%s\"", path);
out:
    fclose(f);
    buf_free(&b);
    return rc;
}

/* Applies one migration unless recorded; *done is set when it was applied. */
static mo_rc store_apply_one(struct store *s, const char *dir, const char *name, int *done,
                             struct mo_err *err)
{
    char path[2048];
    char version[4] = {name[0], name[1], name[2], '\0'};
    const char *params[] = {version, name};
    char *sql = NULL;
    PGresult *res = NULL;
    mo_rc rc;
    *done = 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    rc = store_read_file(path, &sql, err);
    if (rc != MO_OK)
        return rc;
    rc = store_exec(s, "BEGIN", 0, NULL, NULL, err, "could not apply migration \"%s\"", name);
    if (rc == MO_OK)
        rc = store_exec(s, "SELECT pg_advisory_xact_lock(" STORE_MIGRATE_LOCK ")", 0, NULL, NULL,
                        err, "could not lock the migrations");
    if (rc == MO_OK)
        rc = store_exec(s, "SELECT 1 FROM schema_version WHERE version = $1::int", 1, params, &res,
                        err, "could not read the schema version");
    if (rc != MO_OK || PQntuples(res) > 0)
        goto out;
    PGresult *body = PQexec(s->conn, sql);
    if (PQresultStatus(body) != PGRES_COMMAND_OK && PQresultStatus(body) != PGRES_TUPLES_OK) {
        rc = store_fail(s, body, err, "could not apply migration \"%s\"", path);
        PQclear(body);
        goto out;
    }
    PQclear(body);
    rc = store_exec(s,
                    "INSERT INTO schema_version (version, name, applied_at) "
                    "VALUES ($1::int, $2, now())",
                    2, params, NULL, err, "could not record migration \"%s\"", name);
    *done = rc == MO_OK;
out:
    if (rc == MO_OK)
        rc = store_exec(s, "COMMIT", 0, NULL, NULL, err, "could not commit migration \"%s\"", name);
    PQclear(res);
    free(sql);
    return rc;
}

mo_rc store_migrate(struct store *s, const char *schemas_dir, int *applied, struct mo_err *err)
{
    char **names = NULL;
    size_t n = 0;
    int count = 0;
    mo_rc rc = store_list_migrations(schemas_dir, &names, &n, err);
    if (rc != MO_OK)
        return rc;
    rc = store_exec(s, "BEGIN", 0, NULL, NULL, err, "could not create schema_version");
    if (rc == MO_OK)
        rc = store_exec(s, "SELECT pg_advisory_xact_lock(" STORE_MIGRATE_LOCK ")", 0, NULL, NULL,
                        err, "could not lock the migrations");
    if (rc == MO_OK)
        rc = store_exec(s,
                        "CREATE TABLE IF NOT EXISTS schema_version ("
                        " version int PRIMARY KEY, name text NOT NULL,"
                        " applied_at timestamptz NOT NULL DEFAULT now())",
                        0, NULL, NULL, err, "could not create schema_version");
    if (rc == MO_OK)
        rc = store_exec(s, "COMMIT", 0, NULL, NULL, err, "could not create schema_version");
    for (size_t i = 0; rc == MO_OK && i < n; i++) {
        int done = 0;
        rc = store_apply_one(s, schemas_dir, names[i], &done, err);
        count += done;
    }
    if (applied)
        *applied = count;
    store_free_names(names, n);
    return rc;
}

/* ---- sources ---- */

void source_clear(struct source *src)
{
    if (!src)
        return;
    free(src->name);
    free(src->type);
    free(src->url);
    free(src->constraint_text);
    free(src->created_at);
    free(src->last_success_at);
    free(src->last_full_success_at);
    memset(src, 0, sizeof *src);
}

static int store_name_ok(const char *name)
{
    if (!name || !name[0])
        return 0;
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '-'))
            return 0;
    }
    return 1;
}

mo_rc store_source_add(struct store *s, const struct source *src, long long *id, struct mo_err *err)
{
    char page_size[24], every[24], full_every[24], shrink[40], priority[24];
    PGresult *res = NULL;
    if (!store_name_ok(src->name))
        return mo_fail(err, MO_EBADREQ, "source name \"%s\" is not made of [A-Za-z0-9_.-]",
                       src->name ? src->name : "");
    if (!src->type || !src->url)
        return mo_fail(err, MO_EBADREQ, "source \"%s\" needs a type and a url", src->name);
    if (!(src->max_shrink <= 1.0) || src->page_size < 0 || src->every_s < 0)
        return mo_fail(err, MO_EBADREQ,
                       "source \"%s\": max_shrink must be at most 1, page "
                       "size and period not negative",
                       src->name);
    snprintf(page_size, sizeof page_size, "%d",
             src->page_size > 0 ? src->page_size : STORE_DEFAULT_PAGE_SIZE);
    snprintf(every, sizeof every, "%ld", src->every_s);
    snprintf(full_every, sizeof full_every, "%ld",
             src->full_every_s > 0 ? src->full_every_s : 604800L);
    snprintf(shrink, sizeof shrink, "%.17g",
             src->max_shrink >= 0 ? src->max_shrink : STORE_DEFAULT_MAX_SHRINK);
    snprintf(priority, sizeof priority, "%d", src->priority);
    const char *params[] = {src->name,  src->type, src->url, src->constraint_text, page_size, every,
                            full_every, shrink,    priority};
    mo_rc rc = store_exec(s,
                          "INSERT INTO source (name, type, url, constraint_text, page_size,"
                          " every_s, full_every_s, max_shrink, priority)"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                          9, params, &res, err, "could not add source \"%s\"", src->name);
    if (rc != MO_OK) {
        if (strcmp(s->sqlstate, "23505") == 0)
            rc = mo_fail(err, MO_EBADREQ, "a source named \"%s\" already exists", src->name);
        return rc;
    }
    if (id)
        *id = store_ll(res, 0, 0);
    PQclear(res);
    return MO_OK;
}

static const char store_source_sql[] =
    "SELECT s.id, s.name, s.type, s.url, s.constraint_text, s.page_size, s.every_s,"
    " s.full_every_s, s.max_shrink, s.priority, moisson_iso(s.created_at),"
    " (SELECT moisson_iso(max(h.started_at)) FROM harvest_run h"
    "   WHERE h.source_id = s.id AND h.status = 'success'),"
    " (SELECT moisson_iso(max(h.started_at)) FROM harvest_run h"
    "   WHERE h.source_id = s.id AND h.status = 'success' AND h.\"full\"),"
    " (SELECT count(*) FROM record r WHERE r.source_id = s.id AND r.retired_at IS NULL)"
    " FROM source s WHERE $1::text IS NULL OR s.name = $1 ORDER BY s.name";

static mo_rc store_source_from_row(const PGresult *res, int row, struct source *out,
                                   struct mo_err *err)
{
    int oom = 0;
    memset(out, 0, sizeof *out);
    out->id = store_ll(res, row, 0);
    out->name = store_strdup_or_null(res, row, 1, &oom);
    out->type = store_strdup_or_null(res, row, 2, &oom);
    out->url = store_strdup_or_null(res, row, 3, &oom);
    out->constraint_text = store_strdup_or_null(res, row, 4, &oom);
    out->page_size = (int)store_ll(res, row, 5);
    out->every_s = (long)store_ll(res, row, 6);
    out->full_every_s = (long)store_ll(res, row, 7);
    out->max_shrink = strtod(PQgetvalue(res, row, 8), NULL);
    out->priority = (int)store_ll(res, row, 9);
    out->created_at = store_strdup_or_null(res, row, 10, &oom);
    out->last_success_at = store_strdup_or_null(res, row, 11, &oom);
    out->last_full_success_at = store_strdup_or_null(res, row, 12, &oom);
    out->record_count = store_ll(res, row, 13);
    if (oom) {
        source_clear(out);
        return mo_fail(err, MO_ENOMEM, "out of memory reading a source");
    }
    return MO_OK;
}

mo_rc store_source_get(struct store *s, const char *name, struct source *out, struct mo_err *err)
{
    PGresult *res = NULL;
    const char *params[] = {name};
    memset(out, 0, sizeof *out);
    if (!name)
        return mo_fail(err, MO_EBADREQ, "no source name given");
    mo_rc rc =
        store_exec(s, store_source_sql, 1, params, &res, err, "could not read source \"%s\"", name);
    if (rc != MO_OK)
        return rc;
    if (PQntuples(res) == 0)
        rc = mo_fail(err, MO_ENOTFOUND, "no source named \"%s\"", name);
    else
        rc = store_source_from_row(res, 0, out, err);
    PQclear(res);
    return rc;
}

mo_rc store_source_list(struct store *s, struct source **out, size_t *n, struct mo_err *err)
{
    PGresult *res = NULL;
    const char *params[] = {NULL};
    struct source *list = NULL;
    size_t count = 0;
    *out = NULL;
    *n = 0;
    mo_rc rc = store_exec(s, store_source_sql, 1, params, &res, err, "could not list sources");
    if (rc != MO_OK)
        return rc;
    size_t rows = (size_t)PQntuples(res);
    list = calloc(rows ? rows : 1, sizeof *list);
    if (!list) {
        rc = mo_fail(err, MO_ENOMEM, "out of memory listing sources");
        goto out;
    }
    for (; count < rows; count++) {
        rc = store_source_from_row(res, (int)count, &list[count], err);
        if (rc != MO_OK)
            goto out;
    }
    *out = list;
    *n = count;
    list = NULL;
out:
    for (size_t i = 0; list && i < count; i++)
        source_clear(&list[i]);
    free(list);
    PQclear(res);
    return rc;
}

mo_rc store_source_remove(struct store *s, const char *name, struct mo_err *err)
{
    PGresult *res = NULL;
    const char *params[] = {name};
    if (!name)
        return mo_fail(err, MO_EBADREQ, "no source name given");
    mo_rc rc = store_exec(s, "SELECT source_remove(id) FROM source WHERE name = $1", 1, params,
                          &res, err, "could not remove source \"%s\"", name);
    if (rc != MO_OK)
        return rc;
    if (PQntuples(res) == 0)
        rc = mo_fail(err, MO_ENOTFOUND, "no source named \"%s\"", name);
    PQclear(res);
    return rc;
}

/* ---- runs ---- */

mo_rc store_run_begin(struct store *s, long long source_id, int full, long long *run_id,
                      struct mo_err *err)
{
    char sid[24];
    PGresult *res = NULL;
    snprintf(sid, sizeof sid, "%lld", source_id);
    const char *params[] = {sid, full ? "true" : "false"};
    mo_rc rc = store_exec(s,
                          "INSERT INTO harvest_run (source_id, \"full\", status)"
                          " VALUES ($1, $2, 'running') RETURNING id",
                          2, params, &res, err, "could not begin a run of source %lld", source_id);
    if (rc != MO_OK)
        return rc;
    *run_id = store_ll(res, 0, 0);
    PQclear(res);
    return MO_OK;
}

mo_rc store_run_finish(struct store *s, long long run_id, const char *status,
                       const struct run_counters *c, const char *report, struct mo_err *err)
{
    static const struct run_counters none = {.announced = -1};
    char v[9][24];
    PGresult *res = NULL;
    if (!status ||
        (strcmp(status, "success") && strcmp(status, "incomplete") && strcmp(status, "failed")))
        return mo_fail(err, MO_EBADREQ, "run status \"%s\" is not success, incomplete or failed",
                       status ? status : "");
    if (!c)
        c = &none;
    long vals[] = {c->announced, c->received, c->added,   c->updated,
                   c->unchanged, c->failed,   c->retired, c->pages};
    snprintf(v[0], sizeof v[0], "%lld", run_id);
    for (int i = 0; i < 8; i++)
        snprintf(v[i + 1], sizeof v[i + 1], "%ld", vals[i]);
    const char *params[] = {v[0], status, v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], report};
    mo_rc rc = store_exec(s,
                          "UPDATE harvest_run SET status = $2, finished_at = now(),"
                          " announced = $3, received = $4, added = $5, updated = $6,"
                          " unchanged = $7, failed = $8, retired = $9, pages = $10,"
                          " report = $11 WHERE id = $1",
                          11, params, &res, err, "could not finish run %lld", run_id);
    if (rc != MO_OK)
        return rc;
    if (strcmp(PQcmdTuples(res), "1") != 0)
        rc = mo_fail(err, MO_ENOTFOUND, "no run %lld", run_id);
    PQclear(res);
    return rc;
}

mo_rc store_run_error(struct store *s, long long run_id, const char *identifier, const char *reason,
                      struct mo_err *err)
{
    char rid[24];
    snprintf(rid, sizeof rid, "%lld", run_id);
    const char *params[] = {rid, identifier, reason ? reason : "unknown error"};
    return store_exec(s, "INSERT INTO run_error (run_id, identifier, reason) VALUES ($1, $2, $3)",
                      3, params, NULL, err, "could not record an error of run %lld", run_id);
}

void run_info_clear(struct run_info *r)
{
    if (!r)
        return;
    free(r->source_name);
    free(r->status);
    free(r->started_at);
    free(r->finished_at);
    free(r->report);
    memset(r, 0, sizeof *r);
}

static mo_rc store_run_from_row(const PGresult *res, int row, struct run_info *r,
                                struct mo_err *err)
{
    int oom = 0;
    memset(r, 0, sizeof *r);
    r->id = store_ll(res, row, 0);
    r->source_name = store_strdup_or_null(res, row, 1, &oom);
    r->full = strcmp(PQgetvalue(res, row, 2), "t") == 0;
    r->status = store_strdup_or_null(res, row, 3, &oom);
    r->started_at = store_strdup_or_null(res, row, 4, &oom);
    r->finished_at = store_strdup_or_null(res, row, 5, &oom);
    long *counters[] = {&r->c.announced, &r->c.received, &r->c.added,   &r->c.updated,
                        &r->c.unchanged, &r->c.failed,   &r->c.retired, &r->c.pages};
    for (int i = 0; i < 8; i++)
        *counters[i] = (long)store_ll(res, row, 6 + i);
    r->report = store_strdup_or_null(res, row, 14, &oom);
    if (oom) {
        run_info_clear(r);
        return mo_fail(err, MO_ENOMEM, "out of memory reading a run");
    }
    return MO_OK;
}

mo_rc store_runs_list(struct store *s, const char *name, int limit, struct run_info **out,
                      size_t *n, struct mo_err *err)
{
    char lim[24];
    PGresult *res = NULL;
    struct run_info *list = NULL;
    size_t count = 0;
    *out = NULL;
    *n = 0;
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {name, limit > 0 ? lim : NULL};
    mo_rc rc =
        store_exec(s,
                   "SELECT h.id, s.name, h.\"full\", h.status, moisson_iso(h.started_at),"
                   " moisson_iso(h.finished_at), h.announced, h.received, h.added, h.updated,"
                   " h.unchanged, h.failed, h.retired, h.pages, h.report"
                   " FROM harvest_run h JOIN source s ON s.id = h.source_id"
                   " WHERE $1::text IS NULL OR s.name = $1 ORDER BY h.id DESC LIMIT $2::bigint",
                   2, params, &res, err, "could not list runs");
    if (rc != MO_OK)
        return rc;
    size_t rows = (size_t)PQntuples(res);
    list = calloc(rows ? rows : 1, sizeof *list);
    if (!list) {
        rc = mo_fail(err, MO_ENOMEM, "out of memory listing runs");
        goto out;
    }
    for (; count < rows; count++) {
        rc = store_run_from_row(res, (int)count, &list[count], err);
        if (rc != MO_OK)
            goto out;
    }
    *out = list;
    *n = count;
    list = NULL;
out:
    for (size_t i = 0; list && i < count; i++)
        run_info_clear(&list[i]);
    free(list);
    PQclear(res);
    return rc;
}

mo_rc store_run_errors(struct store *s, long long run_id,
                       void (*cb)(void *ud, const char *identifier, const char *reason), void *ud,
                       struct mo_err *err)
{
    char rid[24];
    PGresult *res = NULL;
    snprintf(rid, sizeof rid, "%lld", run_id);
    const char *params[] = {rid};
    mo_rc rc = store_exec(s,
                          "SELECT identifier, reason FROM run_error WHERE run_id = $1"
                          " ORDER BY seq",
                          1, params, &res, err, "could not read the errors of run %lld", run_id);
    if (rc != MO_OK)
        return rc;
    for (int i = 0; i < PQntuples(res); i++)
        cb(ud, PQgetisnull(res, i, 0) ? NULL : PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
    PQclear(res);
    return MO_OK;
}

mo_rc store_runs_reap(struct store *s, long long source_id, int *reaped, struct mo_err *err)
{
    char sid[24];
    PGresult *res = NULL;
    snprintf(sid, sizeof sid, "%lld", source_id);
    const char *params[] = {sid};
    mo_rc rc =
        store_exec(s,
                   "UPDATE harvest_run SET status = 'failed', finished_at = now(),"
                   " report = 'interrupted' WHERE source_id = $1 AND status = 'running'",
                   1, params, &res, err, "could not reap the runs of source %lld", source_id);
    if (rc != MO_OK)
        return rc;
    if (reaped)
        *reaped = atoi(PQcmdTuples(res));
    PQclear(res);
    return MO_OK;
}

/* ---- records: reading ---- */

mo_rc store_lookup_hashes(struct store *s, long long source_id, long long run_id,
                          const char *const *hashes, size_t n,
                          void (*cb)(void *ud, const char *hash, const char *identifier,
                                     int seen_in_run),
                          void *ud, struct mo_err *err)
{
    char sid[24], rid[24];
    struct buf arr;
    PGresult *res = NULL;
    mo_rc rc;
    if (n == 0)
        return MO_OK;
    buf_init(&arr, STORE_MAX_FIELD_BYTES);
    rc = store_array_literal(&arr, hashes, n);
    if (rc != MO_OK) {
        buf_free(&arr);
        return mo_fail(err, rc, "could not look up hashes of source %lld: out of memory",
                       source_id);
    }
    snprintf(sid, sizeof sid, "%lld", source_id);
    snprintf(rid, sizeof rid, "%lld", run_id);
    const char *params[] = {sid, rid, arr.data};
    /* live records first, so a caller keeping the first match gets a live one */
    rc = store_exec(s,
                    "SELECT r.hash, r.identifier, coalesce(sn.last_run = $2::bigint, false)"
                    " FROM record r LEFT JOIN record_seen sn ON sn.record_id = r.id"
                    " WHERE r.source_id = $1::bigint AND r.hash = ANY ($3::text[])"
                    " ORDER BY r.retired_at IS NOT NULL, r.id",
                    3, params, &res, err, "could not look up hashes of source %lld", source_id);
    buf_free(&arr);
    if (rc != MO_OK)
        return rc;
    for (int i = 0; i < PQntuples(res); i++)
        cb(ud, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
           strcmp(PQgetvalue(res, i, 2), "t") == 0);
    PQclear(res);
    return MO_OK;
}

static mo_rc store_count(struct store *s, const char *sql, int n, const char *const *params,
                         long long *out, struct mo_err *err, const char *what)
{
    PGresult *res = NULL;
    mo_rc rc = store_exec(s, sql, n, params, &res, err, "could not count %s", what);
    if (rc != MO_OK)
        return rc;
    *out = store_ll(res, 0, 0);
    PQclear(res);
    return MO_OK;
}

mo_rc store_count_records(struct store *s, long long source_id, long long *n, struct mo_err *err)
{
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", source_id);
    const char *params[] = {sid};
    return store_count(s,
                       "SELECT count(*) FROM record WHERE retired_at IS NULL"
                       " AND ($1::bigint = 0 OR source_id = $1::bigint)",
                       1, params, n, err, "records");
}

mo_rc store_count_entries(struct store *s, long long *n, struct mo_err *err)
{
    return store_count(s, "SELECT count(*) FROM entry", 0, NULL, n, err, "entries");
}

/* ---- records: retiring ---- */

mo_rc store_retire_unseen(struct store *s, long long source_id, long long run_id, double max_shrink,
                          long *retired, struct mo_err *err)
{
    char sid[24], rid[24];
    PGresult *res = NULL;
    long long live, seen;
    snprintf(sid, sizeof sid, "%lld", source_id);
    snprintf(rid, sizeof rid, "%lld", run_id);
    const char *params[] = {sid, rid};
    if (retired)
        *retired = 0;
    if (!(max_shrink >= 0 && max_shrink <= 1))
        max_shrink = STORE_DEFAULT_MAX_SHRINK;
    /* the counts below join the whole source, and every seen stamp just
     * changed: fresh statistics keep their plans linear */
    mo_rc arc = store_analyze(s, err);
    if (arc != MO_OK)
        return arc;
    mo_rc rc = store_exec(s, "BEGIN", 0, NULL, NULL, err, "could not retire records of source %lld",
                          source_id);
    if (rc == MO_OK)
        rc = store_exec(s, "SELECT id FROM source WHERE id = $1 FOR UPDATE", 1, params, NULL, err,
                        "could not lock source %lld", source_id);
    if (rc == MO_OK)
        rc = store_exec(s,
                        "SELECT count(*), count(s.record_id) FROM record r"
                        " LEFT JOIN record_seen s ON s.record_id = r.id AND s.last_run = $2"
                        " WHERE r.source_id = $1 AND r.retired_at IS NULL",
                        2, params, &res, err, "could not count records of source %lld", source_id);
    if (rc != MO_OK)
        return rc;
    live = store_ll(res, 0, 0);
    seen = store_ll(res, 0, 1);
    PQclear(res);
    res = NULL;
    if ((double)seen < (1.0 - max_shrink) * (double)live) {
        store_rollback(s);
        return mo_fail(err, MO_ELIMIT,
                       "listing shrank from %lld to %lld records (more than "
                       "%.0f%%); nothing retired",
                       live, seen, max_shrink * 100.0);
    }
    rc = store_exec(s, "SELECT record_retire_unseen($1, $2)", 2, params, &res, err,
                    "could not retire records of source %lld", source_id);
    if (rc != MO_OK)
        return rc;
    if (retired)
        *retired = (long)store_ll(res, 0, 0);
    PQclear(res);
    return store_exec(s, "COMMIT", 0, NULL, NULL, err, "could not retire records of source %lld",
                      source_id);
}

/* ---- records: writing a page ---- */

static const char store_stage_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS moisson_stage ("
    " seq int NOT NULL, identifier text NOT NULL, schema text, language text, parent text,"
    " type text, title text, abstract text, lineage text, service_type text, thumbnail text,"
    " date_creation text, date_publication text, date_revision text, date_stamp text,"
    " temporal_begin text, temporal_end text,"
    " alt_titles text[], keywords text[], topics text[], organisations text[], links text[],"
    " formats text[], crs text[], licences text[], resource_languages text[],"
    " operates_on text[], bbox box, original text, unified text, hash text NOT NULL)"
    " ON COMMIT DELETE ROWS";

#define STORE_COLUMNS                                                                              \
    "identifier, schema, language, parent, type, title, abstract, lineage, service_type,"          \
    " thumbnail, date_creation, date_publication, date_revision, date_stamp, temporal_begin,"      \
    " temporal_end"
#define STORE_ARRAYS                                                                               \
    "alt_titles, keywords, topics, organisations, links, formats, crs, licences,"                  \
    " resource_languages, operates_on"

static const char store_upsert_sql[] =
    "WITH up AS ("
    " INSERT INTO record AS r (source_id, " STORE_COLUMNS ", created, published, revised,"
    "  modified, temporal_from, temporal_to, " STORE_ARRAYS ", bbox, original, unified, hash)"
    " SELECT DISTINCT ON (identifier) $1::bigint, " STORE_COLUMNS ","
    "  moisson_parse_ts(date_creation), moisson_parse_ts(date_publication),"
    "  moisson_parse_ts(date_revision),"
    "  coalesce(moisson_parse_ts(date_stamp), moisson_parse_ts(date_revision)),"
    "  moisson_parse_ts(temporal_begin), moisson_parse_ts(temporal_end),"
    "  coalesce(alt_titles, '{}'), coalesce(keywords, '{}'), coalesce(topics, '{}'),"
    "  coalesce(organisations, '{}'), coalesce(links, '{}'), coalesce(formats, '{}'),"
    "  coalesce(crs, '{}'), coalesce(licences, '{}'), coalesce(resource_languages, '{}'),"
    "  coalesce(operates_on, '{}'), bbox, original, unified, hash"
    " FROM moisson_stage ORDER BY identifier, seq DESC"
    " ON CONFLICT (source_id, identifier) DO UPDATE SET"
    "  schema = excluded.schema, language = excluded.language, parent = excluded.parent,"
    "  type = excluded.type, title = excluded.title, abstract = excluded.abstract,"
    "  lineage = excluded.lineage, service_type = excluded.service_type,"
    "  thumbnail = excluded.thumbnail, date_creation = excluded.date_creation,"
    "  date_publication = excluded.date_publication, date_revision = excluded.date_revision,"
    "  date_stamp = excluded.date_stamp, temporal_begin = excluded.temporal_begin,"
    "  temporal_end = excluded.temporal_end, created = excluded.created,"
    "  published = excluded.published, revised = excluded.revised,"
    "  modified = excluded.modified, temporal_from = excluded.temporal_from,"
    "  temporal_to = excluded.temporal_to, alt_titles = excluded.alt_titles,"
    "  keywords = excluded.keywords, topics = excluded.topics,"
    "  organisations = excluded.organisations, links = excluded.links,"
    "  formats = excluded.formats, crs = excluded.crs, licences = excluded.licences,"
    "  resource_languages = excluded.resource_languages, operates_on = excluded.operates_on,"
    "  bbox = excluded.bbox, original = excluded.original, unified = excluded.unified,"
    "  hash = excluded.hash, changed_at = now(), retired_at = NULL"
    " WHERE r.hash IS DISTINCT FROM excluded.hash OR r.retired_at IS NOT NULL"
    " RETURNING (xmax = 0) AS inserted)"
    " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),"
    "  (SELECT count(DISTINCT identifier) FROM moisson_stage) FROM up";

static const char store_seen_sql[] =
    "INSERT INTO record_seen (record_id, last_run, last_seen)"
    " SELECT r.id, $2::bigint, now() FROM record r"
    " WHERE r.source_id = $1::bigint"
    "  AND r.identifier = ANY (ARRAY(SELECT identifier FROM moisson_stage) || $3::text[])"
    " ON CONFLICT (record_id) DO UPDATE"
    "  SET last_run = excluded.last_run, last_seen = excluded.last_seen";

static const char store_revive_sql[] =
    "UPDATE record SET retired_at = NULL WHERE source_id = $1::bigint"
    " AND identifier = ANY ($2::text[]) AND retired_at IS NOT NULL";

static const char store_refresh_sql[] =
    "SELECT entry_refresh(ARRAY(SELECT DISTINCT identifier FROM moisson_stage) || $1::text[])";

/* COPY text format: backslash, tab, newline and CR escaped; NULL as \N. */
/* v is a NUL-terminated string of len bytes (every caller's is). */
static mo_rc store_copy_text(struct buf *b, const char *v, size_t len)
{
    mo_rc rc = MO_OK;
    size_t start = 0;
    if (!v)
        return buf_append(b, "\\N", 2);
    for (size_t i = 0; i < len && rc == MO_OK; i++) {
        i += strcspn(v + i, "\\\t\n\r"); /* long runs of plain text at once */
        if (i >= len)
            break;
        const char *esc = NULL;
        switch (v[i]) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            continue;
        }
        rc = buf_append(b, v + start, i - start);
        if (rc == MO_OK)
            rc = buf_append(b, esc, 2);
        start = i + 1;
    }
    if (rc == MO_OK)
        rc = buf_append(b, v + start, len - start);
    return rc;
}

static mo_rc store_copy_str(struct buf *b, const char *v)
{
    return store_copy_text(b, v, v ? strlen(v) : 0);
}

/* A PostgreSQL array literal: every element double-quoted, with backslash
 * and double quote escaped; NULL items as NULL. */
static mo_rc store_array_literal(struct buf *out, const char *const *items, size_t n)
{
    mo_rc rc = buf_append(out, "{", 1);
    for (size_t i = 0; i < n && rc == MO_OK; i++) {
        if (i > 0)
            rc = buf_append(out, ",", 1);
        if (rc != MO_OK)
            break;
        if (!items[i]) {
            rc = buf_append(out, "NULL", 4);
            continue;
        }
        rc = buf_append(out, "\"", 1);
        for (const char *p = items[i]; *p && rc == MO_OK; p++) {
            if (*p == '"' || *p == '\\')
                rc = buf_append(out, "\\", 1);
            if (rc == MO_OK)
                rc = buf_append(out, p, 1);
        }
        if (rc == MO_OK)
            rc = buf_append(out, "\"", 1);
    }
    if (rc == MO_OK)
        rc = buf_append(out, "}", 1);
    return rc;
}

static mo_rc store_copy_array(struct buf *b, struct buf *tmp, const struct strlist *l)
{
    buf_reset(tmp);
    mo_rc rc = store_array_literal(tmp, (const char *const *)l->items, l->items ? l->count : 0);
    if (rc == MO_OK)
        rc = store_copy_text(b, tmp->data, tmp->len);
    return rc;
}

static mo_rc store_copy_bbox(struct buf *b, const struct record *r)
{
    if (!r->has_bbox || !isfinite(r->west) || !isfinite(r->south) || !isfinite(r->east) ||
        !isfinite(r->north))
        return buf_append(b, "\\N", 2);
    return buf_printf(b, "(%.17g,%.17g),(%.17g,%.17g)", r->east, r->north, r->west, r->south);
}

/* One COPY line for r (seq is its position in the page). */
static mo_rc store_copy_record(struct buf *b, struct buf *tmp, const struct record *r, size_t seq)
{
    const char *texts[] = {r->identifier,    r->schema,     r->language,       r->parent,
                           r->type,          r->title,      r->abstract,       r->lineage,
                           r->service_type,  r->thumbnail,  r->date_creation,  r->date_publication,
                           r->date_revision, r->date_stamp, r->temporal_begin, r->temporal_end};
    const struct strlist *arrays[] = {
        &r->alt_titles, &r->keywords, &r->topics,   &r->organisations,      &r->links,
        &r->formats,    &r->crs,      &r->licences, &r->resource_languages, &r->operates_on};
    mo_rc rc = buf_printf(b, "%zu", seq);
    for (size_t i = 0; i < sizeof texts / sizeof *texts && rc == MO_OK; i++) {
        rc = buf_append(b, "\t", 1);
        if (rc == MO_OK)
            rc = store_copy_str(b, texts[i]);
    }
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays && rc == MO_OK; i++) {
        rc = buf_append(b, "\t", 1);
        if (rc == MO_OK)
            rc = store_copy_array(b, tmp, arrays[i]);
    }
    if (rc == MO_OK)
        rc = buf_append(b, "\t", 1);
    if (rc == MO_OK)
        rc = store_copy_bbox(b, r);
    if (rc == MO_OK)
        rc = buf_append(b, "\t", 1);
    if (rc == MO_OK)
        rc = store_copy_text(b, r->original,
                             r->original && r->original_len
                                 ? r->original_len
                                 : (r->original ? strlen(r->original) : 0));
    if (rc == MO_OK)
        rc = buf_append(b, "\t", 1);
    if (rc == MO_OK)
        rc = store_copy_text(b, r->unified,
                             r->unified && r->unified_len ? r->unified_len
                                                          : (r->unified ? strlen(r->unified) : 0));
    if (rc == MO_OK)
        rc = buf_append(b, "\t", 1);
    if (rc == MO_OK)
        rc = store_copy_str(b, r->hash);
    if (rc == MO_OK)
        rc = buf_append(b, "\n", 1);
    return rc;
}

/* Streams the records into moisson_stage (inside the page's transaction). */
static mo_rc store_copy_page(struct store *s, long long source_id, const struct record *recs,
                             size_t n, struct mo_err *err)
{
    struct buf b, tmp;
    mo_rc rc = MO_OK;
    const char *fail = NULL;
    buf_init(&b, STORE_MAX_FIELD_BYTES);
    buf_init(&tmp, STORE_MAX_FIELD_BYTES);
    PGresult *res = PQexec(s->conn, "COPY moisson_stage FROM STDIN");
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = store_fail(s, res, err, "could not write page of source %lld", source_id);
        goto out;
    }
    for (size_t i = 0; i < n && !fail; i++) {
        rc = store_copy_record(&b, &tmp, &recs[i], i);
        if (rc != MO_OK) {
            fail = "record too large or out of memory";
        } else if (b.len >= STORE_COPY_FLUSH_BYTES || i + 1 == n) {
            if (PQputCopyData(s->conn, b.data, (int)b.len) != 1)
                fail = "could not send COPY data";
            buf_reset(&b);
        }
    }
    PQputCopyEnd(s->conn, fail);
    PQclear(res);
    res = PQgetResult(s->conn);
    for (PGresult *extra; (extra = PQgetResult(s->conn)) != NULL;)
        PQclear(extra); /* drain to leave the connection ready */
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        mo_rc why = rc;
        rc = store_fail(s, res, err, "could not write page of source %lld", source_id);
        if (why != MO_OK && err)
            err->rc = rc = why;
    }
out:
    PQclear(res);
    buf_free(&b);
    buf_free(&tmp);
    return rc;
}

static mo_rc store_stage_ensure(struct store *s, struct mo_err *err)
{
    if (s->staged)
        return MO_OK;
    /* Staged XML is compressed with lz4 where the server has it (pglz would
     * cost more than the rest of the page); a server without it says no and
     * keeps its default. */
    PQclear(PQexec(s->conn, "SET default_toast_compression TO lz4"));
    mo_rc rc =
        store_exec(s, store_stage_sql, 0, NULL, NULL, err, "could not create the staging table");
    s->staged = rc == MO_OK;
    return rc;
}

/* The statements after COPY: upsert, seen stamps, revivals, entries. */
static mo_rc store_page_apply(struct store *s, long long source_id, const char *const *p,
                              size_t n_recs, size_t n_unchanged, struct page_result *res_out,
                              struct mo_err *err)
{
    PGresult *res = NULL;
    mo_rc rc = MO_OK;
    res_out->unchanged = (long)n_unchanged;
    if (n_recs > 0) {
        rc = store_exec(s, store_upsert_sql, 1, p, &res, err, "could not write page of source %lld",
                        source_id);
        if (rc != MO_OK)
            return rc;
        res_out->added = (long)store_ll(res, 0, 0);
        res_out->updated = (long)store_ll(res, 0, 1);
        res_out->unchanged += (long)(store_ll(res, 0, 2) - res_out->added - res_out->updated);
        PQclear(res);
        res = NULL;
    }
    rc = store_exec(s, store_seen_sql, 3, p, NULL, err, "could not write page of source %lld",
                    source_id);
    const char *revive[] = {p[0], p[2]};
    if (rc == MO_OK && n_unchanged > 0)
        rc = store_exec(s, store_revive_sql, 2, revive, &res, err,
                        "could not write page of source %lld", source_id);
    int revived = res && atoi(PQcmdTuples(res)) > 0;
    PQclear(res);
    const char *refresh[] = {revived ? p[2] : "{}"};
    if (rc == MO_OK && (n_recs > 0 || revived))
        rc = store_exec(s, store_refresh_sql, 1, refresh, NULL, err,
                        "could not write page of source %lld", source_id);
    return rc;
}

static mo_rc store_page_check(const struct record *recs, size_t n_recs,
                              const char *const *unchanged_ids, size_t n_unchanged,
                              struct mo_err *err)
{
    for (size_t i = 0; i < n_recs; i++) {
        if (!recs[i].identifier || !recs[i].identifier[0])
            return mo_fail(err, MO_EBADREQ, "record %zu of the page has no identifier", i);
    }
    for (size_t i = 0; i < n_unchanged; i++) {
        if (!unchanged_ids[i])
            return mo_fail(err, MO_EBADREQ, "unchanged identifier %zu of the page is missing", i);
    }
    return MO_OK;
}

/* Planner statistics of the tables a harvest grows.  A first harvest takes a
 * table from empty to many rows inside one run, long before autovacuum looks:
 * without this, the per-page statements are planned for empty tables and get
 * slower with every page.  Narrow columns only: cheap. */
static mo_rc store_analyze(struct store *s, struct mo_err *err)
{
    mo_rc rc = store_exec(s, "ANALYZE record (id, source_id, identifier, hash, retired_at)", 0,
                          NULL, NULL, err, "could not analyze records");
    if (rc == MO_OK)
        rc = store_exec(s, "ANALYZE record_seen", 0, NULL, NULL, err, "could not analyze records");
    return rc;
}

/* After 1, 4, 16, 64... pages that added records on this connection:
 * log(pages) analyzes. */
static mo_rc store_analyze_sometimes(struct store *s, struct mo_err *err)
{
    if (++s->pages < s->next_analyze)
        return MO_OK;
    s->next_analyze = s->next_analyze ? s->next_analyze * 4 : 4;
    return store_analyze(s, err);
}

mo_rc store_put_page(struct store *s, long long source_id, long long run_id,
                     const struct record *recs, size_t n_recs, const char *const *unchanged_ids,
                     size_t n_unchanged, struct page_result *res, struct mo_err *err)
{
    char sid[24], rid[24];
    struct buf ids;
    struct page_result local = {0};
    buf_init(&ids, STORE_MAX_FIELD_BYTES);
    mo_rc rc = store_page_check(recs, n_recs, unchanged_ids, n_unchanged, err);
    if (rc == MO_OK && (rc = store_array_literal(&ids, unchanged_ids, n_unchanged)) != MO_OK)
        mo_fail(err, rc, "could not write page of source %lld: identifiers too large", source_id);
    if (rc != MO_OK)
        goto out;
    snprintf(sid, sizeof sid, "%lld", source_id);
    snprintf(rid, sizeof rid, "%lld", run_id);
    const char *params[] = {sid, rid, ids.data};
    rc = store_stage_ensure(s, err);
    if (rc == MO_OK)
        rc = store_exec(s, "BEGIN", 0, NULL, NULL, err, "could not write page of source %lld",
                        source_id);
    /* A page need not wait for its WAL flush: a crash can only lose the last
     * pages of a run, which the database keeps consistent and the next run
     * fetches again; the run's outcome itself is committed durably. */
    if (rc == MO_OK)
        rc = store_exec(s, "SET LOCAL synchronous_commit TO off", 0, NULL, NULL, err,
                        "could not write page of source %lld", source_id);
    if (rc == MO_OK && n_recs > 0)
        rc = store_copy_page(s, source_id, recs, n_recs, err);
    if (rc == MO_OK)
        rc = store_page_apply(s, source_id, params, n_recs, n_unchanged, &local, err);
    if (rc == MO_OK)
        rc = store_exec(s, "COMMIT", 0, NULL, NULL, err, "could not write page of source %lld",
                        source_id);
    if (rc == MO_OK && local.added > 0)
        rc = store_analyze_sometimes(s, err);
out:
    store_rollback(s);
    if (rc == MO_OK && res)
        *res = local;
    buf_free(&ids);
    return rc;
}

/* ---- what the index holds ---- */

mo_rc store_stats(struct store *s, struct store_stats *out, struct mo_err *err)
{
    PGresult *res = NULL;
    memset(out, 0, sizeof *out);
    mo_rc rc = store_exec(s,
                          "SELECT (SELECT count(*) FROM source),"
                          " (SELECT count(*) FROM record WHERE retired_at IS NULL),"
                          " (SELECT count(*) FROM record WHERE retired_at IS NOT NULL),"
                          " (SELECT count(*) FROM entry),"
                          " (SELECT count(*) FROM entry WHERE cardinality(sources) > 1)",
                          0, NULL, &res, err, "could not count the index");
    if (rc != MO_OK)
        return rc;
    out->sources = store_ll(res, 0, 0);
    out->records = store_ll(res, 0, 1);
    out->retired = store_ll(res, 0, 2);
    out->entries = store_ll(res, 0, 3);
    out->shared = store_ll(res, 0, 4);
    PQclear(res);
    return MO_OK;
}

mo_rc store_shared_entries(struct store *s, int limit,
                           void (*cb)(void *ud, const char *identifier, const char *title,
                                      const char *chosen, const char *sources),
                           void *ud, struct mo_err *err)
{
    PGresult *res = NULL;
    char lim[24];
    snprintf(lim, sizeof lim, "%d", limit > 0 ? limit : 20);
    const char *params[] = {lim};
    mo_rc rc = store_exec(s,
                          "SELECT e.identifier, r.title, cs.name,"
                          " (SELECT string_agg(so.name, ', ' ORDER BY array_position(e.sources, so.id))"
                          "   FROM source so WHERE so.id = ANY (e.sources))"
                          " FROM entry e JOIN record r ON r.id = e.record_id"
                          " JOIN source cs ON cs.id = r.source_id"
                          " WHERE cardinality(e.sources) > 1 ORDER BY e.identifier LIMIT $1::int",
                          1, params, &res, err, "could not list shared entries");
    if (rc != MO_OK)
        return rc;
    for (int i = 0; i < PQntuples(res); i++)
        cb(ud, PQgetvalue(res, i, 0), PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1),
           PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
    PQclear(res);
    return MO_OK;
}
