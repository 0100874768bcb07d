/*
 * queryables.h — the fixed table of the CSW queryables: a property name as a
 * client writes it (csw:AnyText, dc:title, apiso:Modified, ows:BoundingBox…)
 * → the SQL expression over the chosen record `r`, its type, and whether a
 * result may be sorted by it.
 *
 * This table is the only way a property name reaches SQL: user text is
 * looked up here and never becomes SQL text itself.  Used by the filter
 * translator (filter_sql.c) and, for SortBy and GetDomain, by the CSW module.
 */
#ifndef MOISSON_QUERYABLES_H
#define MOISSON_QUERYABLES_H

#include <stddef.h>

/* Longest property name looked up (prefix included); longer is unknown. */
#define QUERYABLES_MAX_NAME 128

enum queryable_type {
    QUERYABLE_TEXT,      /* one text value: =, <, Like, Between, Null */
    QUERYABLE_TEXT_LIST, /* text[]: a condition holds when one element satisfies it */
    QUERYABLE_DATE,      /* timestamptz: literals are ISO 8601 dates or date-times */
    QUERYABLE_BBOX,      /* box in WGS84 degrees: spatial operators and Null only */
    QUERYABLE_FULLTEXT   /* tsvector (moisson_fr): EqualTo, NotEqualTo and Like only */
};

struct queryable {
    const char *name; /* canonical name with its usual prefix: "apiso:Title" */
    const char *sql;  /* constant SQL expression over r, e.g. "r.title" */
    enum queryable_type type;
    int sortable; /* usable in ORDER BY (sql is then a scalar expression) */
};

/* Finds a queryable by name: an optional prefix among csw, dc, dct, ows and
 * apiso (any case), then the local name, compared without regard to case
 * ("dc:title", "apiso:Title", "TITLE" are the same).  Returns a pointer into
 * the static table, or NULL for anything else (unknown name or prefix,
 * characters other than ASCII letters, digits and '_' in the local name). */
const struct queryable *queryable_find(const char *name);

/* The whole table (for GetCapabilities and DescribeRecord): *n rows, each
 * with a distinct canonical name; several names may share one column. */
const struct queryable *queryable_list(size_t *n);

#endif
