/* moisson stats — what the index holds, and who carries what several carry. */
#include "cli_internal.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char stats_usage[] =
    "usage: moisson stats [--shared N]\n"
    "\n"
    "Counts what the index holds: sources, live and retired records, aggregated\n"
    "entries (one per metadata identifier).  Lists up to N (default 10) entries\n"
    "that several sources carry, with the source whose record is served first.\n";

static void print_shared(void *ud, const char *identifier, const char *title, const char *chosen,
                         const char *sources)
{
    (void)ud;
    printf("  %s  %s\n    served from %s; carried by %s\n", identifier, title ? title : "", chosen,
           sources);
}

int cli_cmd_stats(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"shared", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int shared = 10, c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
        if (c == 's' && (shared = atoi(optarg)) >= 0)
            continue;
        fputs(stats_usage, c == 'h' ? stdout : stderr);
        return c == 'h' ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (optind != argc) {
        fputs(stats_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    struct store *st = cli_store(cli);
    struct store_stats s;
    struct mo_err err = {0};
    if (!st)
        return CLI_EXIT_FAIL;
    if (store_stats(st, &s, &err) != MO_OK) {
        cli_error("%s", err.msg);
        return CLI_EXIT_FAIL;
    }
    printf("%lld sources, %lld records (%lld retired), %lld entries, %lld carried by several "
           "sources\n",
           s.sources, s.records, s.retired, s.entries, s.shared);
    if (shared > 0 && s.shared > 0 &&
        store_shared_entries(st, shared, print_shared, NULL, &err) != MO_OK) {
        cli_error("%s", err.msg);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}
