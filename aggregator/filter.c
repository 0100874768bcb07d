/*
 * filter.c — the filter tree: nodes and their limits, property names
 * resolved and checked against the operator, literals, Like characters,
 * envelopes and their axis order, ISO 8601 dates (see filter.h).
 */
#include "filter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A number as text (sign, digits, fraction, exponent): longer is refused. */
#define FILTER_MAX_NUMBER 64

struct filter {
    struct filter_node *root;
    int n_nodes;
    struct filter_node nodes[FILTER_MAX_NODES];
};

static const char *const filter_op_names[FILTER_OP_COUNT] = {
    [FILTER_AND] = "And",
    [FILTER_OR] = "Or",
    [FILTER_NOT] = "Not",
    [FILTER_EQ] = "PropertyIsEqualTo",
    [FILTER_NE] = "PropertyIsNotEqualTo",
    [FILTER_LT] = "PropertyIsLessThan",
    [FILTER_GT] = "PropertyIsGreaterThan",
    [FILTER_LE] = "PropertyIsLessThanOrEqualTo",
    [FILTER_GE] = "PropertyIsGreaterThanOrEqualTo",
    [FILTER_LIKE] = "PropertyIsLike",
    [FILTER_BETWEEN] = "PropertyIsBetween",
    [FILTER_NULL] = "PropertyIsNull",
    [FILTER_BBOX] = "BBOX",
    [FILTER_INTERSECTS] = "Intersects",
    [FILTER_WITHIN] = "Within",
    [FILTER_CONTAINS] = "Contains",
    [FILTER_DISJOINT] = "Disjoint",
};

const char *filter_op_name(enum filter_op op)
{
    if ((int)op < 0 || op >= FILTER_OP_COUNT)
        return "unknown operator";
    return filter_op_names[op];
}

mo_rc filter_new(struct filter **out, struct mo_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return mo_fail(err, MO_ENOMEM, "out of memory for a filter");
    return MO_OK;
}

void filter_free(struct filter *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n_nodes; i++) {
        free(f->nodes[i].prop_name);
        free(f->nodes[i].value);
        free(f->nodes[i].value2);
    }
    free(f);
}

mo_rc filter_node_new(struct filter *f, enum filter_op op, struct filter_node **out,
                      struct mo_err *err)
{
    if (f->n_nodes >= FILTER_MAX_NODES)
        return mo_fail(err, MO_EBADREQ, "filter has more than %d conditions", FILTER_MAX_NODES);
    struct filter_node *n = &f->nodes[f->n_nodes++];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->match_case = op != FILTER_LIKE; /* Like: case-insensitive, the CSW default */
    strcpy(n->wild, "%");
    strcpy(n->single, "_");
    strcpy(n->escape, "\\");
    *out = n;
    return MO_OK;
}

void filter_set_root(struct filter *f, struct filter_node *root)
{
    f->root = root;
}

const struct filter_node *filter_root(const struct filter *f)
{
    return f->root;
}

/* ---- UTF-8 and message excerpts ---- */

/* Length of the valid UTF-8 character at s (at most len bytes), 0 when
 * invalid (overlong forms, surrogates and code points past U+10FFFF too). */
static size_t filter_utf8_char(const unsigned char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || s[0] > 0xF4 || n > len)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0)))
        return 0;
    if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90)))
        return 0;
    return n;
}

const char *filter_excerpt(const char *s, size_t len, char *out, size_t size)
{
    const size_t max = 60;
    size_t o = 0, i = 0;
    while (i < len && i < max && o + 5 < size) {
        size_t n = filter_utf8_char((const unsigned char *)s + i, len - i);
        if (n > 1 && i + n <= max) {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
            continue;
        }
        if (n > 1)
            break;
        unsigned char c = (unsigned char)s[i];
        out[o++] = (n == 1 && c >= 0x20 && c != 0x7F) ? (char)c : '?';
        i++;
    }
    if (i < len && o + 4 <= size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* ---- properties and literals ---- */

static const char *filter_type_name(enum queryable_type t)
{
    switch (t) {
    case QUERYABLE_TEXT:
        return "a text";
    case QUERYABLE_TEXT_LIST:
        return "a list of texts";
    case QUERYABLE_DATE:
        return "a date";
    case QUERYABLE_BBOX:
        return "a bounding box";
    case QUERYABLE_FULLTEXT:
        return "the full text";
    }
    return "a queryable";
}

/* 1 when op applies to a queryable of type t. */
static int filter_op_applies(enum filter_op op, enum queryable_type t)
{
    int spatial = op >= FILTER_BBOX && op <= FILTER_DISJOINT;
    switch (t) {
    case QUERYABLE_BBOX:
        return spatial || op == FILTER_NULL;
    case QUERYABLE_FULLTEXT:
        return op == FILTER_EQ || op == FILTER_NE || op == FILTER_LIKE;
    case QUERYABLE_DATE:
        return !spatial && op != FILTER_LIKE;
    case QUERYABLE_TEXT:
    case QUERYABLE_TEXT_LIST:
        return !spatial;
    }
    return 0;
}

mo_rc filter_set_prop(struct filter_node *n, const char *name, size_t len, struct mo_err *err)
{
    char ex[128];
    char key[QUERYABLES_MAX_NAME + 1];
    const struct queryable *q = NULL;
    if (len > 0 && len <= QUERYABLES_MAX_NAME && !memchr(name, '\0', len)) {
        memcpy(key, name, len);
        key[len] = '\0';
        q = queryable_find(key);
    }
    if (!q)
        return mo_fail(err, MO_EBADREQ, "unknown queryable \"%s\"",
                       filter_excerpt(name, len, ex, sizeof ex));
    if (!filter_op_applies(n->op, q->type))
        return mo_fail(err, MO_EBADREQ, "%s does not apply to %s (%s)", filter_op_name(n->op), key,
                       filter_type_name(q->type));
    free(n->prop_name);
    n->prop_name = strdup(key);
    if (!n->prop_name)
        return mo_fail(err, MO_ENOMEM, "out of memory for a filter");
    n->prop = q;
    return MO_OK;
}

mo_rc filter_set_value(struct filter_node *n, int which, const char *s, size_t len,
                       struct mo_err *err)
{
    char ex[128];
    const char *prop = n->prop_name ? n->prop_name : "a filter";
    if (len > FILTER_MAX_LITERAL)
        return mo_fail(err, MO_EBADREQ, "literal longer than %d bytes for %s: \"%s\"",
                       FILTER_MAX_LITERAL, prop, filter_excerpt(s, len, ex, sizeof ex));
    for (size_t i = 0; i < len;) {
        size_t c = filter_utf8_char((const unsigned char *)s + i, len - i);
        if (c == 0 || s[i] == '\0')
            return mo_fail(err, MO_EBADREQ, "literal for %s is not valid UTF-8 text: \"%s\"", prop,
                           filter_excerpt(s, len, ex, sizeof ex));
        i += c;
    }
    char *copy = strndup(s, len);
    if (!copy)
        return mo_fail(err, MO_ENOMEM, "out of memory for a filter");
    if (n->prop && n->prop->type == QUERYABLE_DATE) {
        struct filter_date d;
        mo_rc rc = filter_date_parse(copy, prop, &d, err);
        if (rc != MO_OK) {
            free(copy);
            return rc;
        }
    }
    char **slot = which ? &n->value2 : &n->value;
    free(*slot);
    *slot = copy;
    return MO_OK;
}

/* 1 when s is exactly one UTF-8 character that fits a Like slot. */
static int filter_one_char(const char *s)
{
    size_t len = strlen(s);
    return len > 0 && len < 5 && filter_utf8_char((const unsigned char *)s, len) == len;
}

mo_rc filter_set_like_chars(struct filter_node *n, const char *wild, const char *single,
                            const char *escape, struct mo_err *err)
{
    const char *given[3] = {wild, single, escape};
    const char *names[3] = {"wildCard", "singleChar", "escapeChar"};
    char *slots[3] = {n->wild, n->single, n->escape};
    char ex[128];
    for (int i = 0; i < 3; i++) {
        if (!given[i])
            continue;
        if (!filter_one_char(given[i]))
            return mo_fail(err, MO_EBADREQ,
                           "bad %s \"%s\" in PropertyIsLike: one character expected", names[i],
                           filter_excerpt(given[i], strlen(given[i]), ex, sizeof ex));
        strcpy(slots[i], given[i]);
    }
    if (!strcmp(n->wild, n->single) || !strcmp(n->wild, n->escape) || !strcmp(n->single, n->escape))
        return mo_fail(err, MO_EBADREQ,
                       "PropertyIsLike needs three different characters: wildCard \"%s\","
                       " singleChar \"%s\", escapeChar \"%s\"",
                       n->wild, n->single, n->escape);
    return MO_OK;
}

/* ---- numbers, CRS names, envelopes ---- */

int filter_number_parse(const char *s, size_t len, double *out)
{
    char tmp[FILTER_MAX_NUMBER + 1];
    size_t i = 0, digits = 0;
    if (len == 0 || len > FILTER_MAX_NUMBER)
        return -1;
    if (s[i] == '+' || s[i] == '-')
        i++;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (digits == 0)
        return -1;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            exp++;
        if (exp == 0)
            return -1;
    }
    if (i != len)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    double v = strtod(tmp, NULL);
    if (!isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Splits "AUTH:[VERSION:]CODE" or "AUTH/VERSION/CODE" after a URN or URL
 * prefix and tells which WGS84 code it names: 1 EPSG 4326, 2 OGC CRS84. */
static int filter_crs_code(const char *rest, char sep)
{
    const char *first = strchr(rest, sep);
    const char *last = strrchr(rest, sep);
    if (!first)
        return 0;
    size_t auth = (size_t)(first - rest);
    const char *code = last + 1;
    if (strchr(first + 1, sep) != last && first != last)
        return 0; /* more than AUTH, VERSION and CODE */
    if (auth == 4 && strncasecmp(rest, "EPSG", 4) == 0 && strcmp(code, "4326") == 0)
        return 1;
    if (auth == 3 && strncasecmp(rest, "OGC", 3) == 0 && strcasecmp(code, "CRS84") == 0)
        return 2;
    return 0;
}

int filter_crs_lat_first(const char *srs)
{
    static const char *const lon_first[] = {"EPSG:4326", "CRS:84", "CRS84",
                                            "http://www.opengis.net/gml/srs/epsg.xml#4326"};
    static const struct {
        const char *prefix;
        char sep;
    } named[] = {{"urn:ogc:def:crs:", ':'},
                 {"urn:x-ogc:def:crs:", ':'},
                 {"http://www.opengis.net/def/crs/", '/'},
                 {"https://www.opengis.net/def/crs/", '/'}};
    if (!srs || !*srs)
        return 0;
    for (size_t i = 0; i < sizeof lon_first / sizeof lon_first[0]; i++)
        if (strcasecmp(srs, lon_first[i]) == 0)
            return 0;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t plen = strlen(named[i].prefix);
        if (strncasecmp(srs, named[i].prefix, plen) != 0)
            continue;
        int code = filter_crs_code(srs + plen, named[i].sep);
        return code == 1 ? 1 : code == 2 ? 0 : -1;
    }
    return -1;
}

mo_rc filter_envelope_make(const double lower[2], const double upper[2], const char *srs_name,
                           const char *what, struct filter_envelope *out, struct mo_err *err)
{
    char ex[128], env[256];
    int lat_first = filter_crs_lat_first(srs_name);
    snprintf(env, sizeof env, "lower corner %.15g %.15g, upper corner %.15g %.15g", lower[0],
             lower[1], upper[0], upper[1]);
    if (lat_first < 0)
        return mo_fail(err, MO_EBADREQ,
                       "bad envelope in %s: unsupported srsName \"%s\" (only WGS84: EPSG:4326,"
                       " urn:ogc:def:crs:EPSG::4326, CRS84)",
                       what, filter_excerpt(srs_name, strlen(srs_name), ex, sizeof ex));
    struct filter_envelope e = {
        .west = lower[lat_first ? 1 : 0],
        .south = lower[lat_first ? 0 : 1],
        .east = upper[lat_first ? 1 : 0],
        .north = upper[lat_first ? 0 : 1],
    };
    const char *order = lat_first ? "latitude first" : "longitude first";
    if (e.south < -90 || e.south > 90 || e.north < -90 || e.north > 90)
        return mo_fail(err, MO_EBADREQ, "bad envelope in %s: %s (%s): latitude outside [-90, 90]",
                       what, env, order);
    if (e.west < -180 || e.west > 180 || e.east < -180 || e.east > 180)
        return mo_fail(err, MO_EBADREQ,
                       "bad envelope in %s: %s (%s): longitude outside [-180, 180]", what, env,
                       order);
    if (e.south > e.north)
        return mo_fail(err, MO_EBADREQ,
                       "bad envelope in %s: %s (%s): south %.15g above north %.15g", what, env,
                       order, e.south, e.north);
    if (e.west > e.east)
        return mo_fail(err, MO_EBADREQ,
                       "bad envelope in %s: %s (%s): west %.15g east of east %.15g", what, env,
                       order, e.west, e.east);
    *out = e;
    return MO_OK;
}

/* ---- dates ---- */

/* Reads exactly n digits at *p into *out; advances *p. */
static int filter_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int filter_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* The time part after the 'T' or ' ': hh:mm[:ss[.f]] then an optional zone,
 * written to out as "hh:mm:ss[.f]" and zone as "Z" or "+hh:mm". */
static int filter_time_parse(const char *p, char *out, size_t size, char *zone, size_t zsize)
{
    int hh, mi, ss = 0, zh = 0, zm = 0;
    char frac[12] = "";
    if (filter_digits(&p, 2, &hh) || *p++ != ':' || filter_digits(&p, 2, &mi) || hh > 23 || mi > 59)
        return -1;
    if (*p == ':') {
        p++;
        if (filter_digits(&p, 2, &ss) || ss > 59)
            return -1;
    }
    if (*p == '.' || *p == ',') {
        size_t n = 0;
        frac[n++] = '.';
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (n < 10) /* nanoseconds at most; PostgreSQL keeps microseconds */
                frac[n++] = *p;
        if (n == 1)
            return -1;
        frac[n] = '\0';
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
        snprintf(zone, zsize, "Z");
    } else if (*p == '+' || *p == '-') {
        char sign = *p++;
        if (filter_digits(&p, 2, &zh))
            return -1;
        if (*p == ':')
            p++;
        if (*p && filter_digits(&p, 2, &zm))
            return -1;
        if (zh > 14 || zm > 59)
            return -1;
        snprintf(zone, zsize, "%c%02d:%02d", sign, zh, zm);
    } else {
        snprintf(zone, zsize, "Z");
    }
    if (*p)
        return -1;
    snprintf(out, size, "%02d:%02d:%02d%s", hh, mi, ss, frac);
    return 0;
}

/* The next year, month or day after y-m-d at the given precision (1 year,
 * 2 month, 3 day), as an ISO date-time at midnight UTC. */
static void filter_date_next(int y, int m, int d, int precision, char *out, size_t size)
{
    if (precision == 1) {
        y++;
    } else if (precision == 2) {
        if (++m > 12) {
            m = 1;
            y++;
        }
    } else if (++d > filter_days_in_month(y, m)) {
        d = 1;
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    if (y > 9999)
        snprintf(out, size, "infinity");
    else
        snprintf(out, size, "%04d-%02d-%02dT00:00:00Z", y, m, d);
}

mo_rc filter_date_parse(const char *s, const char *prop, struct filter_date *out,
                        struct mo_err *err)
{
    char ex[128], time[32] = "", zone[8] = "";
    const char *start = s, *end = s + strlen(s);
    while (*start == ' ' || *start == '\t' || *start == '\n' || *start == '\r')
        start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
        end--;
    char text[64];
    size_t len = (size_t)(end - start);
    int y, m = 1, d = 1, precision = 1;
    const char *p = text;
    if (len == 0 || len >= sizeof text)
        goto bad;
    memcpy(text, start, len);
    text[len] = '\0';
    if (filter_digits(&p, 4, &y) || y < 1)
        goto bad;
    if (*p == '-') {
        p++;
        if (filter_digits(&p, 2, &m) || m < 1 || m > 12)
            goto bad;
        precision = 2;
    }
    if (precision == 2 && *p == '-') {
        p++;
        if (filter_digits(&p, 2, &d) || d < 1 || d > filter_days_in_month(y, m))
            goto bad;
        precision = 3;
    }
    if (precision == 3 && (*p == 'T' || *p == 't' || *p == ' ')) {
        if (filter_time_parse(p + 1, time, sizeof time, zone, sizeof zone))
            goto bad;
        p += strlen(p);
        precision = 4;
    }
    if (*p)
        goto bad;
    if (precision == 4) {
        snprintf(out->lo, sizeof out->lo, "%04d-%02d-%02dT%s%s", y, m, d, time, zone);
        out->hi[0] = '\0';
    } else {
        snprintf(out->lo, sizeof out->lo, "%04d-%02d-%02dT00:00:00Z", y, m, d);
        filter_date_next(y, m, d, precision, out->hi, sizeof out->hi);
    }
    return MO_OK;
bad:
    return mo_fail(err, MO_EBADREQ, "bad date \"%s\" for %s",
                   filter_excerpt(s, strlen(s), ex, sizeof ex), prop);
}
