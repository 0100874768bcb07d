/*
 * harvest_csw.c — the listing of a CSW partner (see harvest_internal.h):
 * capabilities, full or incremental, GetRecords pages by startPosition as
 * paging.c decides, the next page prefetched while one is taken.
 */
#include "csw_client.h"
#include "harvest_internal.h"
#include "paging.h"
#include "prefetch.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct csw_listing {
    struct csw_endpoint ep;
    char since[16]; /* incremental runs: records modified since (YYYY-MM-DD) */
    int full;
    struct csw_query query; /* the request, start aside */
    struct paging paging;
    struct prefetch *pre; /* the next page, fetched meanwhile */
};

static mo_rc walk_csw_page(void *page, struct csw_page_info *info, csw_record_fn fn, void *ud,
                           struct mo_err *err)
{
    return csw_walk_page(page, info, fn, ud, err);
}

static mo_rc scan_csw_page(void *page, struct csw_page_info *info, const struct csw_scan_sink *sink,
                           void *ud, struct mo_err *err)
{
    return csw_scan_page(page, info, sink, ud, err);
}

/* Starts fetching the page that most likely comes next, as soon as this
 * page's SearchResults are read (paging decides for real after the page;
 * a wrong guess is cancelled then). */
static void prefetch_next(struct run *run)
{
    struct csw_listing *L = run->listing;
    const struct csw_page_info *info = run->page_info;
    if (!L->pre || !info || info->returned <= 0 || run_stop_requested(run))
        return;
    struct paging guess = L->paging;
    struct paging_page pg = {info->matched, info->returned, info->next, info->returned,
                             info->returned};
    paging_after_page(&guess, &pg);
    if (guess.done)
        return;
    struct csw_query q = L->query;
    q.start = guess.next_start;
    (void)prefetch_start(L->pre, run->h->fetch, &L->ep, &q);
}

/* Seconds since the epoch of a store timestamp ("2026-11-26T14:48:28Z", UTC);
 * -1 when absent or unreadable. */
static time_t parse_timestamp(const char *s)
{
    struct tm tm = {0};
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
        return -1;
    return timegm(&tm);
}

/* Decides the run's kind; for an incremental run writes the date to ask from
 * into since (YYYY-MM-DD). */
static int want_full(const struct source *src, const struct csw_endpoint *ep,
                     const struct harvest_options *opts, char *since, size_t size)
{
    time_t now = time(NULL);
    time_t last_full = parse_timestamp(src->last_full_success_at);
    time_t last = parse_timestamp(src->last_success_at);
    int iso = !strcmp(ep->output_schema, CSW_SCHEMA_ISO);

    if (opts->force_full || last_full < 0 || last < 0)
        return 1;
    if (src->full_every_s > 0 && now - last_full >= src->full_every_s)
        return 1;
    if (iso && !ep->iso_modified)
        return 1; /* the partner cannot filter on modification date */
    time_t from = last - HARVEST_INCREMENTAL_MARGIN_S;
    struct tm tm;
    gmtime_r(&from, &tm);
    strftime(since, size, "%Y-%m-%d", &tm);
    return 0;
}

/* Fetches and takes one page; a malformed page (nothing of it written yet)
 * is asked for again once. */
static mo_rc harvest_page(struct run *run, struct mo_err *err)
{
    struct csw_listing *L = run->listing;
    const struct csw_endpoint *ep = &L->ep;
    struct csw_query q = L->query;
    q.start = L->paging.next_start;
    struct csw_page page = {0};
    struct csw_page_info info = {0};
    mo_rc rc = MO_OK;
    double t0 = 0, t1 = 0;

    for (int attempt = 0; attempt <= HARVEST_PAGE_RETRIES; attempt++) {
        run->page_fresh = 0;
        t0 = run_now_ms();
        if (attempt > 0 || !prefetch_take(L->pre, q.start, &page, &rc, err)) {
            prefetch_cancel(L->pre); /* the handle is ours again */
            rc = csw_fetch_page(run->h->fetch, ep, &q, &page, err);
        }
        t1 = run_now_ms();
        struct page_walk pw = {walk_csw_page, scan_csw_page, &page, 0};
        if (rc == MO_OK)
            rc = run_take_page(run, &pw, &info, err);
        if (rc != MO_EXML || run->page_fresh > 0)
            break;
        log_warn(run->h->log, "%s; asking for the page once more", err->msg);
    }
    csw_page_clear(&page);
    if (rc != MO_OK)
        return rc;
    struct paging_page pg = {info.matched, info.returned, info.next, info.records, run->page_fresh};
    paging_after_page(&L->paging, &pg);
    run->c.pages = L->paging.pages;
    run->c.received = L->paging.received;
    run->c.announced = L->paging.announced;
    log_debug(run->h->log,
              "page at %ld: %ld records, %ld new (fetched in %.1f ms, taken in %.1f ms)", q.start,
              info.records, run->page_fresh, t1 - t0, run_now_ms() - t1);
    return MO_OK;
}

static mo_rc csw_list(struct run *run, struct mo_err *err)
{
    struct csw_listing *L = run->listing;
    const struct csw_endpoint *ep = &L->ep;
    const char *since = L->full ? NULL : L->since;
    mo_rc rc =
        buf_printf(&run->report, "%s run via %s %s (%s%s", since ? "incremental" : "full",
                   ep->post_url[0] ? "POST" : "GET", ep->post_url[0] ? ep->post_url : ep->get_url,
                   strcmp(ep->version, "3.0.0") ? "" : "CSW 3.0.0, ",
                   strcmp(ep->output_schema, CSW_SCHEMA_ISO) ? "csw:Record" : "ISO 19139");
    if (rc == MO_OK && since)
        rc = buf_printf(&run->report, ", modified since %s", since);
    if (rc == MO_OK)
        rc = buf_append_str(&run->report, "): ");
    L->query = (struct csw_query){
        .max = run->src->page_size > 0 ? run->src->page_size : STORE_DEFAULT_PAGE_SIZE,
        .constraint = run->src->constraint_text,
        .modified_since = since,
    };
    while (rc == MO_OK && !L->paging.done) {
        if (run_stop_requested(run))
            rc = mo_fail(err, MO_EIO, "interrupted");
        else
            rc = harvest_page(run, err);
    }
    prefetch_cancel(L->pre); /* a guess past the end, or a run that failed */
    run->complete = paging_complete(&L->paging);
    run->consistent = paging_consistent(&L->paging);
    run->inconsistency = "the partner's count changed";
    return rc;
}

static mo_rc csw_open(struct run *run, const struct harvest_options *opts, int *full,
                      struct mo_err *err)
{
    struct csw_listing *L = calloc(1, sizeof *L);
    if (!L || !(L->pre = prefetch_new())) {
        free(L);
        return mo_fail(err, MO_ENOMEM, "out of memory");
    }
    run->listing = L;
    run->first_record = prefetch_next;
    paging_init(&L->paging,
                run->src->page_size > 0 ? run->src->page_size : STORE_DEFAULT_PAGE_SIZE);
    mo_rc rc = csw_discover(run->h->fetch, run->src->url, &L->ep, err);
    if (rc != MO_OK)
        return rc;
    *full = L->full = want_full(run->src, &L->ep, opts, L->since, sizeof L->since);
    return MO_OK;
}

static mo_rc csw_describe(struct run *run, struct buf *out)
{
    struct csw_listing *L = run->listing;
    return L ? paging_describe(&L->paging, out) : MO_OK;
}

static void csw_close(struct run *run)
{
    struct csw_listing *L = run->listing;
    if (!L)
        return;
    prefetch_free(L->pre);
    free(L);
    run->listing = NULL;
}

const struct listing_kind listing_csw = {"csw", csw_open, csw_list, csw_describe, csw_close};
