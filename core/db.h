/*
 * db.h — which database moisson uses.
 *
 * --db or MOISSON_DB (a libpq connection string) names a server; without
 * either, the embedded cluster of MOISSON_HOME is ensured (cluster.h) and
 * used.
 */
#ifndef MOISSON_DB_H
#define MOISSON_DB_H

#include "result.h"

#include <stddef.h>

/* db_opt: the --db value or NULL.  Writes the conninfo into out (size). */
mo_rc db_resolve(const char *db_opt, const char *home, char *out, size_t size,
                 struct mo_err *err) MO_MUST_CHECK;

#endif
