/*
 * store.h — the index in PostgreSQL: sources, runs, per-record errors,
 * records, and the aggregated entries the front serves.
 *
 * The only module (with query, later) that speaks SQL.  Every statement is
 * constant text with $n parameters; a page of records is one multi-row
 * INSERT and a few set-based statements in one transaction, a page of
 * unchanged records one statement (never one round-trip per record).  A
 * struct store owns one libpq connection and is used by one thread.
 *
 * Invariants (see aggregator/README.md):
 *   - a record row is keyed by (source, identifier); a record whose hash is
 *     unchanged is never rewritten (only its narrow "seen" row is);
 *   - nothing is deleted by a run: only store_retire_unseen, called after a
 *     complete full run, marks unseen records retired, and it refuses when
 *     the listing shrank by more than the allowed share;
 *   - entry holds one row per metadata identifier among non-retired records,
 *     chosen by the documented precedence, with every provenance listed.
 */
#ifndef MOISSON_STORE_H
#define MOISSON_STORE_H

#include "record.h"
#include "result.h"

#include <stddef.h>

#define STORE_DEFAULT_PAGE_SIZE 100
#define STORE_DEFAULT_MAX_SHRINK 0.20
#define STORE_DEFAULT_PRIORITY 100

struct store;

/* Connects (libpq conninfo string). */
mo_rc store_open(const char *conninfo, struct store **out, struct mo_err *err) MO_MUST_CHECK;
void store_close(struct store *s);

/* Applies the numbered migrations of schemas_dir (NNN_name.sql) not yet
 * recorded in schema_version, each in its own transaction, in order.
 * *applied (may be NULL) receives how many were applied; twice is a no-op. */
mo_rc store_migrate(struct store *s, const char *schemas_dir, int *applied,
                    struct mo_err *err) MO_MUST_CHECK;

/* ---- sources ---- */

struct source {
    long long id;
    char *name;            /* unique, [A-Za-z0-9_.-]+ */
    char *type;            /* csw, waf, dir, dcat, wfs, wms (harvest_type_supported) */
    char *url;
    char *constraint_text; /* NULL, CQL text, or an OGC Filter document */
    int page_size;         /* default STORE_DEFAULT_PAGE_SIZE */
    long every_s;          /* harvest period in seconds, 0 = by hand only */
    long full_every_s;     /* a full run at least this often; default 7 days */
    double max_shrink;     /* default STORE_DEFAULT_MAX_SHRINK */
    int priority;          /* lower wins in entry precedence; default 100 */
    char *created_at;      /* ISO 8601, from the database */
    char *last_success_at; /* start of the last successful run, or NULL */
    char *last_full_success_at; /* start of the last successful full run, or NULL */
    long long record_count; /* non-retired records */
    int ignore_metadata_urls; /* wfs, wms: do not fetch the ISO records of MetadataURLs */
};

void source_clear(struct source *src);

/* Adds src (id, dates and counts are ignored); MO_EBADREQ when the name is
 * taken, with a message naming it.  page_size <= 0, full_every_s <= 0 and
 * max_shrink < 0 take the defaults (max_shrink 0 means no shrink allowed). */
mo_rc store_source_add(struct store *s, const struct source *src, long long *id,
                       struct mo_err *err) MO_MUST_CHECK;
/* MO_ENOTFOUND "no source named \"x\"" when absent. */
mo_rc store_source_get(struct store *s, const char *name, struct source *out,
                       struct mo_err *err) MO_MUST_CHECK;
/* All sources by name; *out is an array of *n sources (free each with
 * source_clear, then free the array). */
mo_rc store_source_list(struct store *s, struct source **out, size_t *n,
                        struct mo_err *err) MO_MUST_CHECK;
/* Removes the source, its runs and records (entries are recomputed). */
mo_rc store_source_remove(struct store *s, const char *name, struct mo_err *err) MO_MUST_CHECK;

/* ---- runs ---- */

struct run_counters {
    long announced; /* numberOfRecordsMatched as last announced, -1 unknown */
    long received;  /* distinct records received */
    long added;
    long updated;
    long unchanged;
    long failed;    /* per-record errors */
    long retired;
    long pages;
};

/* Starts a run (status "running", started_at now). */
mo_rc store_run_begin(struct store *s, long long source_id, int full, long long *run_id,
                      struct mo_err *err) MO_MUST_CHECK;
/* Ends a run: status is "success", "incomplete" or "failed"; report is the
 * human-readable account of what the partner did (may be NULL). */
mo_rc store_run_finish(struct store *s, long long run_id, const char *status,
                       const struct run_counters *c, const char *report,
                       struct mo_err *err) MO_MUST_CHECK;
/* Records one per-record error (identifier may be NULL when unknown). */
mo_rc store_run_error(struct store *s, long long run_id, const char *identifier,
                      const char *reason, struct mo_err *err) MO_MUST_CHECK;

struct run_info {
    long long id;
    char *source_name;
    int full;
    char *status;
    char *started_at;
    char *finished_at; /* NULL while running */
    struct run_counters c;
    char *report;
};
void run_info_clear(struct run_info *r);

/* Runs newest first, of one source (name) or all (NULL), at most limit. */
mo_rc store_runs_list(struct store *s, const char *name, int limit, struct run_info **out,
                      size_t *n, struct mo_err *err) MO_MUST_CHECK;

/* Per-record errors of a run, in order: calls cb for each. */
mo_rc store_run_errors(struct store *s, long long run_id,
                       void (*cb)(void *ud, const char *identifier, const char *reason),
                       void *ud, struct mo_err *err) MO_MUST_CHECK;

/* A run left "running" by a killed harvester is marked "failed" with the
 * report "interrupted"; returns how many were. */
mo_rc store_runs_reap(struct store *s, long long source_id, int *reaped,
                      struct mo_err *err) MO_MUST_CHECK;

/* ---- records ---- */

/* For change detection per batch: calls cb(ud, hash, identifier,
 * seen_in_run) for each of the n hashes that a record of the source has
 * (seen_in_run: that record was already written or marked seen by run_id).
 * Hashes with no record are not reported. */
mo_rc store_lookup_hashes(struct store *s, long long source_id, long long run_id,
                          const char *const *hashes, size_t n,
                          void (*cb)(void *ud, const char *hash, const char *identifier,
                                     int seen_in_run),
                          void *ud, struct mo_err *err) MO_MUST_CHECK;

/* The same in two steps, for a caller that works while the server looks:
 * store_lookup_send returns once the statement is sent; nothing else may
 * use the store until store_lookup_collect (cb may be NULL: the answer is
 * read and thrown away) has returned. */
mo_rc store_lookup_send(struct store *s, long long source_id, long long run_id,
                        const char *const *hashes, size_t n, struct mo_err *err) MO_MUST_CHECK;
mo_rc store_lookup_collect(struct store *s,
                           void (*cb)(void *ud, const char *hash, const char *identifier,
                                      int seen_in_run),
                           void *ud, struct mo_err *err) MO_MUST_CHECK;

struct page_result {
    long added;
    long updated;
    long unchanged;
};

/* Writes one page in one transaction: recs (new or changed records, fully
 * normalised) are upserted; unchanged_ids (identifiers whose hash matched)
 * only get their seen stamp; everything gets last_run = run_id and
 * retired = false; entries of the touched identifiers are recomputed.  On any
 * error nothing of the page is written (MO_EDB). */
mo_rc store_put_page(struct store *s, long long source_id, long long run_id,
                     const struct record *recs, size_t n_recs,
                     const char *const *unchanged_ids, size_t n_unchanged,
                     struct page_result *res, struct mo_err *err) MO_MUST_CHECK;

/* After a complete full run: marks retired the source's records not seen by
 * run_id.  When the run saw fewer than (1 - max_shrink) of the records the
 * source had, retires nothing and fails with MO_ELIMIT and a message giving
 * both counts.  *retired receives how many were retired. */
mo_rc store_retire_unseen(struct store *s, long long source_id, long long run_id,
                          double max_shrink, long *retired, struct mo_err *err) MO_MUST_CHECK;

/* Counts for tests and the CLI: non-retired records of a source (or all when
 * source_id is 0), and entries. */
mo_rc store_count_records(struct store *s, long long source_id, long long *n,
                          struct mo_err *err) MO_MUST_CHECK;
mo_rc store_count_entries(struct store *s, long long *n, struct mo_err *err) MO_MUST_CHECK;

/* ---- the files of folder sources (store_folder.c) ---- */

/* One file of a waf or dir source as its last full answer left it: the
 * validators the partner sent (waf: HTTP ETag and Last-Modified; dir: the
 * file's modification time and size, as etag) and the hash of the record
 * the file gave.  Strings are borrowed. */
struct folder_validators {
    const char *url;           /* the file's URL, or path */
    const char *etag;          /* NULL when none */
    const char *last_modified; /* NULL when none */
    const char *hash;          /* of the record the file gave; NULL to forget the file */
};

/* Calls cb for each of the n urls (a page of files) whose validators are
 * stored for source_id with this normalisation version and whose hash a
 * record of the source still has (live or retired): a file whose record
 * failed, was replaced or was made by another stylesheet is not reported,
 * and must be fetched whole.  The strings cb gets live until it returns. */
mo_rc store_folder_validators_get(struct store *s, long long source_id, const char *version,
                                  const char *const *urls, size_t n,
                                  void (*cb)(void *ud, const struct folder_validators *v), void *ud,
                                  struct mo_err *err) MO_MUST_CHECK;

/* Replaces the validators of n files of source_id (one statement, committed
 * without waiting for the WAL flush: a crash only costs whole fetches next
 * time).  An entry with neither etag nor last_modified, or without a hash,
 * forgets its file.  MO_EBADREQ when an entry has no url. */
mo_rc store_folder_validators_put(struct store *s, long long source_id, const char *version,
                                  const struct folder_validators *v, size_t n,
                                  struct mo_err *err) MO_MUST_CHECK;

/* ---- what the index holds ---- */

struct store_stats {
    long long sources;
    long long records; /* live */
    long long retired;
    long long entries;
    long long shared;  /* entries that several sources carry */
};

mo_rc store_stats(struct store *s, struct store_stats *out, struct mo_err *err) MO_MUST_CHECK;

/* Entries carried by several sources, by identifier, at most limit: cb gets
 * the identifier, the chosen record's title (may be NULL), the name of the
 * source whose record is served, and every source's name in precedence
 * order, comma separated. */
mo_rc store_shared_entries(struct store *s, int limit,
                           void (*cb)(void *ud, const char *identifier, const char *title,
                                      const char *chosen, const char *sources),
                           void *ud, struct mo_err *err) MO_MUST_CHECK;

#endif
