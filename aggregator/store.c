/*
 * store.c — the index in PostgreSQL (see store.h and aggregator/README.md).
 *
 * Every statement is constant text with $n parameters.  Writing a page of
 * records is store_page.c.  On any database error the transaction is rolled
 * back before returning, so the connection is always idle.
 */
#include "store.h"

#include "buf.h"
#include "store_internal.h"

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
#define STORE_MIGRATE_LOCK "7236984417" /* advisory lock key of store_migrate */


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
void store_rollback(struct store *s)
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

mo_rc store_fail(struct store *s, const PGresult *res, struct mo_err *err, const char *fmt, ...)
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
mo_rc store_exec(struct store *s, const char *sql, int n, const char *const *params, PGresult **out,
                 struct mo_err *err, const char *fmt, ...)
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

long long store_ll(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* A PostgreSQL array literal: every element double-quoted, with backslash
 * and double quote escaped; NULL items as NULL. */
mo_rc store_array_literal(struct buf *out, const char *const *items, size_t n)
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
    const char *params[] = {src->name,  src->type,
                            src->url,   src->constraint_text,
                            page_size,  every,
                            full_every, shrink,
                            priority,   src->ignore_metadata_urls ? "f" : "t"};
    mo_rc rc = store_exec(s,
                          "INSERT INTO source (name, type, url, constraint_text, page_size,"
                          " every_s, full_every_s, max_shrink, priority, metadata_urls)"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                          10, params, &res, err, "could not add source \"%s\"", src->name);
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
    " (SELECT count(*) FROM record r WHERE r.source_id = s.id AND r.retired_at IS NULL),"
    " s.metadata_urls"
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
    out->ignore_metadata_urls = strcmp(PQgetvalue(res, row, 14), "t") != 0;
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

static const char store_lookup_sql[] =
    /* live records first, so a caller keeping the first match gets a live one */
    "SELECT r.hash, r.identifier, coalesce(sn.last_run = $2::bigint, false)"
    " FROM record r LEFT JOIN record_seen sn ON sn.record_id = r.id"
    " WHERE r.source_id = $1::bigint AND r.hash = ANY ($3::text[])"
    " ORDER BY r.retired_at IS NOT NULL, r.id";

mo_rc store_lookup_send(struct store *s, long long source_id, long long run_id,
                        const char *const *hashes, size_t n, struct mo_err *err)
{
    char sid[24], rid[24];
    struct buf arr;
    buf_init(&arr, STORE_MAX_FIELD_BYTES);
    mo_rc rc = store_array_literal(&arr, hashes, n);
    if (rc != MO_OK) {
        buf_free(&arr);
        return mo_fail(err, rc, "could not look up hashes of source %lld: out of memory",
                       source_id);
    }
    snprintf(sid, sizeof sid, "%lld", source_id);
    snprintf(rid, sizeof rid, "%lld", run_id);
    const char *params[] = {sid, rid, arr.data};
    int sent = PQsendQueryParams(s->conn, store_lookup_sql, 3, NULL, params, NULL, NULL, 0);
    buf_free(&arr);
    if (!sent)
        return store_fail(s, NULL, err, "could not look up hashes of source %lld", source_id);
    return MO_OK;
}

mo_rc store_lookup_collect(struct store *s,
                           void (*cb)(void *ud, const char *hash, const char *identifier,
                                      int seen_in_run),
                           void *ud, struct mo_err *err)
{
    mo_rc rc = MO_OK;
    for (PGresult *res; (res = PQgetResult(s->conn)) != NULL; PQclear(res)) {
        if (rc != MO_OK)
            continue; /* drained: the connection must end idle */
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            rc = store_fail(s, res, err, "could not look up hashes");
            continue;
        }
        for (int i = 0; cb && i < PQntuples(res); i++)
            cb(ud, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
               strcmp(PQgetvalue(res, i, 2), "t") == 0);
    }
    return rc;
}

mo_rc store_lookup_hashes(struct store *s, long long source_id, long long run_id,
                          const char *const *hashes, size_t n,
                          void (*cb)(void *ud, const char *hash, const char *identifier,
                                     int seen_in_run),
                          void *ud, struct mo_err *err)
{
    if (n == 0)
        return MO_OK;
    mo_rc rc = store_lookup_send(s, source_id, run_id, hashes, n, err);
    return rc == MO_OK ? store_lookup_collect(s, cb, ud, err) : rc;
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
    /* both statements below reach each record's seen stamp through its
     * primary key: linear in the source even while the statistics of
     * record_seen do not know this run yet (migration 007) */
    mo_rc rc = store_exec(s, "BEGIN", 0, NULL, NULL, err, "could not retire records of source %lld",
                          source_id);
    if (rc == MO_OK)
        rc = store_exec(s, "SELECT id FROM source WHERE id = $1 FOR UPDATE", 1, params, NULL, err,
                        "could not lock source %lld", source_id);
    if (rc == MO_OK)
        rc = store_exec(s,
                        "SELECT count(*), count(*) FILTER (WHERE s.last_run = $2) FROM record r"
                        " LEFT JOIN record_seen s ON s.record_id = r.id"
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

/* ---- planner statistics ---- */

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
mo_rc store_analyze_sometimes(struct store *s, struct mo_err *err)
{
    if (++s->pages < s->next_analyze)
        return MO_OK;
    s->next_analyze = s->next_analyze ? s->next_analyze * 4 : 4;
    return store_analyze(s, err);
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
    mo_rc rc =
        store_exec(s,
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
