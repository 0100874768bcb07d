/*
 * End-to-end harvests of partners that page in other ways than CSW 2.0.2:
 * a catalog that speaks only CSW 3.0.0, and DCAT feeds paged by Hydra that
 * lie about their paging.  The partner stand-in over real HTTP on loopback
 * (--csw-version 3.0.0, --dcat-synthetic), a real PostgreSQL database, the
 * real stylesheets.  Each lie is one row: what the run ends as, what it
 * received, that nothing is retired after a run that was not complete and
 * consistent, that nothing stored is lost, and what the report says the
 * partner did.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "harvest_support.h"
#include "rdf.h"
#include "testdb.h"
#include "xmlsafe.h"

#include <curl/curl.h>
#include <libexslt/exslt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_RECORDS "57"
#define N_RECORDS_NUM 57
#define PAGE 10
#define DROPPED 3 /* datasets the feed loses before the lying run */

static struct rdf_world *rdf; /* one per process (rdf.h) */

/* ---- helpers ---- */

static long long live_records(struct hctx *c)
{
    return hctx_count(c, "SELECT count(*) FROM record WHERE retired_at IS NULL");
}

/* The run's status as recorded in the store. */
static void assert_recorded(struct hctx *c, long long run_id, const char *status)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM harvest_run WHERE id = %lld AND status = '%s'",
             run_id, status);
    assert_int_equal(hctx_count(c, sql), 1);
}

static void assert_report_has(const struct harvest_summary *sum, const char *phrase)
{
    if (phrase && (!sum->report || !strstr(sum->report, phrase)))
        fail_msg("the report does not say \"%s\": %s", phrase, sum->report ? sum->report : "");
}

/* Runs a full harvest of source "p" that must end with status; returns its
 * summary (the caller clears it). */
static struct harvest_summary harvest(struct hctx *c, const char *status)
{
    struct harvest_summary sum = {0};
    struct mo_err err = {0};
    mo_rc rc = hctx_harvest(c, "p", 1, &sum, &err);
    assert_string_equal(sum.status, status);
    assert_int_equal(rc == MO_OK, strcmp(status, "failed") != 0);
    assert_recorded(c, sum.run_id, status);
    return sum;
}

/* ---- CSW 3.0.0 ---- */

/* A catalog that speaks only CSW 3.0.0: harvested completely, then again
 * unchanged, then incrementally (an FES 2.0 filter the partner reads). */
static void test_csw3_partner(void **state)
{
    (void)state;
    struct hctx c;
    struct standin s;
    const char *args[] = {"--synthetic", N_RECORDS, "--seed", "7", "--csw-version", "3.0.0", NULL};
    hctx_open(&c, "paging_csw3");
    standin_start(&s, args);
    hctx_add_source(&c, "p", s.base_url, PAGE, NULL);

    struct harvest_summary sum = harvest(&c, "success");
    assert_int_equal(sum.c.received, N_RECORDS_NUM);
    assert_int_equal(sum.c.added, N_RECORDS_NUM);
    assert_report_has(&sum, "CSW 3.0.0, ISO 19139");
    assert_report_has(&sum, "6 pages, 57 of 57 announced records");
    harvest_summary_clear(&sum);
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM record WHERE schema = 'iso19139' AND "
                                    "title IS NOT NULL AND retired_at IS NULL"),
                     N_RECORDS_NUM);
    /* it was asked in CSW 3.0: the 3.0 namespace, no resultType */
    char *log = standin_requests(&s);
    assert_non_null(strstr(log, "acceptVersions=2.0.2,3.0.0"));
    assert_non_null(strstr(log, "http://www.opengis.net/cat/csw/3.0"));
    assert_null(strstr(log, "resultType"));
    free(log);

    /* unchanged: nothing rewritten */
    sum = harvest(&c, "success");
    assert_int_equal(sum.c.added, 0);
    assert_int_equal(sum.c.updated, 0);
    assert_int_equal(sum.c.unchanged, N_RECORDS_NUM);
    harvest_summary_clear(&sum);

    /* incremental: a FES 2.0 filter on apiso:Modified, understood by the partner */
    standin_control(&s, "reset=1");
    struct mo_err err = {0};
    assert_int_equal(hctx_harvest(&c, "p", 0, &sum, &err), MO_OK);
    assert_int_equal(sum.full, 0);
    assert_string_equal(sum.status, "success");
    assert_report_has(&sum, "incremental run");
    harvest_summary_clear(&sum);
    log = standin_requests(&s);
    assert_non_null(strstr(log, "ValueReference>apiso:Modified<"));
    assert_null(strstr(log, "\"ignored\""));
    free(log);
    standin_stop(&s);
    hctx_close(&c);
}

struct csw3_row {
    const char *spec;       /* --misbehave */
    const char *status;     /* expected run status */
    long received;          /* distinct records received */
    const char *report_has; /* a phrase the report must contain */
};

/* CSW 3.0.0 paging lies: the same rules as for 2.0.2 (test_harvest.c). */
static const struct csw3_row csw3_rows[] = {
    {"next-zero:2", "success", N_RECORDS_NUM, "nextRecord=0 before the end"},
    {"repeat-page:3", "success", N_RECORDS_NUM, "repeated page"},
    {"empty-page:3", "success", N_RECORDS_NUM, "empty page"},
    {"cap:4", "success", N_RECORDS_NUM, "server cap"},
    {"fewer:5", "incomplete", N_RECORDS_NUM, "stopped short of the announced count"},
    {"matched-drift:3", "incomplete", N_RECORDS_NUM, "numberOfRecordsMatched changed"},
    {"dc-only", "success", N_RECORDS_NUM, "CSW 3.0.0, csw:Record"},
    {"no-post", "success", N_RECORDS_NUM, "via GET"},
    {"exception-page:3", "failed", 20, "exception report: NoApplicableCode"},
};

static void test_csw3_paging_lies(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof csw3_rows / sizeof *csw3_rows; i++) {
        const struct csw3_row *r = &csw3_rows[i];
        struct hctx c;
        struct standin s;
        const char *args[] = {"--synthetic", N_RECORDS,     "--seed", "7", "--csw-version",
                              "3.0.0",       "--misbehave", r->spec,  NULL};
        print_message("CSW 3.0.0 partner %s\n", r->spec);
        hctx_open(&c, "paging_csw3_rows");
        standin_start(&s, args);
        hctx_add_source(&c, "p", s.base_url, PAGE, NULL);
        struct harvest_summary sum = harvest(&c, r->status);
        assert_int_equal(sum.c.received, r->received);
        assert_int_equal(live_records(&c), r->received);
        assert_report_has(&sum, r->report_has);
        harvest_summary_clear(&sum);
        if (!strcmp(r->spec, "dc-only"))
            assert_int_equal(
                hctx_count(&c, "SELECT count(*) FROM record WHERE schema = 'csw-record'"),
                N_RECORDS_NUM);
        standin_stop(&s);
        hctx_close(&c);
    }
}

/* A URL that asks the 3.0-only catalog for CSW 2.0.2 alone: refused, the run
 * fails and says so; nothing stored. */
static void test_csw3_refuses_202(void **state)
{
    (void)state;
    struct hctx c;
    struct standin s;
    const char *args[] = {"--synthetic", "5", "--csw-version", "3.0.0", NULL};
    char url[256];
    hctx_open(&c, "paging_csw3_202");
    standin_start(&s, args);
    snprintf(url, sizeof url, "%s?service=CSW&request=GetCapabilities&acceptVersions=2.0.2",
             s.base_url);
    hctx_add_source(&c, "p", url, PAGE, NULL);
    struct harvest_summary sum = harvest(&c, "failed");
    assert_report_has(&sum, "HTTP 400");
    assert_report_has(&sum, "ExceptionReport");
    harvest_summary_clear(&sum);
    assert_int_equal(live_records(&c), 0);
    standin_stop(&s);
    hctx_close(&c);
}

/* ---- DCAT paged by Hydra ---- */

struct dcat_row {
    const char *spec;        /* the lie (misbehaviours, comma-separated), NULL for none */
    const char *status;      /* expected status of the lying run */
    long pages;              /* pages it took (a page asked for again counts twice) */
    long received;           /* datasets it received */
    long retired;            /* records it retired */
    const char *report_has;  /* phrases the report must contain */
    const char *report_has2; /* (or NULL) */
};

/* The feed: 57 datasets, 10 a page.  Before the lying run it loses 3
 * (54 datasets: pages 1–5 of 10, page 6 of 4), so that a run that retires
 * wrongly would show.  K in a spec is a page number (tests/standin/README.md). */
static const struct dcat_row dcat_rows[] = {
    {NULL, "success", 6, 54, DROPPED, "6 pages, 54 of 54 announced datasets", NULL},
    /* the next link missing before the end (CSW: nextRecord=0 early) */
    {"next-zero:2", "incomplete", 2, 20, 0, "no hydra:next link on page 2", "catalog.rdf?page=2)"},
    /* next links that loop (CSW: nextRecord not advancing, or going back) */
    {"next-loop:3", "incomplete", 3, 30, 0, "pointed back to a page already read (http",
     "the hydra:next link of page 3 ("},
    {"next-stuck:4", "incomplete", 4, 40, 0, "of page 4 (http",
     "pointed back to a page already read (http"},
    /* a next link that skips a page */
    {"next-skip:2", "incomplete", 5, 44, 0, "ended short of its announced total", NULL},
    /* a repeated page, an empty page: asked once more, then stepped over */
    {"repeat-page:3", "incomplete", 7, 44, 0, "a repeated page: only datasets already read",
     "1 page stepped over"},
    {"empty-page:3", "incomplete", 7, 44, 0,
     "an empty page before the end (1 time, first on page 3", "1 page stepped over"},
    /* the same, once: asking again brings the page */
    {"repeat-page:3:once", "success", 7, 54, DROPPED, "1 page asked for once more, 1 then brought",
     NULL},
    {"empty-page:3:once", "success", 7, 54, DROPPED, "an empty page before the end", NULL},
    /* an endless feed repeating itself under new URLs */
    {"repeat-from:3", "incomplete", 8, 20, 0, "3 pages in a row brought nothing new: stopped",
     NULL},
    /* a total that promises more than there is, a total that changes */
    {"fewer:5", "incomplete", 6, 54, 0, "54 of 59 announced datasets",
     "ended short of its announced total"},
    {"matched-drift:3", "incomplete", 6, 54, 0, "hydra:totalItems changed during the run",
     "the announced total changed: nothing retired"},
    /* a malformed page: asked once more; for good, the run fails */
    {"truncate:2:once", "success", 6, 54, DROPPED, NULL, NULL},
    {"truncate:2", "failed", 1, 10, 0, "malformed", NULL},
    /* a feed that announces no total: a page stepped over leaves the listing
     * inconsistent (its datasets may be missing), nothing is retired */
    {"no-total", "success", 6, 54, DROPPED, "6 pages, 54 datasets", NULL},
    {"no-total,repeat-page:3", "incomplete", 7, 44, 0,
     "a page that brought nothing new was stepped over: nothing retired",
     "a repeated page: only datasets already read"},
    {"no-total,empty-page:3", "incomplete", 7, 44, 0,
     "a page that brought nothing new was stepped over: nothing retired", "an empty page"},
    {"no-total,empty-page:3:once", "success", 7, 54, DROPPED, "an empty page", NULL},
    /* transient HTTP failures are fetch's to retry */
    {"status:503:1", "success", 6, 54, DROPPED, NULL, NULL},
};

static void dcat_url(const struct standin *s, char *out, size_t size)
{
    snprintf(out, size, "http://127.0.0.1:%d/dcat/catalog.rdf", s->port);
}

static void test_dcat_paging_lies(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dcat_rows / sizeof *dcat_rows; i++) {
        const struct dcat_row *r = &dcat_rows[i];
        struct hctx c;
        struct standin s;
        char url[256], q[128];
        const char *args[] = {"--dcat-synthetic", N_RECORDS, "--seed", "9",
                              "--dcat-page-size", "10",      NULL};
        print_message("DCAT feed %s\n", r->spec ? r->spec : "(honest)");
        hctx_open(&c, "paging_dcat_rows");
        c.h.rdf = rdf;
        standin_start(&s, args);
        dcat_url(&s, url, sizeof url);
        hctx_add_source_of_type(&c, "p", "dcat", url, PAGE, NULL);

        /* an honest run first: everything stored */
        struct harvest_summary sum = harvest(&c, "success");
        assert_int_equal(sum.c.added, N_RECORDS_NUM);
        harvest_summary_clear(&sum);

        /* the feed loses DROPPED datasets, and lies */
        snprintf(q, sizeof q, "misbehave=drop:%d", DROPPED);
        standin_control(&s, q);
        for (const char *m = r->spec; m && *m;) {
            size_t len = strcspn(m, ",");
            snprintf(q, sizeof q, "misbehave=%.*s", (int)len, m);
            standin_control(&s, q);
            m += len + (m[len] == ',');
        }
        sum = harvest(&c, r->status);
        assert_int_equal(sum.c.pages, r->pages);
        assert_int_equal(sum.c.received, r->received);
        assert_int_equal(sum.c.retired, r->retired);
        assert_report_has(&sum, r->report_has);
        assert_report_has(&sum, r->report_has2);
        harvest_summary_clear(&sum);
        /* nothing lost: every record stored before is still there unless
         * retired by a complete, consistent run */
        assert_int_equal(live_records(&c), N_RECORDS_NUM - r->retired);
        assert_int_equal(hctx_count(&c, "SELECT count(*) FROM record"), N_RECORDS_NUM);

        /* honest again: the run completes and retires what the feed lost */
        standin_control(&s, "misbehave=none");
        snprintf(q, sizeof q, "misbehave=drop:%d", DROPPED);
        standin_control(&s, q);
        sum = harvest(&c, "success");
        assert_int_equal(sum.c.received, N_RECORDS_NUM - DROPPED);
        assert_int_equal(sum.c.retired, DROPPED - r->retired);
        harvest_summary_clear(&sum);
        assert_int_equal(live_records(&c), N_RECORDS_NUM - DROPPED);
        standin_stop(&s);
        hctx_close(&c);
    }
}

/* The lies of a Turtle feed (the stand-in splits a fixture's datasets into
 * pages of one): a loop, told the same way. */
static void test_dcat_turtle_loop(void **state)
{
    (void)state;
    struct hctx c;
    struct standin s;
    char fixture[1024], url[256];
    hctx_path(fixture, sizeof fixture, "tests/fixtures/dcat/hydra_paged_page1.ttl");
    const char *args[] = {"--dcat",      fixture, "--dcat-page-size", "1", "--misbehave",
                          "next-loop:2", NULL};
    hctx_open(&c, "paging_dcat_ttl");
    c.h.rdf = rdf;
    standin_start(&s, args);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/dcat/catalog.ttl", s.port);
    hctx_add_source_of_type(&c, "p", "dcat", url, PAGE, NULL);
    struct harvest_summary sum = harvest(&c, "incomplete");
    assert_int_equal(sum.c.pages, 2);
    assert_int_equal(sum.c.received, 2);
    assert_report_has(&sum, "the hydra:next link of page 2 (");
    assert_report_has(&sum, "pointed back to a page already read (http");
    assert_report_has(&sum, "catalog.ttl?page=1)");
    harvest_summary_clear(&sum);
    assert_int_equal(live_records(&c), 2);
    standin_stop(&s);
    hctx_close(&c);
}

int main(void)
{
    struct mo_err err = {0};
    xmlsafe_init();
    exsltRegisterAll();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rdf_world_new(&rdf, &err) != MO_OK) {
        fprintf(stderr, "rdf_world_new: %s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csw3_partner),     cmocka_unit_test(test_csw3_paging_lies),
        cmocka_unit_test(test_csw3_refuses_202), cmocka_unit_test(test_dcat_paging_lies),
        cmocka_unit_test(test_dcat_turtle_loop),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rdf_world_free(rdf);
    curl_global_cleanup();
    return failed;
}
