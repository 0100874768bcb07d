/*
 * dbpool.h — a fixed-size pool of libpq connections for the HTTP front.
 *
 * Handlers borrow a connection, use it on their thread alone, and return
 * it.  A borrower waits at most wait_ms for a free connection, then gets
 * MO_ELIMIT: the front answers 503 rather than queueing without end.  A
 * connection found broken (by libpq, left inside a transaction, or closed
 * by the server while idle) is replaced by a new one; the pool never grows
 * past its size.  The connections run with a statement timeout and, for the
 * public front, read-only transactions by default.
 *
 * Which database: the conninfo that core/db.c resolves (--db, MOISSON_DB or
 * the embedded cluster); the pool adds its session options to it.
 */
#ifndef MOISSON_DBPOOL_H
#define MOISSON_DBPOOL_H

#include "log.h"
#include "result.h"

#include <libpq-fe.h>

#define DBPOOL_MAX_SIZE 64
#define DBPOOL_DEFAULT_WAIT_MS 2000
#define DBPOOL_DEFAULT_STATEMENT_TIMEOUT_MS 30000
#define DBPOOL_MAX_KEYWORDS 64  /* keywords of a conninfo */
#define DBPOOL_MAX_OPTIONS 1024 /* the libpq "options" value, with ours added */
#define DBPOOL_APPLICATION_NAME "moisson serve"

struct dbpool_config {
    const char *conninfo;          /* libpq connection string; copied */
    unsigned size;                 /* 1 to DBPOOL_MAX_SIZE connections */
    unsigned wait_ms;              /* a borrower's longest wait */
    unsigned statement_timeout_ms; /* 0: the server's default */
    int read_only;                 /* default_transaction_read_only = on */
    const struct log *log;         /* borrowed; may be NULL */
};

struct dbpool_stats {
    unsigned size;
    unsigned idle; /* connected and free */
    unsigned borrowed;
    unsigned long replaced; /* broken connections replaced so far */
    unsigned long timeouts; /* borrowers that waited in vain */
};

struct dbpool;

/* Opens every connection now, so that a wrong conninfo fails at start
 * (MO_EDB, with libpq's message; MO_EBADREQ for a bad config). */
mo_rc dbpool_new(const struct dbpool_config *cfg, struct dbpool **out,
                 struct mo_err *err) MO_MUST_CHECK;

/* Every connection must have been returned.  p may be NULL. */
void dbpool_free(struct dbpool *p);

/* Lends a connection (*out) that stays the caller's until dbpool_return.
 * MO_ELIMIT when none was free within wait_ms (answer 503), MO_EDB when a
 * replacement connection could not be opened (the database is down: 503). */
mo_rc dbpool_borrow(struct dbpool *p, PGconn **out, struct mo_err *err) MO_MUST_CHECK;

/* Takes a borrowed connection back (NULL is ignored).  A broken connection,
 * or one left inside a transaction, is closed and replaced; when the
 * replacement fails, the next borrower tries again. */
void dbpool_return(struct dbpool *p, PGconn *conn);

/* Asks the server for a trivial answer (the pool's liveness probe, the one
 * statement outside the store and query modules).  MO_EDB when it fails. */
mo_rc dbpool_ping(PGconn *conn, struct mo_err *err) MO_MUST_CHECK;

/* Counters, for tests and logs. */
void dbpool_get_stats(struct dbpool *p, struct dbpool_stats *out);

#endif
