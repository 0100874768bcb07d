#include "csw_ahead.h"

#include "csw_internal.h"
#include "dbpool.h"
#include "xmlsafe.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A slot goes FREE → QUEUED (offered) → MAKING (the thread took it) →
 * READY (made) → FREE (taken, overwritten, or failed).  A request that
 * finds its page QUEUED takes the slot back and makes the page itself; it
 * waits only for a page being made. */
enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_MAKING, SLOT_READY };

struct slot {
    enum slot_state state;
    struct csw_request req; /* a copy owning nothing: no filter, id or echo */
    char key[CSW_CACHE_MAX_KEY];
    size_t key_len;
    unsigned long seq; /* order of the offers */
    long long gen;     /* READY: the generation the page was made from */
    struct csw_cache_page page;
    struct buf records;
};

struct csw_ahead {
    struct csw *c;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work; /* the thread: a slot queued, or stop */
    pthread_cond_t done; /* takers: a page made (or given up) */
    struct slot slots[CSW_AHEAD_SLOTS];
    unsigned long seq, served, made;
    int stopping;
};

static void slot_empty(struct slot *s)
{
    buf_free(&s->records);
    s->state = SLOT_FREE;
    s->key_len = 0;
}

static struct slot *slot_of(struct csw_ahead *a, const char *key, size_t len)
{
    for (int i = 0; i < CSW_AHEAD_SLOTS; i++) {
        struct slot *s = &a->slots[i];
        if (s->state != SLOT_FREE && s->key_len == len && !memcmp(s->key, key, len))
            return s;
    }
    return NULL;
}

/* The oldest queued slot, or NULL; the lock is held. */
static struct slot *next_queued(struct csw_ahead *a)
{
    struct slot *best = NULL;
    for (int i = 0; i < CSW_AHEAD_SLOTS; i++)
        if (a->slots[i].state == SLOT_QUEUED && (!best || a->slots[i].seq < best->seq))
            best = &a->slots[i];
    return best;
}

/* Makes the page of s, the lock released meanwhile; called and returns with
 * it held. */
static void make_page(struct csw_ahead *a, struct slot *s)
{
    struct csw_request req = s->req;
    struct csw_cache_page page = {0};
    struct buf records;
    struct mo_err err = {0};
    PGconn *conn = NULL;
    long long gen = -1;
    int ok = 0;
    s->state = SLOT_MAKING;
    pthread_mutex_unlock(&a->lock);
    buf_init(&records, CSW_AHEAD_MAX_BYTES);
    if (dbpool_borrow(a->c->cfg.pool, &conn, &err) == MO_OK) {
        ok = csw_records_ahead(a->c, conn, &req, &page, &records, &gen) == 0;
        dbpool_return(a->c->cfg.pool, conn);
    }
    pthread_mutex_lock(&a->lock);
    if (ok) {
        s->records = records; /* the slot was FREE of records: emptied when taken */
        s->page = page;
        s->gen = gen;
        s->state = SLOT_READY;
        a->made++;
    } else {
        buf_free(&records);
        slot_empty(s);
    }
    pthread_cond_broadcast(&a->done);
}

static void *ahead_main(void *arg)
{
    struct csw_ahead *a = arg;
    xmlsafe_init_thread();
    pthread_mutex_lock(&a->lock);
    for (;;) {
        struct slot *s = NULL;
        while (!a->stopping && !(s = next_queued(a)))
            pthread_cond_wait(&a->work, &a->lock);
        if (a->stopping)
            break;
        make_page(a, s);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

mo_rc csw_ahead_new(struct csw *c, struct csw_ahead **out)
{
    pthread_condattr_t attr;
    *out = NULL;
    struct csw_ahead *a = calloc(1, sizeof *a);
    if (!a)
        return MO_ENOMEM;
    a->c = c;
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->work, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&a->done, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&a->thread, NULL, ahead_main, a) != 0) {
        pthread_cond_destroy(&a->done);
        pthread_cond_destroy(&a->work);
        pthread_mutex_destroy(&a->lock);
        free(a);
        return MO_ENOMEM;
    }
    *out = a;
    return MO_OK;
}

void csw_ahead_free(struct csw_ahead *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    a->stopping = 1;
    pthread_cond_broadcast(&a->work);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    for (int i = 0; i < CSW_AHEAD_SLOTS; i++)
        slot_empty(&a->slots[i]);
    pthread_cond_destroy(&a->done);
    pthread_cond_destroy(&a->work);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

/* A slot for a new offer: a free one, else the oldest page made and not
 * taken; NULL when all are queued or being made.  The lock is held. */
static struct slot *slot_for_offer(struct csw_ahead *a)
{
    struct slot *ready = NULL;
    for (int i = 0; i < CSW_AHEAD_SLOTS; i++) {
        struct slot *s = &a->slots[i];
        if (s->state == SLOT_FREE)
            return s;
        if (s->state == SLOT_READY && (!ready || s->seq < ready->seq))
            ready = s;
    }
    if (ready)
        slot_empty(ready);
    return ready;
}

void csw_ahead_offer(struct csw_ahead *a, const struct csw_request *req, long long next)
{
    struct csw_request copy = *req;
    struct buf key;
    if (req->filter || req->n_sort || req->n_ids || req->n_domain)
        return; /* not a walk through everything, or a copy would own something */
    copy.request_id = NULL;
    copy.echo = NULL;
    copy.start = next;
    buf_init(&key, CSW_CACHE_MAX_KEY);
    csw_records_key(&copy, &key);
    if (key.len && key.len <= CSW_CACHE_MAX_KEY) {
        pthread_mutex_lock(&a->lock);
        struct slot *s = slot_of(a, key.data, key.len) ? NULL : slot_for_offer(a);
        if (s) {
            s->req = copy;
            memcpy(s->key, key.data, key.len);
            s->key_len = key.len;
            s->seq = ++a->seq;
            s->state = SLOT_QUEUED;
            pthread_cond_signal(&a->work);
        }
        pthread_mutex_unlock(&a->lock);
    }
    buf_free(&key);
}

/* Waits for s to leave MAKING, until deadline; the lock is held. */
static void wait_made(struct csw_ahead *a, const struct slot *s, const struct timespec *deadline)
{
    while (s->state == SLOT_MAKING)
        if (pthread_cond_timedwait(&a->done, &a->lock, deadline) == ETIMEDOUT)
            break;
}

int csw_ahead_take(struct csw_ahead *a, const char *key, size_t len, long long gen,
                   struct csw_cache_page *page, struct buf *records)
{
    struct timespec deadline;
    int taken = 0;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += CSW_AHEAD_WAIT_MS / 1000;
    deadline.tv_nsec += (long)(CSW_AHEAD_WAIT_MS % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&a->lock);
    struct slot *s = slot_of(a, key, len);
    if (s && s->state == SLOT_QUEUED) { /* not begun: the request makes it itself */
        slot_empty(s);
        s = NULL;
    }
    if (s)
        wait_made(a, s, &deadline);
    /* the same slot, unless it was emptied meanwhile */
    if (s && s->state == SLOT_READY && s->key_len == len && !memcmp(s->key, key, len)) {
        if (s->gen == gen &&
            buf_append(records, s->records.data ? s->records.data : "", s->records.len) == MO_OK) {
            *page = s->page;
            taken = 1;
            a->served++;
        }
        slot_empty(s);
    }
    pthread_mutex_unlock(&a->lock);
    return taken;
}

void csw_ahead_counts(struct csw_ahead *a, unsigned long *served, unsigned long *made)
{
    pthread_mutex_lock(&a->lock);
    *served = a->served;
    *made = a->made;
    pthread_mutex_unlock(&a->lock);
}
