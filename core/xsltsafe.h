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

#include <libxml/tree.h>
#include <libxslt/security.h>
#include <libxslt/xsltInternals.h>
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

/* Compiles dir/file once (caller frees with xsltFreeStylesheet).  MO_ELIMIT
 * for a path too long, MO_EIO when it is no readable file, MO_EXSLT when it
 * does not compile. */
mo_rc xsltsafe_compile(const char *dir, const char *file, xsltStylesheet **out,
                       struct mo_err *err) MO_MUST_CHECK;

/* Limits of one transform. */
struct xsltsafe_limits {
    int max_template_depth;
    int max_template_vars;
    unsigned long max_xpath_ops;
};

/* Runs xsl over doc with prefs and limits, params (name, quoted value, …,
 * NULL; may be NULL) passed as strings, never as XPath.  Any message
 * libxslt reports fails the transform (a refused file or network read is
 * only reported, the transform itself goes on): MO_EXSLT with the messages
 * in errors, MO_ENOMEM.  *result is the new document on MO_OK only. */
mo_rc xsltsafe_apply(xsltStylesheet *xsl, xsltSecurityPrefs *prefs,
                     const struct xsltsafe_limits *limits, xmlDoc *doc, const char **params,
                     xmlDoc **result, struct xsltsafe_errors *errors) MO_MUST_CHECK;

#endif
