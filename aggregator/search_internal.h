/*
 * search_internal.h — what search.c, search_sql.c and search_cache.c share:
 * a request translated to SQL, the statements, the shared cache.  Not for
 * other modules.
 */
#ifndef MOISSON_SEARCH_INTERNAL_H
#define MOISSON_SEARCH_INTERNAL_H

#include "buf.h"
#include "filter.h"
#include "search.h"

#include <libpq-fe.h>

/* A request as SQL: the condition over `entry e JOIN record r` (" AND …"
 * pieces), its parameters ($1 is q when there is one) and the normalised
 * key of the condition (for the cache). */
struct search_sql {
    struct buf where;
    struct sql_params p;
    int has_q;
    struct buf key;
};

/* Builds the condition of r (validated by search_request_set and
 * search_run).  MO_ELIMIT / MO_ENOMEM; out is freed on error. */
mo_rc search_sql_build(const struct search_request *r, struct search_sql *out,
                       struct mo_err *err) MO_MUST_CHECK;
void search_sql_free(struct search_sql *s);

/* The index generation, whether the RUM index exists, and whether a
 * harvest is running (a run in status 'running'). */
mo_rc search_sql_state(PGconn *conn, long long *gen, int *rum, int *harvesting,
                       struct mo_err *err) MO_MUST_CHECK;

/* Counts (and facets when asked) over the matches: over the sample of 1
 * record in sample (SEARCH_SAMPLE_SMALL or SEARCH_SAMPLE_MODULUS), or over
 * at most limit matches when sample is 0.  Rows: (facet, value,
 * count); the row of facet -1 holds the number of matches. */
mo_rc search_sql_counts(PGconn *conn, const struct search_sql *s, int sample, int facets,
                        long limit, PGresult **out, struct mo_err *err) MO_MUST_CHECK;

/* The record ids of the matches in the request's order, limit from offset:
 * one row, a bigint[] literal. */
mo_rc search_sql_ids(PGconn *conn, const struct search_sql *s, const struct search_request *r,
                     int rum, long limit, long offset, PGresult **out,
                     struct mo_err *err) MO_MUST_CHECK;

/* What the in-memory index needs PostgreSQL to work out of a request: one
 * row (text), the tsquery's text of q (NULL without q), the lower and upper
 * time bounds in microseconds since 1970 (NULL when open), and whether the
 * upper bound is included ("t"/"f").  Not run (*out NULL) when the request
 * has neither q nor datetime. */
mo_rc search_sql_terms(PGconn *conn, const struct search_request *r, PGresult **out,
                       struct mo_err *err) MO_MUST_CHECK;

/* The page: one row per id of ids_literal (a bigint[] literal), in that
 * order, with the columns of enum search_page_col. */
enum search_page_col {
    PAGE_ID,
    PAGE_IDENTIFIER,
    PAGE_TYPE,
    PAGE_MODIFIED,
    PAGE_SOURCES,
    PAGE_RANK,
    PAGE_WEST,
    PAGE_SOUTH,
    PAGE_EAST,
    PAGE_NORTH,
    PAGE_TITLE,
    PAGE_EXCERPT,
    PAGE_TIME_FROM,
    PAGE_TIME_TO,
    PAGE_COLS
};
mo_rc search_sql_page(PGconn *conn, const struct search_sql *s, const char *ids_literal,
                      PGresult **out, struct mo_err *err) MO_MUST_CHECK;

/* Marks ts_headline puts around a matching word (stripped from the text
 * beforehand, so a harvested text cannot forge one). */
#define SEARCH_MARK_START '\x01'
#define SEARCH_MARK_STOP '\x02'

/* ---- the shared cache (search_cache.c) ---- */

struct search_cache;

/* The cache of s (search.c), and the counters of one call added to its
 * stats under its lock. */
struct search_cache *search_cache_of(struct search *s);
void search_add_stats(struct search *s, const struct search_stats *d);

mo_rc search_cache_new(size_t slots, struct search_cache **out, struct mo_err *err) MO_MUST_CHECK;
void search_cache_free(struct search_cache *c);

/* A copy of the value cached for key at generation gen (free it), or NULL. */
char *search_cache_get(struct search_cache *c, const char *key, size_t len, long long gen);

/* Keeps value for (key, gen), evicting the slot's previous content; keeps
 * nothing when key or value is too long or memory is short. */
void search_cache_put(struct search_cache *c, const char *key, size_t len, long long gen,
                      const char *value);

#endif
