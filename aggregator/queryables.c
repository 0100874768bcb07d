/*
 * queryables.c — the queryable → SQL table (see queryables.h and the table in
 * aggregator/README.md).  Rows that share a local name share their column.
 */
#include "queryables.h"

#include <string.h>
#include <strings.h>

/* the SQL array of a record's subjects: keywords and topic categories */
#define QUERYABLES_SUBJECTS "(r.keywords || r.topics)"

static const struct queryable queryables_table[] = {
    {"csw:AnyText", "r.fts", QUERYABLE_FULLTEXT, 0},
    {"apiso:AnyText", "r.fts", QUERYABLE_FULLTEXT, 0},
    {"dc:title", "r.title", QUERYABLE_TEXT, 1},
    {"apiso:Title", "r.title", QUERYABLE_TEXT, 1},
    {"apiso:AlternateTitle", "r.alt_titles", QUERYABLE_TEXT_LIST, 0},
    {"dct:abstract", "r.abstract", QUERYABLE_TEXT, 0},
    {"apiso:Abstract", "r.abstract", QUERYABLE_TEXT, 0},
    {"dc:subject", QUERYABLES_SUBJECTS, QUERYABLE_TEXT_LIST, 0},
    {"apiso:Subject", QUERYABLES_SUBJECTS, QUERYABLE_TEXT_LIST, 0},
    {"apiso:TopicCategory", "r.topics", QUERYABLE_TEXT_LIST, 0},
    {"dc:type", "r.type", QUERYABLE_TEXT, 1},
    {"apiso:Type", "r.type", QUERYABLE_TEXT, 1},
    {"dc:identifier", "r.identifier", QUERYABLE_TEXT, 1},
    {"apiso:Identifier", "r.identifier", QUERYABLE_TEXT, 1},
    {"apiso:ParentIdentifier", "r.parent", QUERYABLE_TEXT, 1},
    {"dc:format", "r.formats", QUERYABLE_TEXT_LIST, 0},
    {"apiso:Format", "r.formats", QUERYABLE_TEXT_LIST, 0},
    {"dct:modified", "r.modified", QUERYABLE_DATE, 1},
    {"apiso:Modified", "r.modified", QUERYABLE_DATE, 1},
    {"apiso:CreationDate", "r.created", QUERYABLE_DATE, 1},
    {"apiso:PublicationDate", "r.published", QUERYABLE_DATE, 1},
    {"apiso:RevisionDate", "r.revised", QUERYABLE_DATE, 1},
    {"apiso:TempExtent_begin", "r.temporal_from", QUERYABLE_DATE, 1},
    {"apiso:TempExtent_end", "r.temporal_to", QUERYABLE_DATE, 1},
    {"ows:BoundingBox", "r.bbox", QUERYABLE_BBOX, 0},
    {"apiso:BoundingBox", "r.bbox", QUERYABLE_BBOX, 0},
    {"dc:creator", "r.organisations", QUERYABLE_TEXT_LIST, 0},
    {"dc:publisher", "r.organisations", QUERYABLE_TEXT_LIST, 0},
    {"dc:contributor", "r.organisations", QUERYABLE_TEXT_LIST, 0},
    {"apiso:OrganisationName", "r.organisations", QUERYABLE_TEXT_LIST, 0},
    {"dc:language", "r.language", QUERYABLE_TEXT, 1},
    {"apiso:Language", "r.language", QUERYABLE_TEXT, 1},
    {"apiso:ResourceLanguage", "r.resource_languages", QUERYABLE_TEXT_LIST, 0},
    {"apiso:ServiceType", "r.service_type", QUERYABLE_TEXT, 1},
    {"apiso:CRS", "r.crs", QUERYABLE_TEXT_LIST, 0},
    {"apiso:OperatesOn", "r.operates_on", QUERYABLE_TEXT_LIST, 0},
};

#define QUERYABLES_COUNT (sizeof queryables_table / sizeof queryables_table[0])

static const char *const queryables_prefixes[] = {"csw", "dc", "dct", "ows", "apiso"};

/* 1 when the prefix (len bytes, no colon) is one of the accepted ones. */
static int queryables_prefix_known(const char *p, size_t len)
{
    for (size_t i = 0; i < sizeof queryables_prefixes / sizeof queryables_prefixes[0]; i++)
        if (strlen(queryables_prefixes[i]) == len &&
            strncasecmp(p, queryables_prefixes[i], len) == 0)
            return 1;
    return 0;
}

/* 1 when s is a non-empty run of ASCII letters, digits and '_'. */
static int queryables_local_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return 1;
}

static const char *queryables_local(const char *name)
{
    const char *colon = strchr(name, ':');
    return colon ? colon + 1 : name;
}

const struct queryable *queryable_find(const char *name)
{
    if (!name || strlen(name) > QUERYABLES_MAX_NAME)
        return NULL;
    const char *local = queryables_local(name);
    if (local != name && !queryables_prefix_known(name, (size_t)(local - 1 - name)))
        return NULL;
    if (!queryables_local_ok(local))
        return NULL;
    for (size_t i = 0; i < QUERYABLES_COUNT; i++)
        if (strcasecmp(local, queryables_local(queryables_table[i].name)) == 0)
            return &queryables_table[i];
    return NULL;
}

const struct queryable *queryable_list(size_t *n)
{
    *n = QUERYABLES_COUNT;
    return queryables_table;
}
