/*
 * store_internal.h — what the files of the store share (store.c: connection,
 * migrations, sources, runs, reading; store_page.c: writing a page).  Not
 * for use outside aggregator/store*.c.
 */
#ifndef MOISSON_STORE_INTERNAL_H
#define MOISSON_STORE_INTERNAL_H

#include "buf.h"
#include "store.h"

#include <libpq-fe.h>

#define STORE_MAX_FIELD_BYTES (512u << 20) /* one statement parameter at most */
#define STORE_UPSERTS_PREPARED 4              /* page upserts kept prepared, by row count */

struct store {
    PGconn *conn;
    long pages;        /* pages written on this connection */
    long next_analyze; /* refresh the planner's statistics at this page count */
    char sqlstate[6];  /* of the last failed statement */
    /* row counts whose page upsert is prepared on this connection
     * (store_page.c), most recent first */
    size_t upsert_rows[STORE_UPSERTS_PREPARED];
};

/* Leaves the connection idle: rolls back an open or failed transaction. */
void store_rollback(struct store *s);

/* Sets err to MO_EDB "<fmt...>: <server message>" (rolling back first). */
mo_rc store_fail(struct store *s, const PGresult *res, struct mo_err *err, const char *fmt, ...)
    MO_PRINTF(4, 5);

/* Runs one statement with text parameters.  On success *out (may be NULL)
 * receives the result; on failure the transaction is rolled back and err
 * reads "<what>: <server message>". */
mo_rc store_exec(struct store *s, const char *sql, int n, const char *const *params, PGresult **out,
                 struct mo_err *err, const char *fmt, ...) MO_PRINTF(7, 8);

/* A column of a result as a number, 0 when NULL. */
long long store_ll(const PGresult *res, int row, int col);

/* Appends a PostgreSQL array literal of n strings (NULL items as NULL). */
mo_rc store_array_literal(struct buf *out, const char *const *items, size_t n) MO_MUST_CHECK;

/* After 1, 4, 16, 64... pages that added records on this connection:
 * ANALYZE of the narrow record columns and record_seen. */
mo_rc store_analyze_sometimes(struct store *s, struct mo_err *err) MO_MUST_CHECK;

#endif
