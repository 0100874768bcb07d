#include "normpool.h"

#include "xmlsafe.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A round: jobs[0, n) handed on so far, jobs[0, next) taken.  A helper
 * takes the next job as soon as there is one; inside counts the helpers
 * busy with a job, so that normpool_finish knows when the round is done.
 * jobs is NULL between rounds. */
struct normpool {
    struct normaliser *norm; /* the caller's */
    char *xslt_dir;          /* each helper compiles its own */
    pthread_t threads[NORMPOOL_MAX_THREADS];
    int n_threads;
    pthread_mutex_t lock;
    pthread_cond_t work; /* helpers: a job was added, or stop */
    pthread_cond_t done; /* the caller: a helper finished a job */
    struct normpool_job *jobs;
    size_t n, next;
    int inside;
    int stopping;
};

void normpool_take(struct normaliser *norm, struct normpool_job *job)
{
    memset(&job->rec, 0, sizeof job->rec);
    memset(&job->err, 0, sizeof job->err);
    job->rc = record_set_original(&job->rec, job->doc, NULL);
    if (job->rc == MO_OK)
        job->rc = normalise_record(norm, job->doc, &job->rec, &job->err);
    else
        mo_fail(&job->err, job->rc, "could not serialise the record");
    if (job->rc != MO_OK)
        record_clear(&job->rec);
}

/* The next job of the round, or NULL; the lock is held. */
static struct normpool_job *job_next(struct normpool *p)
{
    return p->jobs && p->next < p->n ? &p->jobs[p->next++] : NULL;
}

/* Takes one job without the lock; called and returns with it held. */
static void take_unlocked(struct normpool *p, struct normaliser *norm, struct normpool_job *job)
{
    pthread_mutex_unlock(&p->lock);
    normpool_take(norm, job);
    pthread_mutex_lock(&p->lock);
}

/* A helper compiles the stylesheets for itself: libxslt shares a compiled
 * stylesheet between threads only as far as its features go (measured: the
 * DCAT stylesheet's xsl:key lookups failed one record in 400 when two
 * threads shared it).  A helper that cannot compile them leaves the work
 * to the others and the caller. */
static void *helper_main(void *arg)
{
    struct normpool *p = arg;
    struct normaliser *norm = NULL;
    struct mo_err err = {0};
    xmlsafe_init_thread();
    if (normalise_new(p->xslt_dir, &norm, &err) != MO_OK)
        return NULL;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        struct normpool_job *job = NULL;
        while (!p->stopping && !(job = job_next(p)))
            pthread_cond_wait(&p->work, &p->lock);
        if (!job)
            break;
        p->inside++;
        take_unlocked(p, norm, job);
        p->inside--;
        pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    normalise_free(norm);
    return NULL;
}

mo_rc normpool_start(struct normaliser *norm, const char *xslt_dir, int threads,
                     struct normpool **out)
{
    *out = NULL;
    struct normpool *p = calloc(1, sizeof *p);
    if (!p)
        return MO_ENOMEM;
    p->norm = norm;
    p->xslt_dir = strdup(xslt_dir ? xslt_dir : "");
    if (!p->xslt_dir) {
        free(p);
        return MO_ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    if (threads > NORMPOOL_MAX_THREADS)
        threads = NORMPOOL_MAX_THREADS;
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, helper_main, p) != 0) {
            normpool_stop(p);
            return MO_ENOMEM;
        }
        p->n_threads++;
    }
    *out = p;
    return MO_OK;
}

void normpool_begin(struct normpool *p, struct normpool_job *jobs)
{
    pthread_mutex_lock(&p->lock);
    p->jobs = jobs;
    p->n = p->next = 0;
    pthread_mutex_unlock(&p->lock);
}

void normpool_add(struct normpool *p)
{
    pthread_mutex_lock(&p->lock);
    p->n++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
}

void normpool_finish(struct normpool *p)
{
    pthread_mutex_lock(&p->lock);
    struct normpool_job *job;
    while ((job = job_next(p)))
        take_unlocked(p, p->norm, job);
    while (p->inside > 0)
        pthread_cond_wait(&p->done, &p->lock);
    p->jobs = NULL;
    p->n = p->next = 0;
    pthread_mutex_unlock(&p->lock);
}

void normpool_stop(struct normpool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p->xslt_dir);
    free(p);
}

int normpool_doc_independent(const xmlDoc *doc, xmlDoc *const *others, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (others[i] == doc || (doc->dict && others[i] && doc->dict == others[i]->dict))
            return 0;
    return 1;
}

int normpool_default_threads(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus <= 1)
        return 0;
    return cpus - 1 > NORMPOOL_MAX_THREADS ? NORMPOOL_MAX_THREADS : (int)(cpus - 1);
}
