/*
 * catalog.h — the read side of the index for the CSW server: the only place
 * with SQL for it.
 *
 *   catalog_search   a page of entries matching a filter, in a stable order
 *                    (the request's sort keys, then the entry identifier),
 *                    with the exact number of matches
 *   catalog_by_ids   entries by identifier, in the order asked
 *   catalog_domain   distinct values of a queryable with their counts
 *
 * Every statement is constant text chosen here plus the filter's fragment
 * (filter_to_sql); every value is a $n parameter; property names reach SQL
 * only through the queryables table (queryables.h).  Rows are read from
 * `entry e JOIN record r ON r.id = e.record_id`: the record each entry
 * serves, with the names of every source that carries it.
 *
 * A struct catalog holds what the server threads share, under one mutex:
 *   - a cache of exact counts keyed by the normalised query (the filter's
 *     SQL text and its parameters) and the index generation (schemas/
 *     004_csw.sql: a counter every change of `entry` moves), so a count is
 *     never served for another state of the index than the one it counted;
 *   - page cursors: after a page served in the default order, the identifier
 *     of its last entry, keyed by query, generation and the next start
 *     position, so that the next page continues with `e.identifier > $k`
 *     instead of an OFFSET that grows with the position.
 * Both are fixed-size tables (an entry evicts the one in its slot): memory
 * stays bounded whatever the clients ask.
 */
#ifndef MOISSON_CATALOG_H
#define MOISSON_CATALOG_H

#include "buf.h"
#include "filter.h"
#include "queryables.h"
#include "result.h"

#include <libpq-fe.h>
#include <stddef.h>

#define CATALOG_MAX_SORT 8                /* sort keys of one query */
#define CATALOG_MAX_PAGE 10000            /* rows of one page (the CSW caps lower) */
#define CATALOG_MAX_SQL (256 * 1024)      /* statement text */
#define CATALOG_COUNT_SLOTS 4096          /* cached counts */
#define CATALOG_CURSOR_SLOTS 1024         /* remembered page ends */
#define CATALOG_MAX_KEY 4096              /* a normalised query longer than this is not cached */
#define CATALOG_MAX_IDS 1000              /* identifiers of one catalog_by_ids */
#define CATALOG_MAX_DOMAIN_VALUES 1000    /* values of one catalog_domain */
#define CATALOG_MAX_ID_BYTES (256 * 1024) /* the identifier array as text */
#define CATALOG_FEW_MATCHES 500           /* at most this many matches: sorted, not walked */

/* One sort key: a sortable queryable, ascending unless desc. */
struct catalog_sort {
    const struct queryable *q;
    int desc;
};

struct catalog_query {
    const struct filter *filter;     /* NULL: every entry */
    const struct catalog_sort *sort; /* n_sort keys, then the entry identifier */
    size_t n_sort;
};

/* What each row carries besides its identifier and provenance. */
enum catalog_payload {
    CATALOG_UNIFIED, /* the unified record (Dublin Core output) */
    CATALOG_ISO      /* the original for a record harvested as ISO 19139
                        (schema "iso19139"), else the unified record */
};

/* One entry; every pointer borrowed from the result. */
struct catalog_row {
    const char *identifier;
    const char *schema;  /* record.schema: iso19139, csw-record, … (may be "") */
    const char *payload; /* XML text, as chosen by enum catalog_payload */
    size_t payload_len;
    const char *sources;   /* names of the sources, precedence order, ", " between */
    const char *harvested; /* ISO 8601 date-time this content was harvested */
};

struct catalog_result {
    PGresult *res;
    struct catalog_row *rows;
    size_t n;
    long long matched;    /* catalog_search: exact number of matching entries */
    long long generation; /* the index generation the count belongs to */
};

/* Counters, for tests and logs. */
struct catalog_stats {
    unsigned long count_hits;   /* counts served from the cache */
    unsigned long count_misses; /* counts asked of the database */
    unsigned long cursor_hits;  /* pages continued from a remembered end */
};

struct catalog;

/* A new, empty shared state (MO_ENOMEM). */
mo_rc catalog_new(struct catalog **out, struct mo_err *err) MO_MUST_CHECK;

/* Frees c and its caches; c may be NULL. */
void catalog_free(struct catalog *c);

void catalog_get_stats(struct catalog *c, struct catalog_stats *out);

/* Matches of q: out->matched (exact, for the current generation) and, when
 * max > 0, the entries start (1-based) to start + max - 1 in order.  conn is
 * the caller's (one thread).  out is filled only on MO_OK (clear it with
 * catalog_result_clear).  MO_EBADREQ for start < 1, max outside 0 ..
 * CATALOG_MAX_PAGE or a sort key that is not sortable; MO_EDB with the
 * server's message (for the log, never for a client); MO_ELIMIT when the
 * statement would exceed CATALOG_MAX_SQL or SQL_PARAMS_MAX. */
mo_rc catalog_search(struct catalog *c, PGconn *conn, const struct catalog_query *q,
                     long long start, long max, enum catalog_payload payload,
                     struct catalog_result *out, struct mo_err *err) MO_MUST_CHECK;

/* Remembers where the page from start of the query whose key is query_key
 * (catalog_query_key; a query without sort keys) ended: n entries, the last
 * one last, of generation gen, as catalog_search does for a full page in the
 * default order: the next page then continues from there instead of
 * counting from the start.  For a page served from a cache, whose search was
 * made maybe long ago; a cache may forget, so nothing fails. */
void catalog_remember(struct catalog *c, const char *query_key, size_t len, long long start,
                      long n, const char *last, long long gen);

/* Appends to key the normalised form of q: its condition's SQL text, the
 * condition's parameters and the sort keys.  Two queries with the same key
 * match the same entries in the same order.  Errors as catalog_search
 * (MO_EBADREQ for a sort key that is not sortable, MO_ELIMIT past
 * CATALOG_MAX_SQL or key's cap). */
mo_rc catalog_query_key(const struct catalog_query *q, struct buf *key,
                        struct mo_err *err) MO_MUST_CHECK;

/* The index generation now (schemas/004_csw.sql).  MO_EDB with the server's
 * message. */
mo_rc catalog_generation(PGconn *conn, long long *gen, struct mo_err *err) MO_MUST_CHECK;

/* The entries of the n identifiers asked (at most CATALOG_MAX_IDS), in the
 * order asked; identifiers with no entry are left out (out->n may be 0).
 * Errors as catalog_search. */
mo_rc catalog_by_ids(PGconn *conn, const char *const *ids, size_t n, enum catalog_payload payload,
                     struct catalog_result *out, struct mo_err *err) MO_MUST_CHECK;

/* Frees what a result holds and zeroes it; r may be NULL. */
void catalog_result_clear(struct catalog_result *r);

/* Distinct values of one queryable among the entries, sorted, with how many
 * entries carry each (a list counts each element), at most max (capped at
 * CATALOG_MAX_DOMAIN_VALUES); dates as ISO 8601 text.  MO_EBADREQ naming the
 * queryable for a bounding box or the full text, which have no list of
 * values.  Read the values with catalog_values_get; free with
 * catalog_values_clear. */
struct catalog_values {
    PGresult *res;
    size_t n;
};
mo_rc catalog_domain(PGconn *conn, const struct queryable *q, size_t max,
                     struct catalog_values *out, struct mo_err *err) MO_MUST_CHECK;
void catalog_values_get(const struct catalog_values *v, size_t i, const char **value,
                        long long *count);
void catalog_values_clear(struct catalog_values *v);

#endif
