/*
 * test_filter_sql.c — the generated SQL run against a test database: a few
 * records are put into `record` (two sources, one identifier in both) and
 * their entries computed; each row of the table is a filter (CQL or OGC
 * XML) and the identifiers it must select through `entry e JOIN record r`.
 * Covers AnyText with accents and stems, BBOX in both axis orders, the
 * spatial operators, dates at day precision, Like with custom wildcards and
 * SQL metacharacters, NULL, NOT, nested And/Or, lists, and hostile literals.
 */
#include "filter.h"

#include "testdb.h"
#include "xmlsafe.h"

#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define CONNINFO_MAX 2048
#define IDS_MAX 1024

#define XML_OPEN                                                                                   \
    "<ogc:Filter xmlns:ogc=\"http://www.opengis.net/ogc\" "                                        \
    "xmlns:gml=\"http://www.opengis.net/gml\">"
#define XML_CLOSE "</ogc:Filter>"
#define BBOX_ENV(srs, lo, up)                                                                      \
    "<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope" srs              \
    "><gml:lowerCorner>" lo "</gml:lowerCorner><gml:upperCorner>" up                               \
    "</gml:upperCorner></gml:Envelope></ogc:BBOX>"
#define LIKE(attrs, prop, lit)                                                                     \
    "<ogc:PropertyIsLike " attrs "><ogc:PropertyName>" prop "</ogc:PropertyName><ogc:Literal>" lit \
    "</ogc:Literal></ogc:PropertyIsLike>"
#define ALL "100pct,eglises,notitle,plu-wms,routes"

/* Two sources; "routes" is in both, and source a (priority 10) wins it.
 * Boxes are (east,north),(west,south) as record.bbox stores them. */
static const char *const setup_sql[] = {
    "INSERT INTO source (id, name, type, url, priority) VALUES"
    " (1, 'a', 'csw', 'http://a.invalid/csw', 10), (2, 'b', 'csw', 'http://b.invalid/csw', 100)",
    "INSERT INTO record (source_id, identifier, title, abstract, keywords, topics, organisations,"
    " type, service_type, language, modified, created, bbox, hash) VALUES"
    " (1, 'eglises', 'Églises romanes de Bourgogne', 'Inventaire des édifices religieux',"
    "  '{patrimoine,religion}', '{society}', '{DRAC Bourgogne-Franche-Comté}', 'dataset', NULL,"
    "  'fre', '2021-03-15T10:00:00Z', '2019-05-01', '(5.5,48.4),(2.8,46.2)', 'h1'),"
    " (1, 'routes', 'Routes départementales', 'Réseau routier du département', '{transport}',"
    "  '{}', '{Conseil départemental}', 'dataset', NULL, 'fre', '2020-01-01T00:00:00Z',"
    "  '2020-06-01', '(1,45),(-1,44)', 'h2'),"
    " (2, 'routes', 'Autre titre', NULL, '{}', '{}', '{}', 'dataset', NULL, NULL, NULL, NULL,"
    "  NULL, 'h3'),"
    " (1, 'plu-wms', 'Plan local d''urbanisme (WMS)', NULL, '{urbanisme}', '{planningCadastre}',"
    "  '{}', 'service', 'view', 'fre', '2020-01-01T23:30:00Z', NULL, NULL, 'h4'),"
    " (1, '100pct', 'Taux 100% _brut_', NULL, '{}', '{}', '{}', 'series', NULL, 'eng', NULL,"
    "  NULL, '(180,90),(-180,-90)', 'h5'),"
    " (1, 'notitle', NULL, 'Sans titre', '{}', '{}', '{}', 'dataset', NULL, NULL,"
    "  '2022-06-01T00:00:00Z', NULL, '(175,-15),(170,-20)', 'h6')",
    "SELECT entry_refresh(ARRAY['eglises', 'routes', 'plu-wms', '100pct', 'notitle'])",
};

enum syntax { CQL, XML };

struct select_case {
    enum syntax syntax;
    const char *text; /* CQL, or the inside of an ogc:Filter */
    const char *ids;  /* identifiers selected, sorted, joined with ',' */
};

static const struct select_case selects[] = {
    /* csw:AnyText: French full text, accents folded, plurals stemmed */
    {CQL, "csw:AnyText LIKE '%eglise%'", "eglises"},
    {CQL, "csw:AnyText = 'églises'", "eglises"},
    {CQL, "AnyText = 'EGLISE'", "eglises"},
    {CQL, "AnyText = 'edifice religieux'", "eglises"},
    {CQL, "AnyText LIKE '%rout%'", "routes"},
    {CQL, "AnyText LIKE 'plan%urba%'", "plu-wms"},
    {CQL, "AnyText = 'département'", "routes"},
    {CQL, "AnyText = 'patrimoine' OR AnyText = 'urbanisme'", "eglises,plu-wms"},
    {CQL, "csw:AnyText LIKE '%'", ALL},
    {CQL, "csw:AnyText = '!!'", ""},
    {CQL, "csw:AnyText <> 'route'", "100pct,eglises,notitle,plu-wms"},
    {CQL, "csw:AnyText = 'autre'", ""}, /* only the losing record of source b has it */
    {XML, LIKE("wildCard=\"*\" singleChar=\"?\" escapeChar=\"\\\"", "csw:AnyText", "*Églis*"),
     "eglises"},
    /* BBOX in both axis orders */
    {XML, BBOX_ENV("", "2 46", "3 47"), "100pct,eglises"},
    {XML, BBOX_ENV(" srsName=\"EPSG:4326\"", "2 46", "3 47"), "100pct,eglises"},
    {XML, BBOX_ENV(" srsName=\"urn:ogc:def:crs:EPSG::4326\"", "46 2", "47 3"), "100pct,eglises"},
    {XML, BBOX_ENV(" srsName=\"http://www.opengis.net/def/crs/EPSG/0/4326\"", "46 2", "47 3"),
     "100pct,eglises"},
    {XML, BBOX_ENV("", "46 2", "47 3"), "100pct"}, /* the same numbers read longitude first */
    {CQL, "BBOX(ows:BoundingBox, 2, 46, 3, 47)", "100pct,eglises"},
    {CQL, "BBOX(ows:BoundingBox, 46, 2, 47, 3, 'urn:x-ogc:def:crs:EPSG:4326')", "100pct,eglises"},
    {CQL, "BBOX(ows:BoundingBox, 5.5, 48.4, 6, 49)", "100pct,eglises"}, /* touching */
    {XML, BBOX_ENV("", "-5 40", "10 52"), "100pct,eglises,routes"},
    {CQL, "WITHIN(ows:BoundingBox, ENVELOPE(-5, 10, 52, 40))", "eglises,routes"},
    {CQL, "CONTAINS(ows:BoundingBox, ENVELOPE(3, 4, 48, 47))", "100pct,eglises"},
    {CQL, "DISJOINT(ows:BoundingBox, ENVELOPE(-5, 10, 52, 40))", "notitle"},
    {CQL, "INTERSECTS(ows:BoundingBox, POLYGON((171 -19, 172 -19, 172 -18, 171 -19)))",
     "100pct,notitle"},
    {CQL, "ows:BoundingBox IS NULL", "plu-wms"},
    /* dates: a day is the whole day; date-times are instants */
    {CQL, "apiso:Modified = '2020-01-01'", "plu-wms,routes"},
    {CQL, "dct:modified > '2020-01-01'", "eglises,notitle"},
    {CQL, "dct:modified <= '2020-01-01'", "plu-wms,routes"},
    {CQL, "dct:modified < '2020-01-01'", ""},
    {CQL, "dct:modified >= '2020-01-01T12:00:00Z'", "eglises,notitle,plu-wms"},
    {CQL, "dct:modified >= '2020-01-01T12:00:00-12:00'", "eglises,notitle"},
    {CQL, "apiso:Modified BETWEEN '2020' AND '2021-03-15'", "eglises,plu-wms,routes"},
    {CQL, "apiso:Modified BETWEEN '2020' AND '2021-03-15T09:59:59Z'", "plu-wms,routes"},
    {CQL, "apiso:Modified <> '2020-01'", "eglises,notitle"},
    {CQL, "apiso:CreationDate < '2020'", "eglises"},
    {CQL, "dct:modified IS NULL", "100pct"},
    {XML,
     "<ogc:PropertyIsGreaterThan><ogc:Literal>2021-03-15</ogc:Literal><ogc:PropertyName>"
     "apiso:Modified</ogc:PropertyName></ogc:PropertyIsGreaterThan>",
     "plu-wms,routes"},
    /* Like: the request's characters, SQL metacharacters of the literal escaped */
    {XML, LIKE("wildCard=\"*\" singleChar=\".\" escapeChar=\"!\"", "dc:title", "*100%*"), "100pct"},
    {XML, LIKE("wildCard=\"*\" singleChar=\".\" escapeChar=\"!\"", "dc:title", "*_brut_*"),
     "100pct"},
    {XML, LIKE("wildCard=\"*\" singleChar=\".\" escapeChar=\"!\"", "dc:title", "route. d*"),
     "routes"},
    {XML, LIKE("wildCard=\"*\" singleChar=\".\" escapeChar=\"!\"", "dc:title", "*!.*"), ""},
    {XML,
     LIKE("wildCard=\"*\" singleChar=\".\" escapeChar=\"!\" matchCase=\"true\"", "dc:title",
          "route*"),
     ""},
    {XML,
     LIKE("wildCard=\"*\" singleChar=\".\" escapeChar=\"!\" matchCase=\"true\"", "dc:title",
          "Route*"),
     "routes"},
    {CQL, "dc:title LIKE '%\\%%'", "100pct"},
    {CQL, "dc:title LIKE '%(wms)'", "plu-wms"},
    {CQL, "dc:title LIKE 'Taux 100__%'", "100pct"},
    /* equality and case */
    {CQL, "dc:title = 'Routes départementales'", "routes"},
    {CQL, "dc:title = 'routes départementales'", ""},
    {XML,
     "<ogc:PropertyIsEqualTo matchCase=\"false\"><ogc:PropertyName>dc:title"
     "</ogc:PropertyName><ogc:Literal>routes DÉPARTEMENTALES</ogc:Literal>"
     "</ogc:PropertyIsEqualTo>",
     "routes"},
    {CQL, "dc:title = 'Autre titre'", ""}, /* the record that lost the entry */
    {CQL, "dc:type = 'dataset'", "eglises,notitle,routes"},
    {CQL, "apiso:ServiceType = 'view'", "plu-wms"},
    {CQL, "dc:title < 'R'", "plu-wms"}, /* C.UTF-8 collation: 'É' sorts after 'R' */
    {CQL, "dc:identifier BETWEEN 'a' AND 'p'", "eglises,notitle"},
    /* lists */
    {CQL, "dc:subject = 'urbanisme'", "plu-wms"},
    {CQL, "apiso:Subject = 'society'", "eglises"},
    {CQL, "apiso:TopicCategory = 'society'", "eglises"},
    {CQL, "apiso:OrganisationName LIKE '%départemental%'", "routes"},
    {CQL, "dc:publisher = 'conseil départemental'", ""},
    {XML,
     "<ogc:PropertyIsEqualTo matchCase=\"false\"><ogc:PropertyName>dc:creator"
     "</ogc:PropertyName><ogc:Literal>conseil départemental</ogc:Literal>"
     "</ogc:PropertyIsEqualTo>",
     "routes"},
    {CQL, "dc:subject IS NULL", "100pct,notitle"},
    {CQL, "dc:subject <> 'transport'", "100pct,eglises,notitle,plu-wms"},
    /* NULL and NOT: a record without the property does not satisfy it */
    {CQL, "dc:title IS NULL", "notitle"},
    {CQL, "dc:title IS NOT NULL", "100pct,eglises,plu-wms,routes"},
    {CQL, "NOT dc:title LIKE '%route%'", "100pct,eglises,notitle,plu-wms"},
    {CQL, "dc:title NOT LIKE '%route%'", "100pct,eglises,notitle,plu-wms"},
    {CQL, "NOT dc:type = 'dataset'", "100pct,plu-wms"},
    {CQL, "NOT BBOX(ows:BoundingBox, -5, 40, 10, 52)", "notitle,plu-wms"},
    {CQL, "NOT NOT dc:type = 'service'", "plu-wms"},
    /* nested And / Or */
    {CQL,
     "(dc:type = 'dataset' OR dc:type = 'service') AND NOT BBOX(ows:BoundingBox, -5, 40, 10,"
     " 52)",
     "notitle,plu-wms"},
    {CQL, "dc:type = 'series' OR dc:type = 'service' AND apiso:Modified = '2020-01-01'",
     "100pct,plu-wms"},
    {CQL,
     "(dc:type = 'series' OR dc:type = 'dataset') AND (csw:AnyText LIKE 'rout%' OR"
     " dc:title IS NULL)",
     "notitle,routes"},
    {XML,
     "<ogc:And><ogc:Or><ogc:PropertyIsEqualTo><ogc:PropertyName>dc:language"
     "</ogc:PropertyName><ogc:Literal>fre</ogc:Literal></ogc:PropertyIsEqualTo>"
     "<ogc:PropertyIsNull><ogc:PropertyName>dc:language</ogc:PropertyName>"
     "</ogc:PropertyIsNull></ogc:Or><ogc:Not>" BBOX_ENV(
         "", "-1 44",
         "1 45") "</ogc:Not><ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyName>dct:modified"
                 "</ogc:PropertyName><ogc:Literal>2020</ogc:Literal></"
                 "ogc:PropertyIsGreaterThanOrEqualTo>"
                 "</ogc:And>",
     "eglises,notitle,plu-wms"},
    /* hostile literals are only values */
    {CQL, "dc:title = 'x'' OR ''1''=''1'", ""},
    {CQL, "dc:title = '''); DROP TABLE record; --'", ""},
    {CQL, "dc:title LIKE '%''||pg_sleep(5)||''%'", ""},
    {CQL, "csw:AnyText LIKE '%'' | ''eglise:*%'", "eglises"}, /* its words only */
    {CQL, "csw:AnyText = 'eglise'')) OR TRUE --'", ""},
    {XML, LIKE("wildCard=\"'\" singleChar=\"?\" escapeChar=\"\\\"", "csw:AnyText", "église' !"),
     "eglises"},
};

struct fixture {
    char conninfo[CONNINFO_MAX];
    PGconn *conn;
};

static void ignore_notice(void *arg, const char *message)
{
}

static void exec_ok(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("could not run \"%.60s…\": %s", sql, PQerrorMessage(conn));
    PQclear(res);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    testdb_create("filter_sql", f->conninfo, sizeof f->conninfo);
    f->conn = PQconnectdb(f->conninfo);
    if (PQstatus(f->conn) != CONNECTION_OK)
        fail_msg("connect: %s", PQerrorMessage(f->conn));
    PQsetNoticeProcessor(f->conn, ignore_notice, NULL);
    for (size_t i = 0; i < sizeof setup_sql / sizeof setup_sql[0]; i++)
        exec_ok(f->conn, setup_sql[i]);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    PQfinish(f->conn);
    free(f);
    return 0;
}

static mo_rc parse(enum syntax syntax, const char *text, struct filter **out, struct mo_err *err)
{
    char doc[16384];
    if (syntax == CQL)
        return filter_parse_cql(text, out, err);
    snprintf(doc, sizeof doc, "%s%s%s", XML_OPEN, text, XML_CLOSE);
    return filter_parse_ogc_text(doc, strlen(doc), out, err);
}

/* Runs "SELECT e.identifier … WHERE <prefix><filter>" and joins the sorted
 * identifiers into ids; the caller's own parameters come first.  0 on
 * success, -1 with the server's message in ids. */
static int select_ids(PGconn *conn, const struct filter *flt, const char *prefix,
                      struct sql_params *p, char *ids, size_t size)
{
    struct buf sql;
    struct mo_err err = {0};
    buf_init(&sql, 1 << 20);
    assert_int_equal(buf_append_str(&sql, "SELECT e.identifier FROM entry e JOIN record r"
                                          " ON r.id = e.record_id WHERE "),
                     MO_OK);
    assert_int_equal(buf_append_str(&sql, prefix), MO_OK);
    if (filter_to_sql(flt, &sql, p, &err) != MO_OK)
        fail_msg("filter_to_sql: %s", err.msg);
    assert_int_equal(buf_append_str(&sql, " ORDER BY e.identifier"), MO_OK);
    PGresult *res =
        PQexecParams(conn, sql.data, p->n, NULL, (const char *const *)p->values, NULL, NULL, 0);
    int rc = 0;
    size_t len = 0;
    ids[0] = '\0';
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(ids, size, "%s (SQL: %s)", PQresultErrorMessage(res), sql.data);
        rc = -1;
    }
    for (int i = 0; rc == 0 && i < PQntuples(res); i++)
        len += (size_t)snprintf(ids + len, len < size ? size - len : 0, "%s%s", i ? "," : "",
                                PQgetvalue(res, i, 0));
    PQclear(res);
    buf_free(&sql);
    return rc;
}

static void test_selects(void **state)
{
    struct fixture *f = *state;
    int failures = 0;
    for (size_t i = 0; i < sizeof selects / sizeof selects[0]; i++) {
        const struct select_case *c = &selects[i];
        struct mo_err err = {0};
        struct filter *flt = NULL;
        struct sql_params p = {0};
        char ids[IDS_MAX];
        if (parse(c->syntax, c->text, &flt, &err) != MO_OK) {
            print_error("case %zu (%s): %s\n", i, c->text, err.msg);
            failures++;
            continue;
        }
        if (select_ids(f->conn, flt, "", &p, ids, sizeof ids) != 0 || strcmp(ids, c->ids)) {
            print_error("case %zu (%s):\n  selected %s\n  wanted   %s\n", i, c->text, ids, c->ids);
            failures++;
        }
        filter_free(flt);
        sql_params_free(&p);
    }
    assert_int_equal(failures, 0);
}

/* The caller's own conditions and parameters come first; the filter's
 * numbering follows them. */
static void test_combined_with_caller(void **state)
{
    struct fixture *f = *state;
    struct mo_err err = {0};
    struct filter *flt = NULL;
    struct sql_params p = {0};
    char ids[IDS_MAX];
    assert_int_equal(sql_params_add(&p, "routes", &err), MO_OK);
    assert_int_equal(sql_params_add(&p, "1", &err), MO_OK);
    assert_int_equal(filter_parse_cql("dc:type = 'dataset' AND dct:modified >= '2020'", &flt, &err),
                     MO_OK);
    assert_int_equal(select_ids(f->conn, flt,
                                "e.identifier <> $1 AND r.source_id = $2::bigint AND ", &p, ids,
                                sizeof ids),
                     0);
    assert_string_equal(ids, "eglises,notitle");
    assert_int_equal(p.n, 4);
    filter_free(flt);
    sql_params_free(&p);
}

/* Refused filters touch nothing; the tables are all still there. */
static void test_hostile_names(void **state)
{
    struct fixture *f = *state;
    static const char *const cql[] = {
        "\"dc:title; DROP TABLE record\" = 'x'",
        "dc:title; DROP TABLE record",
        "\"r.title) OR (1=1\" = 'x'",
        "\"pg_sleep(10)\" = 'x'",
        "\"../../../etc/passwd\" IS NULL",
    };
    for (size_t i = 0; i < sizeof cql / sizeof cql[0]; i++) {
        struct mo_err err = {0};
        struct filter *flt = NULL;
        assert_int_equal(filter_parse_cql(cql[i], &flt, &err), MO_EBADREQ);
        assert_null(flt);
    }
    char *n = testdb_query_value(f->conninfo, "SELECT count(*) FROM record");
    assert_string_equal(n, "6");
    free(n);
    n = testdb_query_value(f->conninfo, "SELECT count(*) FROM entry");
    assert_string_equal(n, "5");
    free(n);
}

int main(void)
{
    xmlsafe_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selects),
        cmocka_unit_test(test_combined_with_caller),
        cmocka_unit_test(test_hostile_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
