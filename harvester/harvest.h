/*
 * harvest.h — one harvest run of one source: capabilities, pages, records,
 * normalisation, store, and the run report.
 *
 *   harvest_source
 *     → csw_discover                      (capabilities: endpoints, schema)
 *     → csw_get_page  (per page)          (fetch + streaming parse)
 *         → on_record (per record)        (serialise + hash, batch)
 *         → flush_batch (per HARVEST_BATCH_MAX records and page end)
 *             → store_lookup_hashes       (unchanged? seen in this run?)
 *             → normalise_record          (new or changed records only)
 *             → writer_submit / store_put_page (one transaction per batch,
 *                                          in a writer thread when there is one)
 *     → paging_after_page                 (where next, when to stop)
 *     → store_retire_unseen               (complete, consistent full runs only)
 *     → store_run_finish
 *
 * Memory is bounded by the batch, not by the number of records: change
 * detection asks the store per batch instead of loading every hash.
 */
#ifndef MOISSON_HARVEST_H
#define MOISSON_HARVEST_H

#include "digest.h"
#include "fetch.h"
#include "log.h"
#include "normalise.h"
#include "rdf.h"
#include "result.h"
#include "store.h"

#include <signal.h>

#define HARVEST_BATCH_MAX 100
#define HARVEST_PAGE_RETRIES 1                    /* a malformed page is asked for once more */
#define HARVEST_INCREMENTAL_MARGIN_S 86400        /* ask for a day more than needed */
#define HARVEST_MAX_RECORD_BYTES DIGEST_MAX_BYTES /* past it: a per-record error */

struct harvest {
    struct store *store;         /* borrowed */
    struct store *writer_store;  /* borrowed, may be NULL: a second connection on which
                                    a writer thread stores batches (writer.h) while the
                                    run goes on; NULL writes in line on store */
    struct fetch *fetch;         /* borrowed */
    struct normaliser *norm;     /* borrowed */
    struct rdf_world *rdf;       /* borrowed, may be NULL: then no DCAT source (rdf.h) */
    const char *xslt_dir;        /* the stylesheets (capabilities of wfs/wms sources) */
    const struct log *log;       /* borrowed, may be NULL */
    volatile sig_atomic_t *stop; /* set by a signal handler: end the run; may be NULL */
    int norm_threads;            /* helper threads normalising new records beside the
                                    run's own (normpool.h); 0: the run's thread alone */
};

struct harvest_options {
    int force_full; /* a full run even when an incremental one would do */
};

struct harvest_summary {
    long long run_id;
    int full;
    char status[16]; /* success, incomplete or failed */
    struct run_counters c;
    char *report; /* owned */
};

/* Harvests src once.  The run is recorded whatever happens; *sum tells how
 * it ended.  Returns MO_OK for a success or an incomplete run, the cause of
 * the failure otherwise (err says what went wrong). */
mo_rc harvest_source(struct harvest *h, const struct source *src,
                     const struct harvest_options *opts, struct harvest_summary *sum,
                     struct mo_err *err) MO_MUST_CHECK;

void harvest_summary_clear(struct harvest_summary *sum);

/* Whether source.type names a kind of partner this harvester lists, and
 * their names ("csw, dcat, wfs, wms, waf, dir") for messages. */
int harvest_type_supported(const char *type);
const char *harvest_types(void);

#endif
