/*
 * result.h — the one result type of moisson, and an error buffer that carries
 * the precise message with it.
 *
 * Every function that can fail returns an mo_rc (MO_OK == 0) and, when it is
 * given a struct mo_err, writes one lower-case message naming the offending
 * input there.  The HTTP layer alone maps an mo_rc to a status and an OWS
 * exceptionCode (mo_rc_http_status / mo_rc_ows_code).
 */
#ifndef MOISSON_RESULT_H
#define MOISSON_RESULT_H

#include <stddef.h>

#define MO_MUST_CHECK __attribute__((warn_unused_result))
#define MO_PRINTF(a, b) __attribute__((format(printf, a, b)))

typedef enum mo_rc {
    MO_OK = 0,
    MO_ENOMEM,     /* out of memory */
    MO_EIO,        /* file, socket or process I/O */
    MO_EHTTP,      /* transport failure or HTTP status not 2xx */
    MO_EXML,       /* malformed XML, bad encoding */
    MO_EFORBIDDEN, /* forbidden XML construct: DOCTYPE, external entity */
    MO_EXSLT,      /* stylesheet failed */
    MO_EDB,        /* database */
    MO_ELIMIT,     /* a size, count, depth or time limit was exceeded */
    MO_EBADREQ,    /* bad request or argument from a user */
    MO_ENOTFOUND,  /* no such thing */
    MO_EPARTNER,   /* a partner answered with an exception or a wrong document */
    MO_RC_COUNT
} mo_rc;

#define MO_ERR_MAX 1024

/* An error buffer; zero it (or mo_err_clear) before use. */
struct mo_err {
    mo_rc rc;
    char msg[MO_ERR_MAX];
};

/* Short name of a result ("database error"); never NULL. */
const char *mo_rc_str(mo_rc rc);

/* Sets err (may be NULL) to rc and the formatted message; returns rc. */
mo_rc mo_fail(struct mo_err *err, mo_rc rc, const char *fmt, ...) MO_PRINTF(3, 4);

/* Prefixes the message already in err with "what: "; returns err->rc. */
mo_rc mo_err_prefix(struct mo_err *err, const char *fmt, ...) MO_PRINTF(2, 3);

void mo_err_clear(struct mo_err *err);

/* HTTP status for a result (for the HTTP layer only). */
int mo_rc_http_status(mo_rc rc);

/* OWS exceptionCode for a result (for the HTTP layer only). */
const char *mo_rc_ows_code(mo_rc rc);

#endif
