/*
 * normpool.h — helper threads that normalise records beside the run's own.
 *
 * A first harvest spends most of its time in the harvester's one thread:
 * serialising each new record (record_set_original) and running its
 * stylesheet (normalise_record).  Those two steps touch nothing but the
 * record's own document and a normaliser: each helper thread compiles its
 * own (the run's thread uses the caller's), takes records while the run's
 * thread goes on parsing, and the run's thread takes what is left at the end
 * of a round.  Reports, the store and the batch stay with the caller.
 *
 * A job's document must not share an xmlDict with another document being
 * worked on at the same time (normpool_doc_independent tells).
 */
#ifndef MOISSON_NORMPOOL_H
#define MOISSON_NORMPOOL_H

#include "normalise.h"
#include "record.h"
#include "result.h"

#include <libxml/tree.h>
#include <stddef.h>

#define NORMPOOL_MAX_THREADS 3

/* One record to take: doc in (changed: see normalise_to_unified), rec out.
 * On failure rc and err say why and rec is cleared. */
struct normpool_job {
    xmlDoc *doc;
    struct record rec;
    mo_rc rc;
    struct mo_err err;
};

struct normpool;

/* Starts threads helpers (at most NORMPOOL_MAX_THREADS), each normalising
 * with the stylesheets of xslt_dir compiled for itself; the caller's share
 * of a round is normalised with norm (borrowed, outlives the pool). */
mo_rc normpool_start(struct normaliser *norm, const char *xslt_dir, int threads,
                     struct normpool **out) MO_MUST_CHECK;

/* Takes one job in the calling thread: what each thread of the pool does
 * with a job. */
void normpool_take(struct normaliser *norm, struct normpool_job *job);

/* A round of jobs: normpool_begin names the array the round's jobs go in;
 * normpool_add hands on the next one (its doc set by the caller, who keeps
 * its hands off the doc until the round ends) and a helper takes it at
 * once; normpool_finish takes what is left in the calling thread and
 * returns when every job of the round is done.  The caller parses more
 * records while the helpers normalise the ones it added. */
void normpool_begin(struct normpool *p, struct normpool_job *jobs);
void normpool_add(struct normpool *p);
void normpool_finish(struct normpool *p);

/* Ends the threads, frees p (NULL ok).  No round may be under way. */
void normpool_stop(struct normpool *p);

/* Whether doc can be worked on beside the n others: a document of its own,
 * not sharing its dictionary with any of them. */
int normpool_doc_independent(const xmlDoc *doc, xmlDoc *const *others, size_t n);

/* How many helpers suit this machine: one per processor beyond the first,
 * at most NORMPOOL_MAX_THREADS (PostgreSQL wants its share too). */
int normpool_default_threads(void);

#endif
