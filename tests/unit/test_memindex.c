/*
 * test_memindex.c — the search's in-memory index (aggregator/memindex.h)
 * gives the SQL's answers: on a test database of generated records (words
 * drawn with varied frequencies, repeated in several fields, NULL titles,
 * dates and boxes, temporal extents, values twice in one array, entries of
 * two partners) plus the search fixture, every request of a generated
 * table — each word, pairs with AND, OR and NOT, every sort, facet
 * filters, boxes, time intervals, deep pages — gives the same number of
 * matches, the same facet counts and the same ranked record ids from the
 * snapshot as from SQL counted exactly.  Then search_run with the index
 * started: answers from memory at the snapshot's generation, from SQL while
 * the index is behind, and the new entry once the snapshot caught up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "memindex.h"
#include "search.h"
#include "search_internal.h"
#include "searchreq.h"
#include "testdb.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_RECORDS 2500

struct fixture {
    char conninfo[1024];
    PGconn *conn;
    struct memindex_snap *snap;
};

/* The vocabulary of the generated records, and how the requests type it
 * (no accents, singular). */
static const char *const words[][2] = {
    {"églises", "eglise"},     {"forêts", "foret"},       {"réseaux", "reseau"},
    {"routes", "route"},       {"bâtiments", "batiment"}, {"écoles", "ecole"},
    {"rivières", "riviere"},   {"parcelles", "parcelle"}, {"haies", "haie"},
    {"ponts", "pont"},         {"gares", "gare"},         {"lavoirs", "lavoir"},
    {"moulins", "moulin"},     {"phares", "phare"},       {"dunes", "dune"},
    {"vignes", "vigne"},       {"zones", "zone"},         {"humides", "humide"},
    {"pistes", "piste"},       {"cyclables", "cyclable"}, {"énergie", "energie"},
    {"éoliennes", "eolienne"}, {"marchés", "marche"},     {"théâtres", "theatre"},
};
#define N_WORDS (sizeof words / sizeof words[0])

/* The generated records: each word drawn with a probability from 40% down
 * to 0.5%, put in the title, the keywords or the abstract (sometimes in
 * two of them, sometimes twice); the other columns vary with NULLs. */
static void generate(PGconn *conn)
{
    char sql[16384], list[2048] = "";
    for (size_t i = 0; i < N_WORDS; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'", i ? "," : "",
                 words[i][0]);
    snprintf(
        sql, sizeof sql,
        "SELECT setseed(0.42);"
        "INSERT INTO source (name, type, url, priority) SELECT 'gen-' || g, 'csw', "
        "'http://g.invalid/' || g, 100 + g FROM generate_series(1, 4) g;"
        "CREATE TEMP TABLE vocab AS SELECT i, w, 0.4 * power(0.005 / 0.4, (i - 1) / %d.0) AS p "
        "FROM unnest(ARRAY[%s]) WITH ORDINALITY AS t(w, i);"
        "CREATE TEMP TABLE draw AS SELECT g, array(SELECT w FROM vocab v WHERE random() < v.p + 0 "
        "* g "
        "ORDER BY v.i) AS ws, random() AS r1, random() AS r2, random() AS r3, random() AS r4 "
        "FROM generate_series(1, %d) g;"
        "INSERT INTO record (source_id, identifier, type, title, abstract, keywords, topics, "
        "organisations, formats, modified, temporal_from, temporal_to, bbox, hash) "
        "SELECT (SELECT id FROM source WHERE name = 'gen-' || (1 + floor(d.r1 * d.r1 * 4)::int)), "
        "'urn:gen:' || lpad((d.g * 7919 %% 100003)::text, 6, '0'), "
        "CASE WHEN d.g %% 9 = 0 THEN NULL ELSE (ARRAY['dataset','series','service'])[1 + d.g %% 3] "
        "END, "
        "CASE WHEN d.g %% 31 = 0 THEN NULL WHEN d.g %% 37 = 0 THEN 'Plan commun' ELSE "
        "array_to_string(array(SELECT x FROM unnest(d.ws) WITH ORDINALITY u(x, o) "
        "WHERE (hashint4(d.g + o::int) & 3) IN (0, 3)), ' ') || ' ' || "
        "(ARRAY['Carte','inventaire','Plan','Écluses','atlas','Zébu','de Saint-Nazaire','à "
        "Aix-en-Provence','des zones humides'])[1 + d.g %% 9] || ' ' || d.g "
        "END, "
        "'Données ' || (d.g %% 13) || '. ' || array_to_string(array(SELECT x || CASE WHEN "
        "(hashint4(d.g * o::int) & 7) = 0 THEN ' et encore ' || x ELSE '' END FROM unnest(d.ws) "
        "WITH ORDINALITY u(x, o) WHERE (hashint4(d.g + o::int) & 3) >= 2), ' ') || ' fin.', "
        "array(SELECT x FROM unnest(d.ws) WITH ORDINALITY u(x, o) WHERE (hashint4(d.g + o::int) & "
        "3) "
        "= 1) || CASE WHEN d.g %% 17 = 0 THEN ARRAY['doublon', 'doublon'] ELSE ARRAY['thème ' || "
        "(d.g %% 7)] END, "
        "ARRAY[(ARRAY['environment','transportation','society','farming'])[1 + floor(d.r2 * "
        "4)::int]], "
        "CASE WHEN d.g %% 11 = 0 THEN '{}'::text[] ELSE ARRAY['Org ' || (1 + floor(d.r3 * "
        "25)::int)] "
        "END, "
        "ARRAY[(ARRAY['GeoJSON','CSV','PDF','GML','WMS'])[1 + d.g %% 5]], "
        "CASE WHEN d.g %% 13 = 0 THEN NULL ELSE make_timestamptz(2005 + (d.g %% 20), 1 + (d.g %% "
        "12), 1 + (d.g %% 28), d.g %% 24, 0, 0, 'UTC') END, "
        "CASE WHEN d.g %% 5 = 0 THEN make_timestamptz(2000 + (d.g %% 15), 1, 1, 0, 0, 0, 'UTC') "
        "END, "
        "CASE WHEN d.g %% 10 = 0 THEN make_timestamptz(2012 + (d.g %% 9), 6, 30, 0, 0, 0, 'UTC') "
        "END, "
        "CASE WHEN d.g %% 8 = 0 THEN NULL ELSE box(point(-2 + d.r2 * 4 + d.r4, 46 + d.r3 * 3 + "
        "d.r4), point(-2 + d.r2 * 4, 46 + d.r3 * 3)) END, md5(d.g::text) FROM draw d;"
        "INSERT INTO entry (identifier, record_id, sources) SELECT r.identifier, r.id, "
        "CASE WHEN r.id %% 6 = 0 THEN ARRAY[r.source_id, (SELECT min(id) FROM source WHERE name "
        "LIKE 'gen-%%' AND id <> r.source_id)] ELSE ARRAY[r.source_id] END FROM record r "
        "WHERE r.identifier LIKE 'urn:gen:%%' ON CONFLICT (identifier) DO NOTHING;"
        /* one entry with a very long list: 5,000 keywords, each counted once */
        "INSERT INTO record (source_id, identifier, title, keywords, hash) SELECT id, "
        "'urn:gen:long', 'Moulins et lavoirs', array(SELECT 'mot ' || g FROM "
        "generate_series(1, 5000) g), 'h' FROM source WHERE name = 'gen-1';"
        "INSERT INTO entry (identifier, record_id, sources) SELECT identifier, id, "
        "ARRAY[source_id] FROM record WHERE identifier = 'urn:gen:long';",
        (int)N_WORDS - 1, list, N_RECORDS);
    testdb_exec(conn, sql);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct mo_err err = {0};
    testdb_create("memindex", f->conninfo, sizeof f->conninfo);
    f->conn = testdb_connect(f->conninfo);
    char *sql = testdb_read_source("tests/fixtures/search/records.sql");
    testdb_exec(f->conn, sql);
    free(sql);
    generate(f->conn);
    if (memindex_build(f->conn, NULL, &f->snap, &err) != MO_OK)
        fail_msg("build: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    memindex_snap_free(f->snap);
    PQfinish(f->conn);
    free(f);
    return 0;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The facet lines of a counts text ("F COUNT LEN:VALUE"), sorted, joined. */
static void facet_lines(const char *text, char *out, size_t size)
{
    char *copy = strdup(text), *save = NULL, *lines[512];
    size_t n = 0;
    strtok_r(copy, "\n", &save); /* the matches */
    for (char *l = strtok_r(NULL, "\n", &save); l && n < 512; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    qsort(lines, n, sizeof *lines, cmp_lines);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s\n", lines[i]);
    free(copy);
}

/* The SQL's exact counts as the same text. */
static void sql_counts(struct fixture *f, const struct search_sql *sql, char *out, size_t size)
{
    PGresult *res = NULL;
    struct mo_err err = {0};
    if (search_sql_counts(f->conn, sql, 0, 1, 100000000L, &res, &err) != MO_OK)
        fail_msg("counts: %s", err.msg);
    size_t len = 0;
    for (int i = 0; i < PQntuples(res); i++)
        if (atoi(PQgetvalue(res, i, 0)) < 0)
            len += (size_t)snprintf(out + len, size - len, "%s 1\n", PQgetvalue(res, i, 2));
    for (int i = 0; i < PQntuples(res) && len < size; i++)
        if (atoi(PQgetvalue(res, i, 0)) >= 0)
            len += (size_t)snprintf(out + len, size - len, "%s %s %d:%s\n", PQgetvalue(res, i, 0),
                                    PQgetvalue(res, i, 2), PQgetlength(res, i, 1),
                                    PQgetvalue(res, i, 1));
    PQclear(res);
}

/* The facet lines of a counts text are in the display order: per facet,
 * most frequent first, then by value. */
static void check_order(const char *text, const char *query)
{
    int last_f = -1;
    long long last_c = 0;
    char last_v[512] = "";
    const char *p = strchr(text, '\n');
    while (p && *++p) {
        int fa, len, used = 0;
        long long c;
        if (sscanf(p, "%d %lld %d:%n", &fa, &c, &len, &used) != 3)
            fail_msg("%s: unreadable facet line %.40s", query, p);
        char v[512];
        snprintf(v, sizeof v, "%.*s", len, p + used);
        if (fa == last_f && (c > last_c || (c == last_c && strcmp(v, last_v) <= 0)))
            fail_msg("%s: facet %d out of order at %s", query, fa, v);
        last_f = fa, last_c = c;
        snprintf(last_v, sizeof last_v, "%s", v);
        p = strchr(p + used + len, '\n');
    }
}

/* One request both ways; returns the number of matches. */
static long long compare(struct fixture *f, const char *query, long offset, long limit)
{
    struct search_request r;
    struct search_sql sql;
    struct mo_err err = {0};
    char copy[1024];
    static char want[65536], got_f[65536], want_f[65536];
    searchreq_parse(&r, copy, sizeof copy, query);
    r.facets = 1;
    if (search_sql_build(&r, &sql, &err) != MO_OK)
        fail_msg("%s: %s", query, err.msg);
    sql_counts(f, &sql, want, sizeof want);

    PGresult *ids = NULL, *terms = NULL;
    if (search_sql_ids(f->conn, &sql, &r, 0, limit, offset, &ids, &err) != MO_OK)
        fail_msg("%s: ids: %s", query, err.msg);
    if (search_sql_terms(f->conn, &r, &terms, &err) != MO_OK)
        fail_msg("%s: terms: %s", query, err.msg);
    struct memindex_query q = {.req = &r, .time_low = MEMINDEX_NULL, .time_high = MEMINDEX_NULL};
    if (terms) {
        q.tsquery = PQgetisnull(terms, 0, 0) ? NULL : PQgetvalue(terms, 0, 0);
        if (!PQgetisnull(terms, 0, 1))
            q.time_low = strtoll(PQgetvalue(terms, 0, 1), NULL, 10);
        if (!PQgetisnull(terms, 0, 2))
            q.time_high = strtoll(PQgetvalue(terms, 0, 2), NULL, 10);
        q.time_high_incl = PQgetvalue(terms, 0, 3)[0] == 't';
    }
    struct buf counts, mids;
    buf_init(&counts, 1 << 20);
    buf_init(&mids, 1 << 20);
    mo_rc rc = memindex_query(f->snap, &q, offset, limit, &counts, &mids, &err);
    if (rc != MO_OK)
        fail_msg("%s: the snapshot did not answer (%d): %s", query, (int)rc, err.msg);
    long long matched = strtoll(want, NULL, 10);
    if (strtoll(counts.data, NULL, 10) != matched)
        fail_msg("%s: %lld matches from memory, %lld from SQL", query,
                 strtoll(counts.data, NULL, 10), matched);
    facet_lines(counts.data, got_f, sizeof got_f);
    facet_lines(want, want_f, sizeof want_f);
    if (strcmp(got_f, want_f))
        fail_msg("%s: facets differ\nmemory:\n%.2000s\nSQL:\n%.2000s", query, got_f, want_f);
    check_order(counts.data, query);
    if (strcmp(mids.data, PQgetvalue(ids, 0, 0)))
        fail_msg("%s (offset %ld, limit %ld): ids differ\nmemory: %.1000s\nSQL:    %.1000s", query,
                 offset, limit, mids.data, PQgetvalue(ids, 0, 0));
    buf_free(&counts);
    buf_free(&mids);
    PQclear(ids);
    PQclear(terms);
    search_sql_free(&sql);
    return matched;
}

static void test_words(void **state)
{
    struct fixture *f = *state;
    char query[512];
    long long total = 0;
    size_t cases = 0, nonzero = 0;
    /* + the fixture's 6 entries and the long one */
    assert_int_equal(memindex_snap_docs(f->snap), N_RECORDS + 7);
    for (size_t i = 0; i < N_WORDS; i++) {
        const char *w = words[i][1], *v = words[(i + 1) % N_WORDS][1];
        /* w alone, w AND v, w OR v, w AND NOT v, NOT w, w OR NOT v */
        const char *ops[] = {NULL, " ", " or ", " -", NULL, " or -"};
        for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
            if (k == 4)
                snprintf(query, sizeof query, "q=-%s", w);
            else
                snprintf(query, sizeof query, "q=%s%s%s", w, ops[k] ? ops[k] : "", ops[k] ? v : "");
            long long m = compare(f, query, 0, SEARCH_CACHED_IDS);
            total += m, cases++, nonzero += m > 0;
        }
    }
    /* accents, case and plurals as typed; stop words only; unknown words */
    const char *more[] = {
        "q=ÉGLISES", "q=Forêts humides", "q=le la", "q=zzzinconnu", "q=eglise eglise",
        "q=route or route or gare", "q=(pont or gare) haie", "q=donnees", "q=carte or plan",
        /* phrases: quoted words and hyphenated names, chains of words */
        "q=\"zones humides\"", "q=\"humide zone\"", "q=saint-nazaire", "q=Aix-en-Provence",
        "q=\"plan de saint-nazaire\"", "q=\"zone humide\" or \"foret eglise\"",
        "q=-\"zone humide\"", "q=route \"zone humide\""};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        total += compare(f, more[i], 0, SEARCH_CACHED_IDS), cases++;
    /* the phrases find something (the generated titles hold them) */
    assert_true(compare(f, "q=saint-nazaire", 0, 10) > 0);
    assert_true(compare(f, "q=Aix-en-Provence", 0, 10) > 0);
    assert_true(compare(f, "q=\"zones humides\"", 0, 10) > 0);
    print_message("%zu text requests, %zu with matches, %lld matches in all\n", cases, nonzero,
                  total);
    assert_true(nonzero > cases / 2);
}

static void test_sorts_filters(void **state)
{
    struct fixture *f = *state;
    const char *cases[] = {
        "",
        "sortby=date",
        "sortby=-date",
        "sortby=title",
        "sortby=-title",
        "q=route&sortby=date",
        "q=route&sortby=-title",
        "q=eglise or foret&sortby=title",
        "partner=gen-1",
        "partner=gen-2&partner=mairie-a",
        "partner=inconnu",
        "q=reseau&organisation=Org 3",
        "keyword=doublon",
        "keyword=mot 4999&keyword=mot 17",
        "q=moulin&sortby=title",
        "q=ecole&keyword=doublon",
        "theme=farming&type=series",
        "type=dataset&format=CSV",
        "year=2010",
        "year=2011&year=2012",
        "q=batiment&year=2020",
        "bbox=-1,46.5,0.5,47.5",
        "bbox=0,47,0,47",
        "q=route&bbox=-3,45,3,50",
        "datetime=2012",
        "datetime=2010-03/2014-06-15",
        "datetime=../2008-12-31",
        "datetime=2019-05-01T00:00:00Z/..",
        "datetime=2011-07-14T12:00:00Z",
        "q=foret&datetime=2006/2015&bbox=-2,46,1,48&sortby=-date",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        compare(f, cases[i], 0, SEARCH_CACHED_IDS);
    /* deep pages, beyond the cached ids */
    compare(f, "q=route", 150, 20);
    compare(f, "sortby=title", 2000, 100);
    compare(f, "q=reseau or route&sortby=-date", 300, 7);
}

/* Requests the snapshot leaves to SQL: prefixes, phrases of another shape
 * than a chain of words, a year that is no number. */
static void test_refusals(void **state)
{
    struct fixture *f = *state;
    struct search_request r;
    struct memindex_query q = {.req = &r, .time_low = MEMINDEX_NULL, .time_high = MEMINDEX_NULL};
    struct mo_err err = {0};
    struct buf counts, ids;
    char copy[64];
    buf_init(&counts, 1 << 16);
    buf_init(&ids, 1 << 16);
    searchreq_parse(&r, copy, sizeof copy, "q=x");
    q.tsquery = "'pist':*"; /* a prefix */
    assert_int_equal(memindex_query(f->snap, &q, 0, 10, &counts, &ids, &err), MO_ENOTFOUND);
    q.tsquery = "( 'pist' | 'rout' ) <-> 'cyclabl'"; /* a phrase that is no chain of words */
    assert_int_equal(memindex_query(f->snap, &q, 0, 10, &counts, &ids, &err), MO_ENOTFOUND);
    searchreq_parse(&r, copy, sizeof copy, ""); /* search_request_set refuses it: set it here */
    r.filters[SEARCH_FACET_YEAR][0] = "deux-mille";
    r.n_filters[SEARCH_FACET_YEAR] = 1;
    q.tsquery = NULL;
    assert_int_equal(memindex_query(f->snap, &q, 0, 10, &counts, &ids, &err), MO_ENOTFOUND);
    buf_free(&counts);
    buf_free(&ids);
}

/* search_run with the index started: from memory at the snapshot's
 * generation, from SQL while it is behind, the same answers. */
static void test_search_run(void **state)
{
    struct fixture *f = *state;
    struct search *with = NULL, *without = NULL, *lagging = NULL;
    struct mo_err err = {0};
    struct search_stats st;
    assert_int_equal(search_new(&with, &err), MO_OK);
    assert_int_equal(search_new(&without, &err), MO_OK);
    assert_int_equal(search_new(&lagging, &err), MO_OK);
    assert_int_equal(search_start_index(with, f->conninfo, 0, NULL, &err), MO_OK);
    assert_int_equal(search_start_index(lagging, f->conninfo, 3600, NULL, &err), MO_OK);
    char *gen = testdb_query_value(f->conninfo, "SELECT n FROM index_generation");
    assert_true(memindex_wait(search_memindex_of(with), atoll(gen), 60000));
    assert_true(memindex_wait(search_memindex_of(lagging), atoll(gen), 60000));
    free(gen);

    const char *queries[] = {"q=eglise&facets=true", "q=route gare&sortby=title",
                             "partner=gen-3&limit=5&offset=3", "q=foret&limit=0&facets=true"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        struct search_request r;
        struct search_result a, b;
        char copy[256];
        searchreq_parse(&r, copy, sizeof copy, queries[i]);
        assert_int_equal(search_run(with, f->conn, &r, &a, &err), MO_OK);
        assert_int_equal(search_run(without, f->conn, &r, &b, &err), MO_OK);
        assert_int_equal(a.matched, b.matched);
        assert_int_equal(a.n, b.n);
        for (size_t k = 0; k < a.n; k++) {
            assert_string_equal(a.hits[k].identifier, b.hits[k].identifier);
            assert_string_equal(a.hits[k].title.text, b.hits[k].title.text);
        }
        for (int fa = 0; fa < SEARCH_FACET_COUNT && r.facets; fa++) {
            assert_int_equal(a.facets[fa].n, b.facets[fa].n);
            for (size_t k = 0; k < a.facets[fa].n; k++) {
                assert_string_equal(a.facets[fa].values[k].value, b.facets[fa].values[k].value);
                assert_int_equal(a.facets[fa].values[k].count, b.facets[fa].values[k].count);
            }
        }
        search_result_clear(&a);
        search_result_clear(&b);
    }
    search_get_stats(with, &st);
    assert_int_equal(st.from_memory, sizeof queries / sizeof queries[0]);

    /* a new entry: SQL answers until the snapshot caught up, then memory;
     * the lagging index is held behind meanwhile */
    memindex_hold(search_memindex_of(lagging), 1);
    testdb_exec(f->conn,
                "INSERT INTO record (source_id, identifier, title, hash) SELECT id, "
                "'urn:new', 'Sémaphores du littoral', 'h' FROM source WHERE name = 'gen-1';"
                "INSERT INTO entry (identifier, record_id, sources) SELECT identifier, id, "
                "ARRAY[source_id] FROM record WHERE identifier = 'urn:new'");
    gen = testdb_query_value(f->conninfo, "SELECT n FROM index_generation");
    struct search_request r;
    struct search_result a;
    char copy[64];
    searchreq_parse(&r, copy, sizeof copy, "q=semaphore");
    assert_int_equal(search_run(with, f->conn, &r, &a, &err), MO_OK);
    assert_int_equal(a.matched, 1);
    assert_int_equal(a.behind_ms, 0);
    search_result_clear(&a);
    /* with a lag but no harvest running, the answer is exact */
    assert_int_equal(search_run(lagging, f->conn, &r, &a, &err), MO_OK);
    assert_int_equal(a.matched, 1);
    assert_int_equal(a.behind_ms, 0);
    search_result_clear(&a);
    /* while a harvest runs, the older snapshot answers, and says it is
     * behind */
    testdb_exec(f->conn, "INSERT INTO harvest_run (source_id, \"full\", status) SELECT id, true, "
                         "'running' FROM source WHERE name = 'gen-2'");
    unsigned long before_lag = (search_get_stats(lagging, &st), st.from_memory);
    struct search_request r2; /* not cached: the exact answer above is, and would be served */
    char copy2[64];
    searchreq_parse(&r2, copy2, sizeof copy2, "q=semaphore&sortby=title");
    assert_int_equal(search_run(lagging, f->conn, &r2, &a, &err), MO_OK);
    search_get_stats(lagging, &st);
    assert_true(a.behind_ms > 0);
    assert_int_equal(a.matched, 0);
    assert_int_equal(st.from_memory, before_lag + 1);
    search_result_clear(&a);
    /* the exact answer cached for the current state is served before an old one */
    assert_int_equal(search_run(lagging, f->conn, &r, &a, &err), MO_OK);
    assert_int_equal(a.matched, 1);
    assert_int_equal(a.behind_ms, 0);
    search_result_clear(&a);
    testdb_exec(f->conn, "UPDATE harvest_run SET status = 'success' WHERE status = 'running'");
    memindex_hold(search_memindex_of(lagging), 0);
    assert_true(memindex_wait(search_memindex_of(with), atoll(gen), 60000));
    assert_true(memindex_wait(search_memindex_of(lagging), atoll(gen), 60000));
    assert_int_equal(search_run(lagging, f->conn, &r, &a, &err), MO_OK);
    assert_int_equal(a.matched, 1);
    assert_int_equal(a.behind_ms, 0);
    search_result_clear(&a);
    free(gen);
    searchreq_parse(&r, copy, sizeof copy, "q=semaphores&facets=true");
    unsigned long before = (search_get_stats(with, &st), st.from_memory);
    assert_int_equal(search_run(with, f->conn, &r, &a, &err), MO_OK);
    assert_int_equal(a.matched, 1);
    assert_int_equal(a.matched_exact, 1);
    assert_string_equal(a.hits[0].identifier, "urn:new");
    search_result_clear(&a);
    search_get_stats(with, &st);
    assert_int_equal(st.from_memory, before + 1);
    testdb_exec(f->conn, "DELETE FROM entry WHERE identifier = 'urn:new';"
                         "DELETE FROM record WHERE identifier = 'urn:new'");
    search_free(with);
    search_free(without);
    search_free(lagging);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_sorts_filters),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_search_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
