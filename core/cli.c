#include "cli.h"

#include "cli_internal.h"
#include "cluster.h"
#include "db.h"
#include "xmlsafe.h"

#include <curl/curl.h>
#include <getopt.h>
#include <libexslt/exslt.h>
#include <libxslt/xslt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: moisson [--db CONNINFO] [-v|-q] COMMAND [ARGS]\n"
    "\n"
    "Harvest the metadata catalogs of a territory's partners into one index.\n"
    "\n"
    "commands:\n"
    "  source add|list|show|remove   manage the partner catalogs to harvest\n"
    "  harvest NAME...|--all         harvest sources now (in the foreground)\n"
    "  runs [NAME]                   history of harvest runs, with their errors\n"
    "  stats                         what the index holds; records several partners carry\n"
    "  serve [--listen ADDR:PORT]    serve the index over HTTP until SIGTERM/SIGINT\n"
    "  db status|start|stop          the embedded PostgreSQL cluster\n"
    "  migrate                       apply the database migrations\n"
    "\n"
    "options:\n"
    "  --db CONNINFO   use this PostgreSQL server (libpq connection string);\n"
    "                  default: MOISSON_DB, else moisson's own cluster in MOISSON_HOME\n"
    "  -v, --verbose   more messages;  -q, --quiet  errors only\n"
    "  -h, --help      this help; 'moisson COMMAND --help' for a command\n"
    "\n"
    "environment:\n"
    "  MOISSON_HOME    data directory (default /var/lib/moisson for root,\n"
    "                  else ~/.local/share/moisson)\n"
    "  MOISSON_DB      default for --db\n"
    "  MOISSON_SHARE   directory holding xslt/ and schemas/\n"
    "  MOISSON_HARVEST_THREADS  threads normalising new records beside the\n"
    "                  harvest's own (default: one per processor beyond the first, at most 3)\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("moisson: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return 1;
    }
    return 0;
}

long cli_parse_duration(const char *s)
{
    char *end = NULL;
    long n = strtol(s, &end, 10);
    if (end == s || n < 0)
        return -1;
    long unit = 1;
    if (!strcmp(end, "") || !strcmp(end, "s"))
        unit = 1;
    else if (!strcmp(end, "m"))
        unit = 60;
    else if (!strcmp(end, "h"))
        unit = 3600;
    else if (!strcmp(end, "d"))
        unit = 86400;
    else
        return -1;
    if (n > 100L * 365 * 86400 / unit)
        return -1;
    return n * unit;
}

void cli_format_duration(long s, char *out, size_t size)
{
    if (s > 0 && s % 86400 == 0)
        snprintf(out, size, "%ldd", s / 86400);
    else if (s > 0 && s % 3600 == 0)
        snprintf(out, size, "%ldh", s / 3600);
    else if (s > 0 && s % 60 == 0)
        snprintf(out, size, "%ldm", s / 60);
    else
        snprintf(out, size, "%lds", s);
}

struct store *cli_store(struct cli *cli)
{
    char schemas[PATHS_MAX + 16];
    struct mo_err err = {0};
    int applied = 0;

    if (cli->store)
        return cli->store;
    if (db_resolve(cli->db_opt, cli->home, cli->conninfo, sizeof cli->conninfo, &err) != MO_OK ||
        store_open(cli->conninfo, &cli->store, &err) != MO_OK) {
        cli_error("%s", err.msg);
        return NULL;
    }
    snprintf(schemas, sizeof schemas, "%s/schemas", cli->share);
    if (store_migrate(cli->store, schemas, &applied, &err) != MO_OK) {
        cli_error("%s", err.msg);
        store_close(cli->store);
        cli->store = NULL;
        return NULL;
    }
    if (applied)
        log_info(&cli->log, "applied %d migration(s)", applied);
    return cli->store;
}

int cli_cmd_migrate(struct cli *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: moisson migrate\n\nApplies the database migrations not yet applied "
               "(every command does so too).\n");
        return CLI_EXIT_OK;
    }
    return cli_store(cli) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static const struct {
    const char *name;
    int (*run)(struct cli *, int, char **);
} commands[] = {
    {"source", cli_cmd_source}, {"harvest", cli_cmd_harvest}, {"runs", cli_cmd_runs},
    {"db", cli_cmd_db},         {"migrate", cli_cmd_migrate}, {"stats", cli_cmd_stats},
    {"serve", cli_cmd_serve},
};

static int parse_global(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+d:vqh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            cli->db_opt = optarg;
            break;
        case 'v':
            cli->log.level = LOG_DEBUG;
            break;
        case 'q':
            cli->log.level = LOG_ERROR;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return CLI_EXIT_OK;
        default:
            fputs(usage_text, stderr);
            return CLI_EXIT_USAGE;
        }
    }
    return -1;
}

static int dispatch(struct cli *cli, int argc, char **argv)
{
    int done = parse_global(cli, argc, argv);
    if (done >= 0)
        return done;
    if (optind >= argc) {
        fputs(usage_text, stderr);
        return CLI_EXIT_USAGE;
    }
    struct mo_err err = {0};
    if (paths_home(cli->home, sizeof cli->home, &err) != MO_OK ||
        paths_share(cli->share, sizeof cli->share, &err) != MO_OK) {
        cli_error("%s", err.msg);
        return CLI_EXIT_FAIL;
    }
    const char *name = argv[optind];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].run(cli, argc - optind, argv + optind);
    cli_error("unknown command \"%s\" (see moisson --help)", name);
    return CLI_EXIT_USAGE;
}

int cli_main(int argc, char **argv)
{
    struct cli cli = {.log = {LOG_INFO}, .stop = &stop_flag};
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    xmlsafe_init();
    exsltRegisterAll();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int status = dispatch(&cli, argc, argv);
    store_close(cli.store);
    xsltCleanupGlobals();
    xmlCleanupParser();
    curl_global_cleanup();
    return status;
}
