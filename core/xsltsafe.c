#include "xsltsafe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
