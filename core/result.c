#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int http;
    const char *ows;
} rc_table[MO_RC_COUNT] = {
    [MO_OK] = {"ok", 200, NULL},
    [MO_ENOMEM] = {"out of memory", 500, "NoApplicableCode"},
    [MO_EIO] = {"input/output error", 500, "NoApplicableCode"},
    [MO_EHTTP] = {"HTTP error", 502, "NoApplicableCode"},
    [MO_EXML] = {"malformed XML", 400, "InvalidParameterValue"},
    [MO_EFORBIDDEN] = {"forbidden XML construct", 400, "InvalidParameterValue"},
    [MO_EXSLT] = {"stylesheet error", 500, "NoApplicableCode"},
    [MO_EDB] = {"database error", 500, "NoApplicableCode"},
    [MO_ELIMIT] = {"limit exceeded", 413, "NoApplicableCode"},
    [MO_EBADREQ] = {"bad request", 400, "InvalidParameterValue"},
    [MO_ENOTFOUND] = {"not found", 404, "InvalidParameterValue"},
    [MO_EPARTNER] = {"partner error", 502, "NoApplicableCode"},
};

const char *mo_rc_str(mo_rc rc)
{
    if ((int)rc < 0 || rc >= MO_RC_COUNT)
        return "unknown error";
    return rc_table[rc].name;
}

int mo_rc_http_status(mo_rc rc)
{
    if ((int)rc < 0 || rc >= MO_RC_COUNT)
        return 500;
    return rc_table[rc].http;
}

const char *mo_rc_ows_code(mo_rc rc)
{
    if ((int)rc <= 0 || rc >= MO_RC_COUNT)
        return "NoApplicableCode";
    return rc_table[rc].ows;
}

mo_rc mo_fail(struct mo_err *err, mo_rc rc, const char *fmt, ...)
{
    if (!err)
        return rc;
    err->rc = rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return rc;
}

mo_rc mo_err_prefix(struct mo_err *err, const char *fmt, ...)
{
    char prefix[MO_ERR_MAX];
    char old[MO_ERR_MAX];
    va_list ap;

    if (!err)
        return MO_OK;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    return err->rc;
}

void mo_err_clear(struct mo_err *err)
{
    if (!err)
        return;
    err->rc = MO_OK;
    err->msg[0] = '\0';
}
