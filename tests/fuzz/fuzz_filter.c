/*
 * Fuzz target: a client's constraint as the CSW server reads it — the same
 * bytes parsed as CQL text and as an OGC Filter document, and every filter
 * that parses translated to SQL.
 *
 * With -DMOISSON_FUZZ=ON (clang) this is a libFuzzer target; without, it is
 * a plain reproducer: fuzz_filter FILE|DIR... runs each file once, and
 * fuzz_filter --mutate N runs N deterministic mutations of built-in seeds
 * (a cheap fuzz run under the sanitizers of an ordinary build).
 */
#include "filter.h"
#include "xmlsafe.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Inputs past this are refused by the parsers' own caps; keep runs fast. */
#define FUZZ_FILTER_MAX_INPUT (256 * 1024)

static void fuzz_translate(const struct filter *f)
{
    struct buf sql;
    struct sql_params p = {0};
    struct mo_err err = {0};
    buf_init(&sql, 1 << 20);
    if (filter_to_sql(f, &sql, &p, &err) != MO_OK) {
        fprintf(stderr, "fuzz_filter: a parsed filter did not translate: %s\n", err.msg);
        abort();
    }
    buf_free(&sql);
    sql_params_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        xmlsafe_init();
        ready = 1;
    }
    if (size > FUZZ_FILTER_MAX_INPUT)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    struct filter *f = NULL;
    struct mo_err err = {0};
    if (filter_parse_cql(text, &f, &err) == MO_OK)
        fuzz_translate(f);
    filter_free(f);
    f = NULL;
    if (filter_parse_ogc_text(text, size, &f, &err) == MO_OK)
        fuzz_translate(f);
    filter_free(f);
    free(text);
    return 0;
}

#ifndef MOISSON_LIBFUZZER
#include <dirent.h>
#include <sys/stat.h>

static const char *const fuzz_seeds[] = {
    "dc:title LIKE '%route%' AND NOT (dc:type = 'service' OR apiso:Modified >= '2020-01-01')",
    "BBOX(ows:BoundingBox, 46, 2, 47, 3, 'urn:ogc:def:crs:EPSG::4326') OR csw:AnyText = 'eau'",
    "INTERSECTS(ows:BoundingBox, POLYGON((1 43, 5 43, 5 49, 1 43))) AND dc:subject IS NOT NULL",
    "apiso:CreationDate BETWEEN '2019' AND '2020-06-30T12:00:00Z' AND \"dc:title\" <> 'it''s'",
    "<ogc:Filter xmlns:ogc=\"http://www.opengis.net/ogc\" xmlns:gml=\"http://www.opengis.net/gml\">"
    "<ogc:And><ogc:PropertyIsLike wildCard=\"*\" singleChar=\"?\" "
    "escapeChar=\"\\\"><ogc:PropertyName>"
    "csw:AnyText</ogc:PropertyName><ogc:Literal>*église*</ogc:Literal></ogc:PropertyIsLike>"
    "<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope srsName="
    "\"urn:ogc:def:crs:EPSG::4326\"><gml:lowerCorner>46 2</gml:lowerCorner><gml:upperCorner>47 3"
    "</gml:upperCorner></gml:Envelope></ogc:BBOX><ogc:Not><ogc:PropertyIsNull><ogc:PropertyName>"
    "dc:title</ogc:PropertyName></ogc:PropertyIsNull></ogc:Not></ogc:And></ogc:Filter>",
    "<Filter xmlns=\"http://www.opengis.net/ogc\" xmlns:gml=\"http://www.opengis.net/gml\"><Or>"
    "<PropertyIsBetween><PropertyName>dct:modified</PropertyName><LowerBoundary><Literal>2020"
    "</Literal></LowerBoundary><UpperBoundary><Literal>2021-02</Literal></UpperBoundary>"
    "</PropertyIsBetween><Within><PropertyName>ows:BoundingBox</PropertyName><gml:Polygon>"
    "<gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>1,43 5,43 5,49 1,43</gml:coordinates>"
    "</gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></Within></Or></Filter>",
};

/* One deterministic mutation of seed into out (xorshift state in *s). */
static size_t fuzz_mutate(const char *seed, char *out, size_t cap, uint32_t *s)
{
    static const char bytes[] = "()'\",:%_*\\<>=! -.0123456789eEaZT\n\xc3\xa9\xff/";
    size_t len = strlen(seed);
    memcpy(out, seed, len);
    int edits = 1 + (int)(*s % 3);
    for (int i = 0; i < edits && len > 0; i++) {
        *s ^= *s << 13, *s ^= *s >> 17, *s ^= *s << 5;
        size_t at = *s % len;
        char c = bytes[(*s >> 8) % (sizeof bytes - 1)];
        switch ((*s >> 16) % 3) {
        case 0: /* replace */
            out[at] = c;
            break;
        case 1: /* insert */
            if (len + 1 < cap) {
                memmove(out + at + 1, out + at, len - at);
                out[at] = c;
                len++;
            }
            break;
        default: /* delete */
            memmove(out + at, out + at + 1, len - at - 1);
            len--;
        }
    }
    return len;
}

static int run_mutations(long n)
{
    char buf[4096];
    uint32_t state = 2463534242u;
    for (long i = 0; i < n; i++) {
        const char *seed = fuzz_seeds[i % (long)(sizeof fuzz_seeds / sizeof fuzz_seeds[0])];
        size_t len = fuzz_mutate(seed, buf, sizeof buf, &state);
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    }
    printf("fuzz_filter: %ld mutations: ok\n", n);
    return 0;
}

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        return 1;
    }
    uint8_t *buf = malloc(FUZZ_FILTER_MAX_INPUT);
    size_t got = buf ? fread(buf, 1, FUZZ_FILTER_MAX_INPUT, fp) : 0;
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, got);
    free(buf);
    printf("%s: ok\n", path);
    return 0;
}

/* Each argument: a file, a directory whose files are run, or --mutate N. */
int main(int argc, char **argv)
{
    int status = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mutate") == 0 && i + 1 < argc) {
            status |= run_mutations(strtol(argv[++i], NULL, 10));
            continue;
        }
        struct stat st;
        DIR *d = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? opendir(argv[i]) : NULL;
        if (!d) {
            status |= run_file(argv[i]);
            continue;
        }
        for (struct dirent *e; (e = readdir(d));) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (e->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
                status |= run_file(path);
        }
        closedir(d);
    }
    return status;
}
#endif
