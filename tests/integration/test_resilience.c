/*
 * Nothing lost when things die: the database killed in the middle of a
 * harvest, the harvester killed in the middle of a run.  The harvester runs
 * as the real binary in a child process; the partner stand-in answers slowly
 * so there is a middle to kill.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cluster.h"
#include "harvest_support.h"
#include "testdb.h"
#include "xmlsafe.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RECORDS "300"
#define RECORDS_NUM 300
#define WAIT_PAGES 4

static long count_getrecords(struct standin *s)
{
    char *log = standin_requests(s);
    long n = 0;
    for (const char *p = log; (p = strstr(p, "GetRecords")); p += 10)
        n++;
    free(log);
    return n;
}

/* Starts `moisson --db CONNINFO harvest --full p` in a child; returns its pid. */
static pid_t spawn_harvest(const char *conninfo)
{
    const char *bin = getenv("MOISSON_BIN");
    if (!bin)
        fail_msg("MOISSON_BIN is not set");
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execl(bin, bin, "-q", "--db", conninfo, "harvest", "--full", "p", (char *)NULL);
        _exit(127);
    }
    assert_true(pid > 0);
    return pid;
}

/* Waits until the child's run has stored a few pages (counting what the
 * stand-in answered is not enough: the next page is fetched ahead, and a
 * loaded machine may not have written the first yet). */
static void wait_for_pages(struct standin *s, pid_t child, const char *conninfo)
{
    for (int i = 0; i < 600; i++) {
        if (count_getrecords(s) >= WAIT_PAGES) {
            char *v = testdb_query_value(conninfo, "SELECT count(*) FROM record");
            long long stored = v ? atoll(v) : 0;
            free(v);
            if (stored >= 2 * 20)
                return;
        }
        assert_int_equal(waitpid(child, NULL, WNOHANG), 0); /* still running */
        usleep(100 * 1000);
    }
    fail_msg("the harvest did not store %d pages", 2);
}

static int exit_status(pid_t pid)
{
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static long long count_live(const char *conninfo)
{
    char *v = testdb_query_value(conninfo, "SELECT count(*) FROM record WHERE retired_at IS NULL");
    long long n = atoll(v);
    free(v);
    return n;
}

static void test_database_killed_mid_harvest(void **state)
{
    (void)state;
    char home[] = "/tmp/mrs-XXXXXX";
    char conninfo[1024];
    struct mo_err err = {0};
    assert_non_null(mkdtemp(home));
    chmod(home, 0755);
    if (cluster_ensure(home, conninfo, sizeof conninfo, &err) != MO_OK)
        fail_msg("cluster_ensure: %s", err.msg);

    struct standin s;
    const char *args[] = {"--synthetic", RECORDS, "--seed", "3", "--misbehave", "slow:150", NULL};
    standin_start(&s, args);
    struct store *st = NULL;
    char schemas[1024];
    hctx_path(schemas, sizeof schemas, "schemas");
    assert_int_equal(store_open(conninfo, &st, &err), MO_OK);
    assert_int_equal(store_migrate(st, schemas, NULL, &err), MO_OK);
    struct source src = {.name = "p",
                         .type = "csw",
                         .url = s.base_url,
                         .page_size = 20,
                         .max_shrink = 0.2,
                         .priority = 100};
    long long id = 0;
    assert_int_equal(store_source_add(st, &src, &id, &err), MO_OK);
    store_close(st);

    pid_t child = spawn_harvest(conninfo);
    wait_for_pages(&s, child, conninfo);
    assert_int_equal(cluster_stop(home, &err), MO_OK); /* the database goes away */
    assert_int_equal(exit_status(child), 1);           /* a clean failure, not a crash */

    assert_int_equal(cluster_ensure(home, conninfo, sizeof conninfo, &err), MO_OK);
    long long kept = count_live(conninfo);
    print_message("records written before the database died: %lld\n", kept);
    assert_true(kept > 0 && kept < RECORDS_NUM);
    /* run again: the run completes, and every record written before the
     * crash is still there, unchanged */
    standin_control(&s, "misbehave=none");
    child = spawn_harvest(conninfo);
    assert_int_equal(exit_status(child), 0);
    assert_int_equal(count_live(conninfo), RECORDS_NUM);
    char *old =
        testdb_query_value(conninfo, "SELECT count(*) FROM record WHERE retired_at IS NULL AND "
                                     "first_seen < (SELECT max(started_at) FROM harvest_run)");
    assert_int_equal(atoll(old), kept);
    char *interrupted = testdb_query_value(conninfo, "SELECT count(*) FROM harvest_run WHERE "
                                                     "status = 'failed' AND report LIKE "
                                                     "'%interrupted%'");
    assert_int_equal(atoll(interrupted), 1); /* the run the crash left behind */
    free(old);
    free(interrupted);
    standin_stop(&s);
    assert_int_equal(cluster_stop(home, &err), MO_OK);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    assert_int_equal(system(cmd), 0);
}

static void test_harvester_killed_mid_run(void **state)
{
    (void)state;
    struct hctx c;
    struct standin s;
    const char *args[] = {"--synthetic", RECORDS, "--seed", "4", "--misbehave", "slow:150", NULL};
    hctx_open(&c, "resilience_kill");
    standin_start(&s, args);
    hctx_add_source(&c, "p", s.base_url, 20, NULL);

    pid_t child = spawn_harvest(c.conninfo);
    wait_for_pages(&s, child, c.conninfo);
    kill(child, SIGKILL);
    assert_int_equal(exit_status(child), 128 + SIGKILL);
    long long kept = hctx_count(&c, "SELECT count(*) FROM record");
    print_message("records written before the harvester died: %lld\n", kept);
    assert_true(kept > 0 && kept < RECORDS_NUM);
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM harvest_run WHERE status = 'running'"),
                     1);

    /* the next run reaps the dead one and completes */
    standin_control(&s, "misbehave=none");
    struct harvest_summary sum = {0};
    struct mo_err err = {0};
    assert_int_equal(hctx_harvest(&c, "p", 1, &sum, &err), MO_OK);
    assert_string_equal(sum.status, "success");
    assert_int_equal(sum.c.received, RECORDS_NUM);
    assert_int_equal(sum.c.unchanged, kept); /* what was written before is intact */
    assert_int_equal(sum.c.added, RECORDS_NUM - kept);
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM harvest_run WHERE status = 'running'"),
                     0);
    assert_int_equal(hctx_count(&c, "SELECT count(*) FROM harvest_run WHERE status = 'failed' "
                                    "AND report = 'interrupted'"),
                     1);
    harvest_summary_clear(&sum);
    standin_stop(&s);
    hctx_close(&c);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xmlsafe_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_database_killed_mid_harvest),
        cmocka_unit_test(test_harvester_killed_mid_run),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
