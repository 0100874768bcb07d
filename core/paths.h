/*
 * paths.h — where moisson keeps its data and finds its stylesheets and
 * migrations.
 *
 * Home: MOISSON_HOME, else /var/lib/moisson for root, else
 * $XDG_DATA_HOME/moisson, else ~/.local/share/moisson.
 * Share (xslt/ and schemas/): MOISSON_SHARE, else the source tree next to the
 * binary (build/moisson → ../), else PREFIX/share/moisson next to bin/.
 */
#ifndef MOISSON_PATHS_H
#define MOISSON_PATHS_H

#include "result.h"

#include <stddef.h>

#define PATHS_MAX 1024

mo_rc paths_home(char *out, size_t size, struct mo_err *err) MO_MUST_CHECK;

/* The directory that holds xslt/ and schemas/. */
mo_rc paths_share(char *out, size_t size, struct mo_err *err) MO_MUST_CHECK;

/* mkdir -p with mode for missing parts. */
mo_rc paths_mkdirs(const char *dir, unsigned mode, struct mo_err *err) MO_MUST_CHECK;

#endif
