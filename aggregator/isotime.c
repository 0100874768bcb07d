#include "isotime.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Reads exactly n digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return 0;
        *v = *v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* The time part after 'T' or ' ': HH:MM[:SS[.f+]][Z|±HH[[:]MM]].  Writes
 * the time and zone into out; returns the end of what it read, or NULL. */
static const char *read_time(const char *p, char *out, size_t size)
{
    int h, mi, s = 0, zh = 0, zm = 0;
    char frac[32] = "", sign = '+';
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
        return NULL;
    if (*p == ':') {
        p++;
        if (!digits(&p, 2, &s))
            return NULL;
        if (*p == '.') {
            size_t n = 1;
            frac[0] = '.';
            for (p++; isdigit((unsigned char)*p); p++) {
                if (n + 1 >= sizeof frac)
                    return NULL;
                frac[n++] = *p;
            }
            frac[n] = '\0';
            if (n == 1)
                return NULL;
        }
    }
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++;
        if (!digits(&p, 2, &zh))
            return NULL;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &zm))
                return NULL;
        } else if (isdigit((unsigned char)*p) && !digits(&p, 2, &zm)) {
            return NULL;
        }
    }
    /* what PostgreSQL's timestamptz input accepts */
    if (h > 24 || mi > 59 || s > 60 || (h == 24 && (mi || s || frac[0])) || zh > 15 || zm > 59)
        return NULL;
    snprintf(out, size, " %02d:%02d:%02d%s%c%02d:%02d", h, mi, s, frac, sign, zh, zm);
    return p;
}

int isotime_literal(const char *text, char *out, size_t size)
{
    int y, m = 1, d = 1;
    char time[48] = " 00:00:00+00:00";
    const char *p = text;
    if (!p || size < ISOTIME_LITERAL_MAX)
        return 0;
    while (isspace((unsigned char)*p))
        p++;
    if (!digits(&p, 4, &y) || y < 1)
        return 0;
    if (*p == '-') {
        p++;
        if (!digits(&p, 2, &m))
            return 0;
        if (*p == '-') {
            p++;
            if (!digits(&p, 2, &d))
                return 0;
            if ((*p == 'T' || *p == ' ') && isdigit((unsigned char)p[1]) &&
                !(p = read_time(p + 1, time, sizeof time)))
                return 0;
        }
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return 0;
    snprintf(out, size, "%04d-%02d-%02d%s", y, m, d, time);
    return 1;
}
