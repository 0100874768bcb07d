/*
 * test_output_xslt.c — the output stylesheets through aggregator/render.c:
 * unified record → Dublin Core (brief, summary, full) and → ISO 19139 (full,
 * brief, summary), and the ISO AP brief/summary of original ISO records.
 *
 * Every golden unified record and every record of the corpus (ISO 19139 and
 * 19115-3 files, the records of the CSW responses, normalised by the
 * project's own normaliser) is rendered in every form and validated offline
 * against the official schemas (tests/support/schemacheck).  Golden outputs
 * (tests/golden/output/), escaping, round trips back through the input
 * stylesheets, strict ISO types (dates, URLs), provenance, errors, threads and
 * the locked-down transform are checked on top.
 *
 * MOISSON_GOLDEN_WRITE=DIR writes every golden output as rendered into DIR
 * instead of comparing (to review a stylesheet change, then copy the files
 * over tests/golden/output/).
 */
#include "normalise.h"
#include "record.h"
#include "render.h"
#include "schemacheck.h"
#include "testdb.h"
#include "xmlsafe.h"

#include <dirent.h>
#include <libxml/xmlstring.h>
#include <libxml/xpath.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define OUT_MAX (4u * 1024 * 1024)
#define PATH_MAX_LEN 4096

enum kind { KIND_DC, KIND_ISO, KIND_ISO_SUBSET };

struct fixture {
    const char *share;
    const char *corpus; /* NULL when absent */
    struct render *render;
    struct normaliser *norm;
    struct schemacheck *iso; /* NULL when the corpus is absent */
    struct schemacheck *csw;
    const char *golden_write; /* MOISSON_GOLDEN_WRITE or NULL */
    int rendered;             /* documents rendered and validated */
    int subsets_valid;        /* original ISO records valid in full → their subsets */
    int subsets_rescued;      /* invalid originals whose subsets validate */
};

static const struct render_params golden_params = {
    .sources = "commune-a, commune-b",
    .harvested = "2024-05-02T08:30:00Z",
    .public_url = "https://geo.example.fr/moisson",
};

static const char *const dc_roots[] = {"BriefRecord", "SummaryRecord", "Record"};

/* ------------------------------------------------------------ helpers */

static int group_setup(void **state)
{
    static struct fixture f;
    struct mo_err err = {0};
    char path[PATH_MAX_LEN], why[1024];
    xmlsafe_init();
    f.share = getenv("MOISSON_SHARE");
    f.corpus = testdb_corpus_dir();
    f.golden_write = getenv("MOISSON_GOLDEN_WRITE");
    if (!f.share) {
        fprintf(stderr, "MOISSON_SHARE is not set\n");
        return -1;
    }
    snprintf(path, sizeof path, "%s/xslt", f.share);
    if (render_new(path, &f.render, &err) != MO_OK || normalise_new(path, &f.norm, &err) != MO_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    if (f.corpus) {
        f.iso = schemacheck_load(SCHEMACHECK_ISO19139, why, sizeof why);
        if (!f.iso) {
            fprintf(stderr, "ISO 19139 schema: %s\n", why);
            return -1;
        }
        f.csw = schemacheck_load(SCHEMACHECK_CSW_RECORD, why, sizeof why);
        if (!f.csw) {
            fprintf(stderr, "CSW record schema: %s\n", why);
            return -1;
        }
    }
    *state = &f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    printf("rendered and validated %d documents; %d valid ISO originals kept valid as brief "
           "and summary, %d invalid ones became valid\n",
           f->rendered, f->subsets_valid, f->subsets_rescued);
    render_free(f->render);
    normalise_free(f->norm);
    schemacheck_free(f->iso);
    schemacheck_free(f->csw);
    return 0;
}

static int need_corpus(const struct fixture *f)
{
    if (f->corpus && f->iso)
        return 1;
    print_message("corpus absent ($MOISSON_CORPUS): corpus records and schema validation "
                  "skipped\n");
    return 0;
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

static xmlDoc *parse_text(const char *text, size_t len, const char *name)
{
    struct mo_err err = {0};
    xmlDoc *doc = NULL;
    if (xmlsafe_parse_memory(text, len, name, &doc, &err) != MO_OK)
        fail_msg("rendered output of %s does not parse: %s", name, err.msg);
    return doc;
}

/* Renders in into out (emptied first); returns the rc. */
static mo_rc render_into(struct fixture *f, enum kind kind, enum render_set set, xmlDoc *in,
                         const struct render_params *params, struct buf *out, struct mo_err *err)
{
    buf_reset(out);
    switch (kind) {
    case KIND_DC:
        return render_dc(f->render, in, set, params, out, err);
    case KIND_ISO:
        return render_iso(f->render, in, set, params, out, err);
    default:
        return render_iso_subset(f->render, in, set, out, err);
    }
}

/* Renders in and parses the text back (the serialisation is part of what is
 * tested); fails the test on any error. */
static xmlDoc *render_doc(struct fixture *f, enum kind kind, enum render_set set, xmlDoc *in,
                          const struct render_params *params, const char *name)
{
    struct buf out;
    struct mo_err err = {0};
    buf_init(&out, OUT_MAX);
    if (render_into(f, kind, set, in, params, &out, &err) != MO_OK)
        fail_msg("\"%s\": %s", name, err.msg);
    assert_true(out.len > 0);
    assert_null(strstr(out.data, "<?xml")); /* an element, ready to embed */
    xmlDoc *doc = parse_text(out.data, out.len, name);
    buf_free(&out);
    return doc;
}

/* Validates doc with s (skips when the corpus is absent); fails with the
 * schema's messages. */
static void assert_schema_valid(struct fixture *f, struct schemacheck *s, xmlDoc *doc,
                                const char *what, const char *name)
{
    char why[2048];
    if (!s)
        return;
    if (schemacheck_doc(s, doc, why, sizeof why) != 0)
        fail_msg("%s of \"%s\" does not validate: %s", what, name, why);
    f->rendered++;
}

static void assert_root(xmlDoc *doc, const char *ns, const char *local, const char *name)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !root->ns || strcmp((const char *)root->ns->href, ns) != 0 ||
        strcmp((const char *)root->name, local) != 0)
        fail_msg("\"%s\": root is not {%s}%s", name, ns, local);
}

/* Every output of one unified record, each validated. */
static void check_unified_outputs(struct fixture *f, xmlDoc *unified, const char *name)
{
    for (int set = RENDER_BRIEF; set <= RENDER_FULL; set++) {
        char what[64];
        xmlDoc *dc = render_doc(f, KIND_DC, set, unified, &golden_params, name);
        assert_root(dc, "http://www.opengis.net/cat/csw/2.0.2", dc_roots[set], name);
        snprintf(what, sizeof what, "Dublin Core %s", render_set_name(set));
        assert_schema_valid(f, f->csw, dc, what, name);
        xmlFreeDoc(dc);
        xmlDoc *iso = render_doc(f, KIND_ISO, set, unified, &golden_params, name);
        assert_root(iso, "http://www.isotc211.org/2005/gmd", "MD_Metadata", name);
        snprintf(what, sizeof what, "ISO 19139 %s", render_set_name(set));
        assert_schema_valid(f, f->iso, iso, what, name);
        xmlFreeDoc(iso);
    }
}

/* An original ISO 19139 record: when it validates as the partner wrote it,
 * its brief and summary sets validate too. */
static void check_iso_original(struct fixture *f, xmlDoc *raw, const char *name)
{
    char why[2048];
    int original_valid = f->iso && schemacheck_doc(f->iso, raw, why, sizeof why) == 0;
    int subsets_valid = 1;
    for (int set = RENDER_BRIEF; set <= RENDER_SUMMARY; set++) {
        xmlDoc *sub = render_doc(f, KIND_ISO_SUBSET, set, raw, NULL, name);
        assert_root(sub, "http://www.isotc211.org/2005/gmd", "MD_Metadata", name);
        if (original_valid)
            assert_schema_valid(f, f->iso, sub, render_set_name(set), name);
        else if (f->iso && schemacheck_doc(f->iso, sub, why, sizeof why) != 0)
            subsets_valid = 0;
        xmlFreeDoc(sub);
    }
    if (original_valid)
        f->subsets_valid++;
    else if (f->iso && subsets_valid)
        f->subsets_rescued++;
}

static int is_iso19139_root(xmlDoc *doc)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    return root && root->ns &&
           (strcmp((const char *)root->ns->href, "http://www.isotc211.org/2005/gmd") == 0 ||
            strcmp((const char *)root->ns->href, "http://www.isotc211.org/2005/gmi") == 0);
}

/* A partner record: its ISO subsets (ISO 19139 roots), then its unified
 * record in every output form. */
static void check_partner_record(struct fixture *f, xmlDoc *raw, const char *name)
{
    struct mo_err err = {0};
    xmlDoc *unified = NULL;
    if (is_iso19139_root(raw))
        check_iso_original(f, raw, name);
    if (normalise_to_unified(f->norm, raw, &unified, &err) != MO_OK)
        fail_msg("\"%s\": %s", name, err.msg);
    check_unified_outputs(f, unified, name);
    xmlFreeDoc(unified);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Names of dir ending in suffix (and containing infix, unless NULL), sorted;
 * returns their count and a NULL-terminated array (free each, then it). */
static char **list_dir(const char *dir, const char *infix, const char *suffix, size_t *count)
{
    size_t n = 0, cap = 16;
    char **names = malloc(cap * sizeof *names);
    DIR *d = opendir(dir);
    assert_non_null(names);
    if (!d)
        fail_msg("could not open directory \"%s\"", dir);
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (!has_suffix(e->d_name, suffix) || (infix && !strstr(e->d_name, infix)))
            continue;
        if (n + 1 >= cap) {
            cap *= 2;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    names[n] = NULL;
    qsort(names, n, sizeof *names, compare_names);
    *count = n;
    return names;
}

static void free_names(char **names)
{
    for (size_t i = 0; names[i]; i++)
        free(names[i]);
    free(names);
}

/* ------------------------------------------------------------ corpus */

/* Every golden unified record, in every output form. */
static void test_golden_unified_records(void **state)
{
    struct fixture *f = *state;
    const char *const dirs[] = {"tests/golden/normalise", "tests/golden/output"};
    size_t total = 0;
    for (size_t d = 0; d < 2; d++) {
        char dir[PATH_MAX_LEN], path[PATH_MAX_LEN];
        size_t n = 0;
        snprintf(dir, sizeof dir, "%s/%s", f->share, dirs[d]);
        char **names = list_dir(dir, NULL, ".unified.xml", &n);
        for (size_t i = 0; i < n; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            xmlDoc *unified = parse_path(path);
            check_unified_outputs(f, unified, path);
            xmlFreeDoc(unified);
        }
        total += n;
        free_names(names);
    }
    assert_true(total >= 9);
}

/* Every ISO 19139 and ISO 19115-3 record of the corpus. */
static void test_corpus_iso_records(void **state)
{
    struct fixture *f = *state;
    const char *const dirs[] = {"iso19139", "iso19139/iso19115-3"};
    size_t counts[2] = {0, 0};
    if (!need_corpus(f))
        skip();
    for (size_t d = 0; d < 2; d++) {
        char dir[PATH_MAX_LEN], path[PATH_MAX_LEN];
        snprintf(dir, sizeof dir, "%s/%s", f->corpus, dirs[d]);
        char **names = list_dir(dir, NULL, ".xml", &counts[d]);
        for (size_t i = 0; i < counts[d]; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            xmlDoc *raw = parse_path(path);
            check_partner_record(f, raw, path);
            xmlFreeDoc(raw);
        }
        free_names(names);
    }
    printf("rendered %zu ISO 19139 and %zu ISO 19115-3 corpus records\n", counts[0], counts[1]);
    assert_true(counts[0] >= 30 && counts[1] >= 3);
}

/* The record elements of a GetRecords (csw:SearchResults children) or
 * GetRecordById response, each in its own document. */
static size_t check_csw_response(struct fixture *f, const char *path)
{
    size_t count = 0;
    xmlDoc *resp = parse_path(path);
    xmlNode *root = xmlDocGetRootElement(resp);
    xmlNode *parent = NULL;
    if (strcmp((const char *)root->name, "GetRecordByIdResponse") == 0)
        parent = root;
    for (xmlNode *c = root->children; !parent && c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "SearchResults") == 0)
            parent = c;
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        char name[PATH_MAX_LEN];
        xmlDoc *one = xmlNewDoc((const xmlChar *)"1.0");
        xmlNode *copy = xmlDocCopyNode(c, one, 1);
        xmlDocSetRootElement(one, copy);
        xmlReconciliateNs(one, copy);
        snprintf(name, sizeof name, "%s, record %zu", path, count + 1);
        check_partner_record(f, one, name);
        xmlFreeDoc(one);
        count++;
    }
    xmlFreeDoc(resp);
    return count;
}

/* Every record of the corpus's GetRecords and GetRecordById responses (Dublin
 * Core, ISO 19139, DCAT and GeoDCAT-AP records). */
static void test_corpus_csw_records(void **state)
{
    struct fixture *f = *state;
    char dir[PATH_MAX_LEN], path[PATH_MAX_LEN];
    size_t n = 0, records = 0;
    if (!need_corpus(f))
        skip();
    snprintf(dir, sizeof dir, "%s/csw", f->corpus);
    char **names = list_dir(dir, "getrecord", ".xml", &n);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        records += check_csw_response(f, path);
    }
    free_names(names);
    printf("rendered %zu records of %zu CSW responses\n", records, n);
    assert_true(n >= 15 && records >= 60);
}

/* ------------------------------------------------------------ golden outputs */

struct golden_case {
    const char *input; /* under tests/golden/ */
    enum kind kind;
    enum render_set set;
    const char *expected; /* under tests/golden/output/ */
};

static const struct golden_case golden_cases[] = {
    {"normalise/iso_service_plu_wms.unified.xml", KIND_ISO, RENDER_FULL, "plu-wms.iso.xml"},
    {"normalise/iso_service_plu_wms.unified.xml", KIND_DC, RENDER_FULL, "plu-wms.dc-full.xml"},
    {"normalise/csw_record_bbox_epsg4326.unified.xml", KIND_ISO, RENDER_FULL, "eclairage.iso.xml"},
    {"normalise/csw_record_bbox_epsg4326.unified.xml", KIND_DC, RENDER_SUMMARY,
     "eclairage.dc-summary.xml"},
    {"normalise/csw_record_bbox_epsg4326.unified.xml", KIND_DC, RENDER_BRIEF,
     "eclairage.dc-brief.xml"},
    {"normalise/dcat_geodcatap_dataset.unified.xml", KIND_ISO, RENDER_SUMMARY,
     "insee.iso-summary.xml"},
    {"normalise/dcat_geodcatap_dataset.unified.xml", KIND_ISO, RENDER_BRIEF, "insee.iso-brief.xml"},
    {"output/escaping.unified.xml", KIND_ISO, RENDER_FULL, "escaping.iso.xml"},
    {"output/escaping.unified.xml", KIND_DC, RENDER_FULL, "escaping.dc-full.xml"},
    {"output/minimal.unified.xml", KIND_ISO, RENDER_FULL, "minimal.iso.xml"},
    {"output/minimal.unified.xml", KIND_DC, RENDER_SUMMARY, "minimal.dc-summary.xml"},
    {"normalise/iso_service_plu_wms.xml", KIND_ISO_SUBSET, RENDER_BRIEF,
     "plu-wms.original-brief.xml"},
    {"normalise/iso_dataset_cadastre_multilingual.xml", KIND_ISO_SUBSET, RENDER_SUMMARY,
     "cadastre.original-summary.xml"},
};

/* Removes the white-space-only text nodes under node (indentation), so that
 * only content is compared. */
static void strip_blanks(xmlNode *node)
{
    xmlNode *c = node->children;
    while (c) {
        xmlNode *next = c->next;
        if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (c->type == XML_ELEMENT_NODE) {
            strip_blanks(c);
        } else if (c->type == XML_COMMENT_NODE) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
        c = next;
    }
}

/* doc re-serialised indented, without blanks or comments: what legitimately
 * varies between two equal records (layout, quoting) is gone. */
static char *canonical(xmlDoc *doc)
{
    xmlChar *out = NULL;
    int len = 0;
    strip_blanks((xmlNode *)doc);
    xmlDocDumpFormatMemoryEnc(doc, &out, &len, "UTF-8", 1);
    char *s = strdup((const char *)out);
    xmlFree(out);
    assert_non_null(s);
    return s;
}

static void write_golden(const struct fixture *f, const char *file, const struct buf *out)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "%s/%s", f->golden_write, file);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        fail_msg("could not write \"%s\"", path);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
    fwrite(out->data, 1, out->len, fp);
    fputc('\n', fp);
    fclose(fp);
}

static void check_golden_case(struct fixture *f, const struct golden_case *c)
{
    char in[PATH_MAX_LEN], expected_path[PATH_MAX_LEN];
    struct buf out;
    struct mo_err err = {0};
    buf_init(&out, OUT_MAX);
    snprintf(in, sizeof in, "%s/tests/golden/%s", f->share, c->input);
    snprintf(expected_path, sizeof expected_path, "%s/tests/golden/output/%s", f->share,
             c->expected);
    xmlDoc *input = parse_path(in);
    const struct render_params *params = c->kind == KIND_ISO_SUBSET ? NULL : &golden_params;
    if (render_into(f, c->kind, c->set, input, params, &out, &err) != MO_OK)
        fail_msg("\"%s\": %s", in, err.msg);
    xmlDoc *got = parse_text(out.data, out.len, in);
    /* a partner's subset is valid when the partner's record is */
    char why[1024];
    if (c->kind != KIND_ISO_SUBSET ||
        (f->iso && schemacheck_doc(f->iso, input, why, sizeof why) == 0))
        assert_schema_valid(f, c->kind == KIND_DC ? f->csw : f->iso, got, c->expected, in);
    if (f->golden_write) {
        write_golden(f, c->expected, &out);
        xmlFreeDoc(got);
        xmlFreeDoc(input);
        buf_free(&out);
        return;
    }
    xmlDoc *want = parse_path(expected_path);
    char *a = canonical(got), *b = canonical(want);
    if (strcmp(a, b) != 0)
        fail_msg("\"%s\" rendered differs from \"%s\":\n--- got\n%s\n--- expected\n%s", in,
                 expected_path, a, b);
    free(a);
    free(b);
    xmlFreeDoc(want);
    xmlFreeDoc(got);
    xmlFreeDoc(input);
    buf_free(&out);
}

static void test_golden_outputs(void **state)
{
    for (size_t i = 0; i < sizeof golden_cases / sizeof *golden_cases; i++)
        check_golden_case(*state, &golden_cases[i]);
}

/* ------------------------------------------------------------ escaping */

/* The value of expr in doc (trimmed), "" when it selects nothing. */
static char *xpath_value(xmlDoc *doc, const char *expr)
{
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    assert_non_null(ctx);
    assert_int_equal(xmlsafe_register_namespaces(ctx), MO_OK);
    char *v = xmlsafe_xpath_string(ctx, expr);
    xmlXPathFreeContext(ctx);
    return v ? v : strdup("");
}

static void assert_xpath(xmlDoc *doc, const char *expr, const char *expected, const char *name)
{
    char *v = xpath_value(doc, expr);
    if (strcmp(v, expected) != 0)
        fail_msg("%s: %s is \"%s\", expected \"%s\"", name, expr, v, expected);
    free(v);
}

#define ESC_ID "fr-test-escape&1 \"x\""
#define ESC_TITLE                                                                                  \
    "<script>alert(\"x & y\")</script> \xe2\x80\x94 \xc2\xab \xc5\x92uvres \xc2\xbb "              \
    "\xe6\x9d\xb1\xe4\xba\xac \xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1 'apos'"
#define ESC_KEYWORD "v\xc3\xa9lo & pi\xc3\xa9ton"
#define ESC_THESAURUS "Th\xc3\xa9saurus \"local\" & co"

/* Markup, entities, quotes and non-Latin text come out as text, byte for byte,
 * in both outputs; no markup of the record leaks into the output's markup. */
static void test_escaping(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX_LEN];
    struct buf out;
    struct mo_err err = {0};
    snprintf(path, sizeof path, "%s/tests/golden/output/escaping.unified.xml", f->share);
    xmlDoc *unified = parse_path(path);
    buf_init(&out, OUT_MAX);

    assert_int_equal(render_dc(f->render, unified, RENDER_FULL, &golden_params, &out, &err), MO_OK);
    assert_null(strstr(out.data, "<script"));
    assert_non_null(strstr(out.data, "&lt;script&gt;"));
    xmlDoc *dc = parse_text(out.data, out.len, path);
    assert_xpath(dc, "/csw:Record/dc:identifier", ESC_ID, path);
    assert_xpath(dc, "/csw:Record/dc:title", ESC_TITLE, path);
    assert_xpath(dc, "/csw:Record/dc:subject[1]", ESC_KEYWORD, path);
    assert_xpath(dc, "/csw:Record/dct:alternative", "]]> <![CDATA[ x", path);
    assert_xpath(dc, "/csw:Record/dc:creator", "L'Agence \xc2\xab Eau & Sol \xc2\xbb", path);
    assert_xpath(
        dc, "/csw:Record/dct:references[@scheme = 'OGC:WFS']",
        "https://data.example.fr/wfs?SERVICE=WFS&REQUEST=GetFeature&TYPENAME=a:b&BBOX=[1,2]", path);
    /* a thesaurus title is no URI: no scheme; a URI is */
    assert_xpath(dc, "count(/csw:Record/dc:subject[1]/@scheme)", "0", path);
    assert_xpath(dc, "/csw:Record/dc:subject[2]/@scheme",
                 "https://www.eionet.europa.eu/gemet/en/themes/", path);
    xmlFreeDoc(dc);

    buf_reset(&out);
    assert_int_equal(render_iso(f->render, unified, RENDER_FULL, &golden_params, &out, &err),
                     MO_OK);
    assert_null(strstr(out.data, "<script"));
    xmlDoc *iso = parse_text(out.data, out.len, path);
    assert_xpath(iso, "/gmd:MD_Metadata/gmd:fileIdentifier/gco:CharacterString", ESC_ID, path);
    assert_xpath(iso, "//gmd:identificationInfo/*/gmd:citation/*/gmd:title/gco:CharacterString",
                 ESC_TITLE, path);
    assert_xpath(iso, "//gmd:MD_Keywords[gmd:thesaurusName]/gmd:keyword/gco:CharacterString",
                 ESC_KEYWORD, path);
    assert_xpath(iso, "//gmd:thesaurusName/*/gmd:title[contains(., 'local')]/gco:CharacterString",
                 ESC_THESAURUS, path);
    assert_xpath(iso, "//gmd:abstract/gco:CharacterString",
                 "Premi\xc3\xa8re ligne & <b>gras</b>\nDeuxi\xc3\xa8me ligne : \xe2\x80\x98"
                 "guillemets\xe2\x80\x99 \xe2\x80\x9c"
                 "doubles\xe2\x80\x9d \xe2\x80\x94 "
                 "\xd1\x82\xd0\xb5\xd1\x81\xd1\x82",
                 path);
    assert_schema_valid(f, f->iso, iso, "ISO 19139 full", path);
    xmlFreeDoc(iso);
    buf_free(&out);
    xmlFreeDoc(unified);
}

/* ------------------------------------------------------------ round trips */

static void assert_same_text(const char *a, const char *b, const char *field, const char *name)
{
    if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
        fail_msg("%s: %s was \"%s\", came back \"%s\"", name, field, a ? a : "(none)",
                 b ? b : "(none)");
}

static void assert_same_text_nocase(const char *a, const char *b, const char *field,
                                    const char *name)
{
    if ((a == NULL) != (b == NULL) || (a && strcasecmp(a, b) != 0))
        fail_msg("%s: %s was \"%s\", came back \"%s\"", name, field, a ? a : "(none)",
                 b ? b : "(none)");
}

/* The items of l, sorted and joined with '|' (caller frees). */
static char *joined(const struct strlist *l)
{
    char **copy = calloc(l->count + 1, sizeof *copy);
    size_t len = 1;
    assert_non_null(copy);
    for (size_t i = 0; i < l->count; i++) {
        copy[i] = l->items[i];
        len += strlen(l->items[i]) + 1;
    }
    qsort(copy, l->count, sizeof *copy, compare_names);
    char *s = calloc(1, len);
    assert_non_null(s);
    for (size_t i = 0; i < l->count; i++) {
        strcat(s, copy[i]);
        if (i + 1 < l->count)
            strcat(s, "|");
    }
    free(copy);
    return s;
}

static void assert_same_list(const struct strlist *a, const struct strlist *b, const char *field,
                             const char *name)
{
    char *x = joined(a), *y = joined(b);
    assert_same_text(x, y, field, name);
    free(x);
    free(y);
}

static void record_of(struct fixture *f, xmlDoc *unified, struct record *rec, const char *name)
{
    struct mo_err err = {0};
    if (record_from_unified(unified, rec, &err) != MO_OK)
        fail_msg("\"%s\": %s", name, err.msg);
}

/* rendered (an ISO or DC document) read back by the input stylesheets. */
static void read_back(struct fixture *f, xmlDoc *rendered, struct record *rec, const char *name)
{
    struct mo_err err = {0};
    xmlDoc *unified = NULL;
    if (normalise_to_unified(f->norm, rendered, &unified, &err) != MO_OK)
        fail_msg("\"%s\" read back: %s", name, err.msg);
    record_of(f, unified, rec, name);
    xmlFreeDoc(unified);
}

/* What every unified record of golden/normalise keeps through ISO 19139 and
 * back through iso19139-to-unified.xsl: every field the unified record has. */
static void check_iso_round_trip(struct fixture *f, const struct record *a, xmlDoc *unified,
                                 const char *name)
{
    struct record b = {0};
    xmlDoc *iso = render_doc(f, KIND_ISO, RENDER_FULL, unified, &golden_params, name);
    read_back(f, iso, &b, name);
    assert_same_text(a->identifier, b.identifier, "identifier", name);
    assert_same_text_nocase(a->language, b.language, "language", name);
    assert_same_text(a->parent, b.parent, "parent", name);
    assert_same_text(a->type, b.type, "type", name);
    assert_same_text(a->title, b.title, "title", name);
    assert_same_text(a->abstract, b.abstract, "abstract", name);
    assert_same_text(a->lineage, b.lineage, "lineage", name);
    assert_same_text(a->service_type, b.service_type, "service type", name);
    assert_same_text(a->thumbnail, b.thumbnail, "thumbnail", name);
    assert_same_text(a->date_creation, b.date_creation, "creation date", name);
    assert_same_text(a->date_publication, b.date_publication, "publication date", name);
    assert_same_text(a->date_revision, b.date_revision, "revision date", name);
    if (a->date_stamp)
        assert_same_text(a->date_stamp, b.date_stamp, "date stamp", name);
    assert_same_text(a->temporal_begin, b.temporal_begin, "temporal begin", name);
    assert_same_text(a->temporal_end, b.temporal_end, "temporal end", name);
    assert_same_list(&a->alt_titles, &b.alt_titles, "alternate titles", name);
    assert_same_list(&a->keywords, &b.keywords, "keywords", name);
    assert_same_list(&a->topics, &b.topics, "topics", name);
    assert_same_list(&a->organisations, &b.organisations, "organisations", name);
    assert_same_list(&a->links, &b.links, "links", name);
    assert_same_list(&a->formats, &b.formats, "formats", name);
    assert_same_list(&a->crs, &b.crs, "crs", name);
    assert_same_list(&a->licences, &b.licences, "licences", name);
    assert_same_list(&a->operates_on, &b.operates_on, "operatesOn", name);
    assert_int_equal(a->has_bbox, b.has_bbox);
    if (a->has_bbox)
        assert_true(a->west == b.west && a->east == b.east && a->south == b.south &&
                    a->north == b.north);
    record_clear(&b);
    xmlFreeDoc(iso);
}

/* Through csw:Record and back through csw-record-to-unified.xsl: what Dublin
 * Core carries.  Topics come back as keywords, the metadata date as the
 * revision (dct:modified); boxes survive the "lat lon" corners. */
static void check_dc_round_trip(struct fixture *f, const struct record *a, xmlDoc *unified,
                                const char *name)
{
    struct record b = {0};
    struct strlist subjects = {0};
    xmlDoc *dc = render_doc(f, KIND_DC, RENDER_FULL, unified, &golden_params, name);
    read_back(f, dc, &b, name);
    assert_same_text(a->identifier, b.identifier, "identifier", name);
    assert_same_text(a->parent, b.parent, "parent", name);
    assert_same_text(a->type, b.type, "type", name);
    assert_same_text(a->title, b.title, "title", name);
    assert_same_text(a->abstract, b.abstract, "abstract", name);
    assert_same_text(a->lineage, b.lineage, "lineage", name);
    assert_same_text(a->date_creation, b.date_creation, "creation date", name);
    assert_same_text(a->date_publication, b.date_publication, "publication date", name);
    assert_same_text(a->date_stamp ? a->date_stamp : a->date_revision, b.date_revision, "modified",
                     name);
    assert_same_list(&a->alt_titles, &b.alt_titles, "alternate titles", name);
    for (size_t i = 0; i < a->keywords.count; i++)
        assert_int_equal(strlist_push(&subjects, a->keywords.items[i]), MO_OK);
    for (size_t i = 0; i < a->topics.count; i++)
        assert_int_equal(strlist_push(&subjects, a->topics.items[i]), MO_OK);
    assert_same_list(&subjects, &b.keywords, "subjects", name);
    assert_same_list(&a->links, &b.links, "links", name);
    assert_same_list(&a->formats, &b.formats, "formats", name);
    assert_same_list(&a->licences, &b.licences, "licences", name);
    assert_int_equal(a->has_bbox, b.has_bbox);
    if (a->has_bbox)
        assert_true(a->west == b.west && a->east == b.east && a->south == b.south &&
                    a->north == b.north);
    strlist_free(&subjects);
    record_clear(&b);
    xmlFreeDoc(dc);
}

static void test_round_trips(void **state)
{
    struct fixture *f = *state;
    char dir[PATH_MAX_LEN], path[PATH_MAX_LEN];
    size_t n = 0;
    snprintf(dir, sizeof dir, "%s/tests/golden/normalise", f->share);
    char **names = list_dir(dir, NULL, ".unified.xml", &n);
    for (size_t i = 0; i < n; i++) {
        struct record a = {0};
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        xmlDoc *unified = parse_path(path);
        record_of(f, unified, &a, path);
        check_iso_round_trip(f, &a, unified, path);
        check_dc_round_trip(f, &a, unified, path);
        record_clear(&a);
        xmlFreeDoc(unified);
    }
    free_names(names);
    assert_true(n >= 7);
}

/* ------------------------------------------------------------ strict ISO types */

/* A unified record with one creation date, one temporal extent and one link
 * (values are XML-safe in the tables below). */
static xmlDoc *unified_with(const char *date, const char *url)
{
    char text[2048];
    int n = snprintf(text, sizeof text,
                     "<m:record xmlns:m='urn:x-moisson:record:1'><m:identifier>t-1</m:identifier>"
                     "<m:schema>csw-record</m:schema><m:type>dataset</m:type><m:title>T</m:title>"
                     "<m:date type='creation'>%s</m:date><m:temporal begin='%s'/>"
                     "<m:link url='%s'/></m:record>",
                     date, date, url);
    assert_true(n > 0 && (size_t)n < sizeof text);
    return parse_text(text, (size_t)n, "unified_with");
}

struct date_case {
    const char *text;
    const char *element; /* "Date", "DateTime" or NULL (dropped) */
    const char *written;
};

static const struct date_case date_cases[] = {
    {"2015", "Date", "2015"},
    {"2015-06", "Date", "2015-06"},
    {"2015-06-13", "Date", "2015-06-13"},
    {"2015-06-13Z", "Date", "2015-06-13Z"},
    {"2015-06-13+02:00", "Date", "2015-06-13+02:00"},
    {"2016-02-29", "Date", "2016-02-29"},
    {"2000-02-29", "Date", "2000-02-29"},
    {"2015-06-13T10:20:30", "DateTime", "2015-06-13T10:20:30"},
    {"2015-06-13T10:20:30.125Z", "DateTime", "2015-06-13T10:20:30.125Z"},
    {"2015-06-13T10:20:30-05:00", "DateTime", "2015-06-13T10:20:30-05:00"},
    {"2015-06-13T10:20", "DateTime", "2015-06-13T10:20:00"},
    {"2015-06-13T10:20Z", "DateTime", "2015-06-13T10:20:00Z"},
    {"2015-02-29", NULL, NULL},
    {"1900-02-29", NULL, NULL},
    {"2015-06-31", NULL, NULL},
    {"2015-13-01", NULL, NULL},
    {"2015-00", NULL, NULL},
    {"0000", NULL, NULL},
    {"2015-06-13T24:00:01", NULL, NULL},
    {"2015-06-13T10:60:00", NULL, NULL},
    {"2015-06-13T10:20:30+15:00", NULL, NULL},
    {"2015-06-13T10:20:30.", NULL, NULL},
    {"13/06/2015", NULL, NULL},
    {"juin 2015", NULL, NULL},
    {"15-06-13", NULL, NULL},
};

/* Dates the ISO schemas would refuse are dropped, the others keep their text
 * and get the right gco type; the record validates either way. */
static void test_iso_dates(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof date_cases / sizeof *date_cases; i++) {
        const struct date_case *c = &date_cases[i];
        char expr[256];
        xmlDoc *unified = unified_with(c->text, "https://a.fr/");
        xmlDoc *iso = render_doc(f, KIND_ISO, RENDER_FULL, unified, NULL, c->text);
        assert_schema_valid(f, f->iso, iso, "ISO 19139 full", c->text);
        assert_xpath(iso, "local-name(//gmd:citation/*/gmd:date/*/gmd:date/*)",
                     c->element ? c->element : "", c->text);
        snprintf(expr, sizeof expr, "//gmd:citation/*/gmd:date/*/gmd:date/gco:%s",
                 c->element ? c->element : "Date");
        assert_xpath(iso, expr, c->written ? c->written : "", c->text);
        assert_xpath(iso, "//gmd:citation/*/gmd:date/@gco:nilReason", c->element ? "" : "missing",
                     c->text);
        /* the temporal extent keeps a valid begin, else says it is unknown */
        assert_xpath(iso, "//gml32:beginPosition/@indeterminatePosition",
                     c->element ? "" : "unknown", c->text);
        xmlFreeDoc(iso);
        xmlFreeDoc(unified);
    }
}

struct url_case {
    const char *url; /* as in the unified record (XML-escaped) */
    const char *written;
};

static const struct url_case url_cases[] = {
    {"https://a.fr/wms?SERVICE=WMS&amp;REQUEST=GetCapabilities",
     "https://a.fr/wms?SERVICE=WMS&REQUEST=GetCapabilities"},
    {"https://a.fr/a%20b/%C3%A9t%C3%A9", "https://a.fr/a%20b/%C3%A9t%C3%A9"},
    {"https://a.fr/x y/\xc3\xa9t\xc3\xa9.zip", "https://a.fr/x y/\xc3\xa9t\xc3\xa9.zip"},
    {"https://a.fr/f?bbox=[1,2,3,4]", "https://a.fr/f?bbox=%5B1,2,3,4%5D"},
    {"https://a.fr/100%.csv", "https://a.fr/100%25.csv"},
    {"https://a.fr/%zz%4", "https://a.fr/%25zz%254"},
    {"https://a.fr/%41%", "https://a.fr/%41%25"},
    {"https://a.fr/p#a#b#c", "https://a.fr/p#a%23b%23c"},
    {"https://a.fr/h%hh", "https://a.fr/h%25hh"},
};

/* "https://a.fr/" then count times piece (caller frees). */
static char *repeated_url(const char *piece, int count)
{
    size_t n = strlen(piece);
    char *s = malloc(14 + n * (size_t)count + 1);
    assert_non_null(s);
    strcpy(s, "https://a.fr/");
    for (int i = 0; i < count; i++)
        memcpy(s + 13 + n * (size_t)i, piece, n + 1);
    return s;
}

/* A URL with many '%': up to 200 only the bad ones are escaped (recursion),
 * past that every one is (no recursion); both validate. */
static void check_many_percents(struct fixture *f, int count, const char *bad_piece,
                                const char *piece, const char *escaped_piece)
{
    char *tail = repeated_url(piece, count - 1);
    char *url = malloc(strlen(tail) + strlen(bad_piece) + 1);
    assert_non_null(url);
    sprintf(url, "%s%s", tail, bad_piece);
    char *expected_tail = repeated_url(escaped_piece, count - 1);
    char *expected = malloc(strlen(expected_tail) + 8);
    assert_non_null(expected);
    sprintf(expected, "%s%%25zz", expected_tail);
    xmlDoc *unified = unified_with("2020-01-01", url);
    xmlDoc *iso = render_doc(f, KIND_ISO, RENDER_FULL, unified, NULL, "many percents");
    assert_schema_valid(f, f->iso, iso, "ISO 19139 full", "many percents");
    assert_xpath(iso, "//gmd:transferOptions//gmd:URL", expected, "many percents");
    xmlFreeDoc(iso);
    xmlFreeDoc(unified);
    free(url);
    free(tail);
    free(expected);
    free(expected_tail);
}

/* URLs the xs:anyURI check would refuse are percent-encoded where needed and
 * nowhere else. */
static void test_iso_urls(void **state)
{
    struct fixture *f = *state;
    check_many_percents(f, 150, "%zz", "%41", "%41");
    check_many_percents(f, 300, "%zz", "%41", "%2541");
    for (size_t i = 0; i < sizeof url_cases / sizeof *url_cases; i++) {
        const struct url_case *c = &url_cases[i];
        xmlDoc *unified = unified_with("2020-01-01", c->url);
        xmlDoc *iso = render_doc(f, KIND_ISO, RENDER_FULL, unified, NULL, c->url);
        assert_schema_valid(f, f->iso, iso, "ISO 19139 full", c->url);
        assert_xpath(iso, "//gmd:transferOptions//gmd:URL", c->written, c->url);
        xmlFreeDoc(iso);
        xmlFreeDoc(unified);
    }
}

/* ------------------------------------------------------------ provenance */

#define PROVENANCE                                                                                 \
    "Harvested by moisson (https://geo.example.fr/moisson) from the partner catalogues "           \
    "commune-a, commune-b on 2024-05-02T08:30:00Z; rebuilt from its csw-record record."

static xmlDoc *golden_unified(struct fixture *f, const char *name)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "%s/tests/golden/%s", f->share, name);
    return parse_path(path);
}

/* Rebuilt records say where they came from where their schema has room: the
 * full csw:Record (dct:provenance), ISO 19139 full and summary (an LI_Source);
 * an original ISO record's subsets carry nothing added. */
static void test_provenance(void **state)
{
    struct fixture *f = *state;
    const char *name = "csw_record_bbox_epsg4326";
    xmlDoc *unified = golden_unified(f, "normalise/csw_record_bbox_epsg4326.unified.xml");

    xmlDoc *doc = render_doc(f, KIND_DC, RENDER_FULL, unified, &golden_params, name);
    assert_xpath(doc, "/csw:Record/dct:provenance", PROVENANCE, name);
    xmlFreeDoc(doc);
    for (int set = RENDER_BRIEF; set <= RENDER_SUMMARY; set++) {
        doc = render_doc(f, KIND_DC, set, unified, &golden_params, name);
        assert_xpath(doc, "count(//*[contains(., 'moisson')])", "0", name);
        xmlFreeDoc(doc);
    }
    doc = render_doc(f, KIND_DC, RENDER_FULL, unified, NULL, name);
    assert_xpath(doc, "count(//dct:provenance)", "0", name);
    xmlFreeDoc(doc);

    /* sources written back as a list, one source said so */
    struct render_params p = {.sources = "  a,b  c ,", .harvested = NULL, .public_url = NULL};
    doc = render_doc(f, KIND_DC, RENDER_FULL, unified, &p, name);
    assert_xpath(doc, "/csw:Record/dct:provenance",
                 "Harvested by moisson from the partner catalogues a, b, c; rebuilt from its "
                 "csw-record record.",
                 name);
    xmlFreeDoc(doc);
    p.sources = "commune-a";
    doc = render_doc(f, KIND_DC, RENDER_FULL, unified, &p, name);
    assert_xpath(doc, "/csw:Record/dct:provenance",
                 "Harvested by moisson from the partner catalogue commune-a; rebuilt from its "
                 "csw-record record.",
                 name);
    xmlFreeDoc(doc);

    const char *source = "//gmd:dataQualityInfo/*/gmd:lineage/*/gmd:source/gmd:LI_Source";
    char expr[512];
    doc = render_doc(f, KIND_ISO, RENDER_FULL, unified, &golden_params, name);
    snprintf(expr, sizeof expr, "%s/gmd:description/gco:CharacterString", source);
    assert_xpath(doc, expr, PROVENANCE, name);
    snprintf(expr, sizeof expr, "%s/gmd:sourceCitation/*/gmd:title/gco:CharacterString", source);
    assert_xpath(doc, expr, "commune-a, commune-b", name);
    snprintf(expr, sizeof expr, "%s/gmd:sourceCitation/*/gmd:date/*/gmd:date/gco:DateTime", source);
    assert_xpath(doc, expr, "2024-05-02T08:30:00Z", name);
    snprintf(expr, sizeof expr, "%s/gmd:sourceCitation//gmd:linkage/gmd:URL", source);
    assert_xpath(doc, expr, "https://geo.example.fr/moisson", name);
    xmlFreeDoc(doc);
    doc = render_doc(f, KIND_ISO, RENDER_SUMMARY, unified, &golden_params, name);
    snprintf(expr, sizeof expr, "%s/gmd:description/gco:CharacterString", source);
    assert_xpath(doc, expr, PROVENANCE, name);
    assert_schema_valid(f, f->iso, doc, "ISO 19139 summary", name);
    xmlFreeDoc(doc);
    doc = render_doc(f, KIND_ISO, RENDER_BRIEF, unified, &golden_params, name);
    assert_xpath(doc, "count(//gmd:dataQualityInfo)", "0", name);
    xmlFreeDoc(doc);

    /* a harvest date that is no date: said in words, the citation date is nil */
    p.harvested = "hier soir";
    doc = render_doc(f, KIND_ISO, RENDER_FULL, unified, &p, name);
    snprintf(expr, sizeof expr, "%s/gmd:sourceCitation/*/gmd:date/@gco:nilReason", source);
    assert_xpath(doc, expr, "unknown", name);
    assert_schema_valid(f, f->iso, doc, "ISO 19139 full", name);
    xmlFreeDoc(doc);
    /* no provenance and no lineage: no data quality section at all */
    doc = render_doc(f, KIND_ISO, RENDER_FULL, unified, NULL, name);
    assert_xpath(doc, "count(//gmd:dataQualityInfo)", "0", name);
    xmlFreeDoc(doc);
    xmlFreeDoc(unified);

    /* the partner's ISO record: brief and summary add nothing */
    xmlDoc *raw = golden_unified(f, "normalise/iso_service_plu_wms.xml");
    for (int set = RENDER_BRIEF; set <= RENDER_SUMMARY; set++) {
        doc = render_doc(f, KIND_ISO_SUBSET, set, raw, NULL, name);
        assert_xpath(doc, "count(//*[contains(., 'moisson')])", "0", name);
        assert_xpath(doc, "count(//gmd:LI_Source)", "0", name);
        xmlFreeDoc(doc);
    }
    xmlFreeDoc(raw);
}

/* ------------------------------------------------------------ errors */

static void assert_fails(mo_rc got, mo_rc want, const struct mo_err *err, const char *needle)
{
    assert_int_equal(got, want);
    if (!strstr(err->msg, needle))
        fail_msg("error \"%s\" does not say \"%s\"", err->msg, needle);
}

/* Bad input gets one precise message and leaves the output buffer as it was. */
static void test_errors(void **state)
{
    struct fixture *f = *state;
    struct mo_err err = {0};
    struct buf out;
    enum render_set set = RENDER_FULL;
    xmlDoc *unified = golden_unified(f, "normalise/iso_series_voirie.unified.xml");
    xmlDoc *iso = golden_unified(f, "normalise/iso_series_voirie.xml");
    buf_init(&out, OUT_MAX);
    assert_int_equal(buf_append_str(&out, "<kept/>"), MO_OK);

    assert_fails(render_dc(f->render, iso, RENDER_FULL, NULL, &out, &err), MO_EXSLT, &err,
                 "could not render record \"fr-243500139-voirie-serie\" as csw:Record: not a "
                 "unified record: root element {http://www.isotc211.org/2005/gmi}MI_Metadata");
    assert_fails(render_iso(f->render, iso, RENDER_SUMMARY, NULL, &out, &err), MO_EXSLT, &err,
                 "not a unified record");
    assert_fails(render_iso_subset(f->render, unified, RENDER_BRIEF, &out, &err), MO_EXSLT, &err,
                 "not an ISO 19139 record: root element {urn:x-moisson:record:1}record");
    assert_fails(render_iso_subset(f->render, iso, RENDER_FULL, &out, &err), MO_EBADREQ, &err,
                 "is the record itself");

    struct render_params p = {.sources = "a\x01"};
    assert_fails(render_dc(f->render, unified, RENDER_FULL, &p, &out, &err), MO_EBADREQ, &err,
                 "render parameter \"sources\" holds control character 0x01");
    p = (struct render_params){.harvested = "2024-\xff"};
    assert_fails(render_iso(f->render, unified, RENDER_FULL, &p, &out, &err), MO_EBADREQ, &err,
                 "render parameter \"harvested\" is not valid UTF-8");
    char *long_url = malloc(RENDER_MAX_PARAM_BYTES + 2);
    assert_non_null(long_url);
    memset(long_url, 'u', RENDER_MAX_PARAM_BYTES + 1);
    long_url[RENDER_MAX_PARAM_BYTES + 1] = '\0';
    p = (struct render_params){.public_url = long_url};
    assert_fails(render_dc(f->render, unified, RENDER_FULL, &p, &out, &err), MO_EBADREQ, &err,
                 "render parameter \"public-url\" is longer than");
    free(long_url);
    assert_fails(render_dc(f->render, unified, (enum render_set)7, NULL, &out, &err), MO_EBADREQ,
                 &err, "unknown element set 7");
    assert_string_equal(out.data, "<kept/>");

    /* a record that does not fit: MO_ELIMIT, buffer untouched */
    struct buf small;
    buf_init(&small, 64);
    assert_int_equal(buf_append_str(&small, "<kept/>"), MO_OK);
    assert_fails(render_iso(f->render, unified, RENDER_FULL, NULL, &small, &err), MO_ELIMIT, &err,
                 "record \"fr-243500139-voirie-serie\" as gmd:MD_Metadata (full) does not fit in "
                 "64 bytes");
    assert_int_equal(small.len, 7);
    assert_string_equal(small.data, "<kept/>");
    buf_free(&small);

    /* a long identifier is cut in messages on a character boundary */
    {
        char text[1024] = "<m:record xmlns:m='urn:x-moisson:record:1'><m:identifier>";
        for (int i = 0; i < 100; i++)
            strcat(text, "\xc3\xa9");
        strcat(text, "</m:identifier><m:schema>csw-record</m:schema><m:type>dataset</m:type>"
                     "</m:record>");
        xmlDoc *long_id = parse_text(text, strlen(text), "long identifier");
        buf_init(&small, 64);
        assert_int_equal(render_dc(f->render, long_id, RENDER_FULL, NULL, &small, &err), MO_ELIMIT);
        assert_true(xmlCheckUTF8((const unsigned char *)err.msg));
        assert_non_null(strstr(err.msg, "record \"\xc3\xa9\xc3\xa9"));
        assert_non_null(strstr(err.msg, "\xc3\xa9\" as csw:Record does not fit in 64 bytes"));
        buf_free(&small);
        xmlFreeDoc(long_id);
    }

    /* records are appended, ready to be concatenated into a response */
    assert_int_equal(render_dc(f->render, unified, RENDER_BRIEF, NULL, &out, &err), MO_OK);
    assert_int_equal(render_dc(f->render, unified, RENDER_BRIEF, NULL, &out, &err), MO_OK);
    assert_true(strncmp(out.data, "<kept/><csw:BriefRecord ", 24) == 0);
    assert_non_null(strstr(out.data + 24, "</csw:BriefRecord><csw:BriefRecord "));

    xmlDoc *empty = xmlNewDoc((const xmlChar *)"1.0");
    assert_fails(render_dc(f->render, empty, RENDER_FULL, NULL, &out, &err), MO_EXML, &err,
                 "no document");
    xmlFreeDoc(empty);

    assert_int_equal(render_set_parse("summary", &set, &err), MO_OK);
    assert_int_equal(set, RENDER_SUMMARY);
    assert_string_equal(render_set_name(set), "summary");
    assert_fails(render_set_parse("Full", &set, &err), MO_EBADREQ, &err,
                 "unknown element set \"Full\" (brief, summary or full)");
    assert_fails(render_set_parse(NULL, &set, &err), MO_EBADREQ, &err, "unknown element set");

    struct render *r = (struct render *)&err; /* must be reset to NULL */
    assert_fails(
        render_new("/nonexistent/moisson-xslt", &r, &err), MO_EIO, &err,
        "could not read stylesheet \"/nonexistent/moisson-xslt/unified-to-csw-record.xsl\"");
    assert_null(r);
    render_free(NULL);

    buf_free(&out);
    xmlFreeDoc(iso);
    xmlFreeDoc(unified);
}

/* ------------------------------------------------------------ threads */

#define THREADS 4
#define THREAD_ROUNDS 25

struct thread_job {
    struct fixture *f;
    const char *text; /* unified record */
    const char *dc;   /* expected DC summary */
    const char *iso;  /* expected ISO full */
    int failures;
};

static void *thread_main(void *arg)
{
    struct thread_job *job = arg;
    struct buf out;
    buf_init(&out, OUT_MAX);
    for (int i = 0; i < THREAD_ROUNDS; i++) {
        struct mo_err err = {0};
        xmlDoc *doc = NULL;
        if (xmlsafe_parse_memory(job->text, strlen(job->text), "thread", &doc, &err) != MO_OK) {
            job->failures++;
            continue;
        }
        buf_reset(&out);
        if (render_dc(job->f->render, doc, RENDER_SUMMARY, &golden_params, &out, &err) != MO_OK ||
            strcmp(out.data, job->dc) != 0)
            job->failures++;
        buf_reset(&out);
        if (render_iso(job->f->render, doc, RENDER_FULL, &golden_params, &out, &err) != MO_OK ||
            strcmp(out.data, job->iso) != 0)
            job->failures++;
        xmlFreeDoc(doc);
    }
    buf_free(&out);
    return NULL;
}

static char *read_file_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("could not open \"%s\"", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
    s[n] = '\0';
    fclose(fp);
    return s;
}

/* One struct render shared by several threads gives each the same output as
 * a single thread does. */
static void test_threads(void **state)
{
    struct fixture *f = *state;
    const char *const inputs[THREADS] = {
        "normalise/iso_service_plu_wms.unified.xml", "normalise/dcat_geodcatap_dataset.unified.xml",
        "output/escaping.unified.xml", "normalise/csw_record_bbox_epsg4326.unified.xml"};
    struct thread_job jobs[THREADS];
    pthread_t threads[THREADS];
    struct buf dc[THREADS], iso[THREADS];
    char *texts[THREADS];
    for (int t = 0; t < THREADS; t++) {
        char path[PATH_MAX_LEN];
        struct mo_err err = {0};
        snprintf(path, sizeof path, "%s/tests/golden/%s", f->share, inputs[t]);
        texts[t] = read_file_text(path);
        xmlDoc *doc = parse_text(texts[t], strlen(texts[t]), path);
        buf_init(&dc[t], OUT_MAX);
        buf_init(&iso[t], OUT_MAX);
        assert_int_equal(render_dc(f->render, doc, RENDER_SUMMARY, &golden_params, &dc[t], &err),
                         MO_OK);
        assert_int_equal(render_iso(f->render, doc, RENDER_FULL, &golden_params, &iso[t], &err),
                         MO_OK);
        xmlFreeDoc(doc);
        jobs[t] = (struct thread_job){f, texts[t], dc[t].data, iso[t].data, 0};
    }
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, thread_main, &jobs[t]), 0);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    for (int t = 0; t < THREADS; t++) {
        if (jobs[t].failures)
            fail_msg("thread %d: %d renders failed or differed", t, jobs[t].failures);
        buf_free(&dc[t]);
        buf_free(&iso[t]);
        free(texts[t]);
    }
}

/* ------------------------------------------------------------ lock-down */

/* Stylesheets that try to read a local file or the network through
 * document() run under the same security preferences and fail. */
static void test_stylesheet_cannot_read_files(void **state)
{
    struct fixture *f = *state;
    static const char *const files[] = {"unified-to-csw-record.xsl", "unified-to-iso19139.xsl",
                                        "iso19139-element-set.xsl"};
    static const char hostile[] =
        "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>"
        "<xsl:template match='/'><leak><xsl:copy-of select=\"document('/etc/hostname')\"/>"
        "<xsl:copy-of select=\"document('http://127.0.0.1:9/x.xml')\"/></leak></xsl:template>"
        "</xsl:stylesheet>";
    char dir[] = "/tmp/moisson-render-hostile-XXXXXX";
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(hostile, fp);
        fclose(fp);
    }
    struct render *r = NULL;
    struct mo_err err = {0};
    struct buf out;
    buf_init(&out, OUT_MAX);
    assert_int_equal(render_new(dir, &r, &err), MO_OK);
    xmlDoc *unified = golden_unified(f, "normalise/iso_series_voirie.unified.xml");
    assert_int_equal(render_dc(r, unified, RENDER_FULL, NULL, &out, &err), MO_EXSLT);
    assert_int_equal(render_iso(r, unified, RENDER_FULL, NULL, &out, &err), MO_EXSLT);
    assert_int_equal(render_iso_subset(r, unified, RENDER_SUMMARY, &out, &err), MO_EXSLT);
    assert_int_equal(out.len, 0);
    xmlFreeDoc(unified);
    render_free(r);
    buf_free(&out);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* ------------------------------------------------------------ cost */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What one render costs (printed, not asserted: the benchmark lives in
 * bench/): DC summary for GetRecords pages, ISO full for GetRecordById. */
static void test_cost(void **state)
{
    struct fixture *f = *state;
    const int rounds = 200;
    struct buf out;
    struct mo_err err = {0};
    xmlDoc *unified = golden_unified(f, "normalise/iso_dataset_cadastre_multilingual.unified.xml");
    buf_init(&out, OUT_MAX);
    for (int kind = KIND_DC; kind <= KIND_ISO; kind++) {
        enum render_set set = kind == KIND_DC ? RENDER_SUMMARY : RENDER_FULL;
        double start = now_seconds();
        for (int i = 0; i < rounds; i++)
            assert_int_equal(render_into(f, kind, set, unified, &golden_params, &out, &err), MO_OK);
        printf("%s: %.0f us per record (sanitizer build: slower than a release build)\n",
               kind == KIND_DC ? "DC summary" : "ISO full", (now_seconds() - start) * 1e6 / rounds);
    }
    buf_free(&out);
    xmlFreeDoc(unified);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_unified_records),
        cmocka_unit_test(test_corpus_iso_records),
        cmocka_unit_test(test_corpus_csw_records),
        cmocka_unit_test(test_golden_outputs),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_iso_dates),
        cmocka_unit_test(test_iso_urls),
        cmocka_unit_test(test_provenance),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_stylesheet_cannot_read_files),
        cmocka_unit_test(test_cost),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
