/*
 * search_sql.c — the search's statements (search_internal.h): a request's
 * condition as constant SQL text with $n parameters, the counts and facets,
 * the ranked identifiers, the page with its highlighted texts.
 */
#include "search_internal.h"

#include "isotime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FROM_ENTRIES " FROM entry e JOIN record r ON r.id = e.record_id WHERE true"
#define TSQ "websearch_to_tsquery('moisson_fr', $1)"
/* The samples, the predicates of the partial indexes of schemas/
 * 006_search.sql: 1/64 (SEARCH_SAMPLE_SMALL) and 1/16 (SEARCH_SAMPLE_MODULUS)
 * of the records by a hash of the id.  With q, the slices 0 (GIN indexes);
 * without, the slices 1 (btree indexes on id): slices of their own so that
 * the planner never reads a btree's whole slice and filters the text on
 * every row when a GIN gives the matches directly. */
static const char *search_sample_cond(int sample, int has_q)
{
    if (sample == SEARCH_SAMPLE_SMALL)
        return has_q ? " AND (hashint8(r.id) & 63) = 0" : " AND (hashint8(r.id) & 63) = 1";
    if (sample == SEARCH_SAMPLE_MODULUS)
        return has_q ? " AND (hashint8(r.id) & 15) = 0" : " AND (hashint8(r.id) & 15) = 1";
    return "";
}
#define STRIP_MARKS(col) "translate(coalesce(" col ", ''), E'\\x01\\x02', '')"
#define HEADLINE_TITLE "StartSel=\x01,StopSel=\x02,HighlightAll=true"
#define HEADLINE_EXCERPT                                                                           \
    "StartSel=\x01,StopSel=\x02,MaxWords=30,MinWords=12,ShortWord=2,MaxFragments=2,"               \
    "FragmentDelimiter=\" … \""
#define EXCERPT_CHARS "240" /* the abstract's start when there is no q */
/* The page's columns (enum search_page_col) and rows, by id in the order
 * of the array $1. */
#define PAGE_HEAD                                                                                  \
    "r.id, e.identifier, coalesce(r.type, ''), coalesce(moisson_iso(r.modified), "                 \
    "''), " SOURCE_NAMES
#define PAGE_BOX "(r.bbox[1])[0], (r.bbox[1])[1], (r.bbox[0])[0], (r.bbox[0])[1]"
#define PAGE_TIME "moisson_iso(r.temporal_from), moisson_iso(r.temporal_to)"
#define PAGE_FROM                                                                                  \
    "FROM unnest($1::bigint[]) WITH ORDINALITY AS p(id, o) JOIN record r ON r.id = p.id "          \
    "JOIN entry e ON e.record_id = r.id"
/* The names of an entry's sources, in precedence order. */
#define SOURCE_NAMES                                                                               \
    "coalesce((SELECT string_agg(s.name, ', ' ORDER BY a.o) FROM unnest(e.sources) "               \
    "WITH ORDINALITY AS a(id, o) JOIN source s ON s.id = a.id), '')"

/* The condition of each facet filter over e and r: $? is a text[]. */
static const char *const search_facet_cond[SEARCH_FACET_COUNT] = {
    [SEARCH_FACET_PARTNER] = " AND e.sources && ARRAY(SELECT s.id FROM source s "
                             "WHERE s.name = ANY ($?::text[]))",
    [SEARCH_FACET_ORGANISATION] = " AND r.organisations && $?::text[]",
    [SEARCH_FACET_KEYWORD] = " AND r.keywords && $?::text[]",
    [SEARCH_FACET_THEME] = " AND r.topics && $?::text[]",
    [SEARCH_FACET_TYPE] = " AND r.type = ANY ($?::text[])",
    [SEARCH_FACET_FORMAT] = " AND r.formats && $?::text[]",
    [SEARCH_FACET_YEAR] = " AND extract(year FROM r.modified AT TIME ZONE 'UTC')::int "
                          "= ANY ($?::text[]::int[])",
};

/* Facet counts over m (the matches), most frequent values first. */
#define FACETS_SQL                                                                                 \
    " UNION ALL SELECT f, v, c FROM (SELECT f, v, c, row_number() OVER (PARTITION BY f "           \
    "ORDER BY c DESC, v) AS k FROM ("                                                              \
    "SELECT 0 AS f, s.name AS v, count(*) AS c FROM m, unnest(m.sources) AS x(id) "                \
    "JOIN source s ON s.id = x.id GROUP BY s.name"                                                 \
    " UNION ALL SELECT 1, v, count(*) FROM m, unnest(m.organisations) AS v GROUP BY v"             \
    " UNION ALL SELECT 2, v, count(*) FROM m, unnest(m.keywords) AS v GROUP BY v"                  \
    " UNION ALL SELECT 3, v, count(*) FROM m, unnest(m.topics) AS v GROUP BY v"                    \
    " UNION ALL SELECT 4, m.type, count(*) FROM m WHERE m.type <> '' GROUP BY m.type"              \
    " UNION ALL SELECT 5, v, count(*) FROM m, unnest(m.formats) AS v GROUP BY v"                   \
    " UNION ALL SELECT 6, extract(year FROM m.modified AT TIME ZONE 'UTC')::int::text, count(*) "  \
    "FROM m WHERE m.modified IS NOT NULL GROUP BY 2"                                               \
    ") a) b WHERE k <= 20" /* SEARCH_MAX_FACET_VALUES */

void search_sql_free(struct search_sql *s)
{
    if (!s)
        return;
    buf_free(&s->where);
    buf_free(&s->key);
    sql_params_free(&s->p);
}

/* Appends s as one element of a PostgreSQL array literal. */
static mo_rc search_array_elem(struct buf *b, const char *s, int first)
{
    mo_rc rc = buf_append_str(b, first ? "\"" : ",\"");
    for (const char *c = s; *c && rc == MO_OK; c++) {
        if (*c == '"' || *c == '\\')
            rc = buf_append(b, "\\", 1);
        if (rc == MO_OK)
            rc = buf_append(b, c, 1);
    }
    return rc == MO_OK ? buf_append_str(b, "\"") : rc;
}

/* Adds text as the next parameter and the piece (with its $n) to where. */
static mo_rc search_add_cond(struct search_sql *s, const char *piece, const char *value,
                             struct mo_err *err)
{
    const char *mark = strstr(piece, "$?"); /* where the parameter's number goes */
    mo_rc rc = sql_params_add(&s->p, value, err);
    if (rc == MO_OK && (!mark || buf_append(&s->where, piece, (size_t)(mark - piece)) != MO_OK ||
                        buf_printf(&s->where, "$%d", s->p.n) != MO_OK ||
                        buf_append_str(&s->where, mark + 2) != MO_OK))
        rc = mo_fail(err, MO_ELIMIT, "search statement longer than %d bytes", SEARCH_MAX_SQL);
    return rc;
}

/* The filter values of one facet as a text[] literal. */
static mo_rc search_facet_literal(const struct search_request *r, int f, struct buf *lit)
{
    mo_rc rc = buf_append_str(lit, "{");
    for (size_t i = 0; i < r->n_filters[f] && rc == MO_OK; i++)
        rc = search_array_elem(lit, r->filters[f][i], i == 0);
    return rc == MO_OK ? buf_append_str(lit, "}") : rc;
}

/* The interval that makes an end given as a year, month or date stand for
 * the whole year, month or day. */
static const char *search_end_span(const char *t)
{
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    while (*t == ' ' || *t == '\t')
        t++, n--;
    return n == 4 ? "1 year" : n == 7 ? "1 month" : n == 10 ? "1 day" : "0";
}

static mo_rc search_time_cond(const struct search_request *r, struct search_sql *s,
                              struct mo_err *err)
{
    char lit[ISOTIME_LITERAL_MAX];
    mo_rc rc = MO_OK;
    if (r->time_from[0] && isotime_literal(r->time_from, lit, sizeof lit))
        rc = search_add_cond(
            s, " AND coalesce(r.temporal_to, r.temporal_from, r.modified) >= $?::timestamptz", lit,
            err);
    if (rc == MO_OK && r->time_to[0] && isotime_literal(r->time_to, lit, sizeof lit)) {
        rc = sql_params_add(&s->p, lit, err);
        if (rc == MO_OK)
            rc = sql_params_add(&s->p, search_end_span(r->time_to), err);
        if (rc == MO_OK &&
            buf_printf(&s->where,
                       " AND coalesce(r.temporal_from, r.modified) %s ($%d::timestamptz + "
                       "$%d::interval)",
                       strcmp(search_end_span(r->time_to), "0") ? "<" : "<=", s->p.n - 1,
                       s->p.n) != MO_OK)
            rc = mo_fail(err, MO_ELIMIT, "search statement too long");
    }
    return rc;
}

/* The normalised key: every condition, in a fixed order, with separators
 * that cannot occur in the values (\x1f, \x1e). */
static mo_rc search_key(const struct search_request *r, struct buf *key)
{
    mo_rc rc = buf_printf(key, "q\x1f%s\x1e", r->q ? r->q : "");
    if (rc == MO_OK && r->has_bbox)
        rc = buf_printf(key, "b\x1f%.9g,%.9g,%.9g,%.9g\x1e", r->bbox[0], r->bbox[1], r->bbox[2],
                        r->bbox[3]);
    if (rc == MO_OK)
        rc = buf_printf(key, "t\x1f%s/%s\x1e", r->time_from, r->time_to);
    for (int f = 0; f < SEARCH_FACET_COUNT && rc == MO_OK; f++)
        for (size_t i = 0; i < r->n_filters[f] && rc == MO_OK; i++)
            rc = buf_printf(key, "%d\x1f%s\x1e", f, r->filters[f][i]);
    return rc;
}

mo_rc search_sql_build(const struct search_request *r, struct search_sql *out, struct mo_err *err)
{
    struct buf lit;
    mo_rc rc = MO_OK;
    memset(out, 0, sizeof *out);
    buf_init(&out->where, SEARCH_MAX_SQL);
    buf_init(&out->key, SEARCH_MAX_SQL);
    buf_init(&lit, SEARCH_MAX_SQL);
    if (buf_append_str(&out->where, "") != MO_OK || search_key(r, &out->key) != MO_OK)
        rc = mo_fail(err, MO_ENOMEM, "out of memory for the search statement");
    if (rc == MO_OK && r->q && r->q[0]) {
        out->has_q = 1;
        rc =
            search_add_cond(out, " AND r.fts @@ websearch_to_tsquery('moisson_fr', $?)", r->q, err);
    }
    if (rc == MO_OK && r->has_bbox) {
        char box[128];
        snprintf(box, sizeof box, "(%.9g,%.9g),(%.9g,%.9g)", r->bbox[2], r->bbox[3], r->bbox[0],
                 r->bbox[1]);
        rc = search_add_cond(out, " AND r.bbox && $?::box", box, err);
    }
    if (rc == MO_OK)
        rc = search_time_cond(r, out, err);
    for (int f = 0; f < SEARCH_FACET_COUNT && rc == MO_OK; f++) {
        if (!r->n_filters[f])
            continue;
        buf_reset(&lit);
        if (search_facet_literal(r, f, &lit) != MO_OK)
            rc = mo_fail(err, MO_ELIMIT, "facet filter too long");
        else
            rc = search_add_cond(out, search_facet_cond[f], lit.data, err);
    }
    buf_free(&lit);
    if (rc != MO_OK)
        search_sql_free(out);
    return rc;
}

/* Runs sql; MO_EDB with the server's first line when it returns no rows. */
static mo_rc search_exec(PGconn *conn, const char *sql, const struct sql_params *p, PGresult **out,
                         struct mo_err *err)
{
    PGresult *res = PQexecParams(conn, sql, p ? p->n : 0, NULL,
                                 p ? (const char *const *)p->values : NULL, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
        mo_fail(err, MO_EDB, "search query failed: %.*s", (int)strcspn(m, "\n"), m);
        PQclear(res);
        return MO_EDB;
    }
    *out = res;
    return MO_OK;
}

mo_rc search_sql_state(PGconn *conn, long long *gen, int *rum, int *harvesting, struct mo_err *err)
{
    PGresult *res = NULL;
    mo_rc rc = search_exec(conn,
                           "SELECT n, EXISTS (SELECT 1 FROM pg_class WHERE relname = "
                           "'record_fts_rum' AND relkind = 'i'), EXISTS (SELECT 1 FROM "
                           "harvest_run WHERE status = 'running') FROM index_generation",
                           NULL, &res, err);
    if (rc != MO_OK)
        return rc;
    *gen = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    *rum = PQntuples(res) && PQgetvalue(res, 0, 1)[0] == 't';
    *harvesting = PQntuples(res) && PQgetvalue(res, 0, 2)[0] == 't';
    PQclear(res);
    return MO_OK;
}

mo_rc search_sql_terms(PGconn *conn, const struct search_request *r, PGresult **out,
                       struct mo_err *err)
{
    char from[ISOTIME_LITERAL_MAX], to[ISOTIME_LITERAL_MAX];
    int has_q = r->q && r->q[0];
    int has_from = r->time_from[0] && isotime_literal(r->time_from, from, sizeof from);
    int has_to = r->time_to[0] && isotime_literal(r->time_to, to, sizeof to);
    const char *span = has_to ? search_end_span(r->time_to) : "0";
    const char *values[4] = {has_q ? r->q : NULL, has_from ? from : NULL, has_to ? to : NULL, span};
    *out = NULL;
    if (!has_q && !has_from && !has_to)
        return MO_OK;
    struct sql_params p = {.values = (char **)values, .n = 4};
    /* the same casts and interval arithmetic as the conditions of
     * search_time_cond, so that the bounds are the SQL's to the microsecond */
    return search_exec(conn,
                       "SELECT websearch_to_tsquery('moisson_fr', $1)::text, "
                       "(extract(epoch FROM $2::timestamptz) * 1000000)::int8, "
                       "(extract(epoch FROM ($3::timestamptz + $4::interval)) * 1000000)::int8, "
                       "$4 = '0'",
                       &p, out, err);
}

mo_rc search_sql_counts(PGconn *conn, const struct search_sql *s, int sample, int facets,
                        long limit, PGresult **out, struct mo_err *err)
{
    struct buf sql;
    char lim[40] = "";
    const char *sample_cond = search_sample_cond(sample, s->has_q);
    mo_rc rc;
    if (!sample)
        snprintf(lim, sizeof lim, " LIMIT %ld", limit);
    buf_init(&sql, SEARCH_MAX_SQL);
    if (facets)
        rc = buf_printf(&sql,
                        "WITH m AS MATERIALIZED (SELECT e.sources, r.organisations, r.keywords, "
                        "r.topics, coalesce(r.type, '') AS type, r.formats, r.modified" FROM_ENTRIES
                        "%s%s%s) SELECT -1, NULL, count(*) FROM m" FACETS_SQL,
                        s->where.data, sample_cond, lim);
    else
        rc = buf_printf(&sql, "SELECT -1, NULL, count(*) FROM (SELECT 1" FROM_ENTRIES "%s%s%s) m",
                        s->where.data, sample_cond, lim);
    if (rc != MO_OK)
        rc = mo_fail(err, MO_ELIMIT, "search statement longer than %d bytes", SEARCH_MAX_SQL);
    else
        rc = search_exec(conn, sql.data, &s->p, out, err);
    buf_free(&sql);
    return rc;
}

/* The ORDER BY of a request. */
static const char *search_order(const struct search_request *r, int has_q, int rum)
{
    switch (r->sort) {
    case SEARCH_SORT_DATE:
        return r->desc ? "r.modified DESC NULLS LAST, e.identifier"
                       : "r.modified ASC NULLS LAST, e.identifier";
    case SEARCH_SORT_TITLE:
        return r->desc ? "moisson_sort_key(r.title) DESC NULLS LAST, e.identifier"
                       : "moisson_sort_key(r.title) ASC NULLS LAST, e.identifier";
    default:
        if (!has_q)
            return "r.modified DESC NULLS LAST, e.identifier";
        /* RUM: the index's order alone (a second key would make the
         * executor read every tie before the first row) */
        return rum ? "r.fts <=> " TSQ : "ts_rank(r.fts, " TSQ ") DESC, e.identifier";
    }
}

mo_rc search_sql_ids(PGconn *conn, const struct search_sql *s, const struct search_request *r,
                     int rum, long limit, long offset, PGresult **out, struct mo_err *err)
{
    char sql[SEARCH_MAX_SQL];
    int n = snprintf(sql, sizeof sql,
                     "SELECT '{' || coalesce(string_agg(id::text, ',' ORDER BY o), '') || '}' "
                     "FROM (SELECT r.id, row_number() OVER () AS o FROM (SELECT r.id" FROM_ENTRIES
                     "%s ORDER BY %s LIMIT %ld OFFSET %ld) r) x",
                     s->where.data, search_order(r, s->has_q, rum), limit, offset);
    if (n < 0 || (size_t)n >= sizeof sql)
        return mo_fail(err, MO_ELIMIT, "search statement longer than %d bytes", SEARCH_MAX_SQL);
    return search_exec(conn, sql, &s->p, out, err);
}

mo_rc search_sql_page(PGconn *conn, const struct search_sql *s, const char *ids_literal,
                      PGresult **out, struct mo_err *err)
{
    const char *q = s->has_q ? s->p.values[0] : NULL;
    const char *values[2] = {ids_literal, q};
    /* clang-format off */
    static const char with_q[] =
        "SELECT " PAGE_HEAD ", ts_rank(r.fts, q.q), " PAGE_BOX ", "
        "ts_headline('moisson_fr', " STRIP_MARKS("r.title") ", q.q, '" HEADLINE_TITLE "'), "
        "ts_headline('moisson_fr', " STRIP_MARKS("r.abstract") ", q.q, '" HEADLINE_EXCERPT "'), "
        PAGE_TIME " " PAGE_FROM ", websearch_to_tsquery('moisson_fr', $2) AS q(q) ORDER BY p.o";
    static const char without_q[] =
        "SELECT " PAGE_HEAD ", 0, " PAGE_BOX ", " STRIP_MARKS("r.title") ", "
        "left(" STRIP_MARKS("r.abstract") ", " EXCERPT_CHARS "), "
        PAGE_TIME " " PAGE_FROM " ORDER BY p.o";
    /* clang-format on */
    const char *sql = q ? with_q : without_q;
    PGresult *res = PQexecParams(conn, sql, q ? 2 : 1, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != PAGE_COLS) {
        const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
        mo_fail(err, MO_EDB, "search page query failed: %.*s", (int)strcspn(m, "\n"), m);
        PQclear(res);
        return MO_EDB;
    }
    *out = res;
    return MO_OK;
}

/* A list column as one text, elements joined by SEARCH_LIST_SEP. */
#define LIST(col)                                                                                  \
    "array_to_string(array(SELECT translate(x, E'\\x1f', ' ') FROM unnest(" col ") AS x), "        \
    "E'\\x1f')"

mo_rc search_record_get(PGconn *conn, const char *identifier, struct search_record *out,
                        struct mo_err *err)
{
    /* clang-format off */
    static const char sql[] =
        "SELECT e.identifier, r.title, r.abstract, r.type, r.language, "
        "moisson_iso(r.modified), moisson_iso(r.created), moisson_iso(r.published), "
        "moisson_iso(r.revised), moisson_iso(r.temporal_from), moisson_iso(r.temporal_to), "
        LIST("r.keywords") ", " LIST("r.topics") ", " LIST("r.organisations") ", "
        LIST("r.links") ", " LIST("r.formats") ", " LIST("r.licences") ", " LIST("r.crs") ", "
        SOURCE_NAMES ", "
        "(r.bbox[1])[0], (r.bbox[1])[1], (r.bbox[0])[0], (r.bbox[0])[1], "
        "moisson_iso(r.changed_at) "
        "FROM entry e JOIN record r ON r.id = e.record_id WHERE e.identifier = $1";
    /* clang-format on */
    const char *values[1] = {identifier};
    memset(out, 0, sizeof *out);
    PGresult *res = PQexecParams(conn, sql, 1, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != REC_COLS) {
        const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
        mo_fail(err, MO_EDB, "record query failed: %.*s", (int)strcspn(m, "\n"), m);
        PQclear(res);
        return MO_EDB;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        return mo_fail(err, MO_ENOTFOUND, "no record with that identifier");
    }
    out->res = res;
    return MO_OK;
}

const char *search_record_field(const struct search_record *r, enum search_record_col c)
{
    return PQgetvalue(r->res, 0, (int)c);
}

int search_record_null(const struct search_record *r, enum search_record_col c)
{
    return PQgetisnull(r->res, 0, (int)c);
}

void search_record_clear(struct search_record *r)
{
    if (!r)
        return;
    PQclear(r->res);
    r->res = NULL;
}
