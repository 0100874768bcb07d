/*
 * test_isotime.c — dates as partners write them → timestamptz literals.
 * isotime_literal replaced moisson_parse_ts (plpgsql, schemas/001_init.sql)
 * on the write path: both must agree on every input, valid or not.  The
 * table is checked in C alone, then each row against the server function
 * in the test cluster.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "isotime.h"
#include "testdb.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

struct ts_case {
    const char *in;
    const char *want; /* NULL: not a date */
};

static const struct ts_case cases[] = {
    {"2019", "2019-01-01 00:00:00+00:00"},
    {"2019-06", "2019-06-01 00:00:00+00:00"},
    {"2019-06-30", "2019-06-30 00:00:00+00:00"},
    {"  2019-06-30\n", "2019-06-30 00:00:00+00:00"},
    {"2019-06-30T12:05", "2019-06-30 12:05:00+00:00"},
    {"2019-06-30 12:05:07", "2019-06-30 12:05:07+00:00"},
    {"2019-06-30T12:05:07Z", "2019-06-30 12:05:07+00:00"},
    {"2019-06-30T12:05:07.25+02", "2019-06-30 12:05:07.25+02:00"},
    {"2019-06-30T12:05:07.123456-0530", "2019-06-30 12:05:07.123456-05:30"},
    {"2019-06-30T12:05:07+02:00", "2019-06-30 12:05:07+02:00"},
    {"2020-02-29", "2020-02-29 00:00:00+00:00"},
    {"2000-02-29", "2000-02-29 00:00:00+00:00"},
    {"2019-12-31T24:00:00Z", "2019-12-31 24:00:00+00:00"},
    {"2016-12-31T23:59:60Z", "2016-12-31 23:59:60+00:00"},
    {"1900-02-29", NULL},
    {"2019-02-29", NULL},
    {"2019-13-01", NULL},
    {"2019-00-10", NULL},
    {"2019-04-31", NULL},
    {"0000-01-01", NULL},
    {"2019-06-30T25:00", NULL},
    {"2019-06-30T12:60", NULL},
    {"2019-06-30T24:01", NULL},
    {"2019-06-30T12:05:07+02:", NULL},
    {"2019-06-30T12:05:07+2", NULL},
    {"2019-06-30T12:05:07.", NULL},
    {"2019-06-30T", NULL},
    {"2019-6-30", NULL},
    {"19-06-30", NULL},
    {"20190630", NULL},
    {"30/06/2019", NULL},
    {"juin 2019", NULL},
    {"2019-06-30 garbage", NULL},
    {"", NULL},
    {"   ", NULL},
};

static void test_table(void **state)
{
    (void)state;
    char out[ISOTIME_LITERAL_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int ok = isotime_literal(cases[i].in, out, sizeof out);
        if (!cases[i].want) {
            if (ok)
                fail_msg("\"%s\" read as \"%s\", wanted none", cases[i].in, out);
            continue;
        }
        if (!ok)
            fail_msg("\"%s\" refused, wanted \"%s\"", cases[i].in, cases[i].want);
        assert_string_equal(out, cases[i].want);
    }
    assert_int_equal(isotime_literal(NULL, out, sizeof out), 0);
    assert_int_equal(isotime_literal("2019", out, 8), 0); /* too small an output */
}

/* Same verdict and same instant as moisson_parse_ts, row by row. */
static void test_agrees_with_server(void **state)
{
    (void)state;
    char conninfo[2048];
    testdb_create("isotime", conninfo, sizeof conninfo);
    PGconn *c = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    char out[ISOTIME_LITERAL_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int ok = isotime_literal(cases[i].in, out, sizeof out);
        const char *params[] = {cases[i].in, ok ? out : NULL};
        PGresult *r =
            PQexecParams(c, "SELECT moisson_parse_ts($1) IS NOT DISTINCT FROM $2::timestamptz", 2,
                         NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("\"%s\": %s", cases[i].in, PQerrorMessage(c));
        if (strcmp(PQgetvalue(r, 0, 0), "t") != 0)
            fail_msg("\"%s\": C says %s, the server function disagrees", cases[i].in,
                     ok ? out : "none");
        PQclear(r);
    }
    PQfinish(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_agrees_with_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
