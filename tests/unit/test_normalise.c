/*
 * test_normalise.c — the input stylesheets against the corpus (every ISO record,
 * every record of every CSW response), golden files, encodings, failures and the
 * security setup.  Every unified document produced is validated against
 * schemas/unified-record.xsd.
 */
#include "normalise.h"
#include "normpool.h"
#include "record.h"
#include "xmlsafe.h"

#include <dirent.h>
#include <libxml/xmlschemas.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

struct fixture {
    const char *share;
    const char *corpus;
    struct normaliser *n;
    xmlSchema *schema;
    xmlSchemaParserCtxt *schema_parser;
};

static int group_setup(void **state)
{
    static struct fixture f;
    struct mo_err err = {0};
    char path[4096];
    xmlsafe_init();
    f.share = getenv("MOISSON_SHARE");
    f.corpus = getenv("MOISSON_CORPUS");
    if (!f.share) {
        fprintf(stderr, "MOISSON_SHARE is not set\n");
        return -1;
    }
    snprintf(path, sizeof path, "%s/xslt", f.share);
    if (normalise_new(path, &f.n, &err) != MO_OK) {
        fprintf(stderr, "normalise_new: %s\n", err.msg);
        return -1;
    }
    snprintf(path, sizeof path, "%s/schemas/unified-record.xsd", f.share);
    f.schema_parser = xmlSchemaNewParserCtxt(path);
    f.schema = f.schema_parser ? xmlSchemaParse(f.schema_parser) : NULL;
    if (!f.schema) {
        fprintf(stderr, "could not compile \"%s\"\n", path);
        return -1;
    }
    *state = &f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    normalise_free(f->n);
    xmlSchemaFree(f->schema);
    xmlSchemaFreeParserCtxt(f->schema_parser);
    return 0;
}

static void assert_valid(struct fixture *f, xmlDoc *unified, const char *name)
{
    xmlSchemaValidCtxt *v = xmlSchemaNewValidCtxt(f->schema);
    assert_non_null(v);
    int rc = xmlSchemaValidateDoc(v, unified);
    xmlSchemaFreeValidCtxt(v);
    if (rc != 0)
        fail_msg("unified record of \"%s\" does not validate", name);
}

/* Normalises raw, validates, reads it; fails the test with the message. */
static void check_record(struct fixture *f, xmlDoc *raw, const char *name, struct record *rec)
{
    struct mo_err err = {0};
    xmlDoc *unified = NULL;
    if (normalise_to_unified(f->n, raw, &unified, &err) != MO_OK)
        fail_msg("\"%s\": %s", name, err.msg);
    assert_valid(f, unified, name);
    if (record_from_unified(unified, rec, &err) != MO_OK)
        fail_msg("\"%s\": %s", name, err.msg);
    xmlFreeDoc(unified);
}

static xmlDoc *parse_path(const char *path)
{
    struct mo_err err = {0};
    xmlDoc *doc = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("could not open \"%s\"", path);
    mo_rc rc = xmlsafe_parse_file(fp, path, &doc, &err);
    fclose(fp);
    if (rc != MO_OK)
        fail_msg("%s", err.msg);
    return doc;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Calls fn on every *.xml of dir (sorted order is not needed); returns count. */
static int for_each_xml(const char *dir, void (*fn)(struct fixture *, const char *),
                        struct fixture *f)
{
    int count = 0;
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("could not open directory \"%s\"", dir);
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (!has_suffix(e->d_name, ".xml"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        fn(f, path);
        count++;
    }
    closedir(d);
    return count;
}

static void check_iso_file(struct fixture *f, const char *path)
{
    struct record rec = {0};
    xmlDoc *raw = parse_path(path);
    check_record(f, raw, path, &rec);
    if (!rec.identifier || !rec.title)
        fail_msg("\"%s\": no identifier or no title", path);
    record_clear(&rec);
    xmlFreeDoc(raw);
}

static int need_corpus(struct fixture *f)
{
    if (f->corpus && access(f->corpus, R_OK) == 0)
        return 1;
    printf("MOISSON_CORPUS is not set or not readable: corpus tests skipped\n");
    return 0;
}

static void test_iso_corpus(void **state)
{
    struct fixture *f = *state;
    char dir[4096];
    if (!need_corpus(f))
        skip();
    snprintf(dir, sizeof dir, "%s/iso19139", f->corpus);
    int n = for_each_xml(dir, check_iso_file, f);
    snprintf(dir, sizeof dir, "%s/iso19139/iso19115-3", f->corpus);
    int m = for_each_xml(dir, check_iso_file, f);
    printf("normalised %d ISO 19139 and %d ISO 19115-3 records\n", n, m);
    assert_true(n >= 30 && m >= 3);
}

static int records_in_csw(struct fixture *f, const char *path);

static int csw_records_total;

static void check_csw_file(struct fixture *f, const char *path)
{
    csw_records_total += records_in_csw(f, path);
}

/* The records of a GetRecords (csw:SearchResults children) or GetRecordById
 * response, each copied into its own document. */
static int records_in_csw(struct fixture *f, const char *path)
{
    int count = 0;
    xmlDoc *resp = parse_path(path);
    xmlNode *root = xmlDocGetRootElement(resp);
    xmlNode *parent = NULL;
    if (strcmp((const char *)root->name, "GetRecordByIdResponse") == 0)
        parent = root;
    else if (strcmp((const char *)root->name, "GetRecordsResponse") == 0)
        for (xmlNode *c = root->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE &&
                strcmp((const char *)c->name, "SearchResults") == 0)
                parent = c;
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        struct record rec = {0};
        xmlDoc *one = xmlNewDoc((const xmlChar *)"1.0");
        xmlNode *copy = xmlDocCopyNode(c, one, 1);
        xmlDocSetRootElement(one, copy);
        xmlReconciliateNs(one, copy);
        check_record(f, one, path, &rec);
        assert_non_null(rec.identifier);
        record_clear(&rec);
        xmlFreeDoc(one);
        count++;
    }
    xmlFreeDoc(resp);
    return count;
}

static void test_csw_corpus(void **state)
{
    struct fixture *f = *state;
    char dir[4096];
    if (!need_corpus(f))
        skip();
    snprintf(dir, sizeof dir, "%s/csw", f->corpus);
    csw_records_total = 0;
    for_each_xml(dir, check_csw_file, f);
    printf("normalised %d records from CSW responses\n", csw_records_total);
    assert_true(csw_records_total >= 60);
}

/* Serialises doc re-parsed without blanks and indented: what legitimately
 * varies (indentation, quote style, the declaration) is gone. */
static char *canonical(const char *text, size_t len, const char *name)
{
    xmlDoc *doc = xmlReadMemory(text, (int)len, name, NULL, XML_PARSE_NOBLANKS | XML_PARSE_NONET);
    if (!doc)
        fail_msg("could not re-parse \"%s\"", name);
    xmlChar *out = NULL;
    int out_len = 0;
    xmlDocDumpFormatMemoryEnc(doc, &out, &out_len, "UTF-8", 1);
    xmlFreeDoc(doc);
    char *s = strdup((const char *)out);
    xmlFree(out);
    return s;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("could not open \"%s\"", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
    data[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return data;
}

static const char *const golden_names[] = {
    "iso_dataset_cadastre_multilingual",
    "iso_service_plu_wms",
    "iso_series_voirie",
    "iso19115-3_adresses",
    "csw_record_bbox_epsg4326",
    "csw3_record_wgs84",
    "dcat_geodcatap_dataset",
    "dcat_client_flat_dataset",
    "ogc_wfs_layer", /* inputs: c:layer / c:service as ogc_caps.h hands them on */
    "ogc_wms_layer",
    "ogc_wfs_service",
};

static void check_golden(struct fixture *f, const char *name)
{
    char in[4096], expected_path[4096];
    struct mo_err err = {0};
    xmlDoc *unified = NULL;
    snprintf(in, sizeof in, "%s/tests/golden/normalise/%s.xml", f->share, name);
    snprintf(expected_path, sizeof expected_path, "%s/tests/golden/normalise/%s.unified.xml",
             f->share, name);
    xmlDoc *raw = parse_path(in);
    if (normalise_to_unified(f->n, raw, &unified, &err) != MO_OK)
        fail_msg("\"%s\": %s", in, err.msg);
    assert_valid(f, unified, in);
    xmlChar *got = NULL;
    int got_len = 0;
    xmlDocDumpMemoryEnc(unified, &got, &got_len, "UTF-8");
    size_t exp_len = 0;
    char *exp = read_all(expected_path, &exp_len);
    char *a = canonical((const char *)got, (size_t)got_len, in);
    char *b = canonical(exp, exp_len, expected_path);
    if (strcmp(a, b) != 0)
        fail_msg("\"%s\" differs from \"%s\":\n--- got\n%s\n--- expected\n%s", in,
                 expected_path, a, b);
    free(a);
    free(b);
    free(exp);
    xmlFree(got);
    xmlFreeDoc(unified);
    xmlFreeDoc(raw);
}

static void test_golden(void **state)
{
    for (size_t i = 0; i < sizeof golden_names / sizeof *golden_names; i++)
        check_golden(*state, golden_names[i]);
}

struct encoding_case {
    const char *file;
    const char *title; /* UTF-8 */
};

#define FULL_TITLE "\xc5\x92uvres d\xe2\x80\x99" "art et \xc3\xa9quipements \xc3\xa0 l\xe2\x80\x99\xc3\xa9" "cole"
#define LATIN1_TITLE "\xc3\x89quipements de la voirie \xc3\xa0 S\xc3\xa8te"

static const struct encoding_case encoding_cases[] = {
    {"record-utf-8.xml", FULL_TITLE},
    {"record-windows-1252.xml", FULL_TITLE},
    {"record-utf-16.xml", FULL_TITLE},
    {"record-iso-8859-1.xml", LATIN1_TITLE},
    {"record-utf-8-latin1-title.xml", LATIN1_TITLE},
};

static void test_encodings(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof encoding_cases / sizeof *encoding_cases; i++) {
        char path[4096];
        struct record rec = {0};
        snprintf(path, sizeof path, "%s/tests/golden/encodings/%s", f->share,
                 encoding_cases[i].file);
        xmlDoc *raw = parse_path(path);
        check_record(f, raw, path, &rec);
        assert_string_equal(rec.title, encoding_cases[i].title);
        assert_string_equal(rec.abstract,
                            "Fiche de test d'encodage : \xc3\xa9, \xc3\xa8, \xc3\xa0, \xc3\xa7.");
        record_clear(&rec);
        xmlFreeDoc(raw);
    }
}

static xmlDoc *parse_text(const char *text)
{
    struct mo_err err = {0};
    xmlDoc *doc = NULL;
    if (xmlsafe_parse_memory(text, strlen(text), "inline", &doc, &err) != MO_OK)
        fail_msg("%s", err.msg);
    return doc;
}

static void test_unsupported_root(void **state)
{
    struct fixture *f = *state;
    struct mo_err err = {0};
    xmlDoc *unified = NULL;
    xmlDoc *raw = parse_text("<wfs:WFS_Capabilities xmlns:wfs='http://www.opengis.net/wfs'/>");
    assert_int_equal(normalise_to_unified(f->n, raw, &unified, &err), MO_EXML);
    assert_null(unified);
    assert_non_null(strstr(err.msg, "unsupported record root {http://www.opengis.net/wfs}WFS_Capabilities"));
    xmlFreeDoc(raw);
}

static void test_record_without_identifier(void **state)
{
    struct fixture *f = *state;
    struct mo_err err = {0};
    struct record rec = {0};
    xmlDoc *raw = parse_text("<csw:Record xmlns:csw='http://www.opengis.net/cat/csw/2.0.2' "
                             "xmlns:dc='http://purl.org/dc/elements/1.1/'>"
                             "<dc:title>Sans identifiant</dc:title></csw:Record>");
    assert_int_equal(normalise_record(f->n, raw, &rec, &err), MO_EXML);
    assert_non_null(strstr(err.msg, "no identifier"));
    record_clear(&rec);
    xmlFreeDoc(raw);
}

static void test_normalise_record_keeps_hash(void **state)
{
    struct fixture *f = *state;
    struct mo_err err = {0};
    struct record rec = {0};
    xmlDoc *raw = parse_text("<csw:Record xmlns:csw='http://www.opengis.net/cat/csw/2.0.2' "
                             "xmlns:dc='http://purl.org/dc/elements/1.1/'>"
                             "<dc:identifier>x-1</dc:identifier><dc:title>T</dc:title></csw:Record>");
    assert_int_equal(record_set_original(&rec, raw, NORMALISE_VERSION), MO_OK);
    char hash[65];
    memcpy(hash, rec.hash, sizeof hash);
    assert_int_equal(normalise_record(f->n, raw, &rec, &err), MO_OK);
    assert_string_equal(rec.hash, hash);
    assert_non_null(rec.original);
    assert_non_null(strstr(rec.unified, "<m:identifier>x-1</m:identifier>"));
    record_clear(&rec);
    xmlFreeDoc(raw);
}

/* The demo territory's records (always in the tree) and two that fail, as
 * separate documents: what the pool takes. */
static size_t load_pool_docs(struct fixture *f, xmlDoc **docs, size_t max)
{
    static const char *const dirs[] = {"demo/partners/cc-val-de-loire",
                                       "demo/partners/commune-saint-aubin",
                                       "demo/partners/departement"};
    size_t n = 0;
    char path[4096];
    for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
        snprintf(path, sizeof path, "%s/%s", f->share, dirs[d]);
        DIR *dir = opendir(path);
        if (!dir)
            fail_msg("could not open \"%s\"", path);
        struct dirent *e;
        while ((e = readdir(dir)) && n + 2 < max) {
            if (!strstr(e->d_name, ".xml"))
                continue;
            snprintf(path, sizeof path, "%s/%s/%s", f->share, dirs[d], e->d_name);
            FILE *fp = fopen(path, "rb");
            struct mo_err err = {0};
            if (!fp || xmlsafe_parse_file(fp, path, &docs[n], &err) != MO_OK)
                fail_msg("could not read \"%s\": %s", path, err.msg);
            fclose(fp);
            n++;
        }
        closedir(dir);
    }
    docs[n++] = parse_text("<wfs:WFS_Capabilities xmlns:wfs='http://www.opengis.net/wfs'/>");
    docs[n++] = parse_text("<csw:Record xmlns:csw='http://www.opengis.net/cat/csw/2.0.2' "
                           "xmlns:dc='http://purl.org/dc/elements/1.1/'>"
                           "<dc:title>Sans identifiant</dc:title></csw:Record>");
    return n;
}

/* Records normalised by a pool of helpers come out as the same records,
 * failures included, each in its own job, round after round. */
static void test_pool_matches_in_line(void **state)
{
    struct fixture *f = *state;
    enum { MAX = 64 };
    xmlDoc *pooled[MAX], *alone[MAX];
    struct normpool_job jobs[MAX], single;
    struct normpool *pool = NULL;
    size_t n = load_pool_docs(f, pooled, MAX);
    assert_true(n >= 20);
    assert_int_equal(load_pool_docs(f, alone, MAX), n);
    char xslt[4096];
    snprintf(xslt, sizeof xslt, "%s/xslt", f->share);
    assert_int_equal(normpool_start(f->n, xslt, 2, &pool), MO_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(normpool_doc_independent(pooled[i], pooled, i));
    assert_false(normpool_doc_independent(pooled[1], pooled, 2));
    for (int round = 0; round < 3; round++) {
        memset(jobs, 0, sizeof jobs);
        normpool_begin(pool, jobs);
        for (size_t i = 0; i < n; i++) {
            jobs[i].doc = xmlCopyDoc(pooled[i], 1);
            normpool_add(pool);
        }
        normpool_finish(pool);
        for (size_t i = 0; i < n; i++) {
            memset(&single, 0, sizeof single);
            single.doc = xmlCopyDoc(alone[i], 1);
            normpool_take(f->n, &single);
            assert_int_equal(jobs[i].rc, single.rc);
            if (single.rc == MO_OK) {
                assert_string_equal(jobs[i].rec.identifier, single.rec.identifier);
                assert_string_equal(jobs[i].rec.unified, single.rec.unified);
                assert_string_equal(jobs[i].rec.original, single.rec.original);
            } else {
                assert_string_equal(jobs[i].err.msg, single.err.msg);
                assert_null(jobs[i].rec.identifier);
            }
            record_clear(&single.rec);
            xmlFreeDoc(single.doc);
            record_clear(&jobs[i].rec);
            xmlFreeDoc(jobs[i].doc);
        }
        assert_int_equal(jobs[n - 2].rc, MO_EXML);
        assert_int_equal(jobs[n - 1].rc, MO_EXML);
    }
    normpool_begin(pool, jobs); /* an empty round */
    normpool_finish(pool);
    normpool_stop(pool);
    for (size_t i = 0; i < n; i++) {
        xmlFreeDoc(pooled[i]);
        xmlFreeDoc(alone[i]);
    }
}

static void test_missing_xslt_dir(void **state)
{
    (void)state;
    struct mo_err err = {0};
    struct normaliser *n = (struct normaliser *)&err; /* must be reset to NULL */
    assert_int_equal(normalise_new("/nonexistent/moisson-xslt", &n, &err), MO_EIO);
    assert_null(n);
    assert_non_null(strstr(err.msg, "\"/nonexistent/moisson-xslt/iso19139-to-unified.xsl\""));
}

/* A stylesheet that reads a local file through document() runs under the same
 * security preferences and fails instead of leaking the file. */
static void test_stylesheet_cannot_read_files(void **state)
{
    (void)state;
    static const char *const files[] = {"iso19139-to-unified.xsl", "iso19115-3-to-unified.xsl",
                                        "csw-record-to-unified.xsl", "dcat-rdf-to-unified.xsl",
                                        "ogc-layer-to-unified.xsl"};
    static const char hostile[] =
        "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>"
        "<xsl:template match='/'><leak><xsl:copy-of select=\"document('/etc/hostname')\"/>"
        "<xsl:copy-of select=\"document('http://127.0.0.1:9/x.xml')\"/></leak></xsl:template>"
        "</xsl:stylesheet>";
    char dir[] = "/tmp/moisson-hostile-XXXXXX";
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(hostile, fp);
        fclose(fp);
    }
    struct normaliser *n = NULL;
    struct mo_err err = {0};
    assert_int_equal(normalise_new(dir, &n, &err), MO_OK);
    xmlDoc *raw = parse_text("<gmd:MD_Metadata xmlns:gmd='http://www.isotc211.org/2005/gmd'/>");
    xmlDoc *unified = NULL;
    assert_int_equal(normalise_to_unified(n, raw, &unified, &err), MO_EXSLT);
    assert_null(unified);
    assert_non_null(strstr(err.msg, "could not normalise gmd:MD_Metadata: "));
    printf("hostile stylesheet refused: %s\n", err.msg);
    xmlFreeDoc(raw);
    normalise_free(n);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_corpus),
        cmocka_unit_test(test_csw_corpus),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_unsupported_root),
        cmocka_unit_test(test_record_without_identifier),
        cmocka_unit_test(test_normalise_record_keeps_hash),
        cmocka_unit_test(test_pool_matches_in_line),
        cmocka_unit_test(test_missing_xslt_dir),
        cmocka_unit_test(test_stylesheet_cannot_read_files),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
