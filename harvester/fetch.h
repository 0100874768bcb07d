/*
 * fetch.h — every HTTP request moisson makes to a partner goes through here.
 *
 * One struct fetch per worker (it owns a libcurl easy handle, reused between
 * requests for keep-alive).  A response body is kept in memory up to
 * FETCH_MEMORY_SPOOL_BYTES (a page of records costs no file) and spooled
 * into an anonymous temporary file past that, so memory stays bounded
 * whatever the page size; the caller stream-parses it through a FILE
 * either way.  Limits:
 *   - http and https only, at most FETCH_MAX_REDIRECTS redirects, TLS verified;
 *   - connect timeout, low-speed timeout (an endless trickle ends), and a
 *     total time cap;
 *   - at most max_bytes counted after decompression (gzip bombs, endless
 *     chunked streams end with MO_ELIMIT);
 *   - retries with exponential backoff and full jitter on connection errors,
 *     5xx and 429, honouring Retry-After (capped at FETCH_MAX_RETRY_AFTER_S).
 * Errors quote the URL, the HTTP status and the start of the body:
 *   could not fetch "URL": HTTP 503: <first 200 bytes, printable only>
 */
#ifndef MOISSON_FETCH_H
#define MOISSON_FETCH_H

#include "result.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#define FETCH_MAX_REDIRECTS 5
#define FETCH_MAX_RETRY_AFTER_S 120
#define FETCH_HEAD_BYTES 512 /* start of the body kept in memory for messages */
#define FETCH_DEFAULT_MAX_BYTES (256L * 1024 * 1024)
#define FETCH_MEMORY_SPOOL_BYTES (8u * 1024 * 1024) /* a body past this goes to a temp file */
#define FETCH_MAX_VALIDATOR 512 /* bytes of an ETag or Last-Modified sent back */

struct fetch_options {
    long connect_timeout_ms;  /* default 15000 */
    long low_speed_time_s;    /* below 1 byte/s for this long: fail; default 60 */
    long total_timeout_s;     /* whole request; default 600 */
    long max_bytes;           /* decompressed body cap; default FETCH_DEFAULT_MAX_BYTES */
    int max_retries;          /* retries after the first try; default 4; < 0: none */
    long retry_base_ms;       /* first backoff; default 500 */
    long retry_max_ms;        /* largest backoff; default 30000 */
    const char *user_agent;   /* default "moisson/VERSION (+metadata harvester)" */
    int allow_insecure_tls;   /* never set outside tests; default 0 */
    volatile sig_atomic_t *stop; /* set by a signal handler: abandon the request (and any
                                    wait before a retry) with MO_EIO "interrupted"; may be NULL */
};

/* Zero means "default" for every field. */
void fetch_options_defaults(struct fetch_options *o);


struct fetch_response {
    long status;             /* final HTTP status */
    char *content_type;      /* Content-Type header or NULL; owned */
    char *effective_url;     /* URL after redirects; owned */
    FILE *body;              /* spooled body, rewound; owned (fetch_response_clear closes) */
    char *body_mem;          /* what body reads from when it is in memory; owned */
    long body_len;           /* decompressed length */
    char head[FETCH_HEAD_BYTES + 1]; /* first bytes of the body, NUL-terminated */
    int attempts;            /* 1 + retries made */
    double seconds;          /* wall time of the successful attempt */
    char *last_modified;     /* Last-Modified header or NULL; owned */
    char *etag;              /* ETag header or NULL; owned */
};

struct fetch;

mo_rc fetch_new(const struct fetch_options *opts, struct fetch **out) MO_MUST_CHECK;
void fetch_free(struct fetch *f);

/* With on set, the request under way on f (in another thread) and any that
 * follows end at once as if stopped (MO_EIO "interrupted"), until called
 * again with on = 0.  The only call that may come from another thread. */
void fetch_cancel(struct fetch *f, int on);

/* The charset parameter of a Content-Type (may be NULL), copied into out
 * ("" when none or longer than size). */
void fetch_content_charset(const char *content_type, char *out, size_t size);

/* GET url.  On MO_OK resp->status is 2xx and resp->body holds the body.  Any
 * other final status gives MO_EHTTP with the message above (resp is cleared). */
mo_rc fetch_get(struct fetch *f, const char *url, struct fetch_response *resp,
                struct mo_err *err) MO_MUST_CHECK;

/* The validators of an earlier answer, for a conditional GET. */
struct fetch_condition {
    const char *etag;          /* sent as If-None-Match; NULL: none */
    const char *last_modified; /* sent as If-Modified-Since, as the partner wrote it; NULL: none */
};

/* GET url with If-None-Match and If-Modified-Since from cond (NULL, or both
 * fields NULL: fetch_get).  Same contract as fetch_get, except that a 304
 * is a success too: resp->status 304 and resp->body NULL (the headers it
 * carried, often none, in resp).  A validator longer than
 * FETCH_MAX_VALIDATOR bytes or holding a control character fails with
 * MO_EBADREQ quoting it, before any request. */
mo_rc fetch_get_if(struct fetch *f, const char *url, const struct fetch_condition *cond,
                   struct fetch_response *resp, struct mo_err *err) MO_MUST_CHECK;

/* POST body (len bytes, content_type e.g. "application/xml") to url; same
 * contract as fetch_get. */
mo_rc fetch_post(struct fetch *f, const char *url, const char *content_type, const char *body,
                 size_t len, struct fetch_response *resp, struct mo_err *err) MO_MUST_CHECK;

/* Frees what resp owns and zeroes it; resp may be NULL. */
void fetch_response_clear(struct fetch_response *resp);

/* Number of attempts the last fetch_get/fetch_post made (also on failure),
 * for logs and run reports. */
int fetch_last_attempts(const struct fetch *f);

/* Percent-encodes s for a query string; caller frees.  NULL on no memory. */
char *fetch_escape(struct fetch *f, const char *s);

#endif
