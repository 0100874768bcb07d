/*
 * csw_ahead.h — the next page of a walk through the whole index, made while
 * the client reads the current one.
 *
 * A harvester (a national portal, another moisson) pages through every
 * record: GetRecords without a constraint or a sort, startPosition 1, 1 + N,
 * …  Each page costs the database and the server a few milliseconds that
 * the client waits for, one page after the other.  After answering a full
 * page of such a walk, the server hands the request of the next page to a
 * thread of its own, which searches and renders it into a slot keyed like
 * the page cache (query, page, output) with the index generation it was
 * made from; the client's next request takes it from there, waiting for it
 * when it is still being made, instead of making it again.  A slot nobody
 * takes is overwritten by the next offer; a page of another generation is
 * never served.  Pages too large for the page cache (csw_cache.h) fit here:
 * CSW_AHEAD_MAX_BYTES each.
 */
#ifndef MOISSON_CSW_AHEAD_H
#define MOISSON_CSW_AHEAD_H

#include "buf.h"
#include "csw_cache.h"
#include "result.h"

#include <stddef.h>

#define CSW_AHEAD_SLOTS 4                      /* walks served ahead at once */
#define CSW_AHEAD_MAX_BYTES (16 * 1024 * 1024) /* rendered records of one page */
#define CSW_AHEAD_WAIT_MS 2000                 /* a request waits this long for its page */

struct csw;
struct csw_request;
struct csw_ahead;

/* Starts the thread; c (borrowed) lends its pool, catalog and renderer. */
mo_rc csw_ahead_new(struct csw *c, struct csw_ahead **out) MO_MUST_CHECK;

/* Stops the thread (a page being made is finished first) and frees a (NULL
 * ok). */
void csw_ahead_free(struct csw_ahead *a);

/* Offers the page of req starting at next (req is copied; it has no filter
 * and no sort).  Dropped when every slot is busy. */
void csw_ahead_offer(struct csw_ahead *a, const struct csw_request *req, long long next);

/* The page of key made from generation gen, if a slot holds it or is making
 * it (then waits up to CSW_AHEAD_WAIT_MS): 1 with *page and the records
 * appended to records (the slot is emptied), else 0. */
int csw_ahead_take(struct csw_ahead *a, const char *key, size_t len, long long gen,
                   struct csw_cache_page *page, struct buf *records);

/* Pages served from a slot, and pages made, since the start (tests, logs). */
void csw_ahead_counts(struct csw_ahead *a, unsigned long *served, unsigned long *made);

#endif
