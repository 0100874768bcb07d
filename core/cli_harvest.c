/* moisson harvest / moisson runs — harvesting now, and the history. */
#include "cli_internal.h"

#include "fetch.h"
#include "harvest.h"
#include "normalise.h"
#include "normpool.h"
#include "rdf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS_DEFAULT_LIMIT 20

/* Helper threads for normalisation: MOISSON_HARVEST_THREADS (0 to
 * NORMPOOL_MAX_THREADS), else what suits the machine; -1 (said) for a value
 * that is not one of those. */
static int harvest_threads(void)
{
    const char *v = getenv("MOISSON_HARVEST_THREADS");
    char *end = NULL;
    if (!v || !*v)
        return normpool_default_threads();
    long n = strtol(v, &end, 10);
    if (*end || n < 0 || n > NORMPOOL_MAX_THREADS || v[0] == '+' || v[0] == '-') {
        cli_error("bad MOISSON_HARVEST_THREADS \"%.32s\": expected 0 to %d", v,
                  NORMPOOL_MAX_THREADS);
        return -1;
    }
    return (int)n;
}

static const char harvest_usage[] =
    "usage: moisson harvest [--full] NAME... | --all\n"
    "\n"
    "Harvests the named sources now, one after the other, and prints a summary of\n"
    "each run.  Exit status 0 when every run succeeded, 1 otherwise.\n"
    "  --all    every source\n"
    "  --full   a full run (reconciling deletions) even when an incremental one\n"
    "           would do\n";

static const char runs_usage[] =
    "usage: moisson runs [NAME] [--limit N] [--errors]\n"
    "\n"
    "Lists harvest runs, newest first, with their counters and report.\n"
    "  --limit N   at most N runs (default 20)\n"
    "  --errors    also list each run's per-record errors\n";

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void print_counters(const struct run_counters *c)
{
    printf("%ld received", c->received);
    if (c->announced >= 0)
        printf(" of %ld announced", c->announced);
    printf(", %ld added, %ld updated, %ld unchanged, %ld failed, %ld retired, %ld page%s", c->added,
           c->updated, c->unchanged, c->failed, c->retired, c->pages, c->pages == 1 ? "" : "s");
}

/* Harvests one source; 1 when the run succeeded. */
static int harvest_one(struct cli *cli, struct harvest *h, const struct source *src, int full)
{
    struct harvest_options opts = {.force_full = full};
    struct harvest_summary sum = {0};
    struct mo_err err = {0};
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    mo_rc rc = harvest_source(h, src, &opts, &sum, &err);
    double secs = seconds_since(&t0);
    printf("%s: %s %s run %lld in %.1f s: ", src->name, sum.status[0] ? sum.status : "failed",
           sum.full ? "full" : "incremental", sum.run_id, secs);
    print_counters(&sum.c);
    printf(" (%.0f records/s)\n", secs > 0 ? (double)sum.c.received / secs : 0.0);
    if (sum.report)
        printf("  %s\n", sum.report);
    if (rc != MO_OK)
        cli_error("harvest of \"%s\" failed: %s", src->name, err.msg);
    int ok = rc == MO_OK && !strcmp(sum.status, "success");
    harvest_summary_clear(&sum);
    (void)cli;
    return ok;
}

static int harvest_sources(struct cli *cli, char **names, int n, int all, int full, int threads)
{
    struct fetch *f = NULL;
    struct normaliser *norm = NULL;
    struct rdf_world *rdf = NULL;
    struct store *writer_store = NULL;
    struct source *list = NULL;
    size_t count = 0;
    struct mo_err err = {0};
    char xslt[PATHS_MAX + 8];
    int failures = 0;

    struct store *st = cli_store(cli);
    if (!st)
        return CLI_EXIT_FAIL;
    snprintf(xslt, sizeof xslt, "%s/xslt", cli->share);
    struct fetch_options fo = {.stop = cli->stop};
    if (fetch_new(&fo, &f) != MO_OK || normalise_new(xslt, &norm, &err) != MO_OK ||
        rdf_world_new(&rdf, &err) != MO_OK ||
        store_open(cli->conninfo, &writer_store, &err) != MO_OK ||
        (all && store_source_list(st, &list, &count, &err) != MO_OK)) {
        cli_error("%s", err.msg[0] ? err.msg : "out of memory");
        failures = 1;
        goto out;
    }
    struct harvest h = {.store = st,
                        .writer_store = writer_store,
                        .fetch = f,
                        .norm = norm,
                        .rdf = rdf,
                        .xslt_dir = xslt,
                        .log = &cli->log,
                        .stop = cli->stop,
                        .norm_threads = threads};
    if (all) {
        for (size_t i = 0; i < count && !*cli->stop; i++)
            failures += !harvest_one(cli, &h, &list[i], full);
        if (count == 0)
            printf("no sources to harvest\n");
    }
    for (int i = 0; !all && i < n && !*cli->stop; i++) {
        struct source src = {0};
        if (store_source_get(st, names[i], &src, &err) != MO_OK) {
            cli_error("%s", err.msg);
            failures++;
            continue;
        }
        failures += !harvest_one(cli, &h, &src, full);
        source_clear(&src);
    }
out:
    for (size_t i = 0; i < count; i++)
        source_clear(&list[i]);
    free(list);
    store_close(writer_store);
    normalise_free(norm);
    fetch_free(f);
    rdf_world_free(rdf); /* last: raptor's teardown cleans libxml2 up */
    return failures ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int cli_cmd_harvest(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"all", no_argument, NULL, 'a'},
        {"full", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int all = 0, full = 0, c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "afh", opts, NULL)) != -1) {
        if (c == 'a')
            all = 1;
        else if (c == 'f')
            full = 1;
        else {
            fputs(harvest_usage, c == 'h' ? stdout : stderr);
            return c == 'h' ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        }
    }
    if (all == (optind < argc)) {
        fputs(harvest_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    int threads = harvest_threads();
    if (threads < 0)
        return CLI_EXIT_USAGE;
    return harvest_sources(cli, argv + optind, argc - optind, all, full, threads);
}

static void print_error(void *ud, const char *identifier, const char *reason)
{
    (void)ud;
    printf("    %s: %s\n", identifier ? identifier : "(no identifier)", reason);
}

static void print_run(struct store *st, const struct run_info *r, int errors)
{
    printf("run %lld  %-12s %-10s %-11s %s → %s\n  ", r->id, r->source_name, r->status,
           r->full ? "full" : "incremental", r->started_at,
           r->finished_at ? r->finished_at : "(running)");
    print_counters(&r->c);
    printf("\n");
    if (r->report && *r->report)
        printf("  %s\n", r->report);
    if (errors && r->c.failed > 0) {
        struct mo_err err = {0};
        if (store_run_errors(st, r->id, print_error, NULL, &err) != MO_OK)
            cli_error("%s", err.msg);
    }
}

int cli_cmd_runs(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"limit", required_argument, NULL, 'l'},
        {"errors", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int limit = RUNS_DEFAULT_LIMIT, errors = 0, c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "l:eh", opts, NULL)) != -1) {
        if (c == 'l' && (limit = atoi(optarg)) > 0)
            continue;
        if (c == 'e') {
            errors = 1;
            continue;
        }
        fputs(runs_usage, c == 'h' ? stdout : stderr);
        return c == 'h' ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (argc - optind > 1) {
        fputs(runs_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    struct store *st = cli_store(cli);
    struct run_info *runs = NULL;
    size_t n = 0;
    struct mo_err err = {0};
    if (!st)
        return CLI_EXIT_FAIL;
    if (store_runs_list(st, optind < argc ? argv[optind] : NULL, limit, &runs, &n, &err) != MO_OK) {
        cli_error("%s", err.msg);
        return CLI_EXIT_FAIL;
    }
    if (n == 0)
        printf("no runs yet\n");
    for (size_t i = 0; i < n; i++) {
        print_run(st, &runs[i], errors);
        run_info_clear(&runs[i]);
    }
    free(runs);
    return CLI_EXIT_OK;
}
