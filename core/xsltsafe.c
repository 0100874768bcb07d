#include "xsltsafe.h"

#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xsltutils.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void xsltsafe_collect_error(void *ctx, const char *fmt, ...)
{
    struct xsltsafe_errors *e = ctx;
    if (e->len + 1 >= sizeof e->msg)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg + e->len, sizeof e->msg - e->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        e->len += (size_t)n < sizeof e->msg - e->len ? (size_t)n : sizeof e->msg - e->len - 1;
}

const char *xsltsafe_message(struct xsltsafe_errors *e)
{
    char *s = e->msg;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ';';
    return *s ? s : "no message";
}

xsltSecurityPrefs *xsltsafe_prefs_new(void)
{
    xsltSecurityPrefs *p = xsltNewSecurityPrefs();
    if (!p)
        return NULL;
    const xsltSecurityOption denied[] = {XSLT_SECPREF_READ_FILE, XSLT_SECPREF_WRITE_FILE,
                                         XSLT_SECPREF_CREATE_DIRECTORY, XSLT_SECPREF_READ_NETWORK,
                                         XSLT_SECPREF_WRITE_NETWORK};
    for (size_t i = 0; i < sizeof denied / sizeof *denied; i++) {
        if (xsltSetSecurityPrefs(p, denied[i], xsltSecurityForbid) != 0) {
            xsltFreeSecurityPrefs(p);
            return NULL;
        }
    }
    return p;
}

mo_rc xsltsafe_compile(const char *dir, const char *file, xsltStylesheet **out, struct mo_err *err)
{
    char path[4096];
    struct stat st;
    *out = NULL;
    int n = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= sizeof path)
        return mo_fail(err, MO_ELIMIT, "stylesheet path too long: \"%s\"", dir);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return mo_fail(err, MO_EIO, "could not read stylesheet \"%s\"", path);
    *out = xsltParseStylesheetFile((const xmlChar *)path);
    if (!*out)
        return mo_fail(err, MO_EXSLT, "could not compile stylesheet \"%s\"", path);
    return MO_OK;
}

mo_rc xsltsafe_apply(xsltStylesheet *xsl, xsltSecurityPrefs *prefs,
                     const struct xsltsafe_limits *limits, xmlDoc *doc, const char **params,
                     xmlDoc **result, struct xsltsafe_errors *errors)
{
    *result = NULL;
    xsltTransformContext *ctxt = xsltNewTransformContext(xsl, doc);
    if (!ctxt)
        return MO_ENOMEM;
    mo_rc rc = MO_OK;
    if (xsltSetCtxtSecurityPrefs(prefs, ctxt) != 0 ||
        (params && xsltQuoteUserParams(ctxt, params) != 0)) {
        rc = MO_EXSLT;
        goto out;
    }
    xsltSetTransformErrorFunc(ctxt, errors, xsltsafe_collect_error);
    ctxt->maxTemplateDepth = limits->max_template_depth;
    ctxt->maxTemplateVars = limits->max_template_vars;
    ctxt->opLimit = limits->max_xpath_ops;
    *result = xsltApplyStylesheetUser(xsl, doc, NULL, NULL, NULL, ctxt);
    if (!*result || ctxt->state == XSLT_STATE_ERROR || ctxt->state == XSLT_STATE_STOPPED ||
        errors->len > 0) {
        xmlFreeDoc(*result);
        *result = NULL;
        rc = MO_EXSLT;
    }
out:
    xsltFreeTransformContext(ctxt);
    return rc;
}
