/*
 * prefetch.h — the next GetRecords page fetched in a background thread
 * while the current one is taken.
 *
 * The run guesses where the listing goes next as soon as a page's
 * SearchResults are read (paging.h decides for real only after the page),
 * and starts that request; when the guess was right the page is ready or
 * nearly so, else it is cancelled and thrown away.  A re-harvest overlaps
 * the transfer with the store's answer about the page before; nothing
 * changes in what is fetched or how it is checked.
 *
 * While a prefetch runs it owns the struct fetch: the caller makes no
 * request of its own until prefetch_take or prefetch_cancel returned.
 */
#ifndef MOISSON_PREFETCH_H
#define MOISSON_PREFETCH_H

#include "csw_client.h"

struct prefetch;

/* NULL when out of memory. */
struct prefetch *prefetch_new(void);

/* Cancels what runs and frees; NULL-safe. */
void prefetch_free(struct prefetch *p);

/* Starts fetching q (its strings borrowed until the page is taken or
 * cancelled) on f for endpoint ep, unless a prefetch already runs: then
 * nothing happens.  Returns 0 when the thread could not start (the caller
 * just fetches the page itself later). */
int prefetch_start(struct prefetch *p, struct fetch *f, const struct csw_endpoint *ep,
                   const struct csw_query *q);

/* When the prefetch under way is for startPosition start: waits for it,
 * moves its page into *page (cleared first) and its result into *rc / err,
 * and returns 1.  Otherwise cancels any prefetch and returns 0. */
int prefetch_take(struct prefetch *p, long start, struct csw_page *page, mo_rc *rc,
                  struct mo_err *err);

/* Ends any prefetch at once and throws its page away. */
void prefetch_cancel(struct prefetch *p);

#endif
