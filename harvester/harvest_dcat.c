/*
 * harvest_dcat.c — the listing of a DCAT partner (see harvest_internal.h,
 * dcat_client.h): the feed's pages followed by their Hydra next links, each
 * page parsed once (rdf.c) into one RDF/XML record per dataset.
 *
 * The rule is the one of CSW paging (paging.h), told with URLs: go on while
 * a page names a next one.  A page that brings nothing new (empty, or only
 * datasets already read in this run) while more is to come is asked for once
 * more, then stepped over by its next link; a next link already followed (a
 * loop), DCAT_MAX_FRUITLESS such pages in a row, or more pages than
 * DCAT_MAX_PAGES end the listing.  A malformed page is asked for once more
 * before it fails the run.  The run report names what the partner did, with
 * the page's URL.  The listing is complete when the last page was reached
 * and, where the partner announced hydra:totalItems, that many datasets
 * arrived; consistent when the announced total never changed, nothing looped
 * and no page was stepped over (its datasets may be missing).  Every run is
 * full.
 */
#include "dcat_client.h"
#include "harvest_internal.h"

#include <stdlib.h>
#include <string.h>

#define DCAT_MAX_PAGES 100000  /* pages of one feed */
#define DCAT_MAX_FRUITLESS 3   /* pages in a row that bring nothing new */
#define DCAT_SEEN_BUCKETS 4096 /* hash set of the page URLs followed */

/* What the partner did, for the report: how often, and first where. */
enum dcat_note {
    DCAT_LOOPED,        /* a next link to a page already read */
    DCAT_REPEATED,      /* a page of datasets already read in this run */
    DCAT_EMPTY,         /* a page with no dataset before the end */
    DCAT_TOTAL_CHANGED, /* hydra:totalItems changed during the run */
    DCAT_NOTE_COUNT
};

/* The URLs already followed, as 64-bit hashes (a false "loop" needs a
 * collision among at most DCAT_MAX_PAGES URLs). */
struct url_set {
    uint64_t *slots;
    size_t cap, n;
};

struct dcat_listing {
    struct url_set seen;
    long total;      /* first hydra:totalItems, -1 unknown */
    long last_total; /* the latest one */
    long page_no;    /* pages read, a page asked for again counted once */
    long notes[DCAT_NOTE_COUNT];
    long note_page[DCAT_NOTE_COUNT]; /* page_no at the first one */
    char *note_url[DCAT_NOTE_COUNT]; /* URL of that page */
    char *loop_to;                   /* where the first looping link pointed */
    long retried;                    /* pages asked for once more for bringing nothing new */
    long recovered;                  /* of those, pages that brought datasets then */
    long stepped_over;               /* pages left behind by their next link with nothing new */
    int fruitless;                   /* pages in a row with nothing new (after the retry) */
    int stopped_fruitless;
    int too_many_pages;
    int reached_end;
    long end_page; /* page_no of the page without a next link */
    char *end_url; /* its URL */
};

/* A fetched page: parsed on the first walk, its records kept for the next. */
struct dcat_page {
    struct run *run;
    struct fetch_response resp;
    const char *url;
    struct dcat_page_info info;
    xmlDoc **docs;
    size_t n, cap;
    int parsed;
    mo_rc parse_rc;
    struct mo_err parse_err;
};

static uint64_t hash_url(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h ? h : 1;
}

/* Adds url; returns 1 when it was there already, -1 out of memory. */
static int url_set_add(struct url_set *set, const char *url)
{
    if (set->n * 2 >= set->cap) {
        size_t cap = set->cap ? set->cap * 2 : DCAT_SEEN_BUCKETS;
        uint64_t *slots = calloc(cap, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->slots[i])
                continue;
            size_t j = set->slots[i] % cap;
            while (slots[j])
                j = (j + 1) % cap;
            slots[j] = set->slots[i];
        }
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    uint64_t h = hash_url(url);
    size_t j = h % set->cap;
    while (set->slots[j]) {
        if (set->slots[j] == h)
            return 1;
        j = (j + 1) % set->cap;
    }
    set->slots[j] = h;
    set->n++;
    return 0;
}

/* ---- one page ---- */

static mo_rc keep_record(void *ud, xmlNode *record, long index, struct mo_err *err)
{
    struct dcat_page *p = ud;
    (void)index;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        xmlDoc **docs = realloc(p->docs, cap * sizeof *docs);
        if (!docs)
            return mo_fail(err, MO_ENOMEM, "out of memory reading \"%s\"", p->url);
        p->docs = docs;
        p->cap = cap;
    }
    if (!(p->docs[p->n] = csw_record_doc(record)))
        return mo_fail(err, MO_ENOMEM, "out of memory reading \"%s\"", p->url);
    p->n++;
    return MO_OK;
}

static mo_rc walk_dcat_page(void *page, struct csw_page_info *info, csw_record_fn fn, void *ud,
                            struct mo_err *err)
{
    struct dcat_page *p = page;
    if (!p->parsed) {
        p->parsed = 1;
        p->parse_rc = dcat_parse_page(p->run->h->rdf, p->resp.body, p->url, p->resp.content_type,
                                      NULL, &p->info, keep_record, p, &p->parse_err);
    }
    if (p->parse_rc != MO_OK) {
        *err = p->parse_err;
        return p->parse_rc;
    }
    return run_walk_docs(p->docs, p->n, p->info.total, p->info.next_url ? 1 : 0, info, fn, ud, err);
}

static void page_clear(struct dcat_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        xmlFreeDoc(p->docs[i]);
    free(p->docs);
    dcat_page_info_clear(&p->info);
    fetch_response_clear(&p->resp);
}

/* Counts a note; the first one keeps the page's URL (NULL when out of
 * memory: the report then leaves the URL out). */
static void note(struct dcat_listing *L, enum dcat_note n, long page, const char *url)
{
    if (L->notes[n]++ == 0) {
        L->note_page[n] = page;
        L->note_url[n] = strdup(url);
    }
}

static void take_total(struct run *run, struct dcat_listing *L, const struct dcat_page *p)
{
    long total = p->info.total;
    if (total < 0)
        return;
    if (L->total < 0)
        L->total = total;
    else if (total != L->last_total)
        note(L, DCAT_TOTAL_CHANGED, L->page_no, p->url);
    L->last_total = total;
    run->c.announced = total;
}

/* Whether a page that brought nothing new deserves to be asked for again:
 * the feed says more is to come. */
static int more_to_come(const struct run *run, const struct dcat_listing *L,
                        const struct dcat_page *p)
{
    return p->info.next_url || (L->total >= 0 && run->c.received < L->total);
}

/* Follows the page's next link (taken from p), or ends the listing; returns
 * the next URL (owned) or NULL.  fruitless: the page brought nothing new,
 * even when asked again. */
static char *follow_next(struct run *run, struct dcat_listing *L, struct dcat_page *p,
                         int fruitless)
{
    char *next = p->info.next_url;
    if (!next) {
        L->reached_end = 1;
        L->end_page = L->page_no;
        L->end_url = strdup(p->url);
        return NULL;
    }
    p->info.next_url = NULL;
    int seen = url_set_add(&L->seen, next);
    if (seen > 0) {
        note(L, DCAT_LOOPED, L->page_no, p->url);
        if (!L->loop_to)
            L->loop_to = strdup(next);
    } else if (seen < 0) {
        /* out of memory: the listing stops short, and says nothing more */
    } else if (L->fruitless >= DCAT_MAX_FRUITLESS) {
        L->stopped_fruitless = 1;
    } else if (run->c.pages >= DCAT_MAX_PAGES) {
        L->too_many_pages = 1;
    } else {
        L->stepped_over += fruitless;
        return next;
    }
    free(next);
    return NULL;
}

/* What a page changes in the listing.  Returns the next URL (owned), or
 * NULL with *again set when the same page is to be asked for once more, or
 * NULL at the end.  retry: this page was asked for again. */
static char *after_page(struct run *run, struct dcat_listing *L, struct dcat_page *p, int retry,
                        int *again)
{
    *again = 0;
    run->c.pages++;
    L->page_no += !retry;
    run->c.received += run->page_fresh;
    take_total(run, L, p);
    /* the first page is also known by its hydra:first URL: a link back to it
     * is a loop */
    if (L->page_no == 1 && p->info.first_url)
        (void)url_set_add(&L->seen, p->info.first_url);
    int fruitless = run->page_fresh == 0 && more_to_come(run, L, p);
    if (fruitless && !retry) {
        note(L, p->n == 0 ? DCAT_EMPTY : DCAT_REPEATED, L->page_no, p->url);
        L->retried++;
        *again = 1;
        return NULL;
    }
    if (fruitless) {
        L->fruitless++;
    } else {
        L->recovered += retry && run->page_fresh > 0;
        L->fruitless = 0;
    }
    return follow_next(run, L, p, fruitless);
}

/* Fetches and takes one page; a malformed one (nothing of it written yet)
 * is asked for once more. */
static mo_rc dcat_page_take(struct run *run, const char *url, int retry, char **next, int *again,
                            struct mo_err *err)
{
    struct dcat_page p = {.run = run, .url = url};
    struct csw_page_info info = {0};
    mo_rc rc = MO_OK;
    *next = NULL;
    *again = 0;
    for (int attempt = 0; attempt <= HARVEST_PAGE_RETRIES; attempt++) {
        page_clear(&p);
        p = (struct dcat_page){.run = run, .url = url};
        run->page_fresh = 0;
        rc = fetch_get(run->h->fetch, url, &p.resp, err);
        struct page_walk pw = {walk_dcat_page, NULL, &p, 1};
        if (rc == MO_OK)
            rc = run_take_page(run, &pw, &info, err);
        if (rc != MO_EXML || run->page_fresh > 0)
            break;
        log_warn(run->h->log, "%s; asking for the page once more", err->msg);
    }
    if (rc == MO_OK)
        *next = after_page(run, run->listing, &p, retry, again);
    log_debug(run->h->log, "DCAT page %s: %zu datasets, %ld new%s", url, p.n, run->page_fresh,
              *again ? ": nothing new, asking once more" : "");
    page_clear(&p);
    return rc;
}

/* ---- the listing ---- */

static mo_rc dcat_open(struct run *run, const struct harvest_options *opts, int *full,
                       struct mo_err *err)
{
    (void)opts;
    *full = 1;
    if (!run->h->rdf)
        return mo_fail(err, MO_EBADREQ, "source \"%s\": this harvester has no RDF reader",
                       run->src->name);
    struct dcat_listing *L = calloc(1, sizeof *L);
    if (!L)
        return mo_fail(err, MO_ENOMEM, "out of memory");
    L->total = L->last_total = -1;
    run->listing = L;
    return MO_OK;
}

static mo_rc dcat_list(struct run *run, struct mo_err *err)
{
    struct dcat_listing *L = run->listing;
    mo_rc rc = buf_printf(&run->report, "full run over the DCAT feed %s: ", run->src->url);
    char *url = strdup(run->src->url);
    int retry = 0;
    if (!url || url_set_add(&L->seen, url) < 0)
        rc = mo_fail(err, MO_ENOMEM, "out of memory");
    while (rc == MO_OK && url) {
        char *next = NULL;
        int again = 0;
        if (run_stop_requested(run))
            rc = mo_fail(err, MO_EIO, "interrupted");
        else
            rc = dcat_page_take(run, url, retry, &next, &again, err);
        retry = again;
        if (again)
            continue; /* the same URL once more */
        free(url);
        url = next;
    }
    free(url);
    run->c.announced = L->total; /* -1: the feed did not say */
    run->complete = L->reached_end && (L->total < 0 || run->c.received >= L->total);
    run->consistent = !L->notes[DCAT_TOTAL_CHANGED] && !L->notes[DCAT_LOOPED] && !L->stepped_over;
    run->inconsistency = L->notes[DCAT_LOOPED] ? "a next link looped back"
                         : L->stepped_over     ? "a page that brought nothing new was stepped over"
                                               : "the announced total changed";
    return rc;
}

/* The notes told as "; X (N times, first on page P, URL)" (a loop is told
 * by describe_stop). */
static const char *const note_text[DCAT_NOTE_COUNT] = {
    [DCAT_REPEATED] = "a repeated page: only datasets already read",
    [DCAT_EMPTY] = "an empty page before the end",
    [DCAT_TOTAL_CHANGED] = "hydra:totalItems changed during the run",
};

static mo_rc describe_notes(const struct dcat_listing *L, struct buf *out)
{
    mo_rc rc = MO_OK;
    for (int i = 0; rc == MO_OK && i < DCAT_NOTE_COUNT; i++) {
        if (!L->notes[i] || !note_text[i])
            continue;
        rc = buf_printf(out, "; %s (%ld time%s, first on page %ld%s%s)", note_text[i], L->notes[i],
                        L->notes[i] == 1 ? "" : "s", L->note_page[i], L->note_url[i] ? ", " : "",
                        L->note_url[i] ? L->note_url[i] : "");
    }
    return rc;
}

/* Why the listing stopped, when it did before the end the partner announced. */
static mo_rc describe_stop(const struct run *run, const struct dcat_listing *L, struct buf *out)
{
    mo_rc rc = MO_OK;
    if (L->notes[DCAT_LOOPED])
        rc = buf_printf(out,
                        "; the hydra:next link of page %ld (%s) pointed back to a page already "
                        "read (%s)",
                        L->note_page[DCAT_LOOPED],
                        L->note_url[DCAT_LOOPED] ? L->note_url[DCAT_LOOPED] : "?",
                        L->loop_to ? L->loop_to : "?");
    if (rc == MO_OK && L->stopped_fruitless)
        rc =
            buf_printf(out, "; %d pages in a row brought nothing new: stopped", DCAT_MAX_FRUITLESS);
    if (rc == MO_OK && L->too_many_pages)
        rc = buf_printf(out, "; stopped after %d pages", DCAT_MAX_PAGES);
    if (rc == MO_OK && L->reached_end && L->total >= 0 && run->c.received < L->total)
        rc = buf_printf(out,
                        "; the feed ended short of its announced total: no hydra:next link on "
                        "page %ld (%s)",
                        L->end_page, L->end_url ? L->end_url : "?");
    return rc;
}

static mo_rc dcat_describe(struct run *run, struct buf *out)
{
    struct dcat_listing *L = run->listing;
    if (!L)
        return MO_OK;
    mo_rc rc = buf_printf(out, "%ld page%s, %ld", run->c.pages, run->c.pages == 1 ? "" : "s",
                          run->c.received);
    if (rc == MO_OK && L->total >= 0)
        rc = buf_printf(out, " of %ld announced", L->total);
    if (rc == MO_OK)
        rc = buf_append_str(out, run->c.received == 1 && L->total < 0 ? " dataset" : " datasets");
    if (rc == MO_OK && L->notes[DCAT_TOTAL_CHANGED])
        rc = buf_printf(out, " (hydra:totalItems first %ld, last %ld)", L->total, L->last_total);
    if (rc == MO_OK)
        rc = describe_stop(run, L, out);
    if (rc == MO_OK)
        rc = describe_notes(L, out);
    if (rc == MO_OK && L->retried)
        rc = buf_printf(out, "; %ld page%s asked for once more, %ld then brought new datasets",
                        L->retried, L->retried == 1 ? "" : "s", L->recovered);
    if (rc == MO_OK && L->stepped_over)
        rc = buf_printf(out, "; %ld page%s stepped over with nothing new: datasets may be missing",
                        L->stepped_over, L->stepped_over == 1 ? "" : "s");
    return rc;
}

static void dcat_close(struct run *run)
{
    struct dcat_listing *L = run->listing;
    if (!L)
        return;
    free(L->seen.slots);
    for (int i = 0; i < DCAT_NOTE_COUNT; i++)
        free(L->note_url[i]);
    free(L->loop_to);
    free(L->end_url);
    free(L);
    run->listing = NULL;
}

const struct listing_kind listing_dcat = {"dcat", dcat_open, dcat_list, dcat_describe, dcat_close};
