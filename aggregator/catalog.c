/*
 * catalog.c — the CSW server's statements over the index (catalog.h): a
 * page of matching entries with their exact count, entries by identifier,
 * the values of a queryable.
 */
#include "catalog.h"

#include "buf.h"
#include "catalog_cache.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rows of every answer: generation (searches), identifier, schema,
 * payload, sources, harvest date-time. */
#define ROW_SOURCES                                                                                \
    "coalesce((SELECT string_agg(s.name, ', ' ORDER BY a.o) FROM unnest(e.sources) "               \
    "WITH ORDINALITY AS a(id, o) JOIN source s ON s.id = a.id), '')"
#define ROW_TAIL ", " ROW_SOURCES ", moisson_iso(r.changed_at)"
#define PAYLOAD_UNIFIED "r.unified"
#define PAYLOAD_ISO "CASE WHEN r.schema = 'iso19139' THEN r.original ELSE r.unified END"
#define FROM_ENTRIES " FROM entry e JOIN record r ON r.id = e.record_id"
#define SQL_GENERATION "SELECT n FROM index_generation"
#define CATALOG_SQLSTATE_NO_STATEMENT "26000" /* invalid_sql_statement_name */

enum { COL_GEN, COL_ID, COL_SCHEMA, COL_PAYLOAD, COL_SOURCES, COL_HARVESTED, COL_COUNT };

struct catalog {
    struct catalog_cache *counts;
    struct catalog_cache *cursors;
    pthread_mutex_t lock; /* stats */
    struct catalog_stats stats;
};

/* One search as SQL: the condition, its parameters and the normalised key. */
struct search_sql {
    struct buf where;
    struct sql_params p;
    struct buf key;
    int few; /* the condition matches at most CATALOG_FEW_MATCHES entries */
};

mo_rc catalog_new(struct catalog **out, struct mo_err *err)
{
    *out = NULL;
    struct catalog *c = calloc(1, sizeof *c);
    if (!c)
        return mo_fail(err, MO_ENOMEM, "out of memory for the catalog");
    pthread_mutex_init(&c->lock, NULL);
    mo_rc rc = catalog_cache_new(CATALOG_COUNT_SLOTS, &c->counts, err);
    if (rc == MO_OK)
        rc = catalog_cache_new(CATALOG_CURSOR_SLOTS, &c->cursors, err);
    if (rc != MO_OK) {
        catalog_free(c);
        return rc;
    }
    *out = c;
    return MO_OK;
}

void catalog_free(struct catalog *c)
{
    if (!c)
        return;
    catalog_cache_free(c->counts);
    catalog_cache_free(c->cursors);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void catalog_get_stats(struct catalog *c, struct catalog_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    pthread_mutex_unlock(&c->lock);
}

static void catalog_count_stat(struct catalog *c, unsigned long *counter)
{
    pthread_mutex_lock(&c->lock);
    (*counter)++;
    pthread_mutex_unlock(&c->lock);
}

void catalog_result_clear(struct catalog_result *r)
{
    if (!r)
        return;
    PQclear(r->res);
    free(r->rows);
    memset(r, 0, sizeof *r);
}

/* ---- running statements ---- */

/* Runs sql with the parameters; MO_EDB with the server's message (for the
 * log) when it does not return rows. */
static mo_rc catalog_exec(PGconn *conn, const char *sql, const struct sql_params *p, PGresult **out,
                          struct mo_err *err)
{
    PGresult *res = PQexecParams(conn, sql, p ? p->n : 0, NULL,
                                 p ? (const char *const *)p->values : NULL, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
        mo_fail(err, MO_EDB, "catalog query failed: %.*s", (int)strcspn(m, "\n"), m);
        PQclear(res);
        return MO_EDB;
    }
    *out = res;
    return MO_OK;
}

/* Runs the constant statement sql prepared as name on this connection,
 * preparing it on first use (a connection of the pool lives long; one that
 * was replaced has none): planned once per connection instead of on every
 * call.  Errors as catalog_exec. */
static mo_rc catalog_exec_prepared(PGconn *conn, const char *name, const char *sql,
                                   const struct sql_params *p, PGresult **out, struct mo_err *err)
{
    int n = p ? p->n : 0;
    const char *const *values = p ? (const char *const *)p->values : NULL;
    PGresult *res = PQexecPrepared(conn, name, n, values, NULL, NULL, 0);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && !strcmp(state, CATALOG_SQLSTATE_NO_STATEMENT)) {
        PQclear(res);
        res = PQprepare(conn, name, sql, n, NULL);
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            PQclear(res);
            res = PQexecPrepared(conn, name, n, values, NULL, NULL, 0);
        }
    }
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
        mo_fail(err, MO_EDB, "catalog statement %s failed: %.*s", name, (int)strcspn(m, "\n"), m);
        PQclear(res);
        return MO_EDB;
    }
    *out = res;
    return MO_OK;
}

static long long catalog_ll(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* Points out->rows at the columns of res (first_col: the identifier's). */
static mo_rc catalog_rows(PGresult *res, int first_col, struct catalog_result *out,
                          struct mo_err *err)
{
    size_t n = (size_t)PQntuples(res);
    out->res = res;
    out->n = n;
    out->rows = n ? calloc(n, sizeof *out->rows) : NULL;
    if (n && !out->rows)
        return mo_fail(err, MO_ENOMEM, "out of memory for %zu rows", n);
    for (size_t i = 0; i < n; i++) {
        struct catalog_row *row = &out->rows[i];
        int k = (int)i;
        row->identifier = PQgetvalue(res, k, first_col);
        row->schema = PQgetvalue(res, k, first_col + 1);
        row->payload = PQgetvalue(res, k, first_col + 2);
        row->payload_len = (size_t)PQgetlength(res, k, first_col + 2);
        row->sources = PQgetvalue(res, k, first_col + 3);
        row->harvested = PQgetvalue(res, k, first_col + 4);
    }
    return MO_OK;
}

/* ---- searches ---- */

static void search_sql_free(struct search_sql *s)
{
    buf_free(&s->where);
    buf_free(&s->key);
    sql_params_free(&s->p);
}

/* The condition of q and its key: the SQL text, then each parameter,
 * separated by control characters no parameter holds unescaped (the key
 * only has to tell two queries apart: a text parameter is valid UTF-8
 * without NUL, and its length is written before it). */
static mo_rc search_sql_make(const struct catalog_query *q, struct search_sql *s,
                             struct mo_err *err)
{
    buf_init(&s->where, CATALOG_MAX_SQL);
    buf_init(&s->key, CATALOG_MAX_SQL + CATALOG_MAX_KEY);
    mo_rc rc = q->filter ? filter_to_sql(q->filter, &s->where, &s->p, err)
                         : buf_append_str(&s->where, "true");
    if (rc != MO_OK)
        return rc == MO_ELIMIT && !err->msg[0]
                   ? mo_fail(err, rc, "search statement longer than %d bytes", CATALOG_MAX_SQL)
                   : rc;
    rc = buf_append(&s->key, s->where.data, s->where.len);
    for (int i = 0; rc == MO_OK && i < s->p.n; i++)
        rc = buf_printf(&s->key, "\x1f%zu:%s", strlen(s->p.values[i]), s->p.values[i]);
    for (size_t i = 0; rc == MO_OK && i < q->n_sort; i++)
        rc = buf_printf(&s->key, "\x1e%s %s", q->sort[i].q->sql, q->sort[i].desc ? "D" : "A");
    if (rc != MO_OK)
        return mo_fail(err, rc, "search statement longer than %d bytes", CATALOG_MAX_SQL);
    return MO_OK;
}

/* The count key: the condition and its parameters only (sort keys do not
 * change a count): the key up to its first sort separator. */
static size_t search_count_key_len(const struct search_sql *s)
{
    const char *sep = memchr(s->key.data, '\x1e', s->key.len);
    return sep ? (size_t)(sep - s->key.data) : s->key.len;
}

/* Current generation and exact count (from the cache when it holds the
 * count for the generation known_gen, or known_gen < 0 and the current
 * one). */
static mo_rc search_count(struct catalog *c, PGconn *conn, const struct search_sql *s,
                          long long known_gen, long long *gen, long long *count, struct mo_err *err)
{
    PGresult *res = NULL;
    size_t klen = search_count_key_len(s);
    long long cgen = 0, cnum = 0;
    mo_rc rc = MO_OK;
    if (known_gen < 0 && (rc = catalog_generation(conn, &known_gen, err)) != MO_OK)
        return rc;
    if (catalog_cache_get(c->counts, s->key.data, klen, &cgen, &cnum, NULL, 0) &&
        cgen == known_gen) {
        catalog_count_stat(c, &c->stats.count_hits);
        *gen = cgen;
        *count = cnum;
        return MO_OK;
    }
    struct buf sql;
    buf_init(&sql, CATALOG_MAX_SQL);
    rc = buf_printf(&sql, "SELECT (" SQL_GENERATION "), count(*)" FROM_ENTRIES " WHERE %s",
                    s->where.data);
    if (rc != MO_OK)
        rc = mo_fail(err, rc, "count statement longer than %d bytes", CATALOG_MAX_SQL);
    if (rc == MO_OK)
        rc = catalog_exec(conn, sql.data, &s->p, &res, err);
    buf_free(&sql);
    if (rc != MO_OK)
        return rc;
    catalog_count_stat(c, &c->stats.count_misses);
    *gen = catalog_ll(res, 0, 0);
    *count = catalog_ll(res, 0, 1);
    PQclear(res);
    catalog_cache_put(c->counts, s->key.data, klen, *gen, *count, NULL);
    return MO_OK;
}

/* The page statement: after (a cursor's last identifier) or OFFSET. */
static mo_rc search_page(PGconn *conn, const struct catalog_query *q, struct search_sql *s,
                         enum catalog_payload payload, long long offset, long max,
                         const char *after, PGresult **out, struct mo_err *err)
{
    struct buf sql;
    char num[32];
    int base = s->p.n;
    mo_rc rc = MO_OK;
    buf_init(&sql, CATALOG_MAX_SQL);
    if (s->few && !after) /* the matches first, then sorted: no walk of the whole index */
        rc = buf_printf(
            &sql,
            "WITH e AS MATERIALIZED (SELECT e.identifier, e.record_id, e.sources" FROM_ENTRIES
            " WHERE %s) SELECT (" SQL_GENERATION "), e.identifier, coalesce(r.schema, ''),"
            " %s" ROW_TAIL " FROM e JOIN record r ON r.id = e.record_id WHERE true",
            s->where.data, payload == CATALOG_ISO ? PAYLOAD_ISO : PAYLOAD_UNIFIED);
    else
        rc = buf_printf(&sql,
                        "SELECT (" SQL_GENERATION "), e.identifier, coalesce(r.schema, ''),"
                        " %s" ROW_TAIL FROM_ENTRIES " WHERE %s",
                        payload == CATALOG_ISO ? PAYLOAD_ISO : PAYLOAD_UNIFIED, s->where.data);
    if (rc == MO_OK && after)
        rc = buf_printf(&sql, " AND e.identifier > $%d", base + 3);
    if (rc == MO_OK)
        rc = buf_append_str(&sql, " ORDER BY ");
    for (size_t i = 0; rc == MO_OK && i < q->n_sort; i++)
        rc = buf_printf(&sql, "%s %s NULLS LAST, ", q->sort[i].q->sql,
                        q->sort[i].desc ? "DESC" : "ASC");
    if (rc == MO_OK)
        rc = buf_printf(&sql, "e.identifier LIMIT $%d OFFSET $%d", base + 1, base + 2);
    if (rc != MO_OK) {
        buf_free(&sql);
        return mo_fail(err, rc, "page statement longer than %d bytes", CATALOG_MAX_SQL);
    }
    snprintf(num, sizeof num, "%ld", max);
    rc = sql_params_add(&s->p, num, err);
    snprintf(num, sizeof num, "%lld", after ? 0LL : offset);
    if (rc == MO_OK)
        rc = sql_params_add(&s->p, num, err);
    if (rc == MO_OK && after)
        rc = sql_params_add(&s->p, after, err);
    if (rc == MO_OK)
        rc = catalog_exec(conn, sql.data, &s->p, out, err);
    while (s->p.n > base) /* the condition's parameters only, for the count */
        free(s->p.values[--s->p.n]);
    buf_free(&sql);
    return rc;
}

/* The cursor key: the query's key (catalog_query_key) and the start
 * position it continues. */
static mo_rc cursor_key_of(const char *query_key, size_t len, long long start, struct buf *key)
{
    buf_init(key, len + 32);
    mo_rc rc = buf_append(key, query_key, len);
    if (rc == MO_OK)
        rc = buf_printf(key, "\x1d%lld", start);
    return rc;
}

static mo_rc cursor_key(const struct search_sql *s, long long start, struct buf *key)
{
    return cursor_key_of(s->key.data, s->key.len, start, key);
}

static mo_rc search_check(const struct catalog_query *q, long long start, long max,
                          struct mo_err *err)
{
    if (start < 1)
        return mo_fail(err, MO_EBADREQ, "start position %lld is not 1 or more", start);
    if (max < 0 || max > CATALOG_MAX_PAGE)
        return mo_fail(err, MO_EBADREQ, "page size %ld is not within 0 to %d", max,
                       CATALOG_MAX_PAGE);
    if (q->n_sort > CATALOG_MAX_SORT)
        return mo_fail(err, MO_EBADREQ, "more than %d sort keys", CATALOG_MAX_SORT);
    for (size_t i = 0; i < q->n_sort; i++)
        if (!q->sort[i].q || !q->sort[i].q->sortable)
            return mo_fail(err, MO_EBADREQ, "cannot sort by %s",
                           q->sort[i].q ? q->sort[i].q->name : "(none)");
    return MO_OK;
}

/* The page of a search, continuing from a remembered end when there is one
 * for this generation; *gen receives the generation the rows come from (-1
 * when no row told it). */
static mo_rc search_rows(struct catalog *c, PGconn *conn, const struct catalog_query *q,
                         struct search_sql *s, long long start, long max,
                         enum catalog_payload payload, PGresult **res, long long *gen,
                         struct mo_err *err)
{
    char after[CATALOG_MAX_KEY + 1];
    long long cgen = -1, unused = 0;
    struct buf key = {0};
    int cursor = 0;
    mo_rc rc = MO_OK;
    *gen = -1;
    if (q->n_sort == 0 && start > 1 && cursor_key(s, start, &key) == MO_OK)
        cursor =
            catalog_cache_get(c->cursors, key.data, key.len, &cgen, &unused, after, sizeof after);
    buf_free(&key);
    rc = search_page(conn, q, s, payload, start - 1, max, cursor ? after : NULL, res, err);
    if (rc != MO_OK)
        return rc;
    if (PQntuples(*res) > 0)
        *gen = catalog_ll(*res, 0, COL_GEN);
    if (!cursor)
        return MO_OK;
    if (*gen == cgen) {
        catalog_count_stat(c, &c->stats.cursor_hits);
        return MO_OK;
    }
    if (*gen < 0) { /* no row: the end, if the index is still as the cursor saw it */
        long long now = 0, count = 0;
        rc = search_count(c, conn, s, -1, &now, &count, err);
        if (rc != MO_OK || now == cgen)
            return rc;
    }
    PQclear(*res); /* the index changed since: count from the start */
    *res = NULL;
    *gen = -1;
    rc = search_page(conn, q, s, payload, start - 1, max, NULL, res, err);
    if (rc == MO_OK && PQntuples(*res) > 0)
        *gen = catalog_ll(*res, 0, COL_GEN);
    return rc;
}

/* Remembers where a full page in the default order ended. */
static void search_remember(struct catalog *c, const struct catalog_query *q,
                            const struct search_sql *s, long long start, long max,
                            const PGresult *res, long long gen)
{
    int n = PQntuples(res);
    struct buf key = {0};
    if (q->n_sort || n == 0 || n < max || gen < 0)
        return;
    if (cursor_key(s, start + n, &key) == MO_OK)
        catalog_cache_put(c->cursors, key.data, key.len, gen, 0, PQgetvalue(res, n - 1, COL_ID));
    buf_free(&key);
}

/* Whether the condition matches few entries, from the count (cached, of any
 * generation: only the plan depends on it, never the answer; else counted
 * now, which the answer needs anyway).  With few matches, walking the index
 * in identifier order until a page is full reads most of the index; sorting
 * the matches costs little. */
static mo_rc search_hint(struct catalog *c, PGconn *conn, struct search_sql *s, struct mo_err *err)
{
    long long gen = 0, count = 0;
    if (!catalog_cache_get(c->counts, s->key.data, search_count_key_len(s), &gen, &count, NULL,
                           0)) {
        mo_rc rc = search_count(c, conn, s, -1, &gen, &count, err);
        if (rc != MO_OK)
            return rc;
    }
    s->few = count <= CATALOG_FEW_MATCHES;
    return MO_OK;
}

mo_rc catalog_search(struct catalog *c, PGconn *conn, const struct catalog_query *q,
                     long long start, long max, enum catalog_payload payload,
                     struct catalog_result *out, struct mo_err *err)
{
    struct search_sql s = {0};
    PGresult *res = NULL;
    long long gen = -1, count_gen = 0, count = 0;
    memset(out, 0, sizeof *out);
    mo_rc rc = search_check(q, start, max, err);
    if (rc == MO_OK)
        rc = search_sql_make(q, &s, err);
    if (rc == MO_OK && max > 0 && q->filter)
        rc = search_hint(c, conn, &s, err);
    if (rc == MO_OK && max > 0)
        rc = search_rows(c, conn, q, &s, start, max, payload, &res, &gen, err);
    if (rc == MO_OK)
        rc = search_count(c, conn, &s, gen, &count_gen, &count, err);
    if (rc == MO_OK && res)
        search_remember(c, q, &s, start, max, res, gen);
    if (rc == MO_OK && res) {
        rc = catalog_rows(res, COL_ID, out, err);
        res = NULL;
    }
    if (rc == MO_OK) {
        out->matched = count;
        out->generation = count_gen;
    } else {
        catalog_result_clear(out);
    }
    PQclear(res);
    search_sql_free(&s);
    return rc;
}

void catalog_remember(struct catalog *c, const char *query_key, size_t len, long long start, long n,
                      const char *last, long long gen)
{
    struct buf key = {0};
    if (n > 0 && gen >= 0 && last && last[0] &&
        cursor_key_of(query_key, len, start + n, &key) == MO_OK)
        catalog_cache_put(c->cursors, key.data, key.len, gen, 0, last);
    buf_free(&key);
}

mo_rc catalog_query_key(const struct catalog_query *q, struct buf *key, struct mo_err *err)
{
    struct search_sql s = {0};
    mo_rc rc = search_check(q, 1, 0, err);
    if (rc == MO_OK)
        rc = search_sql_make(q, &s, err);
    if (rc == MO_OK && buf_append(key, s.key.data, s.key.len) != MO_OK)
        rc = mo_fail(err, MO_ELIMIT, "query key longer than %zu bytes", key->max);
    search_sql_free(&s);
    return rc;
}

mo_rc catalog_generation(PGconn *conn, long long *gen, struct mo_err *err)
{
    PGresult *res = NULL;
    mo_rc rc = catalog_exec_prepared(conn, "moisson_generation", SQL_GENERATION, NULL, &res, err);
    if (rc == MO_OK)
        *gen = PQntuples(res) ? catalog_ll(res, 0, 0) : 0;
    PQclear(res);
    return rc;
}

/* ---- by identifier ---- */

/* {"a","b"}: every element quoted, '"' and '\' escaped. */
static mo_rc catalog_array_literal(const char *const *ids, size_t n, struct buf *out,
                                   struct mo_err *err)
{
    mo_rc rc = buf_append_str(out, "{");
    for (size_t i = 0; rc == MO_OK && i < n; i++) {
        rc = buf_append_str(out, i ? ",\"" : "\"");
        for (const char *p = ids[i]; rc == MO_OK && *p; p++)
            rc = (*p == '"' || *p == '\\') ? buf_printf(out, "\\%c", *p) : buf_append(out, p, 1);
        if (rc == MO_OK)
            rc = buf_append_str(out, "\"");
    }
    if (rc == MO_OK)
        rc = buf_append_str(out, "}");
    if (rc != MO_OK)
        return mo_fail(err, rc, "identifiers longer than %d bytes in all", CATALOG_MAX_ID_BYTES);
    return MO_OK;
}

mo_rc catalog_by_ids(PGconn *conn, const char *const *ids, size_t n, enum catalog_payload payload,
                     struct catalog_result *out, struct mo_err *err)
{
    static const char sql_unified[] =
        "SELECT e.identifier, coalesce(r.schema, ''), " PAYLOAD_UNIFIED ROW_TAIL
        " FROM unnest($1::text[]) WITH ORDINALITY AS i(id, o)"
        " JOIN entry e ON e.identifier = i.id JOIN record r ON r.id = e.record_id ORDER BY i.o";
    static const char sql_iso[] =
        "SELECT e.identifier, coalesce(r.schema, ''), " PAYLOAD_ISO ROW_TAIL
        " FROM unnest($1::text[]) WITH ORDINALITY AS i(id, o)"
        " JOIN entry e ON e.identifier = i.id JOIN record r ON r.id = e.record_id ORDER BY i.o";
    /* One identifier, the usual case: a plain equality, whose generic plan
     * PostgreSQL keeps (an array parameter made it plan every call anew). */
    static const char sql_one_unified[] =
        "SELECT e.identifier, coalesce(r.schema, ''), " PAYLOAD_UNIFIED ROW_TAIL FROM_ENTRIES
        " WHERE e.identifier = $1";
    static const char sql_one_iso[] =
        "SELECT e.identifier, coalesce(r.schema, ''), " PAYLOAD_ISO ROW_TAIL FROM_ENTRIES
        " WHERE e.identifier = $1";
    struct buf lit;
    struct sql_params p = {0};
    PGresult *res = NULL;
    int iso = payload == CATALOG_ISO;
    memset(out, 0, sizeof *out);
    if (n > CATALOG_MAX_IDS)
        return mo_fail(err, MO_EBADREQ, "more than %d identifiers", CATALOG_MAX_IDS);
    buf_init(&lit, CATALOG_MAX_ID_BYTES);
    mo_rc rc = n == 1 ? buf_append_str(&lit, ids[0]) : catalog_array_literal(ids, n, &lit, err);
    if (rc != MO_OK && !err->msg[0])
        rc = mo_fail(err, rc, "identifier longer than %d bytes", CATALOG_MAX_ID_BYTES);
    if (rc == MO_OK)
        rc = sql_params_add(&p, lit.data, err);
    if (rc == MO_OK && n == 1)
        rc = iso ? catalog_exec_prepared(conn, "moisson_by_id_iso", sql_one_iso, &p, &res, err)
                 : catalog_exec_prepared(conn, "moisson_by_id", sql_one_unified, &p, &res, err);
    else if (rc == MO_OK)
        rc = iso ? catalog_exec_prepared(conn, "moisson_by_ids_iso", sql_iso, &p, &res, err)
                 : catalog_exec_prepared(conn, "moisson_by_ids", sql_unified, &p, &res, err);
    if (rc == MO_OK)
        rc = catalog_rows(res, 0, out, err);
    else
        PQclear(res);
    if (rc != MO_OK)
        catalog_result_clear(out);
    buf_free(&lit);
    sql_params_free(&p);
    return rc;
}

/* ---- domains ---- */

mo_rc catalog_domain(PGconn *conn, const struct queryable *q, size_t max,
                     struct catalog_values *out, struct mo_err *err)
{
    struct buf sql;
    struct sql_params p = {0};
    char num[32];
    mo_rc rc = MO_OK;
    memset(out, 0, sizeof *out);
    if (q->type == QUERYABLE_BBOX || q->type == QUERYABLE_FULLTEXT)
        return mo_fail(err, MO_EBADREQ, "%s has no list of values (%s)", q->name,
                       q->type == QUERYABLE_BBOX ? "a bounding box" : "full text");
    if (max > CATALOG_MAX_DOMAIN_VALUES)
        max = CATALOG_MAX_DOMAIN_VALUES;
    buf_init(&sql, CATALOG_MAX_SQL);
    if (q->type == QUERYABLE_TEXT_LIST)
        rc = buf_printf(&sql,
                        "SELECT u.v, count(*)" FROM_ENTRIES " CROSS JOIN LATERAL unnest(%s) AS u(v)"
                        " WHERE u.v IS NOT NULL AND u.v <> '' GROUP BY u.v ORDER BY u.v LIMIT $1",
                        q->sql);
    else
        rc = buf_printf(&sql,
                        "SELECT d.v, count(*) FROM (SELECT %s%s%s AS v" FROM_ENTRIES ") AS d"
                        " WHERE d.v IS NOT NULL AND d.v <> '' GROUP BY d.v ORDER BY d.v LIMIT $1",
                        q->type == QUERYABLE_DATE ? "moisson_iso(" : "", q->sql,
                        q->type == QUERYABLE_DATE ? ")" : "");
    snprintf(num, sizeof num, "%zu", max);
    if (rc == MO_OK)
        rc = sql_params_add(&p, num, err);
    if (rc == MO_OK)
        rc = catalog_exec(conn, sql.data, &p, &out->res, err);
    if (rc == MO_OK)
        out->n = (size_t)PQntuples(out->res);
    buf_free(&sql);
    sql_params_free(&p);
    return rc;
}

void catalog_values_get(const struct catalog_values *v, size_t i, const char **value,
                        long long *count)
{
    *value = PQgetvalue(v->res, (int)i, 0);
    *count = catalog_ll(v->res, (int)i, 1);
}

void catalog_values_clear(struct catalog_values *v)
{
    if (!v)
        return;
    PQclear(v->res);
    memset(v, 0, sizeof *v);
}
