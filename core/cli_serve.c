/* moisson serve — the public HTTP front over the index, until SIGTERM/SIGINT. */
#include "cli_internal.h"
#include "http_text.h"
#include "serve.h"
#include "web.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLI_SERVE_POLL_NS (100 * 1000 * 1000L)
#define CLI_SERVE_QUOTE_MAX 64

static const char serve_usage[] =
    "usage: moisson serve [--listen ADDR:PORT] [--public-url URL] [--threads N]\n"
    "                     [--title TEXT] [--abstract TEXT] [--keywords K1,K2,...]\n"
    "                     [--provider NAME] [--provider-site URL]\n"
    "                     [--contact-name NAME] [--contact-email ADDR]\n"
    "                     [--tile-url TEMPLATE [--tile-attribution TEXT]]\n"
    "                     [--no-search-index | --search-lag SECONDS]\n"
    "\n"
    "Serves the index over HTTP until SIGTERM or SIGINT (Ctrl-C), then stops\n"
    "gracefully: no new connection, running requests finish.\n"
    "\n"
    "  --listen ADDR:PORT  numeric address and port to listen on (default\n"
    "                      127.0.0.1:8080; [::1]:8080 for IPv6; port 0: any free port)\n"
    "  --public-url URL    the URL clients reach the server at, as written in\n"
    "                      responses (default http://ADDR:PORT)\n"
    "  --threads N         threads serving requests (default 4)\n"
    "  --no-search-index   answer every search with SQL, without the in-memory index\n"
    "                      (which a thread builds at start and after each change of\n"
    "                      the index: exact counts, ranking without reading the rows)\n"
    "  --search-lag SECONDS while a harvest is running, let searches be answered by the\n"
    "                      in-memory index as it was up to SECONDS ago (0 to 3600,\n"
    "                      default 60; 0: from SQL until the index is rebuilt); such\n"
    "                      answers say their age, and once no harvest runs every\n"
    "                      answer is exact again\n"
    "\n"
    "service identity, in CSW GetCapabilities (each at most 512 bytes of UTF-8 text):\n"
    "  --title TEXT        ows:Title (default \"moisson — catalogue of the territory\");\n"
    "                      also names the HTML pages and the OGC API landing page\n"
    "  --abstract TEXT     ows:Abstract (default: a sentence on moisson)\n"
    "  --keywords K1,K2    ows:Keyword, comma separated (default \"catalogue, metadata,\n"
    "                      CSW, ISO 19139\"; \"\" for none)\n"
    "  --provider NAME     ows:ProviderName (default \"moisson\")\n"
    "  --provider-site URL ows:ProviderSite, an http(s) URL (default: the public URL)\n"
    "  --contact-name NAME ows:IndividualName of the service contact (default empty)\n"
    "  --contact-email ADDR\n"
    "                      ows:ElectronicMailAddress, NAME@DOMAIN (default none)\n"
    "\n"
    "background of the search page's map (default none: the extents are drawn over a\n"
    "graticule, with no network):\n"
    "  --tile-url TEMPLATE XYZ tile URL with {z}, {x} and {y} once each, http or https,\n"
    "                      at most 512 bytes, such as\n"
    "                      https://tile.openstreetmap.org/{z}/{x}/{y}.png; browsers\n"
    "                      fetch the tiles from that server (the pages' CSP names it)\n"
    "  --tile-attribution TEXT\n"
    "                      credit shown under the map, at most 512 bytes of UTF-8 text\n"
    "                      (default: the tile server's host)\n"
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
    struct csw_identity identity; /* NULL texts: the defaults */
    const char *tile_url;         /* NULL: the offline map */
    const char *tile_attribution; /* NULL: the tile server's host */
    int no_search_index;
    unsigned search_lag_s;
    int search_lag_set; /* given on the command line */
};

/* The identity options: getopt returns OPT_IDENTITY + the field; their names
 * by field. */
enum {
    OPT_IDENTITY = 256,
    OPT_TILE_URL = OPT_IDENTITY + CSW_ID_FIELDS,
    OPT_TILE_ATTRIBUTION,
    OPT_NO_SEARCH_INDEX,
    OPT_SEARCH_LAG
};
static const char *const serve_identity_opts[CSW_ID_FIELDS] = {
    [CSW_ID_TITLE] = "title",
    [CSW_ID_ABSTRACT] = "abstract",
    [CSW_ID_KEYWORDS] = "keywords",
    [CSW_ID_PROVIDER_NAME] = "provider",
    [CSW_ID_PROVIDER_SITE] = "provider-site",
    [CSW_ID_CONTACT_NAME] = "contact-name",
    [CSW_ID_CONTACT_EMAIL] = "contact-email",
};

/* Checks the value of identity option field and keeps it in o.  0, or
 * prints the error naming the option and returns -1. */
static int serve_identity_set(struct serve_opts *o, enum csw_identity_field field,
                              const char *value)
{
    struct mo_err err = {0};
    if (csw_identity_check_text(field, value, &err) != MO_OK) {
        char quoted[CLI_SERVE_QUOTE_MAX]; /* enough to recognise a long text */
        http_text_quote(value, quoted, sizeof quoted);
        cli_error("bad --%s \"%s\": %s", serve_identity_opts[field], quoted, err.msg);
        return -1;
    }
    const char **slot[CSW_ID_FIELDS] = {
        &o->identity.title,         &o->identity.abstract,      &o->identity.keywords,
        &o->identity.provider_name, &o->identity.provider_site, &o->identity.contact_name,
        &o->identity.contact_email,
    };
    *slot[field] = value;
    return 0;
}

/* Checks the value of --tile-url (attribution 0) or --tile-attribution (1)
 * and keeps it in o.  0, or prints the error naming the option and returns
 * -1. */
static int serve_tile_set(struct serve_opts *o, int attribution, const char *value)
{
    struct mo_err err = {0};
    mo_rc rc =
        attribution ? web_tile_attribution_check(value, &err) : web_tile_url_check(value, &err);
    if (rc != MO_OK) {
        char quoted[CLI_SERVE_QUOTE_MAX];
        http_text_quote(value, quoted, sizeof quoted);
        cli_error("bad --%s \"%s\": %s", attribution ? "tile-attribution" : "tile-url", quoted,
                  err.msg);
        return -1;
    }
    if (attribution)
        o->tile_attribution = value;
    else
        o->tile_url = value;
    return 0;
}

/* Returns -1 to go on, else the exit status. */
static int serve_parse(int argc, char **argv, struct serve_opts *o)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"public-url", required_argument, NULL, 'u'},
        {"threads", required_argument, NULL, 't'},
        {"title", required_argument, NULL, OPT_IDENTITY + CSW_ID_TITLE},
        {"abstract", required_argument, NULL, OPT_IDENTITY + CSW_ID_ABSTRACT},
        {"keywords", required_argument, NULL, OPT_IDENTITY + CSW_ID_KEYWORDS},
        {"provider", required_argument, NULL, OPT_IDENTITY + CSW_ID_PROVIDER_NAME},
        {"provider-site", required_argument, NULL, OPT_IDENTITY + CSW_ID_PROVIDER_SITE},
        {"contact-name", required_argument, NULL, OPT_IDENTITY + CSW_ID_CONTACT_NAME},
        {"contact-email", required_argument, NULL, OPT_IDENTITY + CSW_ID_CONTACT_EMAIL},
        {"tile-url", required_argument, NULL, OPT_TILE_URL},
        {"tile-attribution", required_argument, NULL, OPT_TILE_ATTRIBUTION},
        {"no-search-index", no_argument, NULL, OPT_NO_SEARCH_INDEX},
        {"search-lag", required_argument, NULL, OPT_SEARCH_LAG},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct mo_err err = {0};
    char *end = NULL;
    long n;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "l:u:t:h", opts, NULL)) != -1) {
        if (c >= OPT_IDENTITY && c < OPT_IDENTITY + CSW_ID_FIELDS) {
            if (serve_identity_set(o, (enum csw_identity_field)(c - OPT_IDENTITY), optarg) != 0)
                return CLI_EXIT_USAGE;
            continue;
        }
        switch (c) {
        case OPT_TILE_URL:
        case OPT_TILE_ATTRIBUTION:
            if (serve_tile_set(o, c == OPT_TILE_ATTRIBUTION, optarg) != 0)
                return CLI_EXIT_USAGE;
            break;
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
        case OPT_NO_SEARCH_INDEX:
            o->no_search_index = 1;
            break;
        case OPT_SEARCH_LAG:
            n = strtol(optarg, &end, 10);
            if (end == optarg || *end || n < 0 || n > SEARCH_MAX_LAG_S) {
                cli_error("bad --search-lag \"%s\" (seconds, 0 to %d)", optarg, SEARCH_MAX_LAG_S);
                return CLI_EXIT_USAGE;
            }
            o->search_lag_s = (unsigned)n;
            o->search_lag_set = 1;
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
    if (o->no_search_index && o->search_lag_set) {
        cli_error("--search-lag needs the search index: not with --no-search-index");
        return CLI_EXIT_USAGE;
    }
    if (o->tile_attribution && !o->tile_url) { /* surely a forgotten --tile-url */
        cli_error("--tile-attribution without --tile-url");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

int cli_cmd_serve(struct cli *cli, int argc, char **argv)
{
    struct serve_opts o = {.address = SERVE_DEFAULT_ADDRESS,
                           .port = SERVE_DEFAULT_PORT,
                           .threads = HTTP_DEFAULT_THREADS,
                           .search_lag_s = SEARCH_DEFAULT_LAG_S};
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
    cfg.identity = o.identity;
    cfg.tile_url = o.tile_url;
    cfg.tile_attribution = o.tile_attribution;
    cfg.no_search_index = o.no_search_index;
    cfg.search_lag_s = o.search_lag_s;
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
