/*
 * fetch.c — the libcurl wrapper behind every request to a partner.
 *
 * fetch_get / fetch_get_if / fetch_post → fetch_run: up to 1 + max_retries
 * attempts, each one attempt_perform (spool truncated, header state reset,
 * one curl_easy_perform), then attempt_verdict decides done / retry / fail
 * (fetch_get_if adds If-None-Match / If-Modified-Since; a 304 is then done).
 * Between attempts fetch_backoff sleeps (Retry-After or jittered backoff).
 */
#include "fetch.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FETCH_USER_AGENT "moisson/0.1 (+metadata harvester)"
#define FETCH_SNIPPET_BYTES 200 /* start of a failed body quoted in messages */

struct fetch {
    CURL *curl;
    struct fetch_options opt;
    char *user_agent;
    uint64_t rng; /* xorshift64 state for the backoff jitter */
    int last_attempts;
    int conditional;      /* the request under way carries validators: a 304 is an answer */
    atomic_int cancelled; /* fetch_cancel: from another thread */
    char errbuf[CURL_ERROR_SIZE];
};

/* State of one attempt, shared with the libcurl callbacks. */
struct attempt {
    char *mem; /* the body while it fits FETCH_MEMORY_SPOOL_BYTES */
    size_t mem_cap;
    FILE *spool; /* past that: a temporary file holding it all */
    long max_bytes;
    long bytes;
    int over_limit;
    int write_failed;
    size_t head_len;
    char head[FETCH_HEAD_BYTES + 1];
    char *content_type;
    char *last_modified;
    char *etag;
    long retry_after_s; /* -1: none */
};

enum verdict { VERDICT_DONE, VERDICT_RETRY, VERDICT_FAIL };

void fetch_options_defaults(struct fetch_options *o)
{
    o->connect_timeout_ms = 15000;
    o->low_speed_time_s = 60;
    o->total_timeout_s = 600;
    o->max_bytes = FETCH_DEFAULT_MAX_BYTES;
    o->max_retries = 4;
    o->retry_base_ms = 500;
    o->retry_max_ms = 30000;
    o->user_agent = FETCH_USER_AGENT;
    o->allow_insecure_tls = 0;
    o->stop = NULL;
}

/* Replaces every zero field of o by its default; max_retries < 0 means none. */
static void options_fill(struct fetch_options *o)
{
    struct fetch_options d;
    fetch_options_defaults(&d);
    if (o->connect_timeout_ms <= 0)
        o->connect_timeout_ms = d.connect_timeout_ms;
    if (o->low_speed_time_s <= 0)
        o->low_speed_time_s = d.low_speed_time_s;
    if (o->total_timeout_s <= 0)
        o->total_timeout_s = d.total_timeout_s;
    if (o->max_bytes <= 0)
        o->max_bytes = d.max_bytes;
    if (o->max_retries == 0)
        o->max_retries = d.max_retries;
    else if (o->max_retries < 0)
        o->max_retries = 0;
    if (o->retry_base_ms <= 0)
        o->retry_base_ms = d.retry_base_ms;
    if (o->retry_max_ms <= 0)
        o->retry_max_ms = d.retry_max_ms;
    if (!o->user_agent || !*o->user_agent)
        o->user_agent = d.user_agent;
}

static uint64_t rng_next(struct fetch *f)
{
    uint64_t x = f->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    f->rng = x;
    return x;
}

static void rng_seed(struct fetch *f)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    f->rng = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^
             ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)f;
    if (!f->rng)
        f->rng = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 4; i++)
        (void)rng_next(f);
}

/* Options that stay the same for every request of this handle. */
/* libcurl calls this often during a transfer: a stop request aborts it. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    const struct fetch *f = ud;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return (f->opt.stop && *f->opt.stop) || atomic_load(&f->cancelled);
}

static int stop_requested(const struct fetch *f)
{
    return (f->opt.stop && *f->opt.stop) || atomic_load(&f->cancelled);
}

void fetch_cancel(struct fetch *f, int on)
{
    atomic_store(&f->cancelled, on);
}

static CURLcode handle_setup(struct fetch *f)
{
    CURL *c = f->curl;
    const struct fetch_options *o = &f->opt;
    CURLcode cc = CURLE_OK;
    long verify = o->allow_insecure_tls ? 0L : 1L;

#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if ((cc = curl_easy_setopt(c, opt, val)) != CURLE_OK)                                      \
            return cc;                                                                             \
    } while (0)
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRECTS);
    SET(CURLOPT_SSL_VERIFYPEER, verify);
    SET(CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
    SET(CURLOPT_LOW_SPEED_TIME, o->low_speed_time_s);
    SET(CURLOPT_TIMEOUT, o->total_timeout_s);
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_USERAGENT, f->user_agent);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, f->errbuf);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, f);
    SET(CURLOPT_NOPROGRESS, 0L);
#undef SET
    return CURLE_OK;
}

mo_rc fetch_new(const struct fetch_options *opts, struct fetch **out)
{
    mo_rc rc = MO_ENOMEM;
    struct fetch *f = calloc(1, sizeof *f);
    *out = NULL;
    if (!f)
        goto out;
    if (opts)
        f->opt = *opts;
    options_fill(&f->opt);
    f->user_agent = strdup(f->opt.user_agent);
    f->curl = curl_easy_init();
    if (!f->user_agent || !f->curl)
        goto out;
    f->opt.user_agent = f->user_agent;
    rng_seed(f);
    if (handle_setup(f) != CURLE_OK)
        goto out;
    *out = f;
    f = NULL;
    rc = MO_OK;
out:
    fetch_free(f);
    return rc;
}

void fetch_free(struct fetch *f)
{
    if (!f)
        return;
    if (f->curl)
        curl_easy_cleanup(f->curl);
    free(f->user_agent);
    free(f);
}

int fetch_last_attempts(const struct fetch *f)
{
    return f->last_attempts;
}

void fetch_response_clear(struct fetch_response *resp)
{
    if (!resp)
        return;
    free(resp->content_type);
    free(resp->effective_url);
    free(resp->last_modified);
    free(resp->etag);
    if (resp->body)
        fclose(resp->body);
    free(resp->body_mem);
    memset(resp, 0, sizeof *resp);
}

void fetch_content_charset(const char *content_type, char *out, size_t size)
{
    out[0] = '\0';
    const char *c = content_type ? strcasestr(content_type, "charset=") : NULL;
    if (!c)
        return;
    c += 8;
    if (*c == '"')
        c++;
    size_t n = strcspn(c, "\"; \t");
    if (n >= size)
        return;
    memcpy(out, c, n);
    out[n] = '\0';
}

char *fetch_escape(struct fetch *f, const char *s)
{
    char *esc = curl_easy_escape(f->curl, s, 0);
    if (!esc)
        return NULL;
    char *copy = strdup(esc);
    curl_free(esc);
    return copy;
}

/* ---- callbacks ---- */

/* Keeps the body in memory up to FETCH_MEMORY_SPOOL_BYTES (a page of
 * records: no file written, read back and deleted per page), in a temporary
 * file past that. */
static mo_rc spool_write(struct attempt *a, const char *data, size_t n)
{
    size_t have = (size_t)a->bytes;
    if (!a->spool && have + n <= FETCH_MEMORY_SPOOL_BYTES) {
        if (have + n > a->mem_cap) {
            size_t cap = a->mem_cap ? a->mem_cap : 64 * 1024;
            while (cap < have + n)
                cap *= 2;
            if (cap > FETCH_MEMORY_SPOOL_BYTES)
                cap = FETCH_MEMORY_SPOOL_BYTES;
            char *grown = realloc(a->mem, cap);
            if (!grown)
                return MO_ENOMEM;
            a->mem = grown;
            a->mem_cap = cap;
        }
        memcpy(a->mem + have, data, n);
        return MO_OK;
    }
    if (!a->spool) {
        if (!(a->spool = tmpfile()))
            return MO_EIO;
        if (have && fwrite(a->mem, 1, have, a->spool) != have)
            return MO_EIO;
        free(a->mem);
        a->mem = NULL;
        a->mem_cap = 0;
    }
    return fwrite(data, 1, n, a->spool) == n ? MO_OK : MO_EIO;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct attempt *a = userdata;
    size_t n = size * nmemb;
    if ((long)n > a->max_bytes - a->bytes) {
        a->over_limit = 1;
        return 0;
    }
    if (a->head_len < FETCH_HEAD_BYTES) {
        size_t take = FETCH_HEAD_BYTES - a->head_len;
        if (take > n)
            take = n;
        memcpy(a->head + a->head_len, data, take);
        a->head_len += take;
        a->head[a->head_len] = '\0';
    }
    if (n && spool_write(a, data, n) != MO_OK) {
        a->write_failed = 1;
        return 0;
    }
    a->bytes += (long)n;
    return n;
}

static void headers_reset(struct attempt *a)
{
    free(a->content_type);
    free(a->last_modified);
    free(a->etag);
    a->content_type = NULL;
    a->last_modified = NULL;
    a->etag = NULL;
    a->retry_after_s = -1;
}

/* Seconds to wait from a Retry-After value (delta-seconds or HTTP-date);
 * -1 when it is neither. */
static long retry_after_parse(const char *v)
{
    if (isdigit((unsigned char)*v)) {
        char *end = NULL;
        errno = 0;
        long s = strtol(v, &end, 10);
        if (*end != '\0')
            return -1;
        if (errno == ERANGE || s > FETCH_MAX_RETRY_AFTER_S)
            return FETCH_MAX_RETRY_AFTER_S;
        return s;
    }
    time_t when = curl_getdate(v, NULL);
    if (when == (time_t)-1)
        return -1;
    time_t now = time(NULL);
    if (when <= now)
        return 0;
    if (when - now > FETCH_MAX_RETRY_AFTER_S)
        return FETCH_MAX_RETRY_AFTER_S;
    return (long)(when - now);
}

/* Keeps a copy of the value in *slot (the last one wins); a failed copy
 * just leaves the header unknown. */
static void header_keep(char **slot, const char *value)
{
    free(*slot);
    *slot = strdup(value);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct attempt *a = userdata;
    size_t n = size * nmemb;
    char line[1024];
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        headers_reset(a); /* a new response: redirect hop or interim */
        return n;
    }
    if (n >= sizeof line)
        return n; /* too long for any header we keep */
    memcpy(line, data, n);
    while (n > 0 && isspace((unsigned char)line[n - 1]))
        n--;
    line[n] = '\0';
    char *colon = strchr(line, ':');
    if (!colon)
        return size * nmemb;
    *colon = '\0';
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    if (strcasecmp(line, "Content-Type") == 0)
        header_keep(&a->content_type, value);
    else if (strcasecmp(line, "Last-Modified") == 0)
        header_keep(&a->last_modified, value);
    else if (strcasecmp(line, "ETag") == 0)
        header_keep(&a->etag, value);
    else if (strcasecmp(line, "Retry-After") == 0)
        a->retry_after_s = retry_after_parse(value);
    return size * nmemb;
}

/* ---- one attempt ---- */

static mo_rc attempt_reset(struct attempt *a, const char *url, struct mo_err *err)
{
    headers_reset(a);
    a->bytes = 0;
    a->over_limit = 0;
    a->write_failed = 0;
    a->head_len = 0;
    a->head[0] = '\0';
    if (!a->spool)
        return MO_OK;
    clearerr(a->spool);
    rewind(a->spool);
    if (ftruncate(fileno(a->spool), 0) != 0)
        return mo_fail(err, MO_EIO, "could not fetch \"%s\": could not truncate spool file: %s",
                       url, strerror(errno));
    return MO_OK;
}

static int curl_code_retryable(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
        return 1;
    default:
        return 0;
    }
}

/* Writes the start of the body as printable text: other bytes become '?',
 * runs of whitespace one space. */
static void snippet_make(const char *head, size_t len, char *out, size_t outsz)
{
    size_t o = 0;
    int space = 0;
    if (len > FETCH_SNIPPET_BYTES)
        len = FETCH_SNIPPET_BYTES;
    for (size_t i = 0; i < len && o + 1 < outsz; i++) {
        unsigned char ch = (unsigned char)head[i];
        if (ch == ' ' || (ch >= '\t' && ch <= '\r')) {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < outsz)
            out[o++] = ' ';
        space = 0;
        out[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    out[o] = '\0';
}

static mo_rc fail_status(const struct attempt *a, const char *url, long status, struct mo_err *err)
{
    char snippet[FETCH_SNIPPET_BYTES + 1];
    snippet_make(a->head, a->head_len, snippet, sizeof snippet);
    if (!*snippet)
        return mo_fail(err, MO_EHTTP, "could not fetch \"%s\": HTTP %ld", url, status);
    return mo_fail(err, MO_EHTTP, "could not fetch \"%s\": HTTP %ld: %s", url, status, snippet);
}

/* Decides what one finished attempt means. */
static enum verdict attempt_verdict(struct fetch *f, const struct attempt *a, CURLcode cc,
                                    const char *url, int last, mo_rc *rc, struct mo_err *err)
{
    long status = 0;
    if (a->over_limit || cc == CURLE_FILESIZE_EXCEEDED) {
        *rc = mo_fail(err, MO_ELIMIT, "\"%s\" is larger than %ld bytes", url, f->opt.max_bytes);
        return VERDICT_FAIL;
    }
    if (a->write_failed) {
        *rc = mo_fail(err, MO_EIO, "could not fetch \"%s\": could not write spool file", url);
        return VERDICT_FAIL;
    }
    if (cc == CURLE_ABORTED_BY_CALLBACK || stop_requested(f)) {
        *rc = mo_fail(err, MO_EIO, "could not fetch \"%s\": interrupted", url);
        return VERDICT_FAIL;
    }
    if (cc != CURLE_OK) {
        if (curl_code_retryable(cc) && !last)
            return VERDICT_RETRY;
        *rc = mo_fail(err, MO_EHTTP, "could not fetch \"%s\": %s", url,
                      f->errbuf[0] ? f->errbuf : curl_easy_strerror(cc));
        return VERDICT_FAIL;
    }
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &status);
    if ((status >= 200 && status < 300) || (status == 304 && f->conditional)) {
        *rc = MO_OK;
        return VERDICT_DONE;
    }
    if ((status >= 500 || status == 429) && !last)
        return VERDICT_RETRY;
    *rc = fail_status(a, url, status, err);
    return VERDICT_FAIL;
}

/* Sleeps before retry number n (0-based): Retry-After when the partner
 * sent one, else a full-jitter exponential backoff. */
static void fetch_backoff(struct fetch *f, const struct attempt *a, int n)
{
    long ms;
    if (a->retry_after_s >= 0) {
        ms = a->retry_after_s * 1000;
    } else {
        long cap = f->opt.retry_base_ms;
        for (int i = 0; i < n && cap < f->opt.retry_max_ms; i++)
            cap *= 2;
        if (cap > f->opt.retry_max_ms)
            cap = f->opt.retry_max_ms;
        ms = (long)(rng_next(f) % (uint64_t)(cap + 1));
    }
    /* in slices of at most 100 ms, so that a stop request is heard */
    while (ms > 0 && !stop_requested(f)) {
        long slice = ms < 100 ? ms : 100;
        struct timespec ts = {0, slice * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop_requested(f))
            ;
        ms -= slice;
    }
}

/* Moves what a successful attempt gathered into resp. */
static mo_rc response_fill(struct fetch *f, struct attempt *a, struct fetch_response *resp,
                           const char *url, struct mo_err *err)
{
    char *eff = NULL;
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_getinfo(f->curl, CURLINFO_TOTAL_TIME, &resp->seconds);
    curl_easy_getinfo(f->curl, CURLINFO_EFFECTIVE_URL, &eff);
    resp->effective_url = strdup(eff ? eff : url);
    if (!resp->effective_url)
        return mo_fail(err, MO_ENOMEM, "could not fetch \"%s\": out of memory", url);
    if (resp->status == 304) {
        /* not modified: no body, and no stream to open for it */
    } else if (a->spool) {
        if (fflush(a->spool) != 0 || ferror(a->spool))
            return mo_fail(err, MO_EIO, "could not fetch \"%s\": could not write spool file", url);
        rewind(a->spool);
        resp->body = a->spool;
        a->spool = NULL;
    } else {
        /* an empty body still gets a stream of its own (fmemopen wants a size) */
        if (!a->mem && !(a->mem = malloc(1)))
            return mo_fail(err, MO_ENOMEM, "could not fetch \"%s\": out of memory", url);
        resp->body = a->bytes ? fmemopen(a->mem, (size_t)a->bytes, "rb") : tmpfile();
        if (!resp->body)
            return mo_fail(err, MO_EIO, "could not fetch \"%s\": could not open the body: %s", url,
                           strerror(errno));
        resp->body_mem = a->mem;
        a->mem = NULL;
        a->mem_cap = 0;
    }
    resp->body_len = a->bytes;
    memcpy(resp->head, a->head, a->head_len + 1);
    resp->content_type = a->content_type;
    resp->last_modified = a->last_modified;
    resp->etag = a->etag;
    a->content_type = NULL;
    a->last_modified = NULL;
    a->etag = NULL;
    return MO_OK;
}

/* The request already set up on the handle, with retries. */
static mo_rc fetch_run(struct fetch *f, const char *url, struct fetch_response *resp,
                       struct mo_err *err)
{
    mo_rc rc = MO_OK;
    struct attempt a = {.max_bytes = f->opt.max_bytes, .retry_after_s = -1};

    memset(resp, 0, sizeof *resp);
    f->last_attempts = 0;
    curl_easy_setopt(f->curl, CURLOPT_URL, url);
    curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(f->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(f->curl, CURLOPT_HEADERDATA, &a);
    for (int n = 0;; n++) {
        if ((rc = attempt_reset(&a, url, err)) != MO_OK)
            goto out;
        f->errbuf[0] = '\0';
        f->last_attempts = n + 1;
        CURLcode cc = curl_easy_perform(f->curl);
        enum verdict v = attempt_verdict(f, &a, cc, url, n >= f->opt.max_retries, &rc, err);
        if (v == VERDICT_FAIL)
            goto out;
        if (v == VERDICT_DONE)
            break;
        fetch_backoff(f, &a, n);
    }
    resp->attempts = f->last_attempts;
    rc = response_fill(f, &a, resp, url, err);
out:
    curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(f->curl, CURLOPT_HEADERDATA, NULL);
    headers_reset(&a);
    if (a.spool)
        fclose(a.spool);
    free(a.mem);
    if (rc != MO_OK)
        fetch_response_clear(resp);
    return rc;
}

mo_rc fetch_get(struct fetch *f, const char *url, struct fetch_response *resp, struct mo_err *err)
{
    return fetch_get_if(f, url, NULL, resp, err);
}

/* Appends "name: value" to *headers; value is one validator of an earlier
 * answer, checked (it came from a partner). */
static mo_rc condition_header(struct curl_slist **headers, const char *name, const char *value,
                              const char *url, struct mo_err *err)
{
    char line[FETCH_MAX_VALIDATOR + 32];
    size_t n = strlen(value);
    int ok = n <= FETCH_MAX_VALIDATOR;
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)value[i] >= 0x20 && value[i] != 0x7f;
    if (!ok)
        return mo_fail(err, MO_EBADREQ, "could not fetch \"%s\": invalid validator \"%.80s\"", url,
                       value);
    snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *grown = curl_slist_append(*headers, line);
    if (!grown)
        return mo_fail(err, MO_ENOMEM, "could not fetch \"%s\": out of memory", url);
    *headers = grown;
    return MO_OK;
}

mo_rc fetch_get_if(struct fetch *f, const char *url, const struct fetch_condition *cond,
                   struct fetch_response *resp, struct mo_err *err)
{
    struct curl_slist *headers = NULL;
    mo_rc rc = MO_OK;

    memset(resp, 0, sizeof *resp);
    if (cond && cond->etag && *cond->etag)
        rc = condition_header(&headers, "If-None-Match", cond->etag, url, err);
    if (rc == MO_OK && cond && cond->last_modified && *cond->last_modified)
        rc = condition_header(&headers, "If-Modified-Since", cond->last_modified, url, err);
    if (rc != MO_OK)
        goto out;
    curl_easy_setopt(f->curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, headers);
    f->conditional = headers != NULL;
    rc = fetch_run(f, url, resp, err);
    f->conditional = 0;
    curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, NULL);
out:
    curl_slist_free_all(headers);
    return rc;
}

mo_rc fetch_post(struct fetch *f, const char *url, const char *content_type, const char *body,
                 size_t len, struct fetch_response *resp, struct mo_err *err)
{
    mo_rc rc = MO_OK;
    struct curl_slist *headers = NULL;
    char *ct_line = NULL;

    memset(resp, 0, sizeof *resp);
    if (strpbrk(content_type, "\r\n")) {
        rc = mo_fail(err, MO_EBADREQ, "invalid content type \"%s\"", content_type);
        goto out;
    }
    if (asprintf(&ct_line, "Content-Type: %s", content_type) < 0) {
        ct_line = NULL;
        rc = mo_fail(err, MO_ENOMEM, "could not fetch \"%s\": out of memory", url);
        goto out;
    }
    headers = curl_slist_append(NULL, ct_line);
    if (!headers || !curl_slist_append(headers, "Expect:")) {
        rc = mo_fail(err, MO_ENOMEM, "could not fetch \"%s\": out of memory", url);
        goto out;
    }
    curl_easy_setopt(f->curl, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(f->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, headers);
    rc = fetch_run(f, url, resp, err);
    curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(f->curl, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(f->curl, CURLOPT_HTTPGET, 1L);
out:
    curl_slist_free_all(headers);
    free(ct_line);
    return rc;
}
