/*
 * memindex_load.c — reading every entry into a snapshot (memindex_build)
 * and the builder thread that keeps the holder's snapshot at the index's
 * generation (memindex.h).
 *
 * The read is one REPEATABLE READ transaction: the generation and the rows
 * come from the same state of the database, so a snapshot never mixes two.
 * Rows travel in PostgreSQL's binary format through a cursor, MEMINDEX_
 * FETCH_ROWS at a time: numbers and the tsvector's positions exactly as
 * stored, and memory bounded by one batch besides the snapshot.
 */
#include "memindex_internal.h"

#include "tsq.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MI_RETRY_S 5          /* after a failed connection or build */
#define MI_MIN_GAP_MS 1000    /* between two builds, at least */
#define MI_SOURCES_MAX 100000 /* sources resolved by id */

/* The row read per entry; columns in this order (enum mi_col). */
static const char mi_rows_sql[] =
    "DECLARE memindex_rows BINARY NO SCROLL CURSOR FOR "
    "SELECT r.id, e.sources, r.organisations, r.keywords, r.topics, coalesce(r.type, ''), "
    "r.formats, extract(year FROM r.modified AT TIME ZONE 'UTC')::int4, "
    "(extract(epoch FROM r.modified) * 1000000)::int8, "
    "(extract(epoch FROM r.temporal_from) * 1000000)::int8, "
    "(extract(epoch FROM r.temporal_to) * 1000000)::int8, "
    "(r.bbox[1])[0], (r.bbox[1])[1], (r.bbox[0])[0], (r.bbox[0])[1], "
    "moisson_sort_key(r.title), r.fts "
    "FROM entry e JOIN record r ON r.id = e.record_id ORDER BY e.identifier";

enum mi_col {
    MI_ID,
    MI_SOURCES,
    MI_ORGANISATIONS,
    MI_KEYWORDS,
    MI_TOPICS,
    MI_TYPE,
    MI_FORMATS,
    MI_YEAR,
    MI_MODIFIED,
    MI_TEMPORAL_FROM,
    MI_TEMPORAL_TO,
    MI_WEST,
    MI_SOUTH,
    MI_EAST,
    MI_NORTH,
    MI_TITLE_KEY,
    MI_FTS,
    MI_COLS
};

/* ---- binary values ---- */

static uint32_t mi_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t mi_be64(const unsigned char *p)
{
    return (uint64_t)mi_be32(p) << 32 | mi_be32(p + 4);
}

/* An int8, int4 or float8 column; MEMINDEX_NULL / 0 / NaN-free default when NULL. */
static int mi_int8(const PGresult *res, int row, int col, int64_t *out)
{
    if (PQgetisnull(res, row, col)) {
        *out = MEMINDEX_NULL;
        return 1;
    }
    if (PQgetlength(res, row, col) != 8)
        return 0;
    *out = (int64_t)mi_be64((const unsigned char *)PQgetvalue(res, row, col));
    return 1;
}

static int mi_float8(const PGresult *res, int row, int col, double *out)
{
    if (PQgetlength(res, row, col) != 8)
        return 0;
    uint64_t bits = mi_be64((const unsigned char *)PQgetvalue(res, row, col));
    memcpy(out, &bits, sizeof *out);
    return 1;
}

/* A growing array of strings, reused from row to row. */
struct mi_strs {
    struct mi_str *v;
    size_t cap;
};

static int mi_strs_room(struct mi_strs *a, size_t n)
{
    if (n <= a->cap)
        return 1;
    size_t cap = a->cap ? a->cap : 64;
    while (cap < n)
        cap *= 2;
    void *p = realloc(a->v, cap * sizeof *a->v);
    if (!p)
        return 0;
    a->v = p;
    a->cap = cap;
    return 1;
}

/* The elements of a one-dimensional array (text[] or bigint[]) into out;
 * NULL elements are left out (the SQL groups them apart; the harvest writes
 * none).  0 when the value is malformed (or memory is short). */
static int mi_array(const PGresult *res, int row, int col, struct mi_strs *out, size_t *n)
{
    *n = 0;
    if (PQgetisnull(res, row, col))
        return 1;
    const unsigned char *p = (const unsigned char *)PQgetvalue(res, row, col);
    size_t len = (size_t)PQgetlength(res, row, col);
    if (len < 12)
        return 0;
    uint32_t ndim = mi_be32(p);
    if (ndim == 0)
        return 1;
    if (ndim != 1 || len < 20)
        return 0;
    uint32_t count = mi_be32(p + 12);
    size_t at = 20;
    if (count > (len - at) / 4 || !mi_strs_room(out, count)) /* 4 bytes of length each */
        return 0;
    for (uint32_t i = 0; i < count; i++) {
        if (len - at < 4)
            return 0;
        uint32_t el = mi_be32(p + at);
        at += 4;
        if (el == UINT32_MAX) /* -1: NULL */
            continue;
        if (el > len - at)
            return 0;
        out->v[(*n)++] = (struct mi_str){(const char *)p + at, el};
        at += el;
    }
    return at == len;
}

/* ---- one build ---- */

struct mi_load {
    struct mi_strs values[SEARCH_FACET_COUNT];
    struct mi_strs names; /* partner names of the sources */
    struct mi_strs ids;   /* their ids, binary */
    struct mi_str type, year_value;
    char year[16];
    /* source id → name */
    int64_t *source_ids;
    char **source_names;
    size_t n_sources;
    struct tsq_vector vec;
};

static mo_rc mi_exec(PGconn *conn, const char *sql, ExecStatusType want, PGresult **out,
                     struct mo_err *err)
{
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != want) {
        const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
        mo_fail(err, MO_EDB, "search index read failed: %.*s", (int)strcspn(m, "\n"), m);
        PQclear(res);
        return MO_EDB;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return MO_OK;
}

static const char *mi_source_name(const struct mi_load *l, int64_t id)
{
    size_t lo = 0, hi = l->n_sources; /* ids ascending */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->source_ids[mid] == id)
            return l->source_names[mid];
        if (l->source_ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static mo_rc mi_load_sources(PGconn *conn, struct mi_load *l, struct mo_err *err)
{
    PGresult *res = NULL;
    mo_rc rc = mi_exec(conn, "SELECT id, name FROM source ORDER BY id", PGRES_TUPLES_OK, &res, err);
    if (rc != MO_OK)
        return rc;
    size_t n = (size_t)PQntuples(res);
    if (n > MI_SOURCES_MAX) {
        PQclear(res);
        return mo_fail(err, MO_ELIMIT, "more than %d sources for the search index", MI_SOURCES_MAX);
    }
    l->source_ids = calloc(n ? n : 1, sizeof *l->source_ids);
    l->source_names = calloc(n ? n : 1, sizeof *l->source_names);
    if (!l->source_ids || !l->source_names) {
        PQclear(res);
        return mo_fail(err, MO_ENOMEM, "out of memory for the search index");
    }
    for (size_t i = 0; i < n; i++) {
        l->source_ids[i] = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
        if (!(l->source_names[i] = strdup(PQgetvalue(res, (int)i, 1)))) {
            PQclear(res);
            return mo_fail(err, MO_ENOMEM, "out of memory for the search index");
        }
        l->n_sources = i + 1;
    }
    PQclear(res);
    return MO_OK;
}

static void mi_load_clear(struct mi_load *l)
{
    for (size_t i = 0; i < l->n_sources; i++)
        free(l->source_names[i]);
    free(l->source_ids);
    free(l->source_names);
    tsq_vector_free(&l->vec);
    for (int f = 0; f < SEARCH_FACET_COUNT; f++)
        free(l->values[f].v);
    free(l->names.v);
    free(l->ids.v);
}

/* The partner names of a row's sources, in the order of the array. */
static int mi_row_partners(const PGresult *res, int row, struct mi_load *l, size_t *n)
{
    size_t count = 0;
    *n = 0;
    if (!mi_array(res, row, MI_SOURCES, &l->ids, &count) || !mi_strs_room(&l->names, count))
        return 0;
    for (size_t i = 0; i < count; i++) {
        if (l->ids.v[i].len != 8)
            return 0;
        const char *name =
            mi_source_name(l, (int64_t)mi_be64((const unsigned char *)l->ids.v[i].p));
        if (name)
            l->names.v[(*n)++] = (struct mi_str){name, strlen(name)};
    }
    return 1;
}

static mo_rc mi_row(const PGresult *res, int row, struct mi_load *l, struct mi_builder *b,
                    struct mo_err *err)
{
    static const int lists[][2] = {{SEARCH_FACET_ORGANISATION, MI_ORGANISATIONS},
                                   {SEARCH_FACET_KEYWORD, MI_KEYWORDS},
                                   {SEARCH_FACET_THEME, MI_TOPICS},
                                   {SEARCH_FACET_FORMAT, MI_FORMATS}};
    struct mi_doc d = {0};
    int64_t year = MEMINDEX_NULL;
    int ok = mi_int8(res, row, MI_ID, &d.record_id) &&
             mi_row_partners(res, row, l, &d.n_values[SEARCH_FACET_PARTNER]);
    d.values[SEARCH_FACET_PARTNER] = l->names.v;
    for (size_t i = 0; ok && i < sizeof lists / sizeof lists[0]; i++) {
        int f = lists[i][0];
        ok = mi_array(res, row, lists[i][1], &l->values[f], &d.n_values[f]);
        d.values[f] = l->values[f].v;
    }
    if (ok && PQgetlength(res, row, MI_TYPE) > 0) {
        l->type =
            (struct mi_str){PQgetvalue(res, row, MI_TYPE), (size_t)PQgetlength(res, row, MI_TYPE)};
        d.values[SEARCH_FACET_TYPE] = &l->type;
        d.n_values[SEARCH_FACET_TYPE] = 1;
    }
    if (ok && !PQgetisnull(res, row, MI_YEAR)) {
        ok = PQgetlength(res, row, MI_YEAR) == 4;
        if (ok)
            year = (int32_t)mi_be32((const unsigned char *)PQgetvalue(res, row, MI_YEAR));
        int len = snprintf(l->year, sizeof l->year, "%d", (int)year);
        l->year_value = (struct mi_str){l->year, (size_t)len};
        d.values[SEARCH_FACET_YEAR] = &l->year_value;
        d.n_values[SEARCH_FACET_YEAR] = 1;
    }
    ok = ok && mi_int8(res, row, MI_MODIFIED, &d.modified) &&
         mi_int8(res, row, MI_TEMPORAL_FROM, &d.temporal_from) &&
         mi_int8(res, row, MI_TEMPORAL_TO, &d.temporal_to);
    d.has_bbox = ok && !PQgetisnull(res, row, MI_WEST);
    for (int c = 0; c < 4 && d.has_bbox && ok; c++)
        ok = mi_float8(res, row, MI_WEST + c, &d.bbox[c]);
    if (ok && !PQgetisnull(res, row, MI_TITLE_KEY)) {
        d.title_key = PQgetvalue(res, row, MI_TITLE_KEY);
        d.title_key_len = (size_t)PQgetlength(res, row, MI_TITLE_KEY);
    }
    if (!ok)
        return mo_fail(err, MO_EDB, "search index read failed: unreadable row %d", row);
    if (!PQgetisnull(res, row, MI_FTS)) {
        mo_rc rc = tsq_vector_parse(PQgetvalue(res, row, MI_FTS),
                                    (size_t)PQgetlength(res, row, MI_FTS), &l->vec, err);
        if (rc != MO_OK)
            return rc;
        d.lexemes = l->vec.lexemes;
        d.positions = l->vec.positions;
        d.n_positions = l->vec.n_positions;
        d.n_lexemes = l->vec.n;
    }
    return mi_builder_add(b, &d, err);
}

static mo_rc mi_build_rows(PGconn *conn, const atomic_int *stop, struct mi_load *l,
                           struct mi_builder *b, struct mo_err *err)
{
    char fetch[64];
    snprintf(fetch, sizeof fetch, "FETCH %d FROM memindex_rows", MEMINDEX_FETCH_ROWS);
    mo_rc rc = mi_exec(conn, mi_rows_sql, PGRES_COMMAND_OK, NULL, err);
    while (rc == MO_OK) {
        if (stop && atomic_load(stop))
            return mo_fail(err, MO_ELIMIT, "search index build abandoned");
        PGresult *res = PQexecParams(conn, fetch, 0, NULL, NULL, NULL, NULL, 1);
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != MI_COLS) {
            const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
            rc = mo_fail(err, MO_EDB, "search index read failed: %.*s", (int)strcspn(m, "\n"), m);
            PQclear(res);
            break;
        }
        int n = PQntuples(res);
        for (int i = 0; i < n && rc == MO_OK; i++)
            rc = mi_row(res, i, l, b, err);
        PQclear(res);
        if (n < MEMINDEX_FETCH_ROWS)
            break;
    }
    return rc;
}

mo_rc memindex_build(PGconn *conn, const atomic_int *stop, struct memindex_snap **out,
                     struct mo_err *err)
{
    struct mi_load *l = calloc(1, sizeof *l);
    struct mi_builder *b = NULL;
    PGresult *res = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double read_ms = (double)t0.tv_sec * 1e3 + (double)t0.tv_nsec / 1e6;
    *out = NULL;
    if (!l)
        return mo_fail(err, MO_ENOMEM, "out of memory for the search index");
    mo_rc rc = mi_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", PGRES_COMMAND_OK,
                       NULL, err);
    if (rc != MO_OK) {
        free(l);
        return rc;
    }
    long long gen = 0;
    rc = mi_exec(conn, "SELECT n FROM index_generation", PGRES_TUPLES_OK, &res, err);
    if (rc == MO_OK) {
        gen = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
        PQclear(res);
        rc = mi_load_sources(conn, l, err);
    }
    if (rc == MO_OK)
        rc = mi_builder_new(&b, err);
    if (rc == MO_OK)
        rc = mi_build_rows(conn, stop, l, b, err);
    PQclear(PQexec(conn, rc == MO_OK ? "COMMIT" : "ROLLBACK"));
    mi_load_clear(l);
    free(l);
    if (rc != MO_OK) {
        mi_builder_free(b);
        return rc;
    }
    rc = mi_builder_end(b, gen, out, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == MO_OK) {
        (*out)->read_ms = read_ms;
        (*out)->build_ms =
            (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    return rc;
}

/* ---- the holder and its thread ---- */

struct memindex {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* a new snapshot, or stop */
    atomic_int stop;
    atomic_int hold; /* memindex_hold */
    struct memindex_snap *cur;
    char *conninfo;
    const struct log *log;
    unsigned lag_ms;
    long long seen_gen; /* the builder's: the generation last seen, since when */
    double seen_ms;
};

static void mi_unref(struct memindex_snap *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        memindex_snap_free(s);
}

static double mi_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

struct memindex_snap *memindex_acquire(struct memindex *m, long long gen, int harvesting,
                                       unsigned *behind_ms)
{
    struct memindex_snap *s = NULL;
    *behind_ms = 0;
    if (!m)
        return NULL;
    pthread_mutex_lock(&m->lock);
    if (m->cur && m->cur->generation == gen) {
        s = m->cur;
    } else if (m->cur && m->lag_ms && harvesting) {
        double age = mi_now_ms() - m->cur->read_ms;
        if (age <= m->lag_ms) {
            s = m->cur;
            *behind_ms = age < 1 ? 1 : (unsigned)age;
        }
    }
    if (s)
        atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&m->lock);
    return s;
}

void memindex_release(struct memindex *m, struct memindex_snap *s)
{
    (void)m;
    mi_unref(s);
}

static void mi_deadline(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int memindex_wait(struct memindex *m, long long gen, unsigned timeout_ms)
{
    struct timespec until;
    int ok = 0, rc = 0;
    mi_deadline(&until, timeout_ms);
    pthread_mutex_lock(&m->lock);
    while (!(ok = m->cur && m->cur->generation >= gen) && rc == 0)
        rc = pthread_cond_timedwait(&m->cond, &m->lock, &until);
    pthread_mutex_unlock(&m->lock);
    return ok;
}

void memindex_hold(struct memindex *m, int hold)
{
    atomic_store(&m->hold, hold ? 1 : 0);
}

/* Sleeps ms or until stopped; 1 when stopped. */
static int mi_nap(struct memindex *m, unsigned ms)
{
    struct timespec until;
    mi_deadline(&until, ms);
    pthread_mutex_lock(&m->lock);
    int rc = 0;
    while (!atomic_load(&m->stop) && rc == 0)
        rc = pthread_cond_timedwait(&m->cond, &m->lock, &until);
    pthread_mutex_unlock(&m->lock);
    return atomic_load(&m->stop);
}

static long long mi_generation(PGconn *conn)
{
    PGresult *res = PQexec(conn, "SELECT n FROM index_generation");
    long long gen = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        gen = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return gen;
}

/* One step of the loop: build when the generation moved and the last
 * build is far enough behind.  The time to wait before the next step. */
static unsigned mi_step(struct memindex *m, PGconn **conn, double *next_ms)
{
    struct mo_err err = {0};
    if (!*conn || PQstatus(*conn) != CONNECTION_OK) {
        PQfinish(*conn);
        *conn = PQconnectdb(m->conninfo);
        if (PQstatus(*conn) != CONNECTION_OK) {
            log_warn(m->log, "search index: cannot connect: %.*s",
                     (int)strcspn(PQerrorMessage(*conn), "\n"), PQerrorMessage(*conn));
            return MI_RETRY_S * 1000;
        }
    }
    if (atomic_load(&m->hold))
        return MEMINDEX_POLL_MS;
    long long gen = mi_generation(*conn);
    pthread_mutex_lock(&m->lock);
    int current = m->cur && m->cur->generation == gen;
    pthread_mutex_unlock(&m->lock);
    if (gen < 0 || current)
        return MEMINDEX_POLL_MS;
    double now = mi_now_ms();
    if (gen != m->seen_gen) {
        m->seen_gen = gen;
        m->seen_ms = now;
    }
    if (!m->lag_ms && m->cur && now - m->seen_ms < MEMINDEX_SETTLE_MS)
        return MEMINDEX_POLL_MS; /* still moving: a harvest writing */
    if (now < *next_ms)
        return (unsigned)(*next_ms - now) + 1;
    struct memindex_snap *snap = NULL;
    if (atomic_load(&m->hold))
        return MEMINDEX_POLL_MS;
    if (memindex_build(*conn, &m->stop, &snap, &err) != MO_OK) {
        if (!atomic_load(&m->stop))
            log_warn(m->log, "search index: %s", err.msg);
        return MI_RETRY_S * 1000;
    }
    double done = mi_now_ms();
    *next_ms = done + (2 * (done - now) > MI_MIN_GAP_MS ? 2 * (done - now) : MI_MIN_GAP_MS);
    log_info(m->log, "search index: generation %lld, %u entries, %u lexemes, %zu MiB, %.0f ms",
             snap->generation, snap->n, snap->lexemes.n, snap->bytes >> 20, snap->build_ms);
    pthread_mutex_lock(&m->lock);
    struct memindex_snap *old = m->cur;
    m->cur = snap;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    mi_unref(old);
    return MEMINDEX_POLL_MS;
}

static void *mi_thread(void *arg)
{
    struct memindex *m = arg;
    PGconn *conn = NULL;
    double next_ms = 0;
    unsigned wait_ms = 0;
    while (!mi_nap(m, wait_ms))
        wait_ms = mi_step(m, &conn, &next_ms);
    PQfinish(conn);
    return NULL;
}

mo_rc memindex_start(const char *conninfo, unsigned lag_ms, const struct log *log,
                     struct memindex **out, struct mo_err *err)
{
    struct memindex *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m || !(m->conninfo = strdup(conninfo ? conninfo : ""))) {
        free(m);
        return mo_fail(err, MO_ENOMEM, "out of memory for the search index");
    }
    m->log = log;
    m->lag_ms = lag_ms;
    m->seen_gen = -1;
    atomic_init(&m->stop, 0);
    atomic_init(&m->hold, 0);
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->cond, NULL);
    if (pthread_create(&m->thread, NULL, mi_thread, m) != 0) {
        pthread_mutex_destroy(&m->lock);
        pthread_cond_destroy(&m->cond);
        free(m->conninfo);
        free(m);
        return mo_fail(err, MO_EIO, "cannot start the search index's thread");
    }
    *out = m;
    return MO_OK;
}

void memindex_free(struct memindex *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    atomic_store(&m->stop, 1);
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    mi_unref(m->cur);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->cond);
    free(m->conninfo);
    free(m);
}
