/*
 * dbpool.c — a fixed set of libpq connections behind a mutex and a condition
 * variable.  Connecting and closing happen outside the lock.
 */
#include "dbpool.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct dbpool {
    pthread_mutex_t lock;
    pthread_cond_t freed; /* a connection came back, or a slot emptied */
    PGconn *idle[DBPOOL_MAX_SIZE];
    unsigned n_idle;
    unsigned n_empty; /* slots whose connection was lost and not yet replaced */
    unsigned n_borrowed;
    unsigned long replaced;
    unsigned long timeouts;
    struct dbpool_config cfg;
    PQconninfoOption *parsed; /* the conninfo, parsed once */
    const char *keywords[DBPOOL_MAX_KEYWORDS + 4];
    const char *values[DBPOOL_MAX_KEYWORDS + 4];
    char options[DBPOOL_MAX_OPTIONS];
};

static void dbpool_ignore_notice(void *arg, const char *message)
{
}

/* Keywords and values for PQconnectdbParams: the conninfo's own, with our
 * session settings appended to "options" and an application name. */
static mo_rc dbpool_prepare(struct dbpool *p, const char *conninfo, struct mo_err *err)
{
    char *msg = NULL;
    size_t n = 0;
    const char *user_options = "", *app = DBPOOL_APPLICATION_NAME;

    p->parsed = PQconninfoParse(conninfo, &msg);
    if (!p->parsed) {
        mo_rc rc = mo_fail(err, MO_EBADREQ, "bad database connection string: %s",
                           msg ? msg : "out of memory");
        PQfreemem(msg);
        return rc;
    }
    for (PQconninfoOption *o = p->parsed; o->keyword; o++) {
        if (!o->val)
            continue;
        if (!strcmp(o->keyword, "options")) {
            user_options = o->val;
            continue;
        }
        if (!strcmp(o->keyword, "application_name")) {
            app = o->val;
            continue;
        }
        if (!strcmp(o->keyword, "client_encoding"))
            continue;
        if (n == DBPOOL_MAX_KEYWORDS)
            return mo_fail(err, MO_ELIMIT, "database connection string has too many keywords");
        p->keywords[n] = o->keyword;
        p->values[n++] = o->val;
    }
    int len = snprintf(p->options, sizeof p->options, "%s%s-c statement_timeout=%u%s", user_options,
                       user_options[0] ? " " : "", p->cfg.statement_timeout_ms,
                       p->cfg.read_only ? " -c default_transaction_read_only=on" : "");
    if (len < 0 || (size_t)len >= sizeof p->options)
        return mo_fail(err, MO_ELIMIT, "database connection options are too long");
    p->keywords[n] = "options";
    p->values[n++] = p->options;
    p->keywords[n] = "application_name";
    p->values[n++] = app;
    p->keywords[n] = "client_encoding";
    p->values[n++] = "UTF8";
    p->keywords[n] = NULL;
    p->values[n] = NULL;
    return MO_OK;
}

/* A new connection, or NULL with the reason in err. */
static PGconn *dbpool_connect(struct dbpool *p, struct mo_err *err)
{
    PGconn *conn = PQconnectdbParams(p->keywords, p->values, 0);
    if (conn && PQstatus(conn) == CONNECTION_OK) {
        PQsetNoticeProcessor(conn, dbpool_ignore_notice, NULL);
        return conn;
    }
    char msg[MO_ERR_MAX / 2];
    snprintf(msg, sizeof msg, "%s", conn ? PQerrorMessage(conn) : "out of memory");
    size_t len = strlen(msg);
    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        msg[--len] = '\0';
    mo_fail(err, MO_EDB, "could not connect to the database: %s", msg);
    PQfinish(conn);
    return NULL;
}

/* True when conn can be lent: libpq sees it healthy and idle, and nothing
 * arrived while it was idle.  The pool's connections never LISTEN, so input
 * on an idle connection is the server saying goodbye (a terminated backend
 * sends a FATAL notice, then closes) or, rarely, a parameter change; either
 * way a fresh connection is the safe answer. */
static int dbpool_usable(PGconn *conn)
{
    if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE)
        return 0;
    struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};
    if (pfd.fd < 0)
        return 0;
    return poll(&pfd, 1, 0) == 0;
}

mo_rc dbpool_new(const struct dbpool_config *cfg, struct dbpool **out, struct mo_err *err)
{
    *out = NULL;
    if (!cfg->conninfo || cfg->size < 1 || cfg->size > DBPOOL_MAX_SIZE)
        return mo_fail(err, MO_EBADREQ, "bad database pool size %u (1 to %d)", cfg->size,
                       DBPOOL_MAX_SIZE);
    struct dbpool *p = calloc(1, sizeof *p);
    if (!p)
        return mo_fail(err, MO_ENOMEM, "out of memory for the database pool");
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, &attr);
    pthread_condattr_destroy(&attr);
    p->cfg = *cfg;
    p->cfg.conninfo = NULL; /* the parsed copy is what stays */
    mo_rc rc = dbpool_prepare(p, cfg->conninfo, err);
    for (unsigned i = 0; rc == MO_OK && i < cfg->size; i++) {
        PGconn *conn = dbpool_connect(p, err);
        if (!conn)
            rc = MO_EDB;
        else
            p->idle[p->n_idle++] = conn;
    }
    if (rc != MO_OK) {
        dbpool_free(p);
        return rc;
    }
    *out = p;
    return MO_OK;
}

void dbpool_free(struct dbpool *p)
{
    if (!p)
        return;
    if (p->n_borrowed)
        log_error(p->cfg.log, "database pool freed with %u connection(s) still borrowed",
                  p->n_borrowed);
    for (unsigned i = 0; i < p->n_idle; i++)
        PQfinish(p->idle[i]);
    PQconninfoFree(p->parsed);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static void dbpool_deadline(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Under the lock: waits for an idle connection or an empty slot.  Returns
 * the connection (NULL with *slot set for an empty slot to fill), or NULL
 * with *slot 0 on timeout. */
static PGconn *dbpool_take(struct dbpool *p, int *slot)
{
    struct timespec deadline;
    int rc = 0;
    dbpool_deadline(&deadline, p->cfg.wait_ms);
    *slot = 0;
    while (p->n_idle == 0 && p->n_empty == 0 && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&p->freed, &p->lock, &deadline);
    if (p->n_idle) {
        p->n_borrowed++;
        return p->idle[--p->n_idle];
    }
    if (p->n_empty) {
        p->n_empty--;
        p->n_borrowed++;
        *slot = 1;
    }
    return NULL;
}

mo_rc dbpool_borrow(struct dbpool *p, PGconn **out, struct mo_err *err)
{
    int slot = 0;
    *out = NULL;
    pthread_mutex_lock(&p->lock);
    PGconn *conn = dbpool_take(p, &slot);
    if (!conn && !slot) {
        p->timeouts++;
        unsigned borrowed = p->n_borrowed;
        pthread_mutex_unlock(&p->lock);
        return mo_fail(err, MO_ELIMIT, "no database connection free after %u ms (%u of %u in use)",
                       p->cfg.wait_ms, borrowed, p->cfg.size);
    }
    pthread_mutex_unlock(&p->lock);
    if (conn && !dbpool_usable(conn)) {
        log_info(p->cfg.log, "database connection lost while idle; reconnecting");
        PQfinish(conn);
        conn = NULL;
        pthread_mutex_lock(&p->lock);
        p->replaced++;
        pthread_mutex_unlock(&p->lock);
    }
    if (!conn && !(conn = dbpool_connect(p, err))) {
        pthread_mutex_lock(&p->lock);
        p->n_borrowed--;
        p->n_empty++;
        pthread_cond_signal(&p->freed);
        pthread_mutex_unlock(&p->lock);
        return MO_EDB;
    }
    *out = conn;
    return MO_OK;
}

void dbpool_return(struct dbpool *p, PGconn *conn)
{
    if (!conn)
        return;
    int broken = PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE;
    if (broken) {
        struct mo_err err = {0};
        log_info(p->cfg.log, "database connection returned %s; replacing it",
                 PQstatus(conn) != CONNECTION_OK ? "broken" : "inside a transaction");
        PQfinish(conn);
        conn = dbpool_connect(p, &err);
        if (!conn)
            log_warn(p->cfg.log, "%s", err.msg);
    }
    pthread_mutex_lock(&p->lock);
    p->n_borrowed--;
    if (broken)
        p->replaced++;
    if (conn)
        p->idle[p->n_idle++] = conn;
    else
        p->n_empty++;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

mo_rc dbpool_ping(PGconn *conn, struct mo_err *err)
{
    PGresult *res = PQexec(conn, "SELECT 1");
    mo_rc rc = MO_OK;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char msg[MO_ERR_MAX / 2];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        size_t len = strlen(msg);
        while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
            msg[--len] = '\0';
        rc = mo_fail(err, MO_EDB, "database did not answer: %s", msg);
    }
    PQclear(res);
    return rc;
}

void dbpool_get_stats(struct dbpool *p, struct dbpool_stats *out)
{
    pthread_mutex_lock(&p->lock);
    out->size = p->cfg.size;
    out->idle = p->n_idle;
    out->borrowed = p->n_borrowed;
    out->replaced = p->replaced;
    out->timeouts = p->timeouts;
    pthread_mutex_unlock(&p->lock);
}
