/*
 * harvest_dcat.c — the listing of a DCAT partner (see harvest_internal.h,
 * dcat_client.h): the feed's pages followed by their Hydra next links, each
 * page parsed once (rdf.c) into one RDF/XML record per dataset.
 *
 * The rule is the one of CSW paging, told with URLs: go on while a page
 * names a next one; a next link already followed (a loop), a run of pages
 * that bring nothing new, or more pages than DCAT_MAX_PAGES end the
 * listing, and the run report says which.  The listing is complete when the
 * last page was reached and, where the partner announced hydra:totalItems,
 * that many datasets arrived; consistent when the announced total never
 * changed and nothing looped.  Every run is full.
 */
#include "dcat_client.h"
#include "harvest_internal.h"

#include <stdlib.h>
#include <string.h>

#define DCAT_MAX_PAGES 100000  /* pages of one feed */
#define DCAT_MAX_FRUITLESS 3   /* pages in a row that bring nothing new */
#define DCAT_SEEN_BUCKETS 4096 /* hash set of the page URLs followed */

/* The URLs already followed, as 64-bit hashes (a false "loop" needs a
 * collision among at most DCAT_MAX_PAGES URLs). */
struct url_set {
    uint64_t *slots;
    size_t cap, n;
};

struct dcat_listing {
    struct url_set seen;
    long total; /* first hydra:totalItems, -1 unknown */
    int total_changed;
    int looped;    /* a next link pointed back */
    int fruitless; /* pages in a row with nothing new */
    int stopped_fruitless;
    int too_many_pages;
    int reached_end;
    long empty_pages;
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

/* What a page changes in the listing; returns the next URL (owned) or NULL
 * at the end. */
static char *after_page(struct run *run, struct dcat_listing *L, struct dcat_page *p)
{
    run->c.pages++;
    run->c.received += run->page_fresh;
    if (p->info.total >= 0) {
        if (L->total < 0)
            L->total = p->info.total;
        else if (p->info.total != L->total)
            L->total_changed = 1;
        run->c.announced = p->info.total;
    }
    if (p->n == 0)
        L->empty_pages++;
    L->fruitless = run->page_fresh > 0 ? 0 : L->fruitless + 1;
    char *next = p->info.next_url;
    if (!next) {
        L->reached_end = 1;
        return NULL;
    }
    p->info.next_url = NULL;
    int seen = url_set_add(&L->seen, next);
    if (seen != 0) {
        L->looped = seen > 0;
    } else if (L->fruitless >= DCAT_MAX_FRUITLESS) {
        L->stopped_fruitless = 1;
    } else if (run->c.pages >= DCAT_MAX_PAGES) {
        L->too_many_pages = 1;
    } else {
        return next;
    }
    free(next);
    return NULL;
}

static mo_rc dcat_page_take(struct run *run, const char *url, char **next, struct mo_err *err)
{
    struct dcat_page p = {.run = run, .url = url};
    struct csw_page_info info = {0};
    *next = NULL;
    run->page_fresh = 0;
    mo_rc rc = fetch_get(run->h->fetch, url, &p.resp, err);
    struct page_walk pw = {walk_dcat_page, NULL, &p, 1};
    if (rc == MO_OK)
        rc = run_take_page(run, &pw, &info, err);
    if (rc == MO_OK)
        *next = after_page(run, run->listing, &p);
    log_debug(run->h->log, "DCAT page %s: %zu datasets, %ld new", url, p.n, run->page_fresh);
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
    L->total = -1;
    run->listing = L;
    return MO_OK;
}

static mo_rc dcat_list(struct run *run, struct mo_err *err)
{
    struct dcat_listing *L = run->listing;
    mo_rc rc = buf_printf(&run->report, "full run over the DCAT feed %s: ", run->src->url);
    char *url = strdup(run->src->url);
    if (!url || url_set_add(&L->seen, url) < 0)
        rc = mo_fail(err, MO_ENOMEM, "out of memory");
    while (rc == MO_OK && url) {
        char *next = NULL;
        if (run_stop_requested(run))
            rc = mo_fail(err, MO_EIO, "interrupted");
        else
            rc = dcat_page_take(run, url, &next, err);
        free(url);
        url = next;
    }
    free(url);
    run->c.announced = L->total; /* -1: the feed did not say */
    run->complete = L->reached_end && (L->total < 0 || run->c.received >= L->total);
    run->consistent = !L->total_changed && !L->looped;
    run->inconsistency = L->looped ? "a next link looped back" : "the announced total changed";
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
    if (rc == MO_OK && L->looped)
        rc = buf_append_str(out, "; a hydra:next link pointed back to a page already read");
    if (rc == MO_OK && L->stopped_fruitless)
        rc =
            buf_printf(out, "; %d pages in a row brought nothing new: stopped", DCAT_MAX_FRUITLESS);
    if (rc == MO_OK && L->too_many_pages)
        rc = buf_printf(out, "; stopped after %d pages", DCAT_MAX_PAGES);
    if (rc == MO_OK && L->total_changed)
        rc = buf_append_str(out, "; hydra:totalItems changed during the run");
    if (rc == MO_OK && L->empty_pages)
        rc = buf_printf(out, "; %ld empty page%s", L->empty_pages, L->empty_pages == 1 ? "" : "s");
    if (rc == MO_OK && L->reached_end && L->total >= 0 && run->c.received < L->total)
        rc = buf_append_str(out, "; the feed ended short of its announced total");
    return rc;
}

static void dcat_close(struct run *run)
{
    struct dcat_listing *L = run->listing;
    if (!L)
        return;
    free(L->seen.slots);
    free(L);
    run->listing = NULL;
}

const struct listing_kind listing_dcat = {"dcat", dcat_open, dcat_list, dcat_describe, dcat_close};
