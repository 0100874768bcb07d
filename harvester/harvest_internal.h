/*
 * harvest_internal.h — what the run core (harvest.c) shares with the
 * listings, one per kind of partner (harvest_csw.c, …).  Not for use outside
 * harvester/harvest*.c.
 *
 * The core knows records, not protocols: a listing fetches pages its own
 * way and hands each to run_take_page as a struct page_walk (a function that
 * walks the page's record elements, and optionally one that scans them with
 * SAX for their hashes); the core hashes, plans, normalises and writes.
 * A listing that knows some records are unchanged without their content (a
 * file the partner answered 304) hands their hashes with the page
 * (struct page_known, run_take_page_known): the core asks the store about
 * them like any other and stamps them seen; the listing fetches whole the
 * ones the store does not have.  A listing ends by saying whether it saw
 * everything (complete) and whether the partner told one story
 * (consistent): only then does a full run retire records.
 */
#ifndef MOISSON_HARVEST_INTERNAL_H
#define MOISSON_HARVEST_INTERNAL_H

#include "csw_client.h"
#include "harvest.h"
#include "normpool.h"
#include "paging.h"
#include "writer.h"

#define REPORT_MAX (64 * 1024)
#define HARVEST_LOOKUP_EARLY 50 /* hashes of a page asked while its scan goes on */

/* What a page's records turned out to be, after the first walk. */
enum rec_state {
    REC_NEW = 0,   /* new or changed: normalise and write */
    REC_UNCHANGED, /* the store has this hash: only mark it seen */
    REC_SEEN,      /* already received in this run, or twice in the page */
    REC_TOO_BIG,   /* past HARVEST_MAX_RECORD_BYTES: a per-record error */
    REC_ABSENT,    /* known by its hash alone, which the store does not have */
};

/* Per page: one slot per record, in document order. */
struct page_plan {
    char (*hash)[65];
    char **known_id; /* identifier of the stored record with the same hash */
    unsigned char *state;
    long n, cap;
};

/* Hashes of the records handed to the writer lately: a record still on its
 * way to the store is already "seen in this run". */
#define RECENT_HASHES ((WRITER_QUEUE + 2) * HARVEST_BATCH_MAX)

struct run;

/* One kind of partner: how its records are listed. */
struct listing_kind {
    const char *type; /* source.type */
    /* Before the run is recorded: discovery (capabilities…), the listing's
     * state into run->listing; *full says whether the run is full.  A
     * failure here is the run's failure. */
    mo_rc (*open)(struct run *run, const struct harvest_options *opts, int *full,
                  struct mo_err *err);
    /* Every page, until the end, a stop or an error; sets run->complete,
     * run->consistent and the counters pages, received, announced. */
    mo_rc (*list)(struct run *run, struct mo_err *err);
    /* What the partner did, appended to the run report. */
    mo_rc (*describe)(struct run *run, struct buf *out);
    /* Frees run->listing (NULL-safe on a listing never opened). */
    void (*close)(struct run *run);
};

/* A fetched page as the core walks it. */
struct page_walk {
    /* Walks the record elements in document order (fills info). */
    mo_rc (*walk)(void *page, struct csw_page_info *info, csw_record_fn fn, void *ud,
                  struct mo_err *err);
    /* The same by SAX for hashes only, or NULL (the page is walked). */
    mo_rc (*scan)(void *page, struct csw_page_info *info, const struct csw_scan_sink *sink,
                  void *ud, struct mo_err *err);
    void *page;
    /* The records handed on are the roots of documents of their own that
     * live until run_take_page returns: the core takes them as they are
     * (normalising changes them) instead of copying each. */
    int standalone;
};

/* Records of a page known by their hash alone, without their content (a
 * file its partner said was not modified): taken after the page's walked
 * records, as unchanged when the store has the hash.  One it does not have
 * is not taken and gets its missed flag set: the listing fetches it whole. */
struct page_known {
    const char (*hash)[65]; /* n hashes */
    size_t n;
    unsigned char *missed; /* n flags, set by run_take_page_known */
};

struct run {
    struct harvest *h;
    struct writer *writer; /* NULL: batches are written in line */
    char (*recent)[65];    /* ring of RECENT_HASHES */
    long recent_next;
    const struct source *src;
    long long run_id;
    struct page_plan plan;
    struct record batch[HARVEST_BATCH_MAX];
    size_t n;
    int single_walk;                 /* this page in one walk (see run_take_page) */
    xmlDoc *held[HARVEST_BATCH_MAX]; /* one walk: copies waiting for their plan */
    struct normpool *pool;           /* NULL: new records are normalised in line */
    struct normpool_job *jobs;       /* HARVEST_BATCH_MAX for the pool, one more for
                                        the records normalised in line */
    int job_of[HARVEST_BATCH_MAX];   /* held[k] is taken by jobs[job_of[k]], or -1 */
    size_t n_jobs;
    int round_open; /* jobs[0, n_jobs) are with the pool */
    size_t n_held;
    long page_fresh;     /* records of the page not received before in this run */
    int standalone_docs; /* the page's records are documents of their own (page_walk) */
    struct run_counters c;
    struct buf report;
    const struct csw_page_info *page_info; /* of the page being taken */
    int lookup_pending; /* the look-up of the page's first hashes is on its way */
    long lookup_to;     /* it covers plan slots [0, lookup_to) */

    const struct listing_kind *kind;
    void *listing;             /* the kind's state */
    int complete;              /* set by the listing: everything announced arrived */
    int consistent;            /* and the partner told one story */
    const char *inconsistency; /* what broke the story, for the report (static text) */
    /* Called at the first record of each page, as soon as the page's info
     * is known (the CSW listing starts its prefetch there); may be NULL. */
    void (*first_record)(struct run *run);
};

/* A monotonic clock in milliseconds, for the timings of the debug log. */
double run_now_ms(void);

/* True when the harvest was asked to stop (signal). */
int run_stop_requested(const struct run *run);

/* Takes one fetched page: hashes every record, asks the store which are
 * known, normalises and writes the new and changed ones, stamps the
 * unchanged ones.  run->page_fresh tells how many were not received before
 * in this run.  An error of the page (malformed, not a listing) is returned
 * before anything of it is written. */
mo_rc run_take_page(struct run *run, const struct page_walk *pw, struct csw_page_info *info,
                    struct mo_err *err) MO_MUST_CHECK;

/* run_take_page, with records known by their hash alone (known may be
 * NULL): those not missed are added to info->records. */
mo_rc run_take_page_known(struct run *run, const struct page_walk *pw,
                          const struct page_known *known, struct csw_page_info *info,
                          struct mo_err *err) MO_MUST_CHECK;

/* After run_take_page: the hash of the page's record index (in the order
 * walked), or NULL when it was not hashed (too big) or there is none. */
const char *run_page_hash(const struct run *run, long index);

/* A page_walk's walk over records already parsed, one document each, in
 * order: fills info (matched and next as given) and calls fn with each root. */
mo_rc run_walk_docs(xmlDoc *const *docs, size_t n, long matched, long next,
                    struct csw_page_info *info, csw_record_fn fn, void *ud,
                    struct mo_err *err) MO_MUST_CHECK;

/* A record that could not be taken (named by identifier, URL or path; may
 * be NULL): counted, logged and stored with the run; the run goes on.
 * Fails only when the store does. */
mo_rc run_record_error(struct run *run, const char *identifier, const char *reason,
                       struct mo_err *err) MO_MUST_CHECK;

/* The listings. */
extern const struct listing_kind listing_csw;
extern const struct listing_kind listing_dcat;
extern const struct listing_kind listing_wfs;
extern const struct listing_kind listing_wms;
extern const struct listing_kind listing_waf;
extern const struct listing_kind listing_dir;

#endif
