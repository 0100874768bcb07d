/* moisson serve — the public HTTP front over the index, until SIGTERM/SIGINT. */
#include "cli_internal.h"
#include "serve.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLI_SERVE_POLL_NS (100 * 1000 * 1000L)

static const char serve_usage[] =
    "usage: moisson serve [--listen ADDR:PORT] [--public-url URL] [--threads N]\n"
    "\n"
    "Serves the index over HTTP until SIGTERM or SIGINT (Ctrl-C), then stops\n"
    "gracefully: no new connection, running requests finish.\n"
    "\n"
    "  --listen ADDR:PORT  numeric address and port to listen on (default\n"
    "                      127.0.0.1:8080; [::1]:8080 for IPv6; port 0: any free port)\n"
    "  --public-url URL    the URL clients reach the server at, as written in\n"
    "                      responses (default http://ADDR:PORT)\n"
    "  --threads N         threads serving requests (default 4)\n"
    "\n"
    "endpoints:\n"
    "  /health             200 \"ok\" when the database answers, else 503\n"
    "  /csw                CSW 2.0.2 (GET with KVP, POST with XML): GetCapabilities,\n"
    "                      DescribeRecord, GetRecords, GetRecordById, GetDomain\n"
    "  /                   the search page for people (HTML); /record/ID, /partners\n"
    "  /api                OGC API - Records (JSON): /api/collections/territoire/items\n";

struct serve_opts {
    char address[SERVE_MAX_LISTEN];
    unsigned port;
    const char *public_url;
    unsigned threads;
};

/* Returns -1 to go on, else the exit status. */
static int serve_parse(int argc, char **argv, struct serve_opts *o)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"public-url", required_argument, NULL, 'u'},
        {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct mo_err err = {0};
    char *end = NULL;
    long n;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "l:u:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            if (serve_parse_listen(optarg, o->address, sizeof o->address, &o->port, &err) !=
                MO_OK) {
                cli_error("%s", err.msg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'u':
            o->public_url = optarg;
            break;
        case 't':
            n = strtol(optarg, &end, 10);
            if (end == optarg || *end || n < 1 || n > HTTP_MAX_THREADS) {
                cli_error("bad thread count \"%s\" (1 to %d)", optarg, HTTP_MAX_THREADS);
                return CLI_EXIT_USAGE;
            }
            o->threads = (unsigned)n;
            break;
        case 'h':
            fputs(serve_usage, stdout);
            return CLI_EXIT_OK;
        default:
            fputs(serve_usage, stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("unexpected argument \"%s\"", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    return -1;
}

int cli_cmd_serve(struct cli *cli, int argc, char **argv)
{
    struct serve_opts o = {SERVE_DEFAULT_ADDRESS, SERVE_DEFAULT_PORT, NULL, HTTP_DEFAULT_THREADS};
    struct serve_config cfg = {0};
    struct serve *s = NULL;
    struct mo_err err = {0};
    int done = serve_parse(argc, argv, &o);
    if (done >= 0)
        return done;
    if (!cli_store(cli)) /* the database, migrated; the pool then uses cli->conninfo */
        return CLI_EXIT_FAIL;
    store_close(cli->store);
    cli->store = NULL;

    http_limits_default(&cfg.limits);
    cfg.limits.threads = o.threads;
    cfg.address = o.address;
    cfg.port = o.port;
    cfg.public_url = o.public_url;
    cfg.conninfo = cli->conninfo;
    char xslt[PATHS_MAX + 8];
    snprintf(xslt, sizeof xslt, "%s/xslt", cli->share);
    cfg.xslt_dir = xslt;
    cfg.log = &cli->log;
    if (serve_start(&cfg, &s, &err) != MO_OK) {
        cli_error("%s", err.msg);
        return err.rc == MO_EBADREQ ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    int v6 = strchr(o.address, ':') != NULL;
    printf("listening on http://%s%s%s:%u/\n", v6 ? "[" : "", o.address, v6 ? "]" : "",
           serve_port(s));
    printf("public URL %s/\n", serve_public_url(s));
    printf("CSW endpoint %s/csw\n", serve_public_url(s));
    printf("search page %s/, OGC API Records %s/api\n", serve_public_url(s), serve_public_url(s));
    fflush(stdout);

    struct timespec pause = {0, CLI_SERVE_POLL_NS};
    while (!*cli->stop)
        nanosleep(&pause, NULL);
    log_info(&cli->log, "stopping: running requests may finish within %d s", HTTP_STOP_GRACE_S);
    serve_stop(s, HTTP_STOP_GRACE_S);
    serve_free(s);
    printf("stopped\n");
    return CLI_EXIT_OK;
}
