/*
 * csw_cache.h — rendered GetRecords pages, shared by the CSW server's
 * threads.
 *
 * A page of GetRecords results depends only on the query (the condition's
 * SQL text and parameters, the sort keys), the page (start position, size),
 * the output (schema, element set or names) and the state of the index,
 * which the index generation names (schemas/004_csw.sql: every change of
 * `entry` or `source` moves it).  The cache keeps, for such a key and one
 * generation, the rendered records of the page and its counts, so that a
 * repeated query costs one look at the generation instead of a search, a
 * count and one transform per record.  An entry is served only for the
 * generation it was made in: never a page or a count of another state of
 * the index.
 *
 * Set-associative: a key's hash picks a set of CSW_CACHE_WAYS entries, and a
 * new key evicts the one of its set used longest ago (a direct-mapped table
 * let two frequent queries that share a slot evict each other on every
 * request); one mutex.  Bounded: CSW_CACHE_SLOTS entries, an entry's
 * records at most CSW_CACHE_MAX_ENTRY bytes, all entries together at most
 * CSW_CACHE_MAX_BYTES (past it a new page is simply not kept): a cache may
 * forget, it never grows.
 */
#ifndef MOISSON_CSW_CACHE_H
#define MOISSON_CSW_CACHE_H

#include "buf.h"
#include "result.h"

#include <stddef.h>

#define CSW_CACHE_SLOTS 1024                   /* pages kept */
#define CSW_CACHE_WAYS 8                       /* entries of one set */
#define CSW_CACHE_MAX_KEY 8192                 /* a longer key is not kept */
#define CSW_CACHE_MAX_ENTRY (256 * 1024)       /* rendered records of one page */
#define CSW_CACHE_MAX_BYTES (64 * 1024 * 1024) /* keys and records of every page */
#define CSW_CACHE_MAX_LAST 256                 /* a longer last identifier is not kept */

/* What a page carries besides its records. */
struct csw_cache_page {
    long long matched;  /* numberOfRecordsMatched */
    long long returned; /* numberOfRecordsReturned */
    long long next;     /* nextRecord */
    /* identifier of the page's last entry ("" when unknown or longer than
     * CSW_CACHE_MAX_LAST): where the page ended, so that serving it again
     * also tells where the next one starts (catalog_remember) */
    char last[CSW_CACHE_MAX_LAST + 1];
};

/* Counters, for tests and logs. */
struct csw_cache_stats {
    unsigned long hits;   /* pages served from the cache */
    unsigned long misses; /* look-ups that found nothing for the generation */
    unsigned long stored; /* pages kept */
    size_t bytes;         /* bytes held now */
};

struct csw_cache;

/* A table of slots entries (rounded up to whole sets) holding at most
 * max_bytes (MO_ENOMEM; MO_EBADREQ for 0 slots). */
mo_rc csw_cache_new(size_t slots, size_t max_bytes, struct csw_cache **out,
                    struct mo_err *err) MO_MUST_CHECK;

/* Frees the table and every entry; c may be NULL. */
void csw_cache_free(struct csw_cache *c);

/* Looks the page key (len bytes) of generation gen up.  1 when present: *page
 * filled and its records appended to out (the caller's capped buf); 0 when
 * absent, or made in another generation, or when out cannot take the records
 * (out is then as it was). */
int csw_cache_get(struct csw_cache *c, const char *key, size_t len, long long gen,
                  struct csw_cache_page *page, struct buf *out);

/* Keeps (or replaces) the page key of generation gen with its records
 * (copied).  Keeps nothing when the key or the records are too long, the
 * budget is spent or memory is short. */
void csw_cache_put(struct csw_cache *c, const char *key, size_t len, long long gen,
                   const struct csw_cache_page *page, const char *records, size_t records_len);

void csw_cache_get_stats(struct csw_cache *c, struct csw_cache_stats *out);

#endif
