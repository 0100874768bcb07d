/*
 * End-to-end harvests: the partner stand-in over real HTTP on loopback, a
 * real PostgreSQL database, the real stylesheets.  Each misbehaviour of the
 * stand-in is one row: what the run must end with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "harvest_support.h"
#include "testdb.h"

#include <curl/curl.h>
#include <libexslt/exslt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmlsafe.h"

#define N_SYNTH "57"
#define N_SYNTH_NUM 57
#define PAGE 10

struct misbehaviour {
    const char *spec;       /* --misbehave value, NULL for an honest partner */
    const char *status;     /* expected run status */
    long received;          /* expected distinct records received */
    long stored;            /* expected live records of the source afterwards */
    const char *report_has; /* a phrase the report must contain, or NULL */
};

static const struct misbehaviour rows[] = {
    {NULL, "success", N_SYNTH_NUM, N_SYNTH_NUM, "6 pages, 57 of 57 announced records"},
    {"next-zero:2", "success", N_SYNTH_NUM, N_SYNTH_NUM, "nextRecord=0 before the end"},
    {"next-beyond", "success", N_SYNTH_NUM, N_SYNTH_NUM, "nextRecord beyond"},
    {"next-stuck:2", "success", N_SYNTH_NUM, N_SYNTH_NUM, "nextRecord not advancing"},
    {"repeat-page:3", "success", N_SYNTH_NUM, N_SYNTH_NUM, "repeated page"},
    {"cap:4", "success", N_SYNTH_NUM, N_SYNTH_NUM, "server cap"},
    {"ignore-max:25", "success", N_SYNTH_NUM, N_SYNTH_NUM, "maxRecords ignored"},
    {"empty-page:3", "success", N_SYNTH_NUM, N_SYNTH_NUM, "empty page"},
    {"fewer:5", "incomplete", N_SYNTH_NUM, N_SYNTH_NUM, "stopped short of the announced count"},
    {"matched-drift:3", "incomplete", N_SYNTH_NUM, N_SYNTH_NUM, "numberOfRecordsMatched changed"},
    {"truncate:2", "success", N_SYNTH_NUM, N_SYNTH_NUM, NULL},
    {"gzip", "success", N_SYNTH_NUM, N_SYNTH_NUM, NULL},
    {"encoding:ISO-8859-1", "success", N_SYNTH_NUM, N_SYNTH_NUM, NULL},
    {"encoding:windows-1252", "success", N_SYNTH_NUM, N_SYNTH_NUM, NULL},
    {"encoding:UTF-16", "success", N_SYNTH_NUM, N_SYNTH_NUM, NULL},
    {"no-post", "success", N_SYNTH_NUM, N_SYNTH_NUM, "via GET"},
    {"get-only-caps-url", "success", N_SYNTH_NUM, N_SYNTH_NUM, NULL},
    {"dc-only", "success", N_SYNTH_NUM, N_SYNTH_NUM, "csw:Record"},
    {"status:503:2", "success", N_SYNTH_NUM, N_SYNTH_NUM, NULL},
    {"exception", "failed", 0, 0, "exception report"},
    {"exception-page:3", "failed", 20, 20, "exception report"},
    {"html", "failed", 0, 0, "HTML page"},
    {"fail-after:2", "failed", 20, 20, "HTTP 500"},
    {"xxe", "failed", 0, 0, "DOCTYPE"},
    {"billion-laughs", "failed", 0, 0, "DOCTYPE"},
    {"gzip-bomb", "failed", 0, 0, "larger than"},
    {"endless", "failed", 0, 0, "larger than"},
};

static void test_misbehaving_partners(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct misbehaviour *m = &rows[i];
        struct hctx c;
        struct standin s;
        struct harvest_summary sum = {0};
        struct mo_err err = {0};
        const char *args[] = {"--synthetic", N_SYNTH, "--seed", "7", m->spec ? "--misbehave" : NULL,
                              m->spec,       NULL};

        print_message("partner %s\n", m->spec ? m->spec : "(honest)");
        hctx_open(&c, "harvest_rows");
        standin_start(&s, args);
        hctx_add_source(&c, "p", s.base_url, PAGE, NULL);
        mo_rc rc = hctx_harvest(&c, "p", 1, &sum, &err);
        assert_string_equal(sum.status, m->status);
        assert_int_equal(rc == MO_OK, strcmp(m->status, "failed") != 0);
        assert_int_equal(sum.c.received, m->received);
        assert_int_equal(hctx_count(&c, "SELECT count(*) FROM record WHERE retired_at IS NULL"),
                         m->stored);
        if (m->report_has)
            assert_non_null(strstr(sum.report, m->report_has));
        /* the run is recorded with the same status */
        char sql[128];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM harvest_run WHERE id = %lld AND status = '%s'", sum.run_id,
                 m->status);
        assert_int_equal(hctx_count(&c, sql), 1);
        harvest_summary_clear(&sum);
        standin_stop(&s);
        hctx_close(&c);
    }
}

/* Runs a harvest that must succeed and returns its summary counters. */
static struct run_counters must_harvest(struct hctx *c, int full, const char *status)
{
    struct harvest_summary sum = {0};
    struct mo_err err = {0};
    mo_rc rc = hctx_harvest(c, "p", full, &sum, &err);
    assert_string_equal(sum.status, status);
    assert_int_equal(rc, MO_OK);
    struct run_counters counters = sum.c;
    harvest_summary_clear(&sum);
    return counters;
}

static void test_reharvest_changes_and_retirement(void **state)
{
    (void)state;
    struct hctx c;
    struct standin s;
    const char *args[] = {"--synthetic", N_SYNTH, "--seed", "11", NULL};
    hctx_open(&c, "harvest_changes");
    standin_start(&s, args);
    hctx_add_source(&c, "p", s.base_url, PAGE, NULL);

    struct run_counters r1 = must_harvest(&c, 1, "success");
    assert_int_equal(r1.added, N_SYNTH_NUM);
    long long xmin_sum = hctx_count(&c, "SELECT sum(xmin::text::bigint) FROM record");

    /* unchanged: nothing rewritten */
    struct run_counters r2 = must_harvest(&c, 1, "success");
    assert_int_equal(r2.added, 0);
    assert_int_equal(r2.updated, 0);
    assert_int_equal(r2.unchanged, N_SYNTH_NUM);
    assert_int_equal(hctx_count(&c, "SELECT sum(xmin::text::bigint) FROM record"), xmin_sum);

    /* five records changed at the partner */
    standin_control(&s, "misbehave=modify:5");
    struct run_counters r3 = must_harvest(&c, 1, "success");
    assert_int_equal(r3.updated, 5);
    assert_int_equal(r3.unchanged, N_SYNTH_NUM - 5);

    /* the partner drops 4 records (7%): a full run retires them */
    standin_control(&s, "misbehave=none");
    standin_control(&s, "misbehave=modify:5");
    standin_control(&s, "misbehave=drop:4");
    struct run_counters r4 = must_harvest(&c, 1, "success");
    assert_int_equal(r4.retired, 4);
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM record WHERE retired_at IS NULL"),
                     N_SYNTH_NUM - 4);
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM entry"), N_SYNTH_NUM - 4);

    /* the listing then shrinks by 40%: nothing retired, the run says so */
    standin_control(&s, "misbehave=none");
    standin_control(&s, "misbehave=modify:5");
    standin_control(&s, "misbehave=drop:25");
    struct harvest_summary sum = {0};
    struct mo_err err = {0};
    assert_int_equal(hctx_harvest(&c, "p", 1, &sum, &err), MO_OK);
    assert_string_equal(sum.status, "incomplete");
    assert_int_equal(sum.c.retired, 0);
    assert_non_null(strstr(sum.report, "nothing retired"));
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM record WHERE retired_at IS NULL"),
                     N_SYNTH_NUM - 4);
    harvest_summary_clear(&sum);

    /* the records come back: they live again */
    standin_control(&s, "misbehave=none");
    standin_control(&s, "misbehave=modify:5");
    struct run_counters r6 = must_harvest(&c, 1, "success");
    assert_int_equal(r6.retired, 0);
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM record WHERE retired_at IS NULL"),
                     N_SYNTH_NUM);
    standin_stop(&s);
    hctx_close(&c);
}

static void test_incremental_and_constraint(void **state)
{
    (void)state;
    struct hctx c;
    struct standin s;
    const char *args[] = {"--synthetic", N_SYNTH, "--seed", "5", NULL};
    hctx_open(&c, "harvest_incremental");
    standin_start(&s, args);
    hctx_add_source(&c, "p", s.base_url, PAGE, "AnyText LIKE '%urbanisme%'");

    struct harvest_summary sum = {0};
    struct mo_err err = {0};
    assert_int_equal(hctx_harvest(&c, "p", 0, &sum, &err), MO_OK);
    assert_int_equal(sum.full, 1); /* no full run yet: full */
    assert_string_equal(sum.status, "success");
    long first = sum.c.received;
    assert_true(first > 0 && first < N_SYNTH_NUM); /* the constraint filtered */
    harvest_summary_clear(&sum);
    char *log = standin_requests(&s);
    assert_non_null(strstr(log, "urbanisme"));
    free(log);

    /* next run: incremental, asking for records modified since */
    assert_int_equal(hctx_harvest(&c, "p", 0, &sum, &err), MO_OK);
    assert_int_equal(sum.full, 0);
    assert_string_equal(sum.status, "success");
    assert_int_equal(sum.c.retired, 0);
    assert_non_null(strstr(sum.report, "modified since"));
    harvest_summary_clear(&sum);
    log = standin_requests(&s);
    assert_non_null(strstr(log, "Modified"));
    free(log);
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM record WHERE retired_at IS NULL"), first);
    standin_stop(&s);
    hctx_close(&c);
}

static void test_bad_records_are_reported(void **state)
{
    (void)state;
    const char *corpus = testdb_corpus_dir();
    if (!corpus) {
        print_message("corpus absent ($MOISSON_CORPUS): skipping\n");
        skip();
    }
    char wrong_root[1024], good[1024], demo[1024];
    snprintf(wrong_root, sizeof wrong_root, "%s/broken/not-metadata_wrong-root.xml", corpus);
    snprintf(good, sizeof good, "%s/csw/geoide-fr_getrecords_iso19139_single.xml", corpus);
    hctx_path(demo, sizeof demo, "demo/partners/commune-saint-aubin");
    struct hctx c;
    struct standin s;
    const char *args[] = {"--records", good, "--records", wrong_root, "--records", demo, NULL};
    hctx_open(&c, "harvest_bad_records");
    standin_start(&s, args);
    hctx_add_source(&c, "p", s.base_url, 5, NULL);
    struct harvest_summary sum = {0};
    struct mo_err err = {0};
    assert_int_equal(hctx_harvest(&c, "p", 1, &sum, &err), MO_OK);
    assert_int_equal(sum.c.failed, 1);
    assert_int_equal(sum.c.received, 10);
    assert_int_equal(sum.c.added, 9);
    /* a failing record: reported with its reason, nothing retired, not a success */
    assert_string_equal(sum.status, "incomplete");
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM run_error WHERE reason LIKE "
                                    "'%unsupported record root%'"),
                     1);
    harvest_summary_clear(&sum);
    standin_stop(&s);
    hctx_close(&c);
}

/* A record past HARVEST_MAX_RECORD_BYTES is a per-record error; the others
 * of its page are taken. */
static void test_huge_record_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/moisson-huge-XXXXXX", path[256], demo[1024];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/huge.xml", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("<csw:Record xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" "
          "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dct=\"http://purl.org/dc/terms/\">"
          "<dc:identifier>huge-1</dc:identifier><dc:title>Trop long</dc:title><dct:abstract>",
          fp);
    for (int i = 0; i < 9 * 1024; i++)
        for (int j = 0; j < 1024; j++)
            fputc('a' + (j % 26), fp);
    fputs("</dct:abstract></csw:Record>", fp);
    fclose(fp);
    hctx_path(demo, sizeof demo, "demo/partners/departement");
    struct hctx c;
    struct standin s;
    const char *args[] = {"--records", path, "--records", demo, NULL};
    hctx_open(&c, "harvest_huge");
    standin_start(&s, args);
    hctx_add_source(&c, "p", s.base_url, 20, NULL);
    struct harvest_summary sum = {0};
    struct mo_err err = {0};
    assert_int_equal(hctx_harvest(&c, "p", 1, &sum, &err), MO_OK);
    assert_string_equal(sum.status, "incomplete");
    assert_int_equal(sum.c.failed, 1);
    assert_int_equal(sum.c.received, 10);
    assert_int_equal(sum.c.added, 9);
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM run_error WHERE identifier = 'huge-1' "
                                    "AND reason LIKE 'record larger than%'"),
                     1);
    harvest_summary_clear(&sum);
    standin_stop(&s);
    hctx_close(&c);
    unlink(path);
    rmdir(dir);
}

static void test_unreachable_partner(void **state)
{
    (void)state;
    struct hctx c;
    hctx_open(&c, "harvest_unreachable");
    hctx_add_source(&c, "p", "http://127.0.0.1:9/csw", PAGE, NULL);
    struct harvest_summary sum = {0};
    struct mo_err err = {0};
    assert_int_not_equal(hctx_harvest(&c, "p", 1, &sum, &err), MO_OK);
    assert_string_equal(sum.status, "failed");
    assert_non_null(strstr(err.msg, "127.0.0.1:9"));
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM harvest_run WHERE status = 'failed'"), 1);
    harvest_summary_clear(&sum);
    hctx_close(&c);
}

int main(void)
{
    xmlsafe_init();
    exsltRegisterAll();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misbehaving_partners),
        cmocka_unit_test(test_reharvest_changes_and_retirement),
        cmocka_unit_test(test_incremental_and_constraint),
        cmocka_unit_test(test_bad_records_are_reported),
        cmocka_unit_test(test_huge_record_refused),
        cmocka_unit_test(test_unreachable_partner),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
