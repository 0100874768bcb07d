#include "harvest.h"

#include "buf.h"
#include "digest.h"
#include "harvest_internal.h"
#include "writer.h"
#include "xmlsafe.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A monotonic clock in milliseconds, for the timings of the debug log. */
double run_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int run_stop_requested(const struct run *run)
{
    return run->h->stop && *run->h->stop;
}

static void plan_reset(struct page_plan *pl)
{
    for (long i = 0; i < pl->n; i++)
        free(pl->known_id[i]);
    pl->n = 0;
}

static void plan_free(struct page_plan *pl)
{
    plan_reset(pl);
    free(pl->hash);
    free(pl->known_id);
    free(pl->state);
    memset(pl, 0, sizeof *pl);
}

static mo_rc plan_grow(struct page_plan *pl)
{
    if (pl->n < pl->cap)
        return MO_OK;
    long cap = pl->cap ? pl->cap * 2 : 128;
    void *h = realloc(pl->hash, (size_t)cap * sizeof *pl->hash);
    if (h)
        pl->hash = h;
    void *k = realloc(pl->known_id, (size_t)cap * sizeof *pl->known_id);
    if (k)
        pl->known_id = k;
    void *st = realloc(pl->state, (size_t)cap);
    if (st)
        pl->state = st;
    if (!h || !k || !st)
        return MO_ENOMEM;
    pl->cap = cap;
    return MO_OK;
}

static void remember_hash(struct run *run, const char *hash)
{
    if (!run->recent)
        return;
    memcpy(run->recent[run->recent_next % RECENT_HASHES], hash, 65);
    run->recent_next++;
}

static int recently_written(const struct run *run, const char *hash)
{
    long n = run->recent_next < RECENT_HASHES ? run->recent_next : RECENT_HASHES;
    for (long i = 0; i < n; i++)
        if (!strcmp(run->recent[i], hash))
            return 1;
    return 0;
}

/* Best-effort identifier of a record that cannot be taken, for the error
 * report only. */
static char *guess_identifier_node(xmlNode *node)
{
    xmlXPathContext *ctx = xmlXPathNewContext(node->doc);
    if (!ctx)
        return NULL;
    ctx->node = node;
    char *id = xmlsafe_xpath_string(
        ctx, "string((*[local-name()='fileIdentifier']/*"
             " | *[local-name()='metadataIdentifier']//*[local-name()='code']/*"
             " | *[local-name()='identifier'])[1])");
    xmlXPathFreeContext(ctx);
    return id;
}

/* First walk: the hash of every record of the page. */
static mo_rc on_hash(void *ud, xmlNode *node, long index, struct mo_err *err)
{
    struct run *run = ud;
    struct page_plan *pl = &run->plan;
    if (index == 0 && run->first_record)
        run->first_record(run);
    if (plan_grow(pl) != MO_OK)
        return mo_fail(err, MO_ENOMEM, "out of memory");
    pl->known_id[pl->n] = NULL;
    pl->state[pl->n] = REC_NEW;
    mo_rc rc = digest_tree(node, pl->hash[pl->n]);
    if (rc == MO_ELIMIT) { /* a per-record error, reported by report_too_big */
        pl->state[pl->n] = REC_TOO_BIG;
        snprintf(pl->hash[pl->n], sizeof pl->hash[pl->n], "too-big:%ld", index);
        pl->known_id[pl->n] = guess_identifier_node(node);
        rc = MO_OK;
    }
    if (rc != MO_OK)
        return mo_fail(err, rc, "could not hash record %ld of source \"%s\"", index + 1,
                       run->src->name);
    pl->n++;
    return MO_OK;
}

struct lookup_window {
    struct page_plan *pl;
    long from, to;
};

static void on_known_hash(void *ud, const char *hash, const char *identifier, int seen_in_run)
{
    struct lookup_window *w = ud;
    for (long i = w->from; i < w->to; i++) {
        if (strcmp(w->pl->hash[i], hash) != 0 || w->pl->known_id[i])
            continue;
        w->pl->known_id[i] = strdup(identifier);
        w->pl->state[i] = seen_in_run ? REC_SEEN : REC_UNCHANGED;
    }
}

/* Asks the store about the page's hashes from start on, HARVEST_BATCH_MAX at
 * a time, and marks records met twice in the page. */
static mo_rc plan_decide_from(struct run *run, long start, struct mo_err *err)
{
    long first = start;
    struct page_plan *pl = &run->plan;
    const char *hashes[HARVEST_BATCH_MAX];
    if (run->lookup_pending) { /* the first hashes of the page, asked during the scan */
        struct lookup_window w = {pl, 0, run->lookup_to};
        run->lookup_pending = 0;
        mo_rc rc = store_lookup_collect(run->h->store, on_known_hash, &w, err);
        if (rc != MO_OK)
            return rc;
        start = w.to;
    }
    for (long from = start; from < pl->n; from += HARVEST_BATCH_MAX) {
        struct lookup_window w = {pl, from, from + HARVEST_BATCH_MAX};
        if (w.to > pl->n)
            w.to = pl->n;
        for (long i = from; i < w.to; i++)
            hashes[i - from] = pl->hash[i];
        mo_rc rc = store_lookup_hashes(run->h->store, run->src->id, run->run_id, hashes,
                                       (size_t)(w.to - from), on_known_hash, &w, err);
        if (rc != MO_OK)
            return rc;
    }
    for (long i = first; i < pl->n; i++) {
        if (pl->state[i] != REC_SEEN && run->recent && recently_written(run, pl->hash[i]))
            pl->state[i] = REC_SEEN;
        for (long j = 0; j < i && pl->state[i] != REC_SEEN; j++)
            if (!strcmp(pl->hash[i], pl->hash[j]))
                pl->state[i] = REC_SEEN;
        if (pl->state[i] == REC_UNCHANGED && !pl->known_id[i])
            return mo_fail(err, MO_ENOMEM, "out of memory");
        run->page_fresh += pl->state[i] != REC_SEEN;
    }
    return MO_OK;
}

/* The same for a record copied into a document of its own. */
static char *guess_identifier(xmlDoc *raw)
{
    xmlNode *root = xmlDocGetRootElement(raw);
    return root ? guess_identifier_node(root) : NULL;
}

/* Keeps the last of several records with one identifier in a batch. */
static size_t dedupe_by_identifier(struct record *recs, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        int later = 0;
        for (size_t j = i + 1; j < n && !later; j++)
            later = !strcmp(recs[i].identifier, recs[j].identifier);
        if (later) {
            record_clear(&recs[i]);
            continue;
        }
        if (kept != i) {
            recs[kept] = recs[i];
            memset(&recs[i], 0, sizeof recs[i]);
        }
        kept++;
    }
    return kept;
}

/* Writes (or queues) records and seen stamps; the records are consumed. */
static mo_rc write_records(struct run *run, struct record *recs, size_t n,
                           const char *const *unchanged, size_t n_unchanged, struct mo_err *err)
{
    struct page_result res = {0};
    if (n + n_unchanged == 0)
        return MO_OK;
    for (size_t i = 0; i < n; i++)
        remember_hash(run, recs[i].hash);
    if (run->writer)
        return writer_submit(run->writer, run->src->id, run->run_id, recs, n, unchanged,
                             n_unchanged, err);
    mo_rc rc = store_put_page(run->h->store, run->src->id, run->run_id, recs, n, unchanged,
                              n_unchanged, &res, err);
    if (rc == MO_OK) {
        run->c.added += res.added;
        run->c.updated += res.updated;
        run->c.unchanged += res.unchanged;
    }
    return rc;
}

/* Waits for the writer (if any) and adds what it wrote to the counters. */
static mo_rc drain_writer(struct run *run, struct mo_err *err)
{
    struct page_result res = {0};
    if (!run->writer)
        return MO_OK;
    mo_rc rc = writer_drain(run->writer, &res, err);
    run->c.added += res.added;
    run->c.updated += res.updated;
    run->c.unchanged += res.unchanged;
    return rc;
}

static mo_rc flush_batch(struct run *run, struct mo_err *err)
{
    run->n = dedupe_by_identifier(run->batch, run->n);
    mo_rc rc = write_records(run, run->batch, run->n, NULL, 0, err);
    for (size_t i = 0; i < run->n; i++)
        record_clear(&run->batch[i]);
    run->n = 0;
    return rc;
}

mo_rc run_walk_docs(xmlDoc *const *docs, size_t n, long matched, long next,
                    struct csw_page_info *info, csw_record_fn fn, void *ud, struct mo_err *err)
{
    info->matched = matched;
    info->returned = (long)n;
    info->next = next;
    info->records = 0;
    for (size_t i = 0; i < n; i++) {
        mo_rc rc = fn(ud, xmlDocGetRootElement(docs[i]), info->records, err);
        info->records++;
        if (rc != MO_OK)
            return rc;
    }
    return MO_OK;
}

mo_rc run_record_error(struct run *run, const char *identifier, const char *reason,
                       struct mo_err *err)
{
    run->c.failed++;
    log_warn(run->h->log, "record %s: %s", identifier ? identifier : "(no identifier)", reason);
    return store_run_error(run->h->store, run->run_id, identifier, reason, err);
}

/* A taken record into the batch, or its failure into the run's errors (a
 * per-record error: the run goes on). */
static mo_rc keep_taken(struct run *run, struct normpool_job *job, const char *hash,
                        struct mo_err *err)
{
    if (job->rc != MO_OK) {
        char *id = guess_identifier(job->doc);
        mo_rc rc = run_record_error(run, id, job->err.msg, err);
        free(id);
        return rc;
    }
    struct record *rec = &run->batch[run->n];
    *rec = job->rec;
    memset(&job->rec, 0, sizeof job->rec);
    memcpy(rec->hash, hash, sizeof rec->hash); /* the plan's */
    if (++run->n == HARVEST_BATCH_MAX)
        return flush_batch(run, err);
    return MO_OK;
}

/* Normalises one new or changed record into the batch. */
static mo_rc take_record(struct run *run, xmlDoc *doc, const char *hash, struct mo_err *err)
{
    struct normpool_job *job = &run->jobs[HARVEST_BATCH_MAX];
    job->doc = doc;
    normpool_take(run->h->norm, job);
    return keep_taken(run, job, hash, err);
}

/* Second walk: only the records the plan calls new. */
static mo_rc on_changed(void *ud, xmlNode *node, long index, struct mo_err *err)
{
    struct run *run = ud;
    if (index >= run->plan.n || run->plan.state[index] != REC_NEW)
        return MO_OK;
    if (run->standalone_docs) /* the record is a document of its own already */
        return take_record(run, node->doc, run->plan.hash[index], err);
    xmlDoc *doc = csw_record_doc(node);
    if (!doc)
        return mo_fail(err, MO_ENOMEM, "out of memory copying a record");
    mo_rc rc = take_record(run, doc, run->plan.hash[index], err);
    xmlFreeDoc(doc);
    return rc;
}

/* The unchanged records of the page: seen stamps, HARVEST_BATCH_MAX at a time. */
static mo_rc write_unchanged(struct run *run, struct mo_err *err)
{
    const char *ids[HARVEST_BATCH_MAX];
    size_t n = 0;
    mo_rc rc = MO_OK;
    for (long i = 0; i < run->plan.n && rc == MO_OK; i++) {
        if (run->plan.state[i] != REC_UNCHANGED)
            continue;
        ids[n++] = run->plan.known_id[i];
        remember_hash(run, run->plan.hash[i]);
        if (n == HARVEST_BATCH_MAX) {
            rc = write_records(run, NULL, 0, ids, n, err);
            n = 0;
        }
    }
    if (rc == MO_OK)
        rc = write_records(run, NULL, 0, ids, n, err);
    return rc;
}

/* Waits until the pool has done every record of the round (if any). */
static void round_wait(struct run *run)
{
    if (run->round_open) {
        normpool_finish(run->pool);
        run->round_open = 0;
    }
}

/* Waits for the pool's round and drops what it made that was not kept. */
static void round_end(struct run *run)
{
    round_wait(run);
    for (size_t j = 0; j < run->n_jobs; j++)
        record_clear(&run->jobs[j].rec);
    run->n_jobs = 0;
}

static void held_free(struct run *run)
{
    round_end(run); /* the pool may still be reading them */
    for (size_t k = 0; k < run->n_held && !run->standalone_docs; k++)
        xmlFreeDoc(run->held[k]);
    run->n_held = 0;
}

/* One walk: the held copies get their plan, and the new ones are kept (from
 * the pool, which took every held record it could as it came) or
 * normalised now. */
static mo_rc take_held(struct run *run, struct mo_err *err)
{
    long from = run->plan.n - (long)run->n_held;
    mo_rc rc = plan_decide_from(run, from, err);
    round_wait(run);
    for (size_t k = 0; rc == MO_OK && k < run->n_held; k++) {
        const char *hash = run->plan.hash[from + (long)k];
        if (run->plan.state[from + (long)k] != REC_NEW)
            continue;
        if (run->job_of[k] >= 0)
            rc = keep_taken(run, &run->jobs[run->job_of[k]], hash, err);
        else
            rc = take_record(run, run->held[k], hash, err);
    }
    held_free(run);
    return rc;
}

/* Hands held[k] to the pool straight away when it can go: in a page taken in
 * one walk most records are new, and the pool normalises them while this
 * thread parses the next ones (an unchanged one is normalised for nothing
 * and dropped). */
static void hand_to_pool(struct run *run, size_t k)
{
    xmlDoc *doc = run->held[k];
    run->job_of[k] = -1;
    if (!run->pool || !doc || !normpool_doc_independent(doc, run->held, k))
        return;
    if (!run->round_open) {
        normpool_begin(run->pool, run->jobs);
        run->round_open = 1;
    }
    run->jobs[run->n_jobs].doc = doc;
    run->job_of[k] = (int)run->n_jobs++;
    normpool_add(run->pool);
}

/* One walk: hash every record and keep a copy until its plan is known. */
static mo_rc on_record_once(void *ud, xmlNode *node, long index, struct mo_err *err)
{
    struct run *run = ud;
    mo_rc rc = on_hash(ud, node, index, err);
    if (rc != MO_OK)
        return rc;
    run->held[run->n_held] = NULL;
    if (run->plan.state[run->plan.n - 1] != REC_TOO_BIG) { /* too big: reported, not kept */
        /* a page's own document lives as long as the page; a CSW record is copied */
        run->held[run->n_held] = run->standalone_docs ? node->doc : csw_record_doc(node);
        if (!run->held[run->n_held])
            return mo_fail(err, MO_ENOMEM, "out of memory copying a record");
    }
    hand_to_pool(run, run->n_held);
    if (++run->n_held == HARVEST_BATCH_MAX)
        return take_held(run, err);
    return MO_OK;
}

/* Records past HARVEST_MAX_RECORD_BYTES: per-record errors, the run goes on. */
static mo_rc report_too_big(struct run *run, struct mo_err *err)
{
    char reason[128];
    snprintf(reason, sizeof reason, "record larger than %d bytes: not taken",
             HARVEST_MAX_RECORD_BYTES);
    for (long i = 0; i < run->plan.n; i++) {
        if (run->plan.state[i] != REC_TOO_BIG)
            continue;
        run->c.failed++;
        log_warn(run->h->log, "record %s: %s",
                 run->plan.known_id[i] ? run->plan.known_id[i] : "(no identifier)", reason);
        mo_rc rc = store_run_error(run->h->store, run->run_id, run->plan.known_id[i], reason, err);
        if (rc != MO_OK)
            return rc;
    }
    return MO_OK;
}

/* The next page in one walk when most of this one was new (a first harvest:
 * copy everything, parse once), in two walks otherwise (a re-harvest: copy
 * nothing that is unchanged). */
static void choose_walk(struct run *run)
{
    long fresh_new = 0;
    for (long i = 0; i < run->plan.n; i++)
        fresh_new += run->plan.state[i] == REC_NEW;
    run->single_walk = run->plan.n > 0 && 2 * fresh_new >= run->plan.n;
}

/* ---- the first walk by SAX: hashes without a tree ---- */

/* The scan's state: the digest of the record being read, and whether the
 * scan must give way to a tree walk (a record past the limits, no memory). */
struct hash_scan {
    struct run *run;
    struct digest d;
    int in_record;
    int give_way;
};

static void scan_record_begin(void *ud, long index)
{
    struct hash_scan *hs = ud;
    if (index == 0 && hs->run->first_record)
        hs->run->first_record(hs->run);
    hs->in_record = !hs->give_way && digest_begin(&hs->d) == MO_OK;
    if (!hs->in_record)
        hs->give_way = 1;
}

static void scan_start_element(void *ud, const xmlChar *uri, const xmlChar *local,
                               int nb_attributes, const xmlChar **attributes)
{
    struct hash_scan *hs = ud;
    if (hs->in_record)
        digest_start_element(&hs->d, uri, local, nb_attributes, attributes);
}

static void scan_characters(void *ud, const xmlChar *ch, int len)
{
    struct hash_scan *hs = ud;
    if (hs->in_record)
        digest_characters(&hs->d, ch, len);
}

static void scan_end_element(void *ud)
{
    struct hash_scan *hs = ud;
    if (hs->in_record)
        digest_end_element(&hs->d);
}

/* Sends the look-up of the page's first HARVEST_LOOKUP_EARLY hashes while the
 * scan goes on: the server answers while the rest of the page is parsed
 * (plan_decide_from collects it).  A failure to send only means no head
 * start. */
static void lookup_early(struct run *run)
{
    const char *hashes[HARVEST_LOOKUP_EARLY];
    struct mo_err ignored = {0};
    for (long i = 0; i < HARVEST_LOOKUP_EARLY; i++)
        hashes[i] = run->plan.hash[i];
    run->lookup_pending = store_lookup_send(run->h->store, run->src->id, run->run_id, hashes,
                                            HARVEST_LOOKUP_EARLY, &ignored) == MO_OK;
    run->lookup_to = HARVEST_LOOKUP_EARLY;
}

static void scan_record_end(void *ud, long index)
{
    struct hash_scan *hs = ud;
    struct page_plan *pl = &hs->run->plan;
    (void)index;
    if (!hs->in_record)
        return;
    hs->in_record = 0;
    if (plan_grow(pl) != MO_OK) {
        digest_abandon(&hs->d);
        hs->give_way = 1;
        return;
    }
    pl->known_id[pl->n] = NULL;
    pl->state[pl->n] = REC_NEW;
    if (digest_end(&hs->d, pl->hash[pl->n]) != MO_OK) {
        hs->give_way = 1; /* the tree walk reports the record */
        return;
    }
    if (++pl->n == HARVEST_LOOKUP_EARLY)
        lookup_early(hs->run);
}

static const struct csw_scan_sink hash_sink = {
    scan_record_begin, scan_start_element, scan_characters, scan_end_element, scan_record_end,
};

/* The first walk of a page in two walks: every record's hash into the plan,
 * by SAX when the page allows it, else by a tree walk (which also words the
 * errors of a page that is not what it should be). */
static mo_rc hash_page(struct run *run, const struct page_walk *pw, struct csw_page_info *info,
                       struct mo_err *err)
{
    struct hash_scan hs = {.run = run};
    struct mo_err scan_err = {0};
    if (pw->scan && pw->scan(pw->page, info, &hash_sink, &hs, &scan_err) == MO_OK && !hs.give_way)
        return MO_OK;
    if (hs.in_record)
        digest_abandon(&hs.d);
    if (run->lookup_pending) { /* the tree walk starts over: its answer is not needed */
        run->lookup_pending = 0;
        struct mo_err ignored = {0};
        if (store_lookup_collect(run->h->store, NULL, NULL, &ignored) != MO_OK)
            log_warn(run->h->log, "%s", ignored.msg);
    }
    plan_reset(&run->plan);
    return pw->walk(pw->page, info, on_hash, run, err);
}

/* Records known by their hash alone go into the plan after the walked
 * ones and are asked about like them: unchanged (or seen) when the store
 * has the hash; absent, and missed for the listing, when it does not. */
static mo_rc take_known(struct run *run, const struct page_known *known, struct csw_page_info *info,
                        struct mo_err *err)
{
    struct page_plan *pl = &run->plan;
    long from = pl->n;
    for (size_t i = 0; i < known->n; i++) {
        if (plan_grow(pl) != MO_OK)
            return mo_fail(err, MO_ENOMEM, "out of memory");
        memcpy(pl->hash[pl->n], known->hash[i], sizeof pl->hash[pl->n]);
        pl->hash[pl->n][64] = '\0';
        pl->known_id[pl->n] = NULL;
        pl->state[pl->n] = REC_NEW;
        pl->n++;
    }
    mo_rc rc = plan_decide_from(run, from, err);
    for (size_t i = 0; rc == MO_OK && i < known->n; i++) {
        long k = from + (long)i;
        known->missed[i] = pl->state[k] == REC_NEW;
        if (known->missed[i]) { /* no content to take: fetched whole, counted then */
            pl->state[k] = REC_ABSENT;
            run->page_fresh--;
        } else {
            info->records++;
        }
    }
    return rc;
}

const char *run_page_hash(const struct run *run, long index)
{
    if (index < 0 || index >= run->plan.n || run->plan.state[index] == REC_TOO_BIG ||
        run->plan.state[index] == REC_ABSENT)
        return NULL;
    return run->plan.hash[index];
}

mo_rc run_take_page(struct run *run, const struct page_walk *pw, struct csw_page_info *info,
                    struct mo_err *err)
{
    return run_take_page_known(run, pw, NULL, info, err);
}

/* A fetched page: hash every record, ask the store, normalise and write
 * what is new, stamp what is unchanged. */
mo_rc run_take_page_known(struct run *run, const struct page_walk *pw,
                          const struct page_known *known, struct csw_page_info *info,
                          struct mo_err *err)
{
    int any_new = 0;
    mo_rc rc;
    plan_reset(&run->plan);
    run->page_info = info;
    run->standalone_docs = pw->standalone;
    if (run->single_walk) {
        rc = pw->walk(pw->page, info, on_record_once, run, err);
        if (rc == MO_OK && run->n_held)
            rc = take_held(run, err);
        held_free(run);
    } else {
        rc = hash_page(run, pw, info, err);
        if (rc == MO_OK)
            rc = plan_decide_from(run, 0, err);
        for (long i = 0; rc == MO_OK && i < run->plan.n && !any_new; i++)
            any_new = run->plan.state[i] == REC_NEW;
        if (rc == MO_OK && any_new) {
            struct csw_page_info again;
            rc = pw->walk(pw->page, &again, on_changed, run, err);
        }
    }
    if (rc == MO_OK && known && known->n)
        rc = take_known(run, known, info, err);
    if (rc == MO_OK)
        rc = flush_batch(run, err);
    if (rc == MO_OK)
        rc = write_unchanged(run, err);
    if (rc == MO_OK)
        rc = report_too_big(run, err);
    if (rc == MO_OK)
        choose_walk(run);
    held_free(run); /* an error may leave some: freed while the flag still says whose */
    run->page_info = NULL;
    run->standalone_docs = 0;
    return rc;
}

/* After a listing that reached its end: retire what the partner dropped. */
static mo_rc reconcile(struct run *run, int full, const char **status, struct mo_err *err)
{
    if (!run->complete) {
        *status = "incomplete";
        return MO_OK;
    }
    if (run->c.failed > 0) {
        /* a record is missing: not a success, so the next incremental run asks
         * for it again, and a full run retires nothing */
        *status = "incomplete";
        return full ? buf_append_str(&run->report, "; some records failed: nothing retired")
                    : MO_OK;
    }
    *status = "success";
    if (!full)
        return MO_OK;
    if (!run->consistent) {
        *status = "incomplete";
        return buf_printf(&run->report, "; %s: nothing retired",
                          run->inconsistency ? run->inconsistency
                                             : "the listing was not consistent");
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

/* The kinds of partner, by source.type. */
static const struct listing_kind *const kinds[] = {&listing_csw, &listing_dcat, &listing_wfs,
                                                   &listing_wms, &listing_waf,  &listing_dir};

static const struct listing_kind *kind_of(const char *type)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (type && !strcmp(kinds[i]->type, type))
            return kinds[i];
    return NULL;
}

int harvest_type_supported(const char *type)
{
    return kind_of(type) != NULL;
}

const char *harvest_types(void)
{
    return "csw, dcat, wfs, wms, waf, dir";
}

static struct run *run_new(struct harvest *h, const struct source *src,
                           const struct listing_kind *kind)
{
    struct run *run = calloc(1, sizeof *run);
    if (!run)
        return NULL;
    run->h = h;
    run->src = src;
    run->kind = kind;
    run->jobs = calloc(HARVEST_BATCH_MAX + 1, sizeof *run->jobs);
    if (!run->jobs ||
        (h->norm_threads > 0 &&
         normpool_start(h->norm, h->xslt_dir, h->norm_threads, &run->pool) != MO_OK)) {
        free(run->jobs);
        free(run);
        return NULL;
    }
    if (h->writer_store) {
        run->recent = calloc(RECENT_HASHES, sizeof *run->recent);
        if (!run->recent || writer_start(h->writer_store, &run->writer) != MO_OK) {
            free(run->recent);
            normpool_stop(run->pool);
            free(run->jobs);
            free(run);
            return NULL;
        }
    }
    buf_init(&run->report, REPORT_MAX);
    return run;
}

static void run_free(struct run *run)
{
    if (!run)
        return;
    run->kind->close(run);
    writer_stop(run->writer);
    normpool_stop(run->pool);
    free(run->jobs);
    free(run->recent);
    held_free(run);
    for (size_t i = 0; i < run->n; i++)
        record_clear(&run->batch[i]);
    plan_free(&run->plan);
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
    if (buf_steal(&run->report, &sum->report) != MO_OK)
        sum->report = NULL;
    mo_rc frc = store_run_finish(run->h->store, run->run_id, status, &sum->c, sum->report, &fin);
    if (rc == MO_OK && frc != MO_OK) {
        *err = fin;
        return frc;
    }
    return rc;
}

/* The listing, then everything stored. */
static mo_rc run_list(struct run *run, struct mo_err *err)
{
    mo_rc rc = run->kind->list(run, err);
    struct mo_err drain_err = {0};
    mo_rc drc = drain_writer(run, &drain_err);
    if (rc == MO_OK && drc != MO_OK) {
        rc = drc;
        *err = drain_err;
    }
    return rc;
}

/* The end of the report: what the partner did until the run stopped, and
 * why it stopped. */
static void report_failure(struct run *run, const struct mo_err *err)
{
    mo_rc ignored = run->c.pages ? run->kind->describe(run, &run->report) : MO_OK;
    size_t len = run->report.len;
    int fresh = len == 0 || (len >= 2 && !strcmp(run->report.data + len - 2, ": "));
    ignored = buf_printf(&run->report, "%sfailed: %s", fresh ? "" : "; ", err->msg);
    (void)ignored;
}

mo_rc harvest_source(struct harvest *h, const struct source *src,
                     const struct harvest_options *opts, struct harvest_summary *sum,
                     struct mo_err *err)
{
    struct mo_err open_err = {0};
    const char *status = "failed";
    int reaped = 0;
    mo_rc rc;

    memset(sum, 0, sizeof *sum);
    const struct listing_kind *kind = kind_of(src->type);
    if (!kind)
        return mo_fail(err, MO_EBADREQ, "source \"%s\": unsupported type \"%s\"", src->name,
                       src->type ? src->type : "");
    struct run *run = run_new(h, src, kind);
    if (!run)
        return mo_fail(err, MO_ENOMEM, "out of memory");
    rc = store_runs_reap(h->store, src->id, &reaped, err);
    long long stored = 0;
    if (rc == MO_OK)
        rc = store_count_records(h->store, src->id, &stored, err);
    if (rc != MO_OK)
        goto out;
    run->single_walk = stored == 0; /* nothing to skip: parse each page once */
    if (reaped)
        log_warn(h->log, "source \"%s\": %d interrupted run(s) marked failed", src->name, reaped);

    int full = 1;
    mo_rc orc = kind->open(run, opts, &full, &open_err);
    sum->full = orc != MO_OK || full;
    rc = store_run_begin(h->store, src->id, sum->full, &run->run_id, err);
    if (rc != MO_OK)
        goto out;
    sum->run_id = run->run_id;
    if (orc != MO_OK) {
        rc = orc;
        *err = open_err;
    } else {
        rc = run_list(run, err);
    }
    if (rc == MO_OK)
        rc = kind->describe(run, &run->report);
    if (rc == MO_OK)
        rc = reconcile(run, sum->full, &status, err);
    if (rc == MO_OK && run->c.failed)
        rc = buf_printf(&run->report, "; %ld record%s could not be taken (see runs --errors)",
                        run->c.failed, run->c.failed == 1 ? "" : "s");
    if (rc != MO_OK) {
        status = "failed";
        report_failure(run, err);
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
