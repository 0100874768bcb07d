/*
 * db.c — which database moisson uses: --db, else MOISSON_DB, else the
 * embedded cluster of home.
 */
#include "db.h"

#include "cluster.h"

#include <stdio.h>
#include <stdlib.h>

mo_rc db_resolve(const char *db_opt, const char *home, char *out, size_t size, struct mo_err *err)
{
    const char *named = db_opt && db_opt[0] ? db_opt : getenv("MOISSON_DB");
    if (!out || size == 0)
        return mo_fail(err, MO_EBADREQ, "no room for the connection string");
    if (named && named[0]) {
        if ((size_t)snprintf(out, size, "%s", named) >= size)
            return mo_fail(err, MO_ELIMIT, "connection string \"%.64s...\" is too long", named);
        return MO_OK;
    }
    if (!home || !home[0])
        return mo_fail(err, MO_EBADREQ,
                       "no database named (--db, MOISSON_DB) and no moisson "
                       "home for the embedded cluster");
    return cluster_ensure(home, out, size, err);
}
