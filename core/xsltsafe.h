/*
 * xsltsafe.h — what every stylesheet run of moisson shares: the security
 * preferences that forbid files and network, and the collection of
 * libxslt's messages into one line for an error.  Used by the normaliser
 * (harvester/normalise.c), the capabilities split (harvester/ogc_caps.c)
 * and the output rendering (aggregator/render.c).
 */
#ifndef MOISSON_XSLTSAFE_H
#define MOISSON_XSLTSAFE_H

#include "result.h"

#include <libxslt/security.h>
#include <stddef.h>

#define XSLTSAFE_MAX_MESSAGE 512

/* The messages of one transform (xsltSetTransformErrorFunc(ctxt, &e,
 * xsltsafe_collect_error)); zero-initialise. */
struct xsltsafe_errors {
    char msg[XSLTSAFE_MAX_MESSAGE];
    size_t len;
};

void xsltsafe_collect_error(void *ctx, const char *fmt, ...) MO_PRINTF(2, 3);

/* The collected messages as one line (newlines become ';', surrounding
 * blanks go), or "no message"; points into e. */
const char *xsltsafe_message(struct xsltsafe_errors *e);

/* Preferences forbidding reading and writing files, creating directories and
 * any network access (caller frees with xsltFreeSecurityPrefs); NULL when
 * out of memory. */
xsltSecurityPrefs *xsltsafe_prefs_new(void);

#endif
