/*
 * search.c — the territory-wide search (search.h): request parameters,
 * exact or estimated counts with the facets, the ranked page, the shared
 * cache keyed by the index generation.
 */
#include "search.h"

#include "isotime.h"
#include "memindex.h"
#include "search_internal.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_QUOTE_MAX 120 /* a value quoted in a message */

struct search {
    struct search_cache *cache;
    struct memindex *mem; /* NULL: every answer from SQL */
    pthread_mutex_t lock; /* stats */
    struct search_stats stats;
};

static const char *const search_facet_names[SEARCH_FACET_COUNT] = {
    "partner", "organisation", "keyword", "theme", "type", "format", "year"};

const char *search_facet_name(enum search_facet f)
{
    return (unsigned)f < SEARCH_FACET_COUNT ? search_facet_names[f] : "";
}

int search_facet_find(const char *name)
{
    for (int f = 0; f < SEARCH_FACET_COUNT; f++)
        if (name && !strcmp(name, search_facet_names[f]))
            return f;
    return -1;
}

void search_request_init(struct search_request *r)
{
    memset(r, 0, sizeof *r);
    r->sort = SEARCH_SORT_RELEVANCE;
    r->limit = SEARCH_DEFAULT_LIMIT;
}

/* ---- parameters ---- */

/* value for a message: control characters, quotes and backslashes as '?',
 * cut on a character boundary past SEARCH_QUOTE_MAX bytes. */
static void search_quote(const char *v, char *out, size_t size)
{
    size_t n = 0, max = size - 4 < SEARCH_QUOTE_MAX ? size - 4 : SEARCH_QUOTE_MAX;
    for (; *v && n < max; v++)
        out[n++] = ((unsigned char)*v < 0x20 || *v == 0x7F || *v == '"' || *v == '\\') ? '?' : *v;
    if (*v) {
        while (n && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
            n--; /* do not cut a character */
        if (n && (unsigned char)out[n - 1] >= 0xC0)
            n--;
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

static mo_rc search_bad(struct mo_err *err, const char *name, const char *value, const char *why)
{
    char q[SEARCH_QUOTE_MAX + 8];
    search_quote(value, q, sizeof q);
    return mo_fail(err, MO_EBADREQ, "bad parameter %s \"%s\": %s", name, q, why);
}

/* A whole decimal number in [min, max] (strict: no sign but '-', no space). */
static int search_long(const char *v, long min, long max, long *out)
{
    char *end = NULL;
    if (!v[0] || v[0] == '+' || v[0] == ' ')
        return 0;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < min || n > max)
        return 0;
    *out = n;
    return 1;
}

static mo_rc search_set_bbox(struct search_request *r, const char *v, struct mo_err *err)
{
    double c[6];
    int n = 0;
    const char *p = v;
    while (n < 6) {
        char *end = NULL;
        if (!*p || *p == ' ')
            return search_bad(err, "bbox", v, "expected west,south,east,north in degrees");
        errno = 0;
        c[n++] = strtod(p, &end);
        if (errno || end == p || !isfinite(c[n - 1]))
            return search_bad(err, "bbox", v, "expected west,south,east,north in degrees");
        if (!*end)
            break;
        if (*end != ',')
            return search_bad(err, "bbox", v, "expected west,south,east,north in degrees");
        p = end + 1;
    }
    if (n != 4 && n != 6)
        return search_bad(err, "bbox", v, "expected 4 numbers (or 6 with heights)");
    double w = c[0], s = c[1], e = c[n == 4 ? 2 : 3], no = c[n == 4 ? 3 : 4];
    if (w < -180 || w > 180 || e < -180 || e > 180)
        return search_bad(err, "bbox", v, "longitude outside [-180, 180]");
    if (s < -90 || s > 90 || no < -90 || no > 90)
        return search_bad(err, "bbox", v, "latitude outside [-90, 90]");
    if (s > no)
        return search_bad(err, "bbox", v, "south above north");
    if (w > e)
        return search_bad(err, "bbox", v,
                          "west east of east (boxes across the antimeridian "
                          "are not supported)");
    r->has_bbox = 1;
    r->bbox[0] = w, r->bbox[1] = s, r->bbox[2] = e, r->bbox[3] = no;
    return MO_OK;
}

/* One end of a datetime: "" or ".." (open) or an ISO 8601 date (isotime). */
static int search_time_end(const char *t, size_t len, char *out)
{
    char lit[ISOTIME_LITERAL_MAX];
    if (len >= SEARCH_MAX_TIME)
        return 0;
    memcpy(out, t, len);
    out[len] = '\0';
    if (!strcmp(out, "..") || !out[0]) {
        out[0] = '\0';
        return 1;
    }
    return isotime_literal(out, lit, sizeof lit);
}

static mo_rc search_set_datetime(struct search_request *r, const char *v, struct mo_err *err)
{
    const char *slash = strchr(v, '/');
    static const char *const why = "expected an ISO 8601 date or date-time, or an interval "
                                   "START/END with \"..\" for an open end";
    if (!slash) {
        if (!v[0] || !strcmp(v, "..") || !search_time_end(v, strlen(v), r->time_from))
            return search_bad(err, "datetime", v, why);
        memcpy(r->time_to, r->time_from, sizeof r->time_to);
        return MO_OK;
    }
    if (strchr(slash + 1, '/') || !search_time_end(v, (size_t)(slash - v), r->time_from) ||
        !search_time_end(slash + 1, strlen(slash + 1), r->time_to))
        return search_bad(err, "datetime", v, why);
    if (!r->time_from[0] && !r->time_to[0])
        return search_bad(err, "datetime", v, "both ends open");
    return MO_OK;
}

static mo_rc search_set_sort(struct search_request *r, const char *v, struct mo_err *err)
{
    const char *name = v[0] == '-' || v[0] == '+' ? v + 1 : v;
    r->desc = v[0] == '-';
    if (!strcmp(name, "relevance"))
        r->sort = SEARCH_SORT_RELEVANCE;
    else if (!strcmp(name, "date") || !strcmp(name, "updated"))
        r->sort = SEARCH_SORT_DATE;
    else if (!strcmp(name, "title"))
        r->sort = SEARCH_SORT_TITLE;
    else
        return search_bad(err, "sortby", v,
                          "expected relevance, date (or updated) or title, with - for "
                          "descending");
    return MO_OK;
}

static mo_rc search_set_filter(struct search_request *r, int f, const char *name, const char *v,
                               struct mo_err *err)
{
    size_t n = strlen(v);
    if (!n || n > SEARCH_MAX_FILTER_VALUE)
        return search_bad(err, name, v, "empty or longer than 256 bytes");
    if (r->n_filters[f] >= SEARCH_MAX_FILTER_VALUES)
        return search_bad(err, name, v, "more than 16 values");
    if (f == SEARCH_FACET_YEAR) {
        long y;
        if (n != 4 || !search_long(v, 1000, 9999, &y))
            return search_bad(err, name, v, "expected a year of four digits");
    }
    r->filters[f][r->n_filters[f]++] = v;
    return MO_OK;
}

mo_rc search_request_set(struct search_request *r, const char *name, const char *value,
                         struct mo_err *err)
{
    const char *v = value ? value : "";
    int f = search_facet_find(name);
    if (f >= 0)
        return search_set_filter(r, f, name, v, err);
    if (!strcmp(name, "q")) {
        if (strlen(v) > SEARCH_MAX_Q)
            return search_bad(err, "q", v, "longer than 512 bytes");
        r->q = v;
        return MO_OK;
    }
    if (!strcmp(name, "bbox"))
        return search_set_bbox(r, v, err);
    if (!strcmp(name, "datetime"))
        return search_set_datetime(r, v, err);
    if (!strcmp(name, "sortby"))
        return search_set_sort(r, v, err);
    if (!strcmp(name, "limit")) {
        long n;
        if (!search_long(v, 0, 1000000000L, &n))
            return search_bad(err, "limit", v, "expected a whole number from 0");
        r->limit = n > SEARCH_MAX_LIMIT ? SEARCH_MAX_LIMIT : n; /* OGC: capped, not refused */
        return MO_OK;
    }
    if (!strcmp(name, "offset")) {
        if (!search_long(v, 0, SEARCH_MAX_OFFSET, &r->offset))
            return search_bad(err, "offset", v, "expected a whole number from 0 to 10000");
        return MO_OK;
    }
    if (!strcmp(name, "facets")) {
        if (strcmp(v, "true") && strcmp(v, "false"))
            return search_bad(err, "facets", v, "expected true or false");
        r->facets = !strcmp(v, "true");
        return MO_OK;
    }
    return MO_ENOTFOUND;
}

/* ---- shared state ---- */

mo_rc search_new(struct search **out, struct mo_err *err)
{
    *out = NULL;
    struct search *s = calloc(1, sizeof *s);
    if (!s)
        return mo_fail(err, MO_ENOMEM, "out of memory for the search");
    /* MOISSON_SEARCH_CACHE=off: every request computed (the benchmark's
     * measure of the search itself, aggregator/README.md) */
    const char *cache = getenv("MOISSON_SEARCH_CACHE");
    size_t slots = cache && !strcmp(cache, "off") ? 0 : SEARCH_CACHE_SLOTS;
    mo_rc rc = search_cache_new(slots, &s->cache, err);
    if (rc != MO_OK) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->lock, NULL);
    *out = s;
    return MO_OK;
}

void search_free(struct search *s)
{
    if (!s)
        return;
    memindex_free(s->mem);
    search_cache_free(s->cache);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void search_get_stats(struct search *s, struct search_stats *out)
{
    pthread_mutex_lock(&s->lock);
    *out = s->stats;
    pthread_mutex_unlock(&s->lock);
}

struct search_cache *search_cache_of(struct search *s)
{
    return s->cache;
}

struct memindex *search_memindex_of(struct search *s)
{
    return s->mem;
}

mo_rc search_start_index(struct search *s, const char *conninfo, unsigned lag_s,
                         const struct log *log, struct mo_err *err)
{
    if (s->mem)
        return MO_OK;
    if (lag_s > SEARCH_MAX_LAG_S)
        return mo_fail(err, MO_EBADREQ, "search lag %u s above %d s", lag_s, SEARCH_MAX_LAG_S);
    return memindex_start(conninfo, lag_s * 1000u, log, &s->mem, err);
}

void search_add_stats(struct search *s, const struct search_stats *d)
{
    pthread_mutex_lock(&s->lock);
    s->stats.cache_hits += d->cache_hits;
    s->stats.cache_misses += d->cache_misses;
    s->stats.estimates += d->estimates;
    s->stats.from_memory += d->from_memory;
    pthread_mutex_unlock(&s->lock);
}

void search_result_clear(struct search_result *r)
{
    if (!r)
        return;
    PQclear(r->page);
    free(r->hits);
    free(r->texts);
    free(r->facet_text);
    free(r->facet_store);
    memset(r, 0, sizeof *r);
}
