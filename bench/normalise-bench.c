/*
 * normalise-bench.c — micro-benchmark of normalise_record (XSLT + reading the
 * unified record), with no network and no database.
 *
 * usage: normalise-bench [--xslt DIR] [--rounds N] [--min-records N] [--dump DIR] PATH...
 *
 * Each PATH is a record file or a directory of them (its regular files, not
 * recursive).  A document whose root is a CSW GetRecords response gives every
 * element child of its csw:SearchResults, a GetRecordById response every
 * element child of its root (each copied into a document of its own, with the
 * namespaces in scope, as the CSW client does); any other document is one
 * record.  Records that do not normalise (capabilities, exception reports) are
 * counted and left out.
 *
 * A round normalises every record, over and over until at least --min-records
 * (default 2000) were done; only normalise_record is timed, in thread CPU
 * time (which other processes on the machine disturb less).  Prints every
 * round and the median of --rounds (default 5) as records/s and µs/record.
 * --dump DIR writes the unified record of each record to DIR/<file>.<n>.xml
 * and the fields read from it to DIR/<file>.<n>.fields (for diffing
 * stylesheet or reader changes).
 */
#include "csw_client.h"
#include "normalise.h"
#include "record.h"
#include "xmlsafe.h"

#include <dirent.h>
#include <libexslt/exslt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define BENCH_MAX_RECORDS 100000
#define BENCH_MAX_ROUNDS 101

struct input {
    xmlDoc *doc;
    char name[512]; /* <file>.<n>, the dump file name */
};

struct bench {
    const char *xslt_dir;
    const char *dump_dir;
    int rounds;
    long min_records;
    struct input *inputs;
    size_t count;
    size_t skipped;
    struct normaliser *norm;
};

static int add_input(struct bench *b, xmlDoc *doc, const char *file, size_t n)
{
    if (b->count == BENCH_MAX_RECORDS) {
        xmlFreeDoc(doc);
        return -1;
    }
    struct input *in = &b->inputs[b->count++];
    const char *base = strrchr(file, '/');
    in->doc = doc;
    snprintf(in->name, sizeof in->name, "%s.%04zu", base ? base + 1 : file, n);
    return 0;
}

static int is_named(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0;
}

/* Adds the element children of parent, each as a document of its own. */
static int add_children(struct bench *b, xmlNode *parent, const char *file)
{
    size_t n = 0;
    for (xmlNode *c = parent->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        xmlDoc *doc = csw_record_doc(c);
        if (!doc || add_input(b, doc, file, n++) != 0)
            return -1;
    }
    return 0;
}

static int load_file(struct bench *b, const char *path)
{
    struct mo_err err = {0};
    xmlDoc *doc = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "could not open \"%s\"\n", path);
        return -1;
    }
    mo_rc rc = xmlsafe_parse_file(fp, path, &doc, &err);
    fclose(fp);
    if (rc != MO_OK) {
        fprintf(stderr, "skipped: %s\n", err.msg);
        b->skipped++;
        return 0;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    int ret = 0;
    if (is_named(root, "GetRecordsResponse")) {
        for (xmlNode *c = root->children; c && ret == 0; c = c->next)
            if (is_named(c, "SearchResults"))
                ret = add_children(b, c, path);
    } else if (is_named(root, "GetRecordByIdResponse")) {
        ret = add_children(b, root, path);
    } else {
        return add_input(b, doc, path, 0);
    }
    xmlFreeDoc(doc);
    return ret;
}

/* The regular files of dir, in name order. */
static int load_dir(struct bench *b, const char *dir)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, NULL, alphasort), ret = 0;
    if (n < 0) {
        fprintf(stderr, "could not read \"%s\"\n", dir);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
        if (ret == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            ret = load_file(b, path);
        free(list[i]);
    }
    free(list);
    return ret;
}

static int load_path(struct bench *b, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "no such file \"%s\"\n", path);
        return -1;
    }
    return S_ISDIR(st.st_mode) ? load_dir(b, path) : load_file(b, path);
}

/* Normalises one input; rec is cleared by the caller.  *ns gets the time
 * spent in normalise_record. */
static mo_rc normalise_one(struct bench *b, struct input *in, struct record *rec, double *ns,
                           struct mo_err *err)
{
    struct timespec t0, t1;
    mo_rc rc = record_set_original(rec, in->doc, NORMALISE_VERSION);
    if (rc != MO_OK)
        return mo_fail(err, rc, "could not serialise \"%s\"", in->name);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    rc = normalise_record(b->norm, in->doc, rec, err);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    *ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    return rc;
}

static void dump_list(FILE *fp, const char *name, const struct strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        fprintf(fp, "%s[%zu]: %s\n", name, i, l->items[i]);
}

/* The fields record_from_unified read, one per line (for diffing). */
static void dump_fields(FILE *fp, const struct record *rec)
{
    const struct {
        const char *name;
        const char *value;
    } strings[] = {
        {"identifier", rec->identifier},
        {"schema", rec->schema},
        {"language", rec->language},
        {"parent", rec->parent},
        {"type", rec->type},
        {"title", rec->title},
        {"abstract", rec->abstract},
        {"lineage", rec->lineage},
        {"service_type", rec->service_type},
        {"thumbnail", rec->thumbnail},
        {"date_creation", rec->date_creation},
        {"date_publication", rec->date_publication},
        {"date_revision", rec->date_revision},
        {"date_stamp", rec->date_stamp},
        {"temporal_begin", rec->temporal_begin},
        {"temporal_end", rec->temporal_end},
    };
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        fprintf(fp, "%s: %s\n", strings[i].name, strings[i].value ? strings[i].value : "(null)");
    dump_list(fp, "alt_titles", &rec->alt_titles);
    dump_list(fp, "keywords", &rec->keywords);
    dump_list(fp, "topics", &rec->topics);
    dump_list(fp, "organisations", &rec->organisations);
    dump_list(fp, "links", &rec->links);
    dump_list(fp, "formats", &rec->formats);
    dump_list(fp, "crs", &rec->crs);
    dump_list(fp, "licences", &rec->licences);
    dump_list(fp, "resource_languages", &rec->resource_languages);
    dump_list(fp, "operates_on", &rec->operates_on);
    if (rec->has_bbox)
        fprintf(fp, "bbox: %.17g %.17g %.17g %.17g\n", rec->west, rec->south, rec->east,
                rec->north);
}

/* DIR/<name>.xml: the unified record as serialised; DIR/<name>.fields: what
 * was read from it. */
static int dump_unified(const char *dir, const struct input *in, const struct record *rec)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.xml", dir, in->name);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(rec->unified, 1, rec->unified_len, fp) != rec->unified_len) {
        fprintf(stderr, "could not write \"%s\"\n", path);
        if (fp)
            fclose(fp);
        return -1;
    }
    if (fclose(fp) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/%s.fields", dir, in->name);
    fp = fopen(path, "w");
    if (!fp)
        return -1;
    dump_fields(fp, rec);
    return fclose(fp) == 0 ? 0 : -1;
}

/* First pass: drops the inputs that do not normalise, dumps the others. */
static int check_inputs(struct bench *b)
{
    size_t kept = 0;
    for (size_t i = 0; i < b->count; i++) {
        struct record rec = {0};
        struct mo_err err = {0};
        double ns;
        if (normalise_one(b, &b->inputs[i], &rec, &ns, &err) != MO_OK) {
            fprintf(stderr, "skipped %s: %s\n", b->inputs[i].name, err.msg);
            xmlFreeDoc(b->inputs[i].doc);
            b->skipped++;
        } else {
            if (b->dump_dir && dump_unified(b->dump_dir, &b->inputs[i], &rec) != 0) {
                record_clear(&rec);
                return -1;
            }
            b->inputs[kept++] = b->inputs[i];
        }
        record_clear(&rec);
    }
    b->count = kept;
    return 0;
}

/* One round: µs per record. */
static int run_round(struct bench *b, double *us_per_record)
{
    double total_ns = 0;
    long done = 0;
    while (done < b->min_records) {
        for (size_t i = 0; i < b->count; i++, done++) {
            struct record rec = {0};
            struct mo_err err = {0};
            double ns = 0;
            mo_rc rc = normalise_one(b, &b->inputs[i], &rec, &ns, &err);
            record_clear(&rec);
            if (rc != MO_OK) {
                fprintf(stderr, "%s\n", err.msg);
                return -1;
            }
            total_ns += ns;
        }
    }
    *us_per_record = total_ns / 1e3 / (double)done;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int run_rounds(struct bench *b)
{
    double us[BENCH_MAX_ROUNDS];
    for (int r = 0; r < b->rounds; r++) {
        if (run_round(b, &us[r]) != 0)
            return -1;
        printf("round %d: %.1f us/record, %.0f records/s\n", r + 1, us[r], 1e6 / us[r]);
    }
    qsort(us, (size_t)b->rounds, sizeof *us, cmp_double);
    double median = us[b->rounds / 2];
    printf("median of %d rounds (%zu records, %zu skipped): %.1f us/record, %.0f records/s\n",
           b->rounds, b->count, b->skipped, median, 1e6 / median);
    return 0;
}

static int parse_args(struct bench *b, int argc, char **argv, int *first_path)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *opt = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val)
            return -1;
        if (strcmp(opt, "--xslt") == 0)
            b->xslt_dir = val;
        else if (strcmp(opt, "--dump") == 0)
            b->dump_dir = val;
        else if (strcmp(opt, "--rounds") == 0)
            b->rounds = atoi(val);
        else if (strcmp(opt, "--min-records") == 0)
            b->min_records = atol(val);
        else
            return -1;
        i++;
    }
    *first_path = i;
    if (i == argc || b->rounds < 1 || b->rounds > BENCH_MAX_ROUNDS || b->min_records < 1)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    struct bench b = {.xslt_dir = MOISSON_SOURCE_DIR "/xslt", .rounds = 5, .min_records = 2000};
    struct mo_err err = {0};
    int first = 0, ret = 1;
    if (parse_args(&b, argc, argv, &first) != 0) {
        fprintf(stderr,
                "usage: %s [--xslt DIR] [--rounds N] [--min-records N] [--dump DIR] "
                "PATH...\n",
                argv[0]);
        return 2;
    }
    xmlsafe_init();
    exsltRegisterAll();
    b.inputs = calloc(BENCH_MAX_RECORDS, sizeof *b.inputs);
    if (!b.inputs)
        return 1;
    for (int i = first; i < argc; i++)
        if (load_path(&b, argv[i]) != 0)
            goto out;
    if (normalise_new(b.xslt_dir, &b.norm, &err) != MO_OK) {
        fprintf(stderr, "%s\n", err.msg);
        goto out;
    }
    if (check_inputs(&b) != 0)
        goto out;
    if (b.count == 0) {
        fprintf(stderr, "no record to normalise\n");
        goto out;
    }
    ret = run_rounds(&b) == 0 ? 0 : 1;
out:
    normalise_free(b.norm);
    for (size_t i = 0; i < b.count; i++)
        xmlFreeDoc(b.inputs[i].doc);
    free(b.inputs);
    return ret;
}
