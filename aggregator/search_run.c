/*
 * search_run.c — search_run (search.h): the counts and facets (exact, or
 * estimated from the sample; cached by generation), the ranked identifiers
 * (the first SEARCH_CACHED_IDS cached by generation), the page with the
 * matching words located.
 *
 * Counts travel as text, the form they are cached in: a first line
 * "MATCHED EXACT", then one line per facet value "FACET COUNT LEN:VALUE"
 * (the value as LEN raw bytes, so any byte may occur in it).
 */
#include "search.h"

#include "memindex.h"
#include "search_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The counts of res (scaled by scale) as text; matched overrides the
 * counted number when >= 0. */
static mo_rc search_counts_text(PGresult *res, long long scale, long long matched, int exact,
                                struct buf *out)
{
    long long counted = 0;
    for (int i = 0; i < PQntuples(res); i++)
        if (atoi(PQgetvalue(res, i, 0)) < 0)
            counted = strtoll(PQgetvalue(res, i, 2), NULL, 10) * scale;
    mo_rc rc = buf_printf(out, "%lld %d\n", matched >= 0 ? matched : counted, exact);
    for (int i = 0; i < PQntuples(res) && rc == MO_OK; i++) {
        int f = atoi(PQgetvalue(res, i, 0));
        if (f < 0 || f >= SEARCH_FACET_COUNT)
            continue;
        rc = buf_printf(out, "%d %lld %d:", f, strtoll(PQgetvalue(res, i, 2), NULL, 10) * scale,
                        PQgetlength(res, i, 1));
        if (rc == MO_OK)
            rc = buf_append(out, PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1));
        if (rc == MO_OK)
            rc = buf_append_str(out, "\n");
    }
    return rc;
}

static long long search_counted(PGresult *res)
{
    for (int i = 0; i < PQntuples(res); i++)
        if (atoi(PQgetvalue(res, i, 0)) < 0)
            return strtoll(PQgetvalue(res, i, 2), NULL, 10);
    return 0;
}

/* Counts the matches: the 1/64 sample first, then the 1/16 one; the first
 * that says there are more than SEARCH_EXACT_MAX matches with at least
 * SEARCH_EXACT_MAX / 16 sampled rows gives the estimate; else the exact
 * figures (at most SEARCH_EXACT_MAX + 1 matches read). */
static mo_rc search_counts(PGconn *conn, const struct search_sql *s, int facets, int *estimated,
                           struct buf *out, struct mo_err *err)
{
    static const int samples[] = {SEARCH_SAMPLE_SMALL, SEARCH_SAMPLE_MODULUS};
    static const long long enough = SEARCH_EXACT_MAX / SEARCH_SAMPLE_MODULUS;
    PGresult *sample = NULL, *exact = NULL;
    mo_rc rc = MO_OK;
    int scale = 0;
    *estimated = 1;
    for (size_t i = 0; i < 2 && rc == MO_OK && !scale; i++) {
        PQclear(sample);
        sample = NULL;
        rc = search_sql_counts(conn, s, samples[i], facets, 0, &sample, err);
        long long n = rc == MO_OK ? search_counted(sample) : 0;
        if (n * samples[i] > SEARCH_EXACT_MAX && n >= enough)
            scale = samples[i];
    }
    if (rc == MO_OK && scale) {
        rc = search_counts_text(sample, scale, -1, 0, out);
    } else if (rc == MO_OK) {
        rc = search_sql_counts(conn, s, 0, facets, SEARCH_EXACT_MAX + 1, &exact, err);
        if (rc == MO_OK && search_counted(exact) <= SEARCH_EXACT_MAX) {
            *estimated = 0;
            rc = search_counts_text(exact, 1, -1, 1, out);
        } else if (rc == MO_OK) { /* the sample said fewer: at least the exact bound */
            rc = search_counts_text(sample, SEARCH_SAMPLE_MODULUS, SEARCH_EXACT_MAX + 1, 0, out);
        }
    }
    PQclear(sample);
    PQclear(exact);
    if (rc == MO_ELIMIT || rc == MO_ENOMEM)
        return mo_fail(err, rc, "facet counts too large");
    return rc;
}

/* Reads the counts text (owned by out afterwards) into out. */
static mo_rc search_counts_read(char *text, int facets, struct search_result *out,
                                struct mo_err *err)
{
    char *p = text;
    out->facet_text = text;
    if (sscanf(p, "%lld %d", &out->matched, &out->matched_exact) != 2)
        return mo_fail(err, MO_EDB, "unreadable cached counts");
    p = strchr(p, '\n');
    if (!facets)
        return MO_OK;
    out->facet_store =
        calloc(SEARCH_FACET_COUNT * SEARCH_MAX_FACET_VALUES, sizeof *out->facet_store);
    if (!out->facet_store)
        return mo_fail(err, MO_ENOMEM, "out of memory for the facets");
    for (int f = 0; f < SEARCH_FACET_COUNT; f++)
        out->facets[f].values = out->facet_store + f * SEARCH_MAX_FACET_VALUES;
    while (p && *++p) {
        int f, len, used = 0;
        long long count;
        if (sscanf(p, "%d %lld %d:%n", &f, &count, &len, &used) != 3 || !used || f < 0 ||
            f >= SEARCH_FACET_COUNT || len < 0 || strlen(p + used) < (size_t)len + 1)
            return mo_fail(err, MO_EDB, "unreadable cached facets");
        struct search_facet_counts *fc = &out->facets[f];
        char *value = p + used;
        p = value + len; /* the '\n' */
        *p = '\0';
        if (fc->n < SEARCH_MAX_FACET_VALUES)
            fc->values[fc->n++] = (struct search_facet_value){value, count};
    }
    return MO_OK;
}

/* Copies a headline into dst without its marks, noting where they were. */
static char *search_strip(const char *src, char *dst, struct search_text *t)
{
    size_t n = 0, start = 0;
    int open = 0;
    t->text = dst;
    t->n_matches = 0;
    for (const char *c = src; *c; c++) {
        if (*c == SEARCH_MARK_START) {
            start = n, open = 1;
        } else if (*c == SEARCH_MARK_STOP) {
            if (open && n > start && t->n_matches < SEARCH_MAX_MATCHES) {
                t->match_start[t->n_matches] = start;
                t->match_len[t->n_matches++] = n - start;
            }
            open = 0;
        } else {
            dst[n++] = *c;
        }
    }
    dst[n] = '\0';
    return dst + n + 1;
}

static double search_num(const PGresult *res, int row, int col)
{
    return strtod(PQgetvalue(res, row, col), NULL);
}

/* The hits of the page result (kept in out). */
static mo_rc search_hits(PGresult *res, struct search_result *out, struct mo_err *err)
{
    size_t n = (size_t)PQntuples(res), total = 0;
    out->page = res;
    if (!n)
        return MO_OK;
    for (size_t i = 0; i < n; i++)
        total += (size_t)PQgetlength(res, (int)i, PAGE_TITLE) +
                 (size_t)PQgetlength(res, (int)i, PAGE_EXCERPT) + 2;
    out->hits = calloc(n, sizeof *out->hits);
    out->texts = malloc(total);
    if (!out->hits || !out->texts)
        return mo_fail(err, MO_ENOMEM, "out of memory for %zu hits", n);
    char *dst = out->texts;
    for (size_t i = 0; i < n; i++) {
        struct search_hit *h = &out->hits[i];
        int k = (int)i;
        h->record_id = strtoll(PQgetvalue(res, k, PAGE_ID), NULL, 10);
        h->identifier = PQgetvalue(res, k, PAGE_IDENTIFIER);
        h->type = PQgetvalue(res, k, PAGE_TYPE);
        h->modified = PQgetvalue(res, k, PAGE_MODIFIED);
        h->sources = PQgetvalue(res, k, PAGE_SOURCES);
        h->time_from = PQgetvalue(res, k, PAGE_TIME_FROM);
        h->time_to = PQgetvalue(res, k, PAGE_TIME_TO);
        h->rank = search_num(res, k, PAGE_RANK);
        h->has_bbox = !PQgetisnull(res, k, PAGE_WEST);
        for (int c = 0; c < 4 && h->has_bbox; c++)
            h->bbox[c] = search_num(res, k, PAGE_WEST + c);
        dst = search_strip(PQgetvalue(res, k, PAGE_TITLE), dst, &h->title);
        dst = search_strip(PQgetvalue(res, k, PAGE_EXCERPT), dst, &h->excerpt);
    }
    out->n = n;
    return MO_OK;
}

/* The ids from offset to offset + limit of a bigint[] literal "{1,2,…}"
 * as another literal in out. */
static mo_rc search_slice(const char *ids, long offset, long limit, struct buf *out)
{
    const char *p = ids[0] == '{' ? ids + 1 : ids;
    long i = 0;
    mo_rc rc = buf_append_str(out, "{");
    while (rc == MO_OK && *p && *p != '}' && i < offset + limit) {
        size_t len = strcspn(p, ",}");
        if (i >= offset)
            rc = buf_printf(out, "%s%.*s", i > offset ? "," : "", (int)len, p);
        i++;
        p += len;
        if (*p == ',')
            p++;
    }
    return rc == MO_OK ? buf_append_str(out, "}") : rc;
}

/* The cache's keys of the counts and of the first ranked ids. */
static mo_rc search_counts_key(const struct search_request *r, const struct search_sql *sql,
                               struct buf *key)
{
    return buf_printf(key, "c%d\x1e%s", r->facets ? 1 : 0, sql->key.data);
}

static mo_rc search_ids_key(const struct search_request *r, const struct search_sql *sql, int rum,
                            struct buf *key)
{
    return buf_printf(key, "i%d%d%d\x1e%s", (int)r->sort, r->desc, rum, sql->key.data);
}

/* The ranked ids of the page as a literal in out: from the cached first
 * SEARCH_CACHED_IDS when the page lies among them. */
static mo_rc search_page_ids(struct search_cache *cache, PGconn *conn, const struct search_sql *s,
                             const struct search_request *r, long long gen, int rum,
                             struct buf *out, struct mo_err *err)
{
    PGresult *res = NULL;
    mo_rc rc;
    if (r->offset + r->limit > SEARCH_CACHED_IDS) {
        rc = search_sql_ids(conn, s, r, rum, r->limit, r->offset, &res, err);
        if (rc == MO_OK && buf_append_str(out, PQgetvalue(res, 0, 0)) != MO_OK)
            rc = mo_fail(err, MO_ENOMEM, "out of memory for the page");
        PQclear(res);
        return rc;
    }
    struct buf key;
    buf_init(&key, SEARCH_MAX_SQL);
    rc = search_ids_key(r, s, rum, &key) == MO_OK
             ? MO_OK
             : mo_fail(err, MO_ENOMEM, "out of memory for the page");
    char *ids = rc == MO_OK ? search_cache_get(cache, key.data, key.len, gen) : NULL;
    if (rc == MO_OK && !ids) {
        rc = search_sql_ids(conn, s, r, rum, SEARCH_CACHED_IDS, 0, &res, err);
        if (rc == MO_OK) {
            search_cache_put(cache, key.data, key.len, gen, PQgetvalue(res, 0, 0));
            ids = strdup(PQgetvalue(res, 0, 0));
            if (!ids)
                rc = mo_fail(err, MO_ENOMEM, "out of memory for the page");
        }
        PQclear(res);
    }
    if (rc == MO_OK && search_slice(ids, r->offset, r->limit, out) != MO_OK)
        rc = mo_fail(err, MO_ENOMEM, "out of memory for the page");
    free(ids);
    buf_free(&key);
    return rc;
}

static mo_rc search_check(const struct search_request *r, struct mo_err *err)
{
    if (r->limit < 0 || r->limit > SEARCH_MAX_LIMIT)
        return mo_fail(err, MO_EBADREQ, "bad parameter limit %ld: outside 0 to %d", r->limit,
                       SEARCH_MAX_LIMIT);
    if (r->offset < 0 || r->offset > SEARCH_MAX_OFFSET)
        return mo_fail(err, MO_EBADREQ, "bad parameter offset %ld: outside 0 to %d", r->offset,
                       SEARCH_MAX_OFFSET);
    if (r->q && strlen(r->q) > SEARCH_MAX_Q)
        return mo_fail(err, MO_EBADREQ, "bad parameter q: longer than %d bytes", SEARCH_MAX_Q);
    for (int f = 0; f < SEARCH_FACET_COUNT; f++)
        if (r->n_filters[f] > SEARCH_MAX_FILTER_VALUES)
            return mo_fail(err, MO_EBADREQ, "bad parameter %s: more than %d values",
                           search_facet_name(f), SEARCH_MAX_FILTER_VALUES);
    return MO_OK;
}

/* The counts of the request into out, from the cache or the database. */
static mo_rc search_run_counts(struct search *s, struct search_stats *st, PGconn *conn,
                               const struct search_sql *sql, const struct search_request *r,
                               long long gen, struct search_result *out, struct mo_err *err)
{
    struct search_cache *cache = search_cache_of(s);
    struct buf key, text;
    int estimated = 0;
    mo_rc rc = MO_OK;
    buf_init(&key, SEARCH_MAX_SQL);
    buf_init(&text, SEARCH_MAX_CACHED * 4);
    if (search_counts_key(r, sql, &key) != MO_OK)
        rc = mo_fail(err, MO_ENOMEM, "out of memory for the counts");
    char *cached = rc == MO_OK ? search_cache_get(cache, key.data, key.len, gen) : NULL;
    if (cached) {
        out->cached = 1;
        st->cache_hits++;
        rc = search_counts_read(cached, r->facets, out, err);
    } else if (rc == MO_OK) {
        st->cache_misses++;
        rc = search_counts(conn, sql, r->facets, &estimated, &text, err);
        st->estimates += (unsigned long)estimated;
        if (rc == MO_OK) {
            search_cache_put(cache, key.data, key.len, gen, text.data);
            char *owned = NULL;
            rc = buf_steal(&text, &owned) == MO_OK
                     ? search_counts_read(owned, r->facets, out, err)
                     : mo_fail(err, MO_ENOMEM, "out of memory for the counts");
            if (rc != MO_OK && !out->facet_text)
                free(owned);
        }
    }
    buf_free(&key);
    buf_free(&text);
    return rc;
}

/* ---- answers from the in-memory index ---- */

/* The request as the snapshot evaluates it; terms holds what PostgreSQL
 * worked out (free it after the query). */
static mo_rc search_mem_query(PGconn *conn, const struct search_request *r,
                              struct memindex_query *q, PGresult **terms, struct mo_err *err)
{
    memset(q, 0, sizeof *q);
    q->req = r;
    q->time_low = q->time_high = MEMINDEX_NULL;
    mo_rc rc = search_sql_terms(conn, r, terms, err);
    if (rc != MO_OK || !*terms)
        return rc;
    if (!PQgetisnull(*terms, 0, 0))
        q->tsquery = PQgetvalue(*terms, 0, 0);
    if (!PQgetisnull(*terms, 0, 1))
        q->time_low = strtoll(PQgetvalue(*terms, 0, 1), NULL, 10);
    if (!PQgetisnull(*terms, 0, 2))
        q->time_high = strtoll(PQgetvalue(*terms, 0, 2), NULL, 10);
    q->time_high_incl = PQgetvalue(*terms, 0, 3)[0] == 't';
    return MO_OK;
}

/* Counts and the page's ids from snap, through the cache: what is cached
 * is taken, the rest comes from one query of the snapshot and is cached.
 * *done = 0 (and nothing filled) when the snapshot cannot answer: SQL. */
static mo_rc search_run_mem(struct search *s, struct search_stats *st, PGconn *conn,
                            struct memindex_snap *snap, const struct search_sql *sql,
                            const struct search_request *r, long long gen,
                            struct search_result *out, struct buf *ids, int *done,
                            struct mo_err *err)
{
    struct search_cache *cache = search_cache_of(s);
    int within = r->offset + r->limit <= SEARCH_CACHED_IDS;
    struct buf ckey, ikey, counts, mids;
    PGresult *terms = NULL;
    char *cached_counts = NULL, *cached_ids = NULL, *owned = NULL;
    struct memindex_query q;
    long from = within ? 0 : r->offset;
    long count = within ? (r->limit > 0 ? SEARCH_CACHED_IDS : 0) : r->limit;
    mo_rc rc = MO_OK, mrc;
    *done = 0;
    buf_init(&ckey, SEARCH_MAX_SQL);
    buf_init(&ikey, SEARCH_MAX_SQL);
    buf_init(&counts, SEARCH_MAX_CACHED * 4);
    buf_init(&mids, SEARCH_MAX_SQL * 4);
    if (search_counts_key(r, sql, &ckey) != MO_OK || search_ids_key(r, sql, 0, &ikey) != MO_OK)
        rc = mo_fail(err, MO_ENOMEM, "out of memory for the search");
    if (rc == MO_OK) {
        cached_counts = search_cache_get(cache, ckey.data, ckey.len, gen);
        if (within && r->limit > 0)
            cached_ids = search_cache_get(cache, ikey.data, ikey.len, gen);
    }
    int need_ids = r->limit > 0 && !cached_ids;
    if (rc == MO_OK && cached_counts && !need_ids) { /* the current generation's */
        out->behind_ms = 0;
        st->cache_hits++;
        out->cached = 1;
        *done = 1;
        rc = search_counts_read(cached_counts, r->facets, out, err);
        cached_counts = NULL; /* out->facet_text */
        if (rc == MO_OK && cached_ids)
            rc = search_slice(cached_ids, r->offset, r->limit, ids) == MO_OK
                     ? MO_OK
                     : mo_fail(err, MO_ENOMEM, "out of memory for the page");
        goto out;
    }
    if (rc == MO_OK)
        rc = search_mem_query(conn, r, &q, &terms, err);
    mrc = rc == MO_OK ? memindex_query(snap, &q, from, count, &counts, &mids, err) : rc;
    if (mrc == MO_ENOTFOUND)
        goto out; /* SQL answers */
    rc = mrc;
    if (rc != MO_OK)
        goto out;
    *done = 1;
    st->from_memory++;
    st->cache_misses++;
    /* an answer from a snapshot behind the index is not the generation's */
    if (!cached_counts && !out->behind_ms)
        search_cache_put(cache, ckey.data, ckey.len, gen, counts.data);
    if (within && count > 0 && !out->behind_ms)
        search_cache_put(cache, ikey.data, ikey.len, gen, mids.data);
    rc = buf_steal(&counts, &owned) == MO_OK
             ? search_counts_read(owned, r->facets, out, err)
             : mo_fail(err, MO_ENOMEM, "out of memory for the counts");
    if (out->facet_text == owned)
        owned = NULL;
    if (rc == MO_OK && count > 0)
        rc = search_slice(mids.data, within ? r->offset : 0, r->limit, ids) == MO_OK
                 ? MO_OK
                 : mo_fail(err, MO_ENOMEM, "out of memory for the page");
out:
    free(owned);
    free(cached_counts);
    free(cached_ids);
    PQclear(terms);
    buf_free(&ckey);
    buf_free(&ikey);
    buf_free(&counts);
    buf_free(&mids);
    return rc;
}

mo_rc search_run(struct search *s, PGconn *conn, const struct search_request *r,
                 struct search_result *out, struct mo_err *err)
{
    struct search_sql sql;
    struct search_result res = {0};
    struct search_stats st = {0};
    struct buf ids;
    int rum = 0;
    memset(out, 0, sizeof *out);
    mo_rc rc = search_check(r, err);
    if (rc != MO_OK)
        return rc;
    rc = search_sql_build(r, &sql, err);
    if (rc != MO_OK)
        return rc;
    buf_init(&ids, SEARCH_MAX_SQL);
    int harvesting = 0;
    rc = search_sql_state(conn, &res.generation, &rum, &harvesting, err);
    struct memindex_snap *snap =
        rc == MO_OK
            ? memindex_acquire(search_memindex_of(s), res.generation, harvesting, &res.behind_ms)
            : NULL;
    int done = 0;
    if (snap) {
        rum = 0; /* ts_rank's order, the snapshot's, also where SQL answers */
        rc = search_run_mem(s, &st, conn, snap, &sql, r, res.generation, &res, &ids, &done, err);
        memindex_release(search_memindex_of(s), snap);
    }
    if (!done)
        res.behind_ms = 0;
    if (rc == MO_OK && !done)
        rc = search_run_counts(s, &st, conn, &sql, r, res.generation, &res, err);
    if (rc == MO_OK && !done && r->limit > 0 && (res.matched > 0 || !res.matched_exact))
        rc = search_page_ids(search_cache_of(s), conn, &sql, r, res.generation, rum, &ids, err);
    if (rc == MO_OK && ids.len > 2) {
        PGresult *page = NULL;
        rc = search_sql_page(conn, &sql, ids.data, &page, err);
        if (rc == MO_OK)
            rc = search_hits(page, &res, err);
    }
    search_add_stats(s, &st);
    buf_free(&ids);
    search_sql_free(&sql);
    if (rc != MO_OK) {
        search_result_clear(&res);
        return rc;
    }
    *out = res;
    return MO_OK;
}
