/*
 * writer.h — writes a run's batches to the store from a thread of its own, so
 * that PostgreSQL stores one batch while the harvester fetches and normalises
 * the next.
 *
 * The writer owns nothing but its thread: the store it writes with is the
 * caller's, used by the writer thread alone until writer_stop.  Batches wait
 * in a queue of WRITER_QUEUE; writer_submit blocks while it is full.  The
 * first error sticks: every later call returns it, and nothing more is
 * written.
 */
#ifndef MOISSON_WRITER_H
#define MOISSON_WRITER_H

#include "record.h"
#include "result.h"
#include "store.h"

#define WRITER_QUEUE 2

struct writer;

mo_rc writer_start(struct store *store, struct writer **out) MO_MUST_CHECK;

/* Queues one batch: the n records are moved into the writer (recs[i] are
 * zeroed), the identifiers are copied. */
mo_rc writer_submit(struct writer *w, long long source_id, long long run_id, struct record *recs,
                    size_t n, const char *const *ids, size_t n_ids,
                    struct mo_err *err) MO_MUST_CHECK;

/* Waits until every queued batch is written; adds what was written since the
 * last drain to *total. */
mo_rc writer_drain(struct writer *w, struct page_result *total, struct mo_err *err) MO_MUST_CHECK;

/* Drains what is queued (errors ignored), ends the thread, frees w (NULL ok). */
void writer_stop(struct writer *w);

#endif
