/*
 * cli_internal.h — what the subcommand files of the CLI share: the context
 * built from the global options, and small parsing helpers.
 */
#ifndef MOISSON_CLI_INTERNAL_H
#define MOISSON_CLI_INTERNAL_H

#include "log.h"
#include "paths.h"
#include "result.h"
#include "store.h"

#include <signal.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

struct cli {
    const char *db_opt; /* --db, or NULL */
    char home[PATHS_MAX];
    char share[PATHS_MAX];
    struct log log;
    struct store *store; /* opened on demand by cli_store */
    char conninfo[2048]; /* what cli_store connected to */
    volatile sig_atomic_t *stop;
};

/* Opens (once) and migrates the database; prints the error and returns NULL
 * on failure. */
struct store *cli_store(struct cli *cli);

/* "90", "90s", "30m", "6h", "7d" → seconds; -1 when malformed. */
long cli_parse_duration(const char *s);

/* Formats seconds as the shortest of those forms into out. */
void cli_format_duration(long s, char *out, size_t size);

/* Prints "moisson: <message>" on stderr. */
void cli_error(const char *fmt, ...) MO_PRINTF(1, 2);

/* True when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

int cli_cmd_db(struct cli *cli, int argc, char **argv);
int cli_cmd_source(struct cli *cli, int argc, char **argv);
int cli_cmd_harvest(struct cli *cli, int argc, char **argv);
int cli_cmd_runs(struct cli *cli, int argc, char **argv);
int cli_cmd_migrate(struct cli *cli, int argc, char **argv);
int cli_cmd_stats(struct cli *cli, int argc, char **argv);
int cli_cmd_serve(struct cli *cli, int argc, char **argv);

#endif
