#include "writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct batch {
    long long source_id;
    long long run_id;
    struct record *recs;
    size_t n;
    char **ids;
    size_t n_ids;
};

struct writer {
    struct store *store;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct batch queue[WRITER_QUEUE];
    size_t head, count;
    int busy; /* the thread is writing a batch taken off the queue */
    int stopping;
    struct mo_err err; /* the first error */
    struct page_result done;
};

static void batch_free(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        record_clear(&b->recs[i]);
    free(b->recs);
    for (size_t i = 0; i < b->n_ids; i++)
        free(b->ids[i]);
    free(b->ids);
    memset(b, 0, sizeof *b);
}

static void write_one(struct writer *w, struct batch *b)
{
    struct page_result res = {0};
    struct mo_err err = {0};
    mo_rc rc = store_put_page(w->store, b->source_id, b->run_id, b->recs, b->n,
                              (const char *const *)b->ids, b->n_ids, &res, &err);
    pthread_mutex_lock(&w->lock);
    if (rc != MO_OK && w->err.rc == MO_OK)
        w->err = err;
    w->done.added += res.added;
    w->done.updated += res.updated;
    w->done.unchanged += res.unchanged;
    pthread_mutex_unlock(&w->lock);
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->count == 0 && !w->stopping)
            pthread_cond_wait(&w->changed, &w->lock);
        if (w->count == 0)
            break;
        struct batch b = w->queue[w->head];
        w->head = (w->head + 1) % WRITER_QUEUE;
        w->count--;
        w->busy = 1;
        int failed = w->err.rc != MO_OK;
        pthread_mutex_unlock(&w->lock);
        if (!failed)
            write_one(w, &b);
        batch_free(&b);
        pthread_mutex_lock(&w->lock);
        w->busy = 0;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

mo_rc writer_start(struct store *store, struct writer **out)
{
    struct writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return MO_ENOMEM;
    w->store = store;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->changed, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_cond_destroy(&w->changed);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return MO_ENOMEM;
    }
    *out = w;
    return MO_OK;
}

/* Copies the batch's contents out of the caller's hands. */
static mo_rc batch_take(struct batch *b, struct record *recs, size_t n, const char *const *ids,
                        size_t n_ids)
{
    b->recs = n ? calloc(n, sizeof *b->recs) : NULL;
    b->ids = n_ids ? calloc(n_ids, sizeof *b->ids) : NULL;
    if ((n && !b->recs) || (n_ids && !b->ids))
        return MO_ENOMEM;
    for (size_t i = 0; i < n_ids; i++) {
        if (!(b->ids[i] = strdup(ids[i])))
            return MO_ENOMEM;
        b->n_ids++;
    }
    for (size_t i = 0; i < n; i++) {
        b->recs[i] = recs[i];
        memset(&recs[i], 0, sizeof recs[i]);
    }
    b->n = n;
    return MO_OK;
}

mo_rc writer_submit(struct writer *w, long long source_id, long long run_id, struct record *recs,
                    size_t n, const char *const *ids, size_t n_ids, struct mo_err *err)
{
    struct batch b = {.source_id = source_id, .run_id = run_id};
    if (n + n_ids == 0)
        return MO_OK;
    if (batch_take(&b, recs, n, ids, n_ids) != MO_OK) {
        batch_free(&b);
        return mo_fail(err, MO_ENOMEM, "out of memory queueing a batch");
    }
    pthread_mutex_lock(&w->lock);
    while (w->count == WRITER_QUEUE && w->err.rc == MO_OK)
        pthread_cond_wait(&w->changed, &w->lock);
    mo_rc rc = w->err.rc;
    if (rc != MO_OK) {
        *err = w->err;
    } else {
        w->queue[(w->head + w->count) % WRITER_QUEUE] = b;
        w->count++;
        memset(&b, 0, sizeof b);
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    batch_free(&b);
    return rc;
}

mo_rc writer_drain(struct writer *w, struct page_result *total, struct mo_err *err)
{
    pthread_mutex_lock(&w->lock);
    while ((w->count > 0 || w->busy) && w->err.rc == MO_OK)
        pthread_cond_wait(&w->changed, &w->lock);
    mo_rc rc = w->err.rc;
    if (rc != MO_OK)
        *err = w->err;
    total->added += w->done.added;
    total->updated += w->done.updated;
    total->unchanged += w->done.unchanged;
    memset(&w->done, 0, sizeof w->done);
    pthread_mutex_unlock(&w->lock);
    return rc;
}

void writer_stop(struct writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
