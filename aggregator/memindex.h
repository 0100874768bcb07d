/*
 * memindex.h — the search's in-memory index: one snapshot of every entry
 * (the columns the search filters, counts and sorts by, and the lexemes of
 * its text with their positions, as the tsvector holds them), built by a
 * thread of the server from one consistent read of the database and
 * replaced whole when the index generation (schemas/004_csw.sql) moves.
 *
 * Why: PostgreSQL ranks and counts by reading every matching row; a word in
 * a fifth of 1,000,000 records costs 0.4–1.4 s cold (bench/README.md,
 * "Search").  Here the same answers come from posting lists and columns in
 * memory: the number of matches and every facet count exact, the first
 * entries in the order the SQL gives (ts_rank reproduced bit for bit by
 * tsq.h, ties by identifier; date and title orders precomputed).  The
 * page itself (titles, highlighted words) is still read from the database
 * by id, ten rows.
 *
 * A snapshot answers for the generation it was read at: the search asks
 * memindex_acquire for the current generation and uses SQL when the
 * snapshot is older (a harvest running, or the first build not finished)
 * or when the request needs what the snapshot does not do (prefixes,
 * phrases other than a chain of words) — unless a harvest is running and the server accepts a lag
 * (serve --search-lag, 60 s by default): then a snapshot read at most that
 * long ago answers, and the answer says how old it is.  The builder waits
 * between builds at least twice the last build's duration, so a long
 * harvest costs the server at most a third of a core; without a lag it
 * waits for the generation to stand still.  Memory: two snapshots at most
 * during a rebuild.
 */
#ifndef MOISSON_MEMINDEX_H
#define MOISSON_MEMINDEX_H

#include "buf.h"
#include "log.h"
#include "result.h"
#include "search.h"

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define MEMINDEX_POLL_MS 500     /* how often the builder looks at the generation */
#define MEMINDEX_SETTLE_MS 500   /* without a lag: the generation still that long first */
#define MEMINDEX_FETCH_ROWS 5000 /* rows per FETCH of the build's cursor */
#define MEMINDEX_NULL INT64_MIN  /* a time that is NULL */

struct memindex;      /* the holder: the current snapshot and its builder */
struct memindex_snap; /* one snapshot, immutable */

/* ---- the holder ---- */

/* Starts the builder thread on its own connection (conninfo, libpq); the
 * first build begins at once.  lag_ms: how old a snapshot may be and still
 * answer after the index moved on (memindex_acquire); with 0, a rebuild
 * waits until the generation has stood still MEMINDEX_SETTLE_MS (during a
 * harvest each page moves it: a snapshot built then would be behind on
 * arrival and never answer, so the CPU goes to the requests instead).
 * MO_ENOMEM, MO_EIO (thread). */
mo_rc memindex_start(const char *conninfo, unsigned lag_ms, const struct log *log,
                     struct memindex **out, struct mo_err *err) MO_MUST_CHECK;

/* Stops the builder (a build under way is abandoned at its next fetch) and
 * frees everything; m may be NULL. */
void memindex_free(struct memindex *m);

/* The current snapshot, held until memindex_release, when it is of
 * generation gen (*behind_ms = 0), or, with a lag (memindex_start) and
 * while a harvest runs (harvesting nonzero: the caller read it with gen), of
 * an older one read at most lag_ms ago (*behind_ms = how long ago, at
 * least 1); else NULL (none built yet, or too old, or no harvest running:
 * once the writes are over, answers are exact again).  m may be NULL. */
struct memindex_snap *memindex_acquire(struct memindex *m, long long gen, int harvesting,
                                       unsigned *behind_ms);
void memindex_release(struct memindex *m, struct memindex_snap *snap);

/* Blocks until a snapshot of generation >= gen is current or timeout_ms
 * passes; 1 when it is.  For tests and the benchmark's warm-up. */
int memindex_wait(struct memindex *m, long long gen, unsigned timeout_ms);

/* hold nonzero: the builder starts no build until called again with 0 (a
 * build under way finishes).  For tests that need the snapshot behind. */
void memindex_hold(struct memindex *m, int hold);

/* ---- one build, without the thread (tests, the builder) ---- */

/* Reads every entry on conn in one REPEATABLE READ transaction and builds a
 * snapshot of the generation read in it.  stop (may be NULL) is polled
 * between fetches: nonzero abandons (MO_ELIMIT).  MO_EDB, MO_ENOMEM. */
mo_rc memindex_build(PGconn *conn, const atomic_int *stop, struct memindex_snap **out,
                     struct mo_err *err) MO_MUST_CHECK;
void memindex_snap_free(struct memindex_snap *snap);
size_t memindex_snap_docs(const struct memindex_snap *snap);

/* ---- a query on a snapshot ---- */

/* A search request as the snapshot evaluates it: the request itself, and
 * what PostgreSQL worked out of it (the tsquery's text, the time bounds in
 * microseconds since 1970; MEMINDEX_NULL when open). */
struct memindex_query {
    const struct search_request *req;
    const char *tsquery; /* websearch_to_tsquery's text; NULL without q */
    int64_t time_low;    /* entries whose time ends at or after it */
    int64_t time_high;   /* entries whose time starts before it … */
    int time_high_incl;  /* … or at it */
};

/* Answers q on snap: into counts, the text search_run caches ("MATCHED 1"
 * line, then "FACET COUNT LEN:VALUE" lines when facets), into ids, the
 * record ids of the ranked entries offset to offset + limit as a bigint[]
 * literal.  MO_ENOTFOUND (no message) when the snapshot cannot answer it
 * (prefix or weighted words, a phrase that is no chain of words — quoted
 * text and hyphenated names are chains —, a year filter that is no number): the
 * caller asks SQL.  MO_ENOMEM. */
mo_rc memindex_query(const struct memindex_snap *snap, const struct memindex_query *q, long offset,
                     long limit, struct buf *counts, struct buf *ids,
                     struct mo_err *err) MO_MUST_CHECK;

#endif
