/*
 * test_search.c — the search core (aggregator/search.h) on a test database
 * holding tests/fixtures/search/records.sql: French text that forgives
 * accents, case and plurals, relevance order, highlighting, every facet and
 * its counts, facet filters, bbox, datetime, sorts, paging, the cache and
 * the index generation, the estimate past SEARCH_EXACT_MAX, and the
 * parameters' refusals as a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "search.h"
#include "search_internal.h"
#include "searchreq.h"
#include "testdb.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
    char conninfo[1024];
    PGconn *conn;
    struct search *search;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct mo_err err = {0};
    testdb_create("search", f->conninfo, sizeof f->conninfo);
    f->conn = testdb_connect(f->conninfo);
    char *sql = testdb_read_source("tests/fixtures/search/records.sql");
    testdb_exec(f->conn, sql);
    free(sql);
    /* the opt-in RUM index where the extension is installed (the relevance
     * cases then run with it, and again without in test_ids_without_rum) */
    PGresult *rum = PQexec(f->conn, "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS rum; "
                                    "CREATE INDEX record_fts_rum ON record USING rum "
                                    "(fts rum_tsvector_ops); EXCEPTION WHEN undefined_file THEN "
                                    "NULL; END $$");
    PQclear(rum);
    char *has = testdb_query_value(f->conninfo, "SELECT count(*) FROM pg_class WHERE relname = "
                                                "'record_fts_rum'");
    print_message("relevance %s the RUM index\n", has[0] == '1' ? "with" : "without");
    free(has);
    if (search_new(&f->search, &err) != MO_OK)
        fail_msg("%s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    search_free(f->search);
    PQfinish(f->conn);
    free(f);
    return 0;
}

/* Runs query; writes the identifiers of the page, ','-joined, into ids. */
static void run(struct fixture *f, const char *query, struct search_result *res, char *ids,
                size_t size)
{
    struct search_request r;
    struct mo_err err = {0};
    char copy[1024];
    searchreq_parse(&r, copy, sizeof copy, query);
    if (search_run(f->search, f->conn, &r, res, &err) != MO_OK)
        fail_msg("search %s: %s", query, err.msg);
    ids[0] = '\0';
    for (size_t i = 0; i < res->n; i++)
        snprintf(ids + strlen(ids), size - strlen(ids), "%s%s", i ? "," : "",
                 res->hits[i].identifier);
}

/* ---- which entries, in which order ---- */

struct case_ids {
    const char *query;
    const char *ids; /* in order */
    long long matched;
};

static const struct case_ids id_cases[] = {
    /* accents, case, plurals: both records with "église" in some form,
     * the title match (weight A) before the abstract match (C) */
    {"q=eglise", "r-eglises,r-eglise-abstract", 2},
    {"q=EGLISES", "r-eglises,r-eglise-abstract", 2},
    {"q=Église", "r-eglises,r-eglise-abstract", 2},
    {"q=ecole", "r-dup", 1},
    {"q=lavoir", "r-eglise-abstract", 1},
    {"q=eglise -romane", "r-eglises", 1},
    {"q=\"centre ville\"", "r-eglises", 1},
    {"q=eglise or routier", "r-eglises,r-eglise-abstract,r-routes", 3},
    {"q=inexistant", "", 0},
    {"q=le la", "", 0}, /* stop words only */
    /* facet filters, alone and combined (values OR, facets AND) */
    {"partner=agglo-b&sortby=title", "r-dup,r-eglise-abstract", 2},
    {"partner=dept-c&partner=agglo-b&sortby=title", "r-dup,r-eglise-abstract,r-routes,r-hostile",
     4},
    {"organisation=Département&sortby=title", "r-routes,r-hostile", 2},
    {"keyword=patrimoine&sortby=title", "r-eglises,r-eglise-abstract", 2},
    {"theme=transportation", "r-routes", 1},
    {"type=series", "r-routes", 1},
    {"type=service&type=series&sortby=title", "r-routes,r-hostile", 2},
    {"format=PDF&sortby=title", "r-nobbox,r-routes", 2},
    {"year=2020&sortby=title", "r-dup,r-eglises", 2},
    {"year=2020&keyword=patrimoine", "r-eglises", 1},
    {"q=eglise&partner=mairie-a", "r-eglises", 1},
    {"partner=nobody", "", 0},
    /* bbox: intersects (touching counts); no bbox never matches */
    {"bbox=1.5,47.5,2.5,48.5&sortby=title", "r-eglise-abstract,r-routes", 2},
    {"bbox=-0.5,47.2,0.2,47.3&sortby=title", "r-dup,r-eglises,r-routes", 3},
    {"bbox=10,10,11,11", "", 0},
    /* datetime: temporal extent, else the metadata date */
    {"datetime=2012-01-01/2013-01-01", "r-routes", 1},
    {"datetime=2020-05-01", "r-eglises", 1},
    {"datetime=2020", "r-dup,r-eglises", 2},
    {"datetime=../2016-01-01", "r-routes", 1},
    {"datetime=2022-01-01/..", "r-hostile", 1},
    {"datetime=2021-03-01T00:00:00Z", "r-eglise-abstract", 1},
    /* sorts; without q relevance is the most recent first */
    {"sortby=title", "r-dup,r-eglises,r-eglise-abstract,r-nobbox,r-routes,r-hostile", 6},
    {"sortby=-title", "r-hostile,r-routes,r-nobbox,r-eglise-abstract,r-eglises,r-dup", 6},
    {"sortby=date", "r-routes,r-eglises,r-dup,r-eglise-abstract,r-hostile,r-nobbox", 6},
    {"sortby=-updated", "r-hostile,r-eglise-abstract,r-dup,r-eglises,r-routes,r-nobbox", 6},
    {"", "r-hostile,r-eglise-abstract,r-dup,r-eglises,r-routes,r-nobbox", 6},
    /* paging */
    {"sortby=title&limit=2", "r-dup,r-eglises", 6},
    {"sortby=title&limit=2&offset=2", "r-eglise-abstract,r-nobbox", 6},
    {"sortby=title&limit=2&offset=4", "r-routes,r-hostile", 6},
    {"sortby=title&limit=2&offset=6", "", 6},
    {"sortby=title&limit=0", "", 6},
    {"sortby=title&limit=1000&offset=5", "r-hostile", 6}, /* limit capped at 100 */
};

static void test_ids(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof id_cases / sizeof id_cases[0]; i++) {
        const struct case_ids *c = &id_cases[i];
        struct search_result res;
        char ids[2048];
        run(f, c->query, &res, ids, sizeof ids);
        if (strcmp(ids, c->ids) || res.matched != c->matched || !res.matched_exact)
            fail_msg("case %zu \"%s\": got [%s] matched %lld exact %d, wanted [%s] %lld", i,
                     c->query, ids, res.matched, res.matched_exact, c->ids, c->matched);
        search_result_clear(&res);
    }
}

/* The same order with ts_rank when the RUM index is missing (a server
 * without postgresql-15-rum): the index is dropped inside a transaction
 * that is rolled back. */
static void test_ids_without_rum(void **state)
{
    struct fixture *f = *state;
    testdb_exec(f->conn, "BEGIN; DROP INDEX IF EXISTS record_fts_rum");
    for (size_t i = 0; i < sizeof id_cases / sizeof id_cases[0]; i++) {
        const struct case_ids *c = &id_cases[i];
        struct search_result res;
        char ids[2048];
        if (strncmp(c->query, "q=", 2))
            continue;
        run(f, c->query, &res, ids, sizeof ids);
        if (strcmp(ids, c->ids) || res.matched != c->matched)
            fail_msg("case %zu \"%s\" without rum: got [%s] %lld, wanted [%s] %lld", i, c->query,
                     ids, res.matched, c->ids, c->matched);
        search_result_clear(&res);
    }
    testdb_exec(f->conn, "ROLLBACK");
}

/* ---- highlighting, provenance, geometry ---- */

static void test_hits(void **state)
{
    struct fixture *f = *state;
    struct search_result res;
    char ids[1024];
    run(f, "q=eglise", &res, ids, sizeof ids);
    assert_int_equal(res.n, 2);
    const struct search_hit *h = &res.hits[0];
    assert_string_equal(h->title.text, "Églises du centre-ville");
    assert_int_equal(h->title.n_matches, 1);
    assert_int_equal(h->title.match_start[0], 0);
    assert_int_equal(h->title.match_len[0], strlen("Églises"));
    assert_true(h->rank > res.hits[1].rank);
    assert_string_equal(h->sources, "mairie-a");
    assert_string_equal(h->type, "dataset");
    assert_string_equal(h->modified, "2020-05-01T00:00:00Z");
    assert_true(h->has_bbox);
    assert_true(h->bbox[0] == -1 && h->bbox[1] == 47 && h->bbox[2] == 0 && h->bbox[3] == 48);
    /* the abstract match: the excerpt marks "église" inside the sentence */
    h = &res.hits[1];
    assert_int_equal(h->excerpt.n_matches, 1);
    assert_memory_equal(h->excerpt.text + h->excerpt.match_start[0], "église", strlen("église"));
    assert_int_equal(h->excerpt.match_len[0], strlen("église"));
    search_result_clear(&res);

    /* an entry carried by two partners: both, in precedence order */
    run(f, "q=ecoles", &res, ids, sizeof ids);
    assert_int_equal(res.n, 1);
    assert_string_equal(res.hits[0].sources, "mairie-a, agglo-b");
    assert_string_equal(res.hits[0].title.text, "Écoles publiques");
    search_result_clear(&res);

    /* hostile text comes back as it was, minus the control characters the
     * marks use; no bbox: has_bbox 0 */
    run(f, "q=titre", &res, ids, sizeof ids);
    assert_int_equal(res.n, 1);
    assert_string_equal(res.hits[0].title.text, "Titre \"quoté\" \\ barre </script> <b>gras</b>");
    assert_null(strchr(res.hits[0].excerpt.text, '\x01'));
    search_result_clear(&res);
    run(f, "q=urbanisme", &res, ids, sizeof ids);
    assert_int_equal(res.n, 1);
    assert_false(res.hits[0].has_bbox);
    assert_string_equal(res.hits[0].type, "");
    assert_string_equal(res.hits[0].modified, "");
    search_result_clear(&res);
}

/* ---- facets ---- */

struct case_facet {
    const char *query;
    int facet;
    const char *counts; /* "value=count,…" most frequent first */
};

static const struct case_facet facet_cases[] = {
    {"facets=true", SEARCH_FACET_PARTNER, "mairie-a=3,agglo-b=2,dept-c=2"},
    {"facets=true", SEARCH_FACET_ORGANISATION, "Ville A=4,Département=2"},
    {"facets=true", SEARCH_FACET_KEYWORD,
     "patrimoine=2,lieux de culte=1,transport=1,urbanisme=1,éducation=1"},
    {"facets=true", SEARCH_FACET_THEME, "society=3,planningCadastre=1,transportation=1"},
    {"facets=true", SEARCH_FACET_TYPE, "dataset=3,series=1,service=1"},
    {"facets=true", SEARCH_FACET_FORMAT, "ESRI Shapefile=2,PDF=2,CSV=1,GeoJSON=1"},
    {"facets=true", SEARCH_FACET_YEAR, "2020=2,2019=1,2021=1,2022=1"},
    {"facets=true&q=eglise", SEARCH_FACET_PARTNER, "agglo-b=1,mairie-a=1"},
    {"facets=true&q=eglise", SEARCH_FACET_YEAR, "2020=1,2021=1"},
    {"facets=true&partner=agglo-b", SEARCH_FACET_PARTNER, "agglo-b=2,mairie-a=1"},
    {"facets=true&q=inexistant", SEARCH_FACET_TYPE, ""},
};

static void test_facets(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof facet_cases / sizeof facet_cases[0]; i++) {
        const struct case_facet *c = &facet_cases[i];
        struct search_result res;
        char ids[1024], got[1024] = "";
        run(f, c->query, &res, ids, sizeof ids);
        const struct search_facet_counts *fc = &res.facets[c->facet];
        for (size_t k = 0; k < fc->n; k++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s=%lld", k ? "," : "",
                     fc->values[k].value, fc->values[k].count);
        if (strcmp(got, c->counts))
            fail_msg("case %zu \"%s\" facet %s: got [%s], wanted [%s]", i, c->query,
                     search_facet_name(c->facet), got, c->counts);
        search_result_clear(&res);
    }
}

/* ---- the cache follows the index generation ---- */

static void test_cache_generation(void **state)
{
    struct fixture *f = *state;
    struct search_result res;
    char ids[1024];
    run(f, "q=lavoirs&facets=true", &res, ids, sizeof ids);
    assert_int_equal(res.matched, 1);
    search_result_clear(&res);
    run(f, "q=lavoirs&facets=true", &res, ids, sizeof ids);
    assert_true(res.cached);
    assert_int_equal(res.matched, 1);
    assert_string_equal(ids, "r-eglise-abstract");
    long long gen = res.generation;
    search_result_clear(&res);
    testdb_exec(f->conn, "INSERT INTO record (source_id, identifier, title, hash) SELECT id, "
                         "'r-lavoir-2', 'Lavoirs anciens', 'h' FROM source WHERE name = 'dept-c'; "
                         "SELECT entry_refresh('{r-lavoir-2}')");
    run(f, "q=lavoirs&facets=true", &res, ids, sizeof ids);
    assert_false(res.cached);
    assert_true(res.generation > gen);
    assert_int_equal(res.matched, 2);
    assert_string_equal(ids, "r-lavoir-2,r-eglise-abstract");
    search_result_clear(&res);
    testdb_exec(f->conn, "DELETE FROM record WHERE identifier = 'r-lavoir-2'; "
                         "SELECT entry_refresh('{r-lavoir-2}')");
    struct search_stats st;
    search_get_stats(f->search, &st);
    assert_true(st.cache_hits >= 1 && st.cache_misses >= 2);
}

/* The shared cache keeps as many keys as it has ways around a slot: with 4
 * slots, any 4 keys stay; a fifth evicts the least recently used; a value
 * of another generation is not served. */
static void test_cache_ways(void **state)
{
    (void)state;
    struct search_cache *c = NULL;
    struct mo_err err = {0};
    char key[16], *v;
    assert_int_equal(search_cache_new(4, &c, &err), MO_OK);
    for (int i = 0; i < 4; i++) {
        snprintf(key, sizeof key, "k%d", i);
        search_cache_put(c, key, strlen(key), 7, key);
    }
    for (int i = 0; i < 4; i++) {
        snprintf(key, sizeof key, "k%d", i);
        v = search_cache_get(c, key, strlen(key), 7);
        assert_non_null(v);
        assert_string_equal(v, key);
        free(v);
    }
    assert_null(search_cache_get(c, "k0", 2, 8)); /* another generation */
    v = search_cache_get(c, "k0", 2, 7);          /* k0 used last: k1 is the oldest */
    free(v);
    search_cache_put(c, "k4", 2, 7, "k4");
    v = search_cache_get(c, "k1", 2, 7);
    assert_null(v);
    for (int i = 0; i < 5; i++) {
        if (i == 1)
            continue;
        snprintf(key, sizeof key, "k%d", i);
        v = search_cache_get(c, key, strlen(key), 7);
        assert_non_null(v);
        free(v);
    }
    search_cache_put(c, "k0", 2, 9, "new"); /* same key: replaced in place */
    v = search_cache_get(c, "k0", 2, 9);
    assert_string_equal(v, "new");
    free(v);
    search_cache_free(c);
}

/* ---- past SEARCH_EXACT_MAX: estimates, said to be so ---- */

static void test_estimate(void **state)
{
    struct fixture *f = *state;
    struct search_result res;
    char ids[4096];
    /* 6,400 records with "cadastre"; 1,600 of them (id-spread) in 2001 */
    testdb_exec(f->conn,
                "INSERT INTO record (source_id, identifier, title, modified, hash) SELECT s.id, "
                "'cad-' || g, 'Cadastre feuille ' || g, make_date(2001 + g % 4, 1, 1), 'h' || g "
                "FROM source s, generate_series(1, 6400) g WHERE s.name = 'dept-c'; "
                "SELECT entry_refresh(array_agg(identifier)) FROM record WHERE identifier LIKE "
                "'cad-%'; ANALYZE record");
    run(f, "q=cadastre&facets=true&limit=3", &res, ids, sizeof ids);
    assert_false(res.matched_exact);
    /* the 1/16 sample of 6,400 rows: within 25% of the truth */
    assert_true(res.matched > 4800 && res.matched < 8000);
    assert_int_equal(res.n, 3); /* the page is real */
    assert_int_equal(res.facets[SEARCH_FACET_PARTNER].n, 1);
    assert_true(res.facets[SEARCH_FACET_PARTNER].values[0].count % 16 == 0);
    search_result_clear(&res);
    /* a narrower query below the threshold is exact again */
    run(f, "q=cadastre&year=2001&facets=true&limit=0", &res, ids, sizeof ids);
    assert_true(res.matched_exact);
    assert_int_equal(res.matched, 1600);
    assert_int_equal(res.facets[SEARCH_FACET_YEAR].n, 1);
    assert_int_equal(res.facets[SEARCH_FACET_YEAR].values[0].count, 1600);
    search_result_clear(&res);
    /* deep pages past the cached first ones */
    run(f, "q=cadastre&sortby=title&limit=2&offset=150", &res, ids, sizeof ids);
    assert_int_equal(res.n, 2);
    search_result_clear(&res);
    testdb_exec(f->conn, "DELETE FROM record WHERE identifier LIKE 'cad-%'; "
                         "SELECT entry_refresh(array_agg(g)) FROM (SELECT 'cad-' || g AS g FROM "
                         "generate_series(1, 6400) g) x");
}

/* ---- parameters ---- */

struct case_param {
    const char *name, *value;
    mo_rc rc;
    const char *msg; /* part of the message */
};

static const struct case_param param_cases[] = {
    {"q", "eglise", MO_OK, NULL},
    {"bbox", "-1,47,0,48", MO_OK, NULL},
    {"bbox", "-1,47,0,0,48,100", MO_OK, NULL},
    {"bbox", "1,2,3", MO_EBADREQ, "bad parameter bbox \"1,2,3\""},
    {"bbox", "a,b,c,d", MO_EBADREQ, "bbox"},
    {"bbox", "-200,47,0,48", MO_EBADREQ, "longitude"},
    {"bbox", "0,91,1,92", MO_EBADREQ, "latitude"},
    {"bbox", "0,48,1,47", MO_EBADREQ, "south above north"},
    {"bbox", "170,0,-170,1", MO_EBADREQ, "antimeridian"},
    {"bbox", "1,2,3,4,", MO_EBADREQ, "bbox"},
    {"bbox", "nan,2,3,4", MO_EBADREQ, "bbox"},
    {"datetime", "2020-01-01", MO_OK, NULL},
    {"datetime", "2020-01-01T10:00:00Z/..", MO_OK, NULL},
    {"datetime", "../2020", MO_OK, NULL},
    {"datetime", "../..", MO_EBADREQ, "both ends open"},
    {"datetime", "2020-13-01", MO_EBADREQ, "datetime"},
    {"datetime", "hier", MO_EBADREQ, "bad parameter datetime \"hier\""},
    {"datetime", "2020/2021/2022", MO_EBADREQ, "datetime"},
    {"datetime", "", MO_EBADREQ, "datetime"},
    {"sortby", "-title", MO_OK, NULL},
    {"sortby", "updated", MO_OK, NULL},
    {"sortby", "size", MO_EBADREQ, "bad parameter sortby \"size\""},
    {"limit", "0", MO_OK, NULL},
    {"limit", "100000", MO_OK, NULL},
    {"limit", "-1", MO_EBADREQ, "bad parameter limit \"-1\""},
    {"limit", "ten", MO_EBADREQ, "limit"},
    {"limit", "", MO_EBADREQ, "limit"},
    {"offset", "10000", MO_OK, NULL},
    {"offset", "10001", MO_EBADREQ, "bad parameter offset"},
    {"offset", "1e3", MO_EBADREQ, "offset"},
    {"facets", "yes", MO_EBADREQ, "bad parameter facets \"yes\""},
    {"year", "20x0", MO_EBADREQ, "bad parameter year"},
    {"year", "202", MO_EBADREQ, "year"},
    {"partner", "", MO_EBADREQ, "bad parameter partner"},
    {"q", "\"quote\" and \\ back'; DROP TABLE record; --", MO_OK, NULL},
    {"unknown", "x", MO_ENOTFOUND, NULL},
    {"Q", "x", MO_ENOTFOUND, NULL},
};

static void test_params(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof param_cases / sizeof param_cases[0]; i++) {
        const struct case_param *c = &param_cases[i];
        struct search_request r;
        struct mo_err err = {0};
        search_request_init(&r);
        mo_rc rc = search_request_set(&r, c->name, c->value, &err);
        if (rc != c->rc || (c->msg && !strstr(err.msg, c->msg)))
            fail_msg("case %zu %s=%s: rc %d \"%s\", wanted %d \"%s\"", i, c->name, c->value,
                     (int)rc, err.msg, (int)c->rc, c->msg ? c->msg : "");
    }
    /* too many values of one facet; q too long */
    struct search_request r;
    struct mo_err err = {0};
    search_request_init(&r);
    for (int i = 0; i < SEARCH_MAX_FILTER_VALUES; i++)
        assert_int_equal(search_request_set(&r, "type", "dataset", &err), MO_OK);
    assert_int_equal(search_request_set(&r, "type", "dataset", &err), MO_EBADREQ);
    char longq[SEARCH_MAX_Q + 2];
    memset(longq, 'a', sizeof longq - 1);
    longq[sizeof longq - 1] = '\0';
    assert_int_equal(search_request_set(&r, "q", longq, &err), MO_EBADREQ);
    assert_non_null(strstr(err.msg, "bad parameter q"));
}

/* Hostile text in q and filters runs as a parameter: no SQL error. */
static void test_hostile(void **state)
{
    struct fixture *f = *state;
    static const char *const queries[] = {
        "q='; DROP TABLE record; --",     "q=\\\"\"\" or or -",
        "q=<script>alert(1)</script>",    "keyword=\"}{,\\",
        "partner=mairie-a\"} OR true --", "q=eglise:* | !",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        struct search_result res;
        char ids[1024];
        run(f, queries[i], &res, ids, sizeof ids);
        assert_true(res.matched_exact);
        search_result_clear(&res);
    }
    char *still = testdb_query_value(f->conninfo, "SELECT count(*) >= 6 FROM record");
    assert_string_equal(still, "t");
    free(still);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),          cmocka_unit_test(test_ids),
        cmocka_unit_test(test_ids_without_rum), cmocka_unit_test(test_hits),
        cmocka_unit_test(test_facets),          cmocka_unit_test(test_cache_generation),
        cmocka_unit_test(test_hostile),         cmocka_unit_test(test_estimate),
        cmocka_unit_test(test_cache_ways),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
