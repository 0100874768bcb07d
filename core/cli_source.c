/* moisson source add|list|show|remove — the partner catalogs. */
#include "cli_internal.h"
#include "harvest.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CONSTRAINT_MAX (256 * 1024)

static const char source_usage[] =
    "usage: moisson source add NAME --type TYPE --url URL [options]\n"
    "       moisson source list\n"
    "       moisson source show NAME\n"
    "       moisson source remove NAME\n"
    "\n"
    "options of 'add':\n"
    "  --type TYPE         what the partner publishes:\n"
    "                        csw  a CSW 2.0.2 catalog (--url: base or GetCapabilities URL)\n"
    "                        dcat a DCAT / DCAT-AP feed in RDF/XML or Turtle, paged\n"
    "                             with Hydra (--url: the catalog's first page)\n"
    "                        wfs, wms  an OGC service: a record per feature type or\n"
    "                             layer, and one for the service (--url: its base or\n"
    "                             GetCapabilities URL)\n"
    "                        waf  a web folder of XML files (--url: the folder's\n"
    "                             index page; subfolders are followed)\n"
    "                        dir  a local directory of XML files (--url: its path)\n"
    "  --url URL           where the partner's records are (see --type)\n"
    "  --every DURATION    harvest period for workers, e.g. 6h (default: by hand)\n"
    "  --constraint TEXT   sent with every GetRecords: CQL text, or an OGC Filter\n"
    "                      (XML); @FILE reads it from a file\n"
    "  --page-size N       records per GetRecords page (default 100)\n"
    "  --priority N        precedence when partners carry the same record: lower\n"
    "                      wins (default 100)\n"
    "  --max-shrink SHARE  a full run whose listing shrank by more than this share\n"
    "                      retires nothing (default 0.2)\n"
    "  --full-every DURATION  a full run at least this often; runs in between ask\n"
    "                      only for records modified since (default 7d)\n"
    "  --no-metadata-urls  wfs, wms: describe each layer from the capabilities only,\n"
    "                      without fetching the ISO record its MetadataURL points to\n";

static int valid_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
            return 0;
    return 1;
}

static char *read_constraint(const char *arg)
{
    if (arg[0] != '@')
        return strdup(arg);
    FILE *fp = fopen(arg + 1, "rb");
    if (!fp) {
        cli_error("cannot read constraint file \"%s\"", arg + 1);
        return NULL;
    }
    char *text = calloc(1, CONSTRAINT_MAX + 1);
    size_t n = text ? fread(text, 1, CONSTRAINT_MAX + 1, fp) : 0;
    fclose(fp);
    if (text && n > CONSTRAINT_MAX) {
        cli_error("constraint file \"%s\" is larger than %d bytes", arg + 1, CONSTRAINT_MAX);
        free(text);
        return NULL;
    }
    return text;
}

static int parse_number(const char *what, const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end || v < lo || v > hi) {
        cli_error("bad value for %s: \"%s\"", what, s);
        return 0;
    }
    *out = v;
    return 1;
}

static int parse_duration(const char *what, const char *s, long *out)
{
    *out = cli_parse_duration(s);
    if (*out < 0) {
        cli_error("bad duration for %s: \"%s\"", what, s);
        return 0;
    }
    return 1;
}

static int parse_add_option(int c, struct source *src, char **constraint)
{
    double v = 0;
    switch (c) {
    case 't':
        src->type = optarg;
        return 1;
    case 'u':
        src->url = optarg;
        return 1;
    case 'e':
        return parse_duration("--every", optarg, &src->every_s);
    case 'f':
        return parse_duration("--full-every", optarg, &src->full_every_s);
    case 'c':
        free(*constraint);
        *constraint = read_constraint(optarg);
        return *constraint != NULL;
    case 'p':
        if (!parse_number("--page-size", optarg, 1, 10000, &v))
            return 0;
        src->page_size = (int)v;
        return 1;
    case 'P':
        if (!parse_number("--priority", optarg, -1000000, 1000000, &v))
            return 0;
        src->priority = (int)v;
        return 1;
    case 's':
        return parse_number("--max-shrink", optarg, 0, 1, &src->max_shrink);
    case 'M':
        src->ignore_metadata_urls = 1;
        return 1;
    default:
        fputs(source_usage, stderr);
        return 0;
    }
}

static int check_add(const struct source *src)
{
    if (!valid_name(src->name)) {
        cli_error("bad source name \"%s\": letters, digits, '_', '.', '-' only", src->name);
        return 0;
    }
    if (!src->type || !harvest_type_supported(src->type)) {
        cli_error("unsupported source type \"%s\" (supported: %s)", src->type ? src->type : "",
                  harvest_types());
        return 0;
    }
    if (!strcmp(src->type, "dir")) {
        struct stat st;
        if (!src->url || stat(src->url, &st) != 0 || !S_ISDIR(st.st_mode)) {
            cli_error("source \"%s\" needs the path of a directory as --url", src->name);
            return 0;
        }
        return 1;
    }
    if (!src->url || (strncmp(src->url, "http://", 7) && strncmp(src->url, "https://", 8))) {
        cli_error("source \"%s\" needs an http or https --url", src->name);
        return 0;
    }
    return 1;
}

static int source_add(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"type", required_argument, NULL, 't'},       {"url", required_argument, NULL, 'u'},
        {"every", required_argument, NULL, 'e'},      {"constraint", required_argument, NULL, 'c'},
        {"page-size", required_argument, NULL, 'p'},  {"priority", required_argument, NULL, 'P'},
        {"max-shrink", required_argument, NULL, 's'}, {"full-every", required_argument, NULL, 'f'},
        {"no-metadata-urls", no_argument, NULL, 'M'}, {NULL, 0, NULL, 0},
    };
    struct source src = {.page_size = STORE_DEFAULT_PAGE_SIZE,
                         .max_shrink = STORE_DEFAULT_MAX_SHRINK,
                         .priority = STORE_DEFAULT_PRIORITY,
                         .full_every_s = 7 * 86400};
    char *constraint = NULL, *dir_path = NULL;
    int status = CLI_EXIT_USAGE, c;
    struct mo_err err = {0};
    long long id = 0;

    optind = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (!parse_add_option(c, &src, &constraint))
            goto out;
    if (optind != argc - 1) {
        fputs(source_usage, stderr);
        goto out;
    }
    src.name = argv[optind];
    src.constraint_text = constraint;
    if (!check_add(&src))
        goto out;
    if (!strcmp(src.type, "dir")) { /* harvests run from anywhere: keep it absolute */
        if (!(dir_path = realpath(src.url, NULL))) {
            cli_error("could not resolve \"%s\"", src.url);
            goto out;
        }
        src.url = dir_path;
    }
    status = CLI_EXIT_FAIL;
    struct store *st = cli_store(cli);
    if (!st)
        goto out;
    if (store_source_add(st, &src, &id, &err) != MO_OK) {
        cli_error("%s", err.msg);
        goto out;
    }
    printf("source \"%s\" added (id %lld)\n", src.name, id);
    status = CLI_EXIT_OK;
out:
    free(constraint);
    free(dir_path);
    return status;
}

static void print_source(const struct source *s, int full)
{
    char every[32] = "by hand", full_every[32];
    if (s->every_s > 0)
        cli_format_duration(s->every_s, every, sizeof every);
    cli_format_duration(s->full_every_s, full_every, sizeof full_every);
    if (!full) {
        printf("%-24s %-5s %8lld records  every %-8s %s\n", s->name, s->type, s->record_count,
               every, s->url);
        return;
    }
    printf("name:            %s\n", s->name);
    printf("type:            %s\n", s->type);
    printf("url:             %s\n", s->url);
    printf("constraint:      %s\n", s->constraint_text ? s->constraint_text : "(none)");
    printf("page size:       %d\n", s->page_size);
    printf("every:           %s\n", every);
    printf("full run every:  %s\n", full_every);
    printf("max shrink:      %.0f%%\n", s->max_shrink * 100);
    printf("priority:        %d\n", s->priority);
    if (!strcmp(s->type, "wfs") || !strcmp(s->type, "wms"))
        printf("metadata URLs:   %s\n", s->ignore_metadata_urls ? "not followed" : "followed");
    printf("records:         %lld\n", s->record_count);
    printf("added:           %s\n", s->created_at ? s->created_at : "");
    printf("last success:    %s\n", s->last_success_at ? s->last_success_at : "never");
    printf("last full:       %s\n", s->last_full_success_at ? s->last_full_success_at : "never");
}

static int source_list(struct cli *cli)
{
    struct source *list = NULL;
    size_t n = 0;
    struct mo_err err = {0};
    struct store *st = cli_store(cli);
    if (!st)
        return CLI_EXIT_FAIL;
    if (store_source_list(st, &list, &n, &err) != MO_OK) {
        cli_error("%s", err.msg);
        return CLI_EXIT_FAIL;
    }
    if (n == 0)
        printf("no sources (add one with: moisson source add NAME --type csw --url URL)\n");
    for (size_t i = 0; i < n; i++) {
        print_source(&list[i], 0);
        source_clear(&list[i]);
    }
    free(list);
    return CLI_EXIT_OK;
}

static int source_show_or_remove(struct cli *cli, const char *what, const char *name)
{
    struct source src = {0};
    struct mo_err err = {0};
    struct store *st = cli_store(cli);
    if (!st)
        return CLI_EXIT_FAIL;
    if (!strcmp(what, "show")) {
        if (store_source_get(st, name, &src, &err) != MO_OK) {
            cli_error("%s", err.msg);
            return CLI_EXIT_FAIL;
        }
        print_source(&src, 1);
        source_clear(&src);
        return CLI_EXIT_OK;
    }
    if (store_source_remove(st, name, &err) != MO_OK) {
        cli_error("%s", err.msg);
        return CLI_EXIT_FAIL;
    }
    printf("source \"%s\" removed with its records and runs\n", name);
    return CLI_EXIT_OK;
}

int cli_cmd_source(struct cli *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(source_usage, stdout);
        return CLI_EXIT_OK;
    }
    if (argc < 2) {
        fputs(source_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *what = argv[1];
    if (!strcmp(what, "add"))
        return source_add(cli, argc - 1, argv + 1);
    if (!strcmp(what, "list") && argc == 2)
        return source_list(cli);
    if ((!strcmp(what, "show") || !strcmp(what, "remove")) && argc == 3)
        return source_show_or_remove(cli, what, argv[2]);
    fputs(source_usage, stderr);
    return CLI_EXIT_USAGE;
}
