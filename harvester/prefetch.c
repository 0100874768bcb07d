#include "prefetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct prefetch {
    pthread_t thread;
    int running; /* a thread was started and not joined */
    struct fetch *f;
    const struct csw_endpoint *ep;
    struct csw_query q;
    struct csw_page page;
    mo_rc rc;
    struct mo_err err;
};

struct prefetch *prefetch_new(void)
{
    return calloc(1, sizeof(struct prefetch));
}

static void *prefetch_main(void *arg)
{
    struct prefetch *p = arg;
    p->rc = csw_fetch_page(p->f, p->ep, &p->q, &p->page, &p->err);
    return NULL;
}

int prefetch_start(struct prefetch *p, struct fetch *f, const struct csw_endpoint *ep,
                   const struct csw_query *q)
{
    if (p->running)
        return 1;
    p->f = f;
    p->ep = ep;
    p->q = *q;
    p->rc = MO_OK;
    memset(&p->err, 0, sizeof p->err);
    csw_page_clear(&p->page);
    fetch_cancel(f, 0);
    p->running = pthread_create(&p->thread, NULL, prefetch_main, p) == 0;
    return p->running;
}

static void join(struct prefetch *p)
{
    if (!p->running)
        return;
    pthread_join(p->thread, NULL);
    p->running = 0;
}

void prefetch_cancel(struct prefetch *p)
{
    if (!p || !p->running)
        return;
    fetch_cancel(p->f, 1);
    join(p);
    fetch_cancel(p->f, 0);
    csw_page_clear(&p->page);
}

int prefetch_take(struct prefetch *p, long start, struct csw_page *page, mo_rc *rc,
                  struct mo_err *err)
{
    if (!p->running)
        return 0;
    if (p->q.start != start) {
        prefetch_cancel(p);
        return 0;
    }
    join(p);
    csw_page_clear(page);
    *page = p->page;
    memset(&p->page, 0, sizeof p->page);
    *rc = p->rc;
    if (p->rc != MO_OK)
        *err = p->err;
    return 1;
}

void prefetch_free(struct prefetch *p)
{
    if (!p)
        return;
    prefetch_cancel(p);
    csw_page_clear(&p->page);
    free(p);
}
