#include "harvest.h"

#include "buf.h"
#include "csw_client.h"
#include "paging.h"
#include "xmlsafe.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPORT_MAX (64 * 1024)

/* One record waiting for the batch to be flushed. */
struct pending {
    xmlDoc *raw;
    struct record rec; /* original and hash set; the rest once normalised */
    char *known_id;    /* identifier of the stored record with the same hash */
    int seen;          /* already received in this run (or earlier in the batch) */
};

struct run {
    struct harvest *h;
    const struct source *src;
    long long run_id;
    struct pending batch[HARVEST_BATCH_MAX];
    size_t n;
    long page_fresh;
    struct run_counters c;
    struct paging paging;
    struct buf report;
};

static int stop_requested(const struct harvest *h)
{
    return h->stop && *h->stop;
}

static void pending_clear(struct pending *p)
{
    xmlFreeDoc(p->raw);
    record_clear(&p->rec);
    free(p->known_id);
    memset(p, 0, sizeof *p);
}

/* Best-effort identifier of a record that could not be normalised, for the
 * error report only. */
static char *guess_identifier(xmlDoc *raw)
{
    xmlXPathContext *ctx = xmlXPathNewContext(raw);
    if (!ctx)
        return NULL;
    char *id = xmlsafe_xpath_string(
        ctx, "string((/*/*[local-name()='fileIdentifier']/*"
             " | /*/*[local-name()='metadataIdentifier']//*[local-name()='code']/*"
             " | /*/*[local-name()='identifier'])[1])");
    xmlXPathFreeContext(ctx);
    return id;
}

static void on_known_hash(void *ud, const char *hash, const char *identifier, int seen_in_run)
{
    struct run *run = ud;
    for (size_t i = 0; i < run->n; i++) {
        struct pending *p = &run->batch[i];
        if (strcmp(p->rec.hash, hash) != 0 || p->known_id)
            continue;
        p->known_id = strdup(identifier);
        p->seen = p->seen || seen_in_run;
    }
}

/* Marks records whose hash appeared earlier in the same batch. */
static void mark_batch_duplicates(struct run *run)
{
    for (size_t i = 1; i < run->n; i++)
        for (size_t j = 0; j < i && !run->batch[i].seen; j++)
            if (!strcmp(run->batch[i].rec.hash, run->batch[j].rec.hash))
                run->batch[i].seen = 1;
}

/* Normalises a new or changed record; a failure is a per-record error. */
static mo_rc normalise_pending(struct run *run, struct pending *p, int *ok, struct mo_err *err)
{
    struct mo_err rec_err = {0};
    *ok = 0;
    if (normalise_record(run->h->norm, p->raw, &p->rec, &rec_err) == MO_OK) {
        *ok = 1;
        return MO_OK;
    }
    char *id = guess_identifier(p->raw);
    run->c.failed++;
    log_warn(run->h->log, "record %s: %s", id ? id : "(no identifier)", rec_err.msg);
    mo_rc rc = store_run_error(run->h->store, run->run_id, id, rec_err.msg, err);
    free(id);
    return rc;
}

/* Keeps the last of several records with one identifier in a batch. */
static size_t dedupe_by_identifier(const struct record **recs, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        int later = 0;
        for (size_t j = i + 1; j < n && !later; j++)
            later = !strcmp(recs[i]->identifier, recs[j]->identifier);
        if (!later)
            recs[kept++] = recs[i];
    }
    return kept;
}

static mo_rc write_batch(struct run *run, const struct record **recs, size_t n_recs,
                         const char **unchanged, size_t n_unchanged, struct mo_err *err)
{
    struct record *flat = NULL;
    struct page_result res = {0};
    mo_rc rc = MO_OK;

    if (n_recs + n_unchanged == 0)
        return MO_OK;
    n_recs = dedupe_by_identifier(recs, n_recs);
    flat = calloc(n_recs ? n_recs : 1, sizeof *flat);
    if (!flat)
        return mo_fail(err, MO_ENOMEM, "out of memory");
    for (size_t i = 0; i < n_recs; i++)
        flat[i] = *recs[i]; /* shallow: the batch still owns the strings */
    rc = store_put_page(run->h->store, run->src->id, run->run_id, flat, n_recs,
                        (const char *const *)unchanged, n_unchanged, &res, err);
    free(flat);
    if (rc == MO_OK) {
        run->c.added += res.added;
        run->c.updated += res.updated;
        run->c.unchanged += res.unchanged;
    }
    return rc;
}

static mo_rc flush_batch(struct run *run, struct mo_err *err)
{
    const struct record *recs[HARVEST_BATCH_MAX];
    const char *unchanged[HARVEST_BATCH_MAX];
    const char *hashes[HARVEST_BATCH_MAX];
    size_t n_recs = 0, n_unchanged = 0;
    mo_rc rc = MO_OK;

    if (run->n == 0)
        return MO_OK;
    for (size_t i = 0; i < run->n; i++)
        hashes[i] = run->batch[i].rec.hash;
    rc = store_lookup_hashes(run->h->store, run->src->id, run->run_id, hashes, run->n,
                             on_known_hash, run, err);
    mark_batch_duplicates(run);
    for (size_t i = 0; rc == MO_OK && i < run->n; i++) {
        struct pending *p = &run->batch[i];
        if (p->seen)
            continue;
        run->page_fresh++;
        if (p->known_id) {
            unchanged[n_unchanged++] = p->known_id;
            continue;
        }
        int ok = 0;
        rc = normalise_pending(run, p, &ok, err);
        if (ok)
            recs[n_recs++] = &p->rec;
    }
    if (rc == MO_OK)
        rc = write_batch(run, recs, n_recs, unchanged, n_unchanged, err);
    for (size_t i = 0; i < run->n; i++)
        pending_clear(&run->batch[i]);
    run->n = 0;
    return rc;
}

static mo_rc on_record(void *ud, xmlDoc *doc, struct mo_err *err)
{
    struct run *run = ud;
    struct pending *p = &run->batch[run->n];
    mo_rc rc;

    memset(p, 0, sizeof *p);
    p->raw = doc;
    rc = record_set_original(&p->rec, doc, NORMALISE_VERSION);
    if (rc != MO_OK) {
        pending_clear(p);
        return mo_fail(err, rc, "could not serialise a record of source \"%s\"",
                       run->src->name);
    }
    run->n++;
    if (run->n == HARVEST_BATCH_MAX)
        return flush_batch(run, err);
    return MO_OK;
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

/* Fetches one page into the run; a malformed page is asked for again once. */
static mo_rc harvest_page(struct run *run, const struct csw_endpoint *ep, const char *since,
                          struct mo_err *err)
{
    struct csw_query q = {
        .start = run->paging.next_start,
        .max = run->src->page_size > 0 ? run->src->page_size : STORE_DEFAULT_PAGE_SIZE,
        .constraint = run->src->constraint_text,
        .modified_since = since,
    };
    struct csw_page_info info;
    mo_rc rc = MO_OK;

    run->page_fresh = 0; /* across attempts: a retry does not count twice */
    for (int attempt = 0; attempt <= HARVEST_PAGE_RETRIES; attempt++) {
        rc = csw_get_page(run->h->fetch, ep, &q, &info, on_record, run, err);
        mo_rc flushed = flush_batch(run, rc == MO_OK ? err : NULL);
        if (rc == MO_OK)
            rc = flushed;
        if (rc != MO_EXML)
            break;
        log_warn(run->h->log, "%s; asking for the page once more", err->msg);
    }
    if (rc != MO_OK)
        return rc;
    struct paging_page pg = {info.matched, info.returned, info.next, info.records,
                             run->page_fresh};
    paging_after_page(&run->paging, &pg);
    run->c.pages = run->paging.pages;
    run->c.received = run->paging.received;
    run->c.announced = run->paging.announced;
    log_debug(run->h->log, "page at %ld: %ld records, %ld new", q.start, info.records,
              run->page_fresh);
    return MO_OK;
}

/* After a listing that reached its end: retire what the partner dropped. */
static mo_rc reconcile(struct run *run, int full, const char **status, struct mo_err *err)
{
    if (!paging_complete(&run->paging)) {
        *status = "incomplete";
        return MO_OK;
    }
    *status = "success";
    if (!full)
        return MO_OK;
    if (!paging_consistent(&run->paging)) {
        *status = "incomplete";
        return buf_append_str(&run->report, "; the partner's count changed: nothing retired");
    }
    if (run->c.failed > 0) {
        *status = "incomplete";
        return buf_append_str(&run->report, "; some records failed: nothing retired");
    }
    long retired = 0;
    struct mo_err shrink = {0};
    mo_rc rc = store_retire_unseen(run->h->store, run->src->id, run->run_id, run->src->max_shrink,
                                   &retired, &shrink);
    if (rc == MO_ELIMIT) {
        *status = "incomplete";
        return buf_printf(&run->report, "; %s", shrink.msg);
    }
    if (rc != MO_OK) {
        *err = shrink;
        return rc;
    }
    run->c.retired = retired;
    return MO_OK;
}

static mo_rc harvest_listing(struct run *run, const struct csw_endpoint *ep, const char *since,
                             struct mo_err *err)
{
    mo_rc rc = buf_printf(&run->report, "%s run via %s %s (%s", since ? "incremental" : "full",
                          ep->post_url[0] ? "POST" : "GET",
                          ep->post_url[0] ? ep->post_url : ep->get_url,
                          strcmp(ep->output_schema, CSW_SCHEMA_ISO) ? "csw:Record" : "ISO 19139");
    if (rc == MO_OK && since)
        rc = buf_printf(&run->report, ", modified since %s", since);
    if (rc == MO_OK)
        rc = buf_append_str(&run->report, "): ");
    while (rc == MO_OK && !run->paging.done) {
        if (stop_requested(run->h))
            return mo_fail(err, MO_EIO, "interrupted");
        rc = harvest_page(run, ep, since, err);
    }
    return rc;
}

static struct run *run_new(struct harvest *h, const struct source *src)
{
    struct run *run = calloc(1, sizeof *run);
    if (!run)
        return NULL;
    run->h = h;
    run->src = src;
    paging_init(&run->paging, src->page_size > 0 ? src->page_size : STORE_DEFAULT_PAGE_SIZE);
    buf_init(&run->report, REPORT_MAX);
    return run;
}

static void run_free(struct run *run)
{
    if (!run)
        return;
    for (size_t i = 0; i < run->n; i++)
        pending_clear(&run->batch[i]);
    buf_free(&run->report);
    free(run);
}

/* Ends the run in the store and fills the summary; keeps the first error. */
static mo_rc run_finish(struct run *run, const char *status, mo_rc rc, struct harvest_summary *sum,
                        struct mo_err *err)
{
    struct mo_err fin = {0};
    snprintf(sum->status, sizeof sum->status, "%s", status);
    sum->c = run->c;
    sum->c.announced = run->paging.announced;
    if (buf_steal(&run->report, &sum->report) != MO_OK)
        sum->report = NULL;
    mo_rc frc = store_run_finish(run->h->store, run->run_id, status, &sum->c, sum->report, &fin);
    if (rc == MO_OK && frc != MO_OK) {
        *err = fin;
        return frc;
    }
    return rc;
}

mo_rc harvest_source(struct harvest *h, const struct source *src,
                     const struct harvest_options *opts, struct harvest_summary *sum,
                     struct mo_err *err)
{
    struct csw_endpoint ep;
    struct mo_err discover_err = {0};
    char since[16] = "";
    const char *status = "failed";
    int reaped = 0;
    mo_rc rc;

    memset(sum, 0, sizeof *sum);
    struct run *run = run_new(h, src);
    if (!run)
        return mo_fail(err, MO_ENOMEM, "out of memory");
    rc = store_runs_reap(h->store, src->id, &reaped, err);
    if (rc != MO_OK)
        goto out;
    if (reaped)
        log_warn(h->log, "source \"%s\": %d interrupted run(s) marked failed", src->name, reaped);

    mo_rc drc = csw_discover(h->fetch, src->url, &ep, &discover_err);
    sum->full = drc != MO_OK || want_full(src, &ep, opts, since, sizeof since);
    rc = store_run_begin(h->store, src->id, sum->full, &run->run_id, err);
    if (rc != MO_OK)
        goto out;
    sum->run_id = run->run_id;
    if (drc != MO_OK) {
        rc = drc;
        *err = discover_err;
    } else {
        rc = harvest_listing(run, &ep, sum->full ? NULL : since, err);
    }
    if (rc == MO_OK)
        rc = paging_describe(&run->paging, &run->report);
    if (rc == MO_OK)
        rc = reconcile(run, sum->full, &status, err);
    if (rc == MO_OK && run->c.failed)
        rc = buf_printf(&run->report, "; %ld record%s could not be normalised", run->c.failed,
                        run->c.failed == 1 ? "" : "s");
    if (rc != MO_OK) {
        status = "failed";
        mo_rc ignored = buf_printf(&run->report, "%sfailed: %s", run->report.len ? "; " : "",
                                   err->msg);
        (void)ignored;
    }
    rc = run_finish(run, status, rc, sum, err);
out:
    run_free(run);
    return rc;
}

void harvest_summary_clear(struct harvest_summary *sum)
{
    if (!sum)
        return;
    free(sum->report);
    memset(sum, 0, sizeof *sum);
}
