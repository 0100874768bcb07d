/*
 * test_ogc_caps.c — OGC capabilities as records (harvester/ogc_caps.h,
 * harvester/ogc_url.h, xslt/ogc-capabilities-split.xsl,
 * xslt/ogc-layer-to-unified.xsl).
 *
 * Every WFS / WMS capabilities document of the corpus gives the layer count
 * read in the file, each record normalises into a unified record that
 * validates against schemas/unified-record.xsd, chosen records carry the
 * expected identifier, title, extent and CRS (windows-1250, ISO-8859-1,
 * ISO-8859-15 and UTF-16 documents decoded right); WMS inheritance on fixtures
 * of our own (tests/golden/ogc/); the broken corpus files and inline bad
 * inputs give precise errors and hand nothing on; the URL helpers and the
 * MetadataURL classifier as tables; the golden inputs of
 * tests/golden/normalise/ogc_* are what the split really gives
 * (MOISSON_GOLDEN_WRITE=DIR writes them and their unified records out for
 * review); the split stays linear (1,000 vs 5,000 feature types).
 */
#include "csw_client.h"
#include "normalise.h"
#include "ogc_caps.h"
#include "ogc_url.h"
#include "record.h"
#include "xmlsafe.h"

#include <dirent.h>
#include <libxml/xmlschemas.h>
#include <math.h>
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

/* What a user would paste: odd casing, default port, request parameters. */
#define PASTED_URL "HTTPS://Partner.Example.ORG:443/ows?service=WFS&request=GetCapabilities&map=x"
#define SERVICE_URL "https://partner.example.org/ows?map=x"

struct fixture {
    const char *share;
    const char *corpus;
    const char *golden_write;
    struct ogc_caps *caps;
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
    f.golden_write = getenv("MOISSON_GOLDEN_WRITE");
    if (!f.share) {
        fprintf(stderr, "MOISSON_SHARE is not set\n");
        return -1;
    }
    snprintf(path, sizeof path, "%s/xslt", f.share);
    if (ogc_caps_new(path, &f.caps, &err) != MO_OK || normalise_new(path, &f.n, &err) != MO_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
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
    if (!f)
        return 0;
    ogc_caps_free(f->caps);
    normalise_free(f->n);
    xmlSchemaFree(f->schema);
    xmlSchemaFreeParserCtxt(f->schema_parser);
    return 0;
}

static int need_corpus(struct fixture *f)
{
    if (f->corpus && access(f->corpus, R_OK) == 0)
        return 1;
    printf("MOISSON_CORPUS is not set or not readable: corpus tests skipped\n");
    return 0;
}

/* ------------------------------------------------ collecting records */

/* One record handed on: the element as handed (serialised) and its unified
 * record. */
struct got {
    char *raw;
    struct record rec;
};

struct collected {
    struct fixture *f;
    const char *name;
    int normalise; /* 0: only count (the linearity test) */
    long count;
    struct got *items;
    mo_rc fail_at_rc; /* returned at index fail_at, when set */
    long fail_at;
};

static char *dump_doc(xmlDoc *doc)
{
    xmlChar *out = NULL;
    int len = 0;
    xmlDocDumpFormatMemoryEnc(doc, &out, &len, "UTF-8", 1);
    char *s = strdup((const char *)out);
    xmlFree(out);
    assert_non_null(s);
    return s;
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

static mo_rc on_record(void *ud, xmlNode *node, long index, struct mo_err *err)
{
    struct collected *c = ud;
    assert_int_equal(index, c->count);
    if (c->fail_at_rc != MO_OK && index == c->fail_at) {
        c->count++;
        return mo_fail(err, c->fail_at_rc, "stopped by the test at %ld", index);
    }
    c->count++;
    if (!c->normalise)
        return MO_OK;
    struct got *g = NULL;
    c->items = realloc(c->items, (size_t)c->count * sizeof *c->items);
    assert_non_null(c->items);
    g = &c->items[c->count - 1];
    memset(g, 0, sizeof *g);
    xmlDoc *doc = csw_record_doc(node);
    assert_non_null(doc);
    g->raw = dump_doc(doc);
    xmlDoc *unified = NULL;
    struct mo_err nerr = {0};
    if (normalise_to_unified(c->f->n, doc, &unified, &nerr) != MO_OK)
        fail_msg("\"%s\" record %ld: %s", c->name, index, nerr.msg);
    assert_valid(c->f, unified, c->name);
    if (record_from_unified(unified, &g->rec, &nerr) != MO_OK)
        fail_msg("\"%s\" record %ld: %s", c->name, index, nerr.msg);
    xmlChar *id = xmlGetProp(node, (const xmlChar *)"id");
    assert_non_null(id);
    assert_string_equal(g->rec.identifier, (const char *)id);
    xmlFree(id);
    xmlFreeDoc(unified);
    xmlFreeDoc(doc);
    return MO_OK;
}

static void collected_free(struct collected *c)
{
    for (long i = 0; c->items && i < c->count; i++) {
        free(c->items[i].raw);
        record_clear(&c->items[i].rec);
    }
    free(c->items);
    c->items = NULL;
}

static FILE *open_path(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("could not open \"%s\"", path);
    return fp;
}

static FILE *open_text(const char *text, size_t len)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    rewind(fp);
    return fp;
}

/* Parses a corpus file (relative to the corpus) into c; returns the rc. */
static mo_rc parse_file(struct fixture *f, const char *path, const char *charset,
                        struct ogc_caps_info *info, struct collected *c, struct mo_err *err)
{
    FILE *fp = open_path(path);
    c->f = f;
    c->name = path;
    mo_rc rc = ogc_caps_parse(f->caps, fp, path, PASTED_URL, charset, info, on_record, c, err);
    fclose(fp);
    return rc;
}

static const struct got *find_record(const struct collected *c, const char *id)
{
    for (long i = 0; i < c->count; i++)
        if (!strcmp(c->items[i].rec.identifier, id))
            return &c->items[i];
    return NULL;
}

/* -------------------------------------------------- the corpus */

struct corpus_case {
    const char *file; /* under wfs/ */
    enum ogc_service service;
    const char *version;
    long layers; /* counted in the file: FeatureType, or Layer with a Name */
    size_t metadata;
};

static const struct corpus_case corpus_cases[] = {
    {"arcgis-koeln-de_wfs110.xml", OGC_SERVICE_WFS, "1.1.0", 86, 0},
    {"arcgis-koeln-de_wfs200.xml", OGC_SERVICE_WFS, "2.0.0", 86, 0},
    {"cuzk-cz_wfs200_inspire.xml", OGC_SERVICE_WFS, "2.0.0", 3, 0},
    {"geoserver-dov-be_wfs100.xml", OGC_SERVICE_WFS, "1.0.0", 1, 0},
    {"geoserver-dov-be_wfs110.xml", OGC_SERVICE_WFS, "1.1.0", 1, 2},
    {"geoserver-dov-be_wfs200.xml", OGC_SERVICE_WFS, "2.0.0", 1, 2},
    {"geoserver-geo2france_wfs200.xml", OGC_SERVICE_WFS, "2.0.0", 8, 20},
    {"geoserver-insee-fr_wfs200_inspire.xml", OGC_SERVICE_WFS, "2.0.0", 22, 80},
    {"geoserver-pigma-fr_wfs100.xml", OGC_SERVICE_WFS, "1.0.0", 3, 7},
    {"geoserver-pigma-fr_wfs110.xml", OGC_SERVICE_WFS, "1.1.0", 3, 7},
    {"geoserver-pigma-fr_wfs200.xml", OGC_SERVICE_WFS, "2.0.0", 3, 7},
    {"hsrs-cz_wfs110_windows-1250.xml", OGC_SERVICE_WFS, "1.1.0", 8, 0},
    {"mapserver-rws-nl_wfs110_warnings.xml", OGC_SERVICE_WFS, "1.1.0", 4, 0},
    {"mapserver_wfs100_demo.xml", OGC_SERVICE_WFS, "1.0.0", 2, 2},
    {"mapserver_wfs100_iso-8859-1.xml", OGC_SERVICE_WFS, "1.0.0", 25, 2},
    {"sandre-eaufrance_wfs200.xml", OGC_SERVICE_WFS, "2.0.0", 12, 12},
    {"wms/arcgis-wallonie-be_wms130.xml", OGC_SERVICE_WMS, "1.3.0", 3, 0},
    {"wms/brgm-fr_wms111.xml", OGC_SERVICE_WMS, "1.1.1", 7, 3},
    {"wms/brgm-fr_wms111_iso-8859-15.xml", OGC_SERVICE_WMS, "1.1.1", 5, 3},
    {"wms/brgm-fr_wms111_utf-16.xml", OGC_SERVICE_WMS, "1.1.1", 5, 3},
    {"wms/brgm-fr_wms130.xml", OGC_SERVICE_WMS, "1.3.0", 7, 3},
    {"wms/geoserver_wms130_mesonet.xml", OGC_SERVICE_WMS, "1.3.0", 3, 0},
    {"wms/insee-fr_wms130_inspire.xml", OGC_SERVICE_WMS, "1.3.0", 22, 80},
};

/* A record chosen for its fields; name NULL is the service record. */
struct record_case {
    const char *file;
    const char *name;
    const char *title; /* UTF-8 */
    int has_bbox;
    double west, south, east, north;
    const char *crs0;     /* first CRS, or NULL */
    const char *contains; /* a piece of the unified XML, or NULL */
};

static const struct record_case record_cases[] = {
    {"geoserver-dov-be_wfs110.xml", "gw_meetnetten:meetnetten", "Grondwatermeetnetten", 1,
     2.5325270625180294, 50.683712231532894, 5.925330775009873, 51.49487740995666,
     "urn:x-ogc:def:crs:EPSG:31370", "<m:keyword>Lijst M&amp;R INSPIRE</m:keyword>"},
    {"mapserver_wfs100_demo.xml", "continents", "World continents", 1, -180, -90, 180, 83.627419,
     "EPSG:4326", "<m:format>GML2</m:format>"},
    /* MapServer wrote projected metres into LatLongBoundingBox: no extent */
    {"mapserver_wfs100_iso-8859-1.xml", "antarctic_ice_shelves_fill", "Antarctic ice shelves", 0, 0,
     0, 0, 0, "EPSG:3031", "<m:keyword>Ice Shelves</m:keyword>"},
    {"hsrs-cz_wfs110_windows-1250.xml", "nuts1", "NUTS1", 1, -73.2634725607418, -21.3428428333117,
     120.131330581725, 83.6274190882078, "urn:ogc:def:crs:EPSG::4326",
     "<m:individual>Stanislav Hol\xc3\xbd</m:individual>"},
    {"hsrs-cz_wfs110_windows-1250.xml", NULL, "Help Service Gazeteer", 0, 0, 0, 0, 0, NULL,
     "<m:constraint>for non profit use</m:constraint>"},
    {"cuzk-cz_wfs200_inspire.xml", "CP:CadastralBoundary", "Cadastral Parcel Boundaries", 1, 10, 43,
     22, 55, "urn:ogc:def:crs:EPSG::102067", "<m:crs>urn:ogc:def:crs:EPSG::5514</m:crs>"},
    {"geoserver-geo2france_wfs200.xml", NULL, "Service WFS de G\xc3\xa9o2France", 0, 0, 0, 0, 0,
     NULL, "<m:organisation>Geo2France</m:organisation>"},
    {"wms/brgm-fr_wms111_utf-16.xml", "SCAN_F_GEOL1M",
     "Carte g\xc3\xa9ologique image de la France au million", 1, -5.86764, 41.1701, 11.0789,
     51.1419, "EPSG:4326", "protocol=\"OGC:WMS\" name=\"SCAN_F_GEOL1M\""},
    {"wms/brgm-fr_wms111_iso-8859-15.xml", NULL,
     "G\xc3\xa9oServices : g\xc3\xa9ologie, hydrog\xc3\xa9ologie et gravim\xc3\xa9trie "
     "\xe2\x82\xac",
     0, 0, 0, 0, 0, NULL, "<m:serviceType>view</m:serviceType>"},
    /* inherits its CRS from the unnamed root layer */
    {"wms/arcgis-wallonie-be_wms130.xml", "0", "Cat\xc3\xa9gories de culture (2020)", 1, 2.654318,
     49.426123, 6.651396, 51.110623, NULL, "<m:crs>EPSG:31370</m:crs>"},
    /* a named child inherits the named parent's CRS */
    {"wms/geoserver_wms130_mesonet.xml", "time_idx", "NEXRAD BASE REFLECT", 1, -126, 24, -66, 50,
     NULL, "<m:temporal begin=\"1995-01-01\" end=\"2015-12-31\"/>"},
};

static void check_record_case(const struct collected *c, const struct ogc_caps_info *info,
                              const struct record_case *rc)
{
    char id[OGC_URL_MAX + 256];
    if (rc->name)
        snprintf(id, sizeof id, "%s#%s", info->service_id, rc->name);
    else
        snprintf(id, sizeof id, "%s", info->service_id);
    const struct got *g = find_record(c, id);
    if (!g)
        fail_msg("\"%s\": no record \"%s\"", rc->file, id);
    assert_string_equal(g->rec.title, rc->title);
    assert_string_equal(g->rec.schema, "ogc-capabilities");
    if (g->rec.has_bbox != rc->has_bbox)
        fail_msg("\"%s\" record \"%s\": has_bbox %d, expected %d:\n%s", rc->file, id,
                 g->rec.has_bbox, rc->has_bbox, g->rec.unified);
    if (rc->has_bbox) {
        assert_true(fabs(g->rec.west - rc->west) < 1e-9 && fabs(g->rec.east - rc->east) < 1e-9);
        assert_true(fabs(g->rec.south - rc->south) < 1e-9 && fabs(g->rec.north - rc->north) < 1e-9);
    }
    if (rc->crs0) {
        assert_true(g->rec.crs.count > 0);
        assert_string_equal(g->rec.crs.items[0], rc->crs0);
    }
    if (rc->contains && !strstr(g->rec.unified, rc->contains))
        fail_msg("\"%s\" record \"%s\" lacks %s:\n%s", rc->file, id, rc->contains, g->rec.unified);
}

/* The service record first, coupled to every layer; layers typed and
 * identified under the service; identifiers unique. */
static void check_shape(const struct collected *c, const struct ogc_caps_info *info,
                        const struct corpus_case *cc)
{
    const struct record *svc = &c->items[0].rec;
    assert_int_equal(c->count, cc->layers + 1);
    assert_string_equal(svc->type, "service");
    assert_string_equal(svc->identifier, info->service_id);
    assert_int_equal((long)svc->operates_on.count, cc->layers);
    for (long i = 1; i < c->count; i++) {
        const struct record *r = &c->items[i].rec;
        assert_string_equal(r->type, cc->service == OGC_SERVICE_WFS ? "featureType" : "dataset");
        assert_string_equal(svc->operates_on.items[i - 1], r->identifier);
        assert_true(!strncmp(r->identifier, info->service_id, strlen(info->service_id)) &&
                    r->identifier[strlen(info->service_id)] == '#');
        assert_non_null(r->title);
        assert_true(r->links.count >= 1);
        assert_string_equal(r->links.items[0], SERVICE_URL);
        for (long j = 1; j < i; j++)
            assert_string_not_equal(r->identifier, c->items[j].rec.identifier);
    }
}

static void test_corpus(void **state)
{
    struct fixture *f = *state;
    size_t total = 0;
    if (!need_corpus(f))
        skip();
    for (size_t i = 0; i < sizeof corpus_cases / sizeof *corpus_cases; i++) {
        const struct corpus_case *cc = &corpus_cases[i];
        char path[4096];
        struct ogc_caps_info info;
        struct collected c = {.normalise = 1};
        struct mo_err err = {0};
        snprintf(path, sizeof path, "%s/wfs/%s", f->corpus, cc->file);
        /* a wrong HTTP charset must not matter: each document says its own */
        if (parse_file(f, path, "ISO-8859-1", &info, &c, &err) != MO_OK)
            fail_msg("\"%s\": %s", cc->file, err.msg);
        assert_int_equal(info.service, cc->service);
        assert_string_equal(info.version, cc->version);
        assert_int_equal(info.layers, cc->layers);
        assert_int_equal(info.metadata_count, cc->metadata);
        assert_string_equal(info.service_url, SERVICE_URL);
        check_shape(&c, &info, cc);
        for (size_t k = 0; k < sizeof record_cases / sizeof *record_cases; k++)
            if (!strcmp(record_cases[k].file, cc->file))
                check_record_case(&c, &info, &record_cases[k]);
        total += (size_t)c.count;
        collected_free(&c);
        ogc_caps_info_clear(&info);
    }
    printf("normalised %zu records of %zu capabilities documents\n", total,
           sizeof corpus_cases / sizeof *corpus_cases);
}

/* The table names every capabilities document of the corpus. */
static void test_corpus_table_complete(void **state)
{
    struct fixture *f = *state;
    if (!need_corpus(f))
        skip();
    const char *const dirs[] = {"wfs", "wfs/wms"};
    size_t files = 0;
    for (size_t d = 0; d < 2; d++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", f->corpus, dirs[d]);
        DIR *dp = opendir(dir);
        if (!dp)
            fail_msg("could not open directory \"%s\"", dir);
        for (struct dirent *e = readdir(dp); e; e = readdir(dp)) {
            size_t n = strlen(e->d_name);
            if (n < 4 || strcmp(e->d_name + n - 4, ".xml") != 0)
                continue;
            char rel[600];
            snprintf(rel, sizeof rel, "%s%s", d ? "wms/" : "", e->d_name);
            int found = 0;
            for (size_t i = 0; i < sizeof corpus_cases / sizeof *corpus_cases; i++)
                found |= !strcmp(corpus_cases[i].file, rel);
            if (!found)
                fail_msg("corpus file \"%s\" is not in corpus_cases", rel);
            files++;
        }
        closedir(dp);
    }
    assert_int_equal(files, sizeof corpus_cases / sizeof *corpus_cases);
}

/* MetadataURLs listed with their layer, flagged ISO or not. */
static void test_metadata_urls(void **state)
{
    struct fixture *f = *state;
    char path[4096];
    struct ogc_caps_info info;
    struct collected c = {.normalise = 0};
    struct mo_err err = {0};
    if (!need_corpus(f))
        skip();
    snprintf(path, sizeof path, "%s/wfs/geoserver-dov-be_wfs110.xml", f->corpus);
    assert_int_equal(parse_file(f, path, NULL, &info, &c, &err), MO_OK);
    assert_int_equal(info.metadata_count, 2);
    const struct ogc_metadata_url *m = info.metadata;
    assert_string_equal(m[0].layer_id, SERVICE_URL "&SERVICE=WFS#gw_meetnetten:meetnetten");
    assert_string_equal(m[0].type, "19115");
    assert_string_equal(m[0].format, "text/xml");
    assert_true(!strncmp(m[0].url,
                         "https://www.dov.vlaanderen.be/geonetwork/srv/dut/csw?Service=CSW&"
                         "Request=GetRecordById",
                         80));
    assert_int_equal(m[0].iso, 1);
    assert_string_equal(m[1].format, "text/html");
    assert_int_equal(m[1].iso, 0);
    ogc_caps_info_clear(&info);

    /* WFS 2.0: xlink:href only; the XML formatter is ISO, the HTML page not */
    snprintf(path, sizeof path, "%s/wfs/geoserver-geo2france_wfs200.xml", f->corpus);
    c.count = 0;
    assert_int_equal(parse_file(f, path, NULL, &info, &c, &err), MO_OK);
    size_t iso = 0;
    for (size_t i = 0; i < info.metadata_count; i++) {
        int xml = strstr(info.metadata[i].url, "/formatters/xml") != NULL;
        assert_int_equal(info.metadata[i].iso, xml);
        assert_string_equal(info.metadata[i].type, "");
        iso += (size_t)xml;
    }
    assert_true(iso > 0 && iso < info.metadata_count);
    ogc_caps_info_clear(&info);
}

/* --------------------------------------------- WMS inheritance */

static void parse_fixture(struct fixture *f, const char *file, struct ogc_caps_info *info,
                          struct collected *c)
{
    char path[4096];
    struct mo_err err = {0};
    snprintf(path, sizeof path, "%s/tests/golden/ogc/%s", f->share, file);
    FILE *fp = open_path(path);
    c->f = f;
    c->name = path;
    c->normalise = 1;
    if (ogc_caps_parse(f->caps, fp, path, "https://WMS.example.fr/ows?REQUEST=GetCapabilities",
                       NULL, info, on_record, c, &err) != MO_OK)
        fail_msg("%s", err.msg);
    fclose(fp);
}

static void assert_crs(const struct record *r, const char *const *want, size_t n)
{
    assert_int_equal(r->crs.count, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(r->crs.items[i], want[i]);
}

static const struct record *layer(const struct collected *c, const char *name)
{
    char id[512];
    snprintf(id, sizeof id, "https://wms.example.fr/ows?SERVICE=WMS#%s", name);
    const struct got *g = find_record(c, id);
    if (!g)
        fail_msg("no layer \"%s\"", id);
    return &g->rec;
}

static void test_wms130_inheritance(void **state)
{
    struct fixture *f = *state;
    struct ogc_caps_info info;
    struct collected c = {0};
    parse_fixture(f, "wms130_inheritance.xml", &info, &c);
    /* service + urbanisme, plu, cadastre; the second "urbanisme" is dropped */
    assert_int_equal(info.layers, 3);
    assert_int_equal(c.count, 4);
    assert_int_equal(c.items[0].rec.operates_on.count, 3);

    const struct record *u = layer(&c, "urbanisme");
    const char *const u_crs[] = {"EPSG:3857", "EPSG:4326", "EPSG:2154"};
    assert_string_equal(u->title, "Urbanisme");
    assert_true(u->has_bbox && u->west == -5.5 && u->east == 10 && u->south == 41 &&
                u->north == 51.5);
    assert_crs(u, u_crs, 3);
    assert_string_equal(u->temporal_begin, "2010-01-01");
    assert_string_equal(u->temporal_end, "2020-12-31");
    assert_non_null(strstr(c.items[1].raw, "<c:style name=\"default\" title=\"Par d\xc3\xa9"
                                           "faut\"/>"));
    assert_null(strstr(c.items[1].raw, "title=\"Red\xc3\xa9"
                                       "fini")); /* listed once */

    const struct record *p = layer(&c, "plu");
    const char *const p_crs[] = {"EPSG:2154", "EPSG:3857", "EPSG:4326"};
    assert_true(p->has_bbox && p->west == 4.68 && p->east == 5.06 && p->south == 45.64 &&
                p->north == 45.92);
    assert_crs(p, p_crs, 3);
    assert_string_equal(p->temporal_begin, "2019-06-13");
    assert_string_equal(p->temporal_end, "2019-06-13");
    assert_int_equal(p->keywords.count, 2);
    assert_int_equal(p->links.count, 3); /* the service, two MetadataURLs */
    assert_string_equal(p->links.items[0], "https://wms.example.fr/ows");
    assert_string_equal(p->formats.items[0], "image/png");
    assert_string_equal(p->licences.items[0], "Licence Ouverte 2.0");
    assert_string_equal(p->organisations.items[0], "Commune de Test");

    const struct record *k = layer(&c, "cadastre");
    const char *const k_crs[] = {"EPSG:3035", "EPSG:4326", "EPSG:2154"};
    assert_crs(k, k_crs, 3);
    assert_true(k->has_bbox && k->west == -5.5);

    assert_int_equal(info.metadata_count, 2);
    assert_string_equal(info.metadata[0].layer_id, "https://wms.example.fr/ows?SERVICE=WMS#plu");
    assert_int_equal(info.metadata[0].iso, 1);
    assert_int_equal(info.metadata[1].iso, 0);
    collected_free(&c);
    ogc_caps_info_clear(&info);
}

static void test_wms111_inheritance(void **state)
{
    struct fixture *f = *state;
    struct ogc_caps_info info;
    struct collected c = {0};
    parse_fixture(f, "wms111_inheritance.xml", &info, &c);
    assert_string_equal(info.version, "1.1.1");
    assert_int_equal(c.count, 3);
    assert_string_equal(c.items[0].rec.title, "Rivi\xc3\xa8res et bassins");
    const struct record *r = layer(&c, "rivieres");
    const char *const r_crs[] = {"EPSG:4326", "EPSG:27572"};
    assert_crs(r, r_crs, 2);
    assert_string_equal(r->temporal_begin, "2001-01-01");
    assert_string_equal(r->temporal_end, "2009-01-01");
    const struct record *t = layer(&c, "troncons");
    const char *const t_crs[] = {"EPSG:2154", "EPSG:4326", "EPSG:27572"};
    assert_string_equal(t->title, "Tron\xc3\xa7ons");
    assert_crs(t, t_crs, 3);
    assert_true(t->has_bbox && t->west == -1.5 && t->east == 3.1 && t->south == 46.2 &&
                t->north == 48.9);
    assert_string_equal(t->temporal_end, "2009-01-01");
    /* the vendor parameter of the service URL is kept */
    assert_string_equal(c.items[0].rec.links.items[0], "https://wms.example.fr/ows");
    collected_free(&c);
    ogc_caps_info_clear(&info);
}

/* ------------------------------------------------------ errors */

struct error_case {
    const char *file; /* under broken/ */
    mo_rc rc;
    const char *message; /* a piece of the message, after the name */
};

static const struct error_case broken_cases[] = {
    {"wfs100_service-exception-report.xml", MO_EPARTNER,
     "answered with an exception report: InvalidParameterValue: msWFSDispatch(): WFS server "
     "error. Invalid WFS request: FooBar"},
    {"wfs110_exception-report.xml", MO_EPARTNER,
     "answered with an exception report: InvalidParameterValue: msWFSDispatch(): WFS server "
     "error. Invalid WFS request: FooBar"},
    {"wfs200_exception-report.xml", MO_EPARTNER,
     "answered with an exception report: InvalidParameterValue: msWFSDispatch(): WFS server "
     "error. Invalid WFS request: FooBar"},
    {"wfs200_exception-report_request-not-enabled.xml", MO_EPARTNER,
     "InvalidParameterValue: msWFSDispatch(): WFS server error. WFS request not enabled. Check "
     "wfs/ows_enable_request settings."},
    {"wms111_service-exception-report.xml", MO_EPARTNER,
     "answered with an exception report: no code: msWMSDispatch(): WMS server error. Incomplete "
     "or unsupported WMS request"},
    {"wms130_service-exception-report.xml", MO_EPARTNER,
     "answered with an exception report: no code: msWMSDispatch(): WMS server error. Incomplete "
     "or unsupported WMS request"},
    {"wms130_bogus-utf16-bom.xml", MO_EXML,
     "starts with a UTF-16 byte-order mark but is not UTF-16"},
    {"http-dump_mapserver_wfs110_capabilities.xml", MO_EPARTNER,
     "starts with HTTP header lines (\"Content-Type: text/xml; charset=UTF-8\"), not XML"},
    {"http-dump_qgis-server_wfs100_capabilities.txt", MO_EPARTNER,
     "starts with HTTP header lines (\"Content-Length: 3001\"), not XML"},
    {"not-metadata_wrong-root.xml", MO_EPARTNER,
     "is not WFS or WMS capabilities (root element {}abc)"},
    {"iso19139_truncated_not-well-formed.xml", MO_EXML, "malformed XML in"},
};

static void assert_error(mo_rc got, const struct mo_err *err, mo_rc want, const char *name,
                         const char *piece)
{
    char expected[2048];
    if (got != want)
        fail_msg("\"%s\": %s (%d), expected %s: %s", name, mo_rc_str(got), got, mo_rc_str(want),
                 err->msg);
    snprintf(expected, sizeof expected, "\"%s\"", name);
    if (strncmp(err->msg, expected, strlen(expected)) != 0 && !strstr(err->msg, expected))
        fail_msg("message does not name \"%s\": %s", name, err->msg);
    if (!strstr(err->msg, piece))
        fail_msg("\"%s\": message lacks \"%s\": %s", name, piece, err->msg);
}

static void test_broken_corpus(void **state)
{
    struct fixture *f = *state;
    if (!need_corpus(f))
        skip();
    for (size_t i = 0; i < sizeof broken_cases / sizeof *broken_cases; i++) {
        char path[4096];
        struct ogc_caps_info info;
        struct collected c = {.normalise = 0};
        struct mo_err err = {0};
        snprintf(path, sizeof path, "%s/broken/%s", f->corpus, broken_cases[i].file);
        mo_rc rc = parse_file(f, path, "UTF-8", &info, &c, &err);
        assert_error(rc, &err, broken_cases[i].rc, path, broken_cases[i].message);
        assert_int_equal(c.count, 0);
        printf("%s: %s\n", broken_cases[i].file, err.msg);
        ogc_caps_info_clear(&info);
    }
}

struct inline_case {
    const char *what;
    const char *text;
    const char *charset;
    const char *url;
    mo_rc rc;
    const char *message;
};

#define WFS11_OPEN                                                                                 \
    "<wfs:WFS_Capabilities xmlns:wfs='http://www.opengis.net/wfs' "                                \
    "xmlns:ows='http://www.opengis.net/ows' version='1.1.0'>"

static const struct inline_case inline_cases[] = {
    {"no feature types",
     WFS11_OPEN "<ows:ServiceIdentification><ows:Title>T</ows:Title>"
                "</ows:ServiceIdentification><wfs:FeatureTypeList/></wfs:WFS_Capabilities>",
     NULL, PASTED_URL, MO_EPARTNER, "lists no feature types"},
    {"unnamed feature type",
     WFS11_OPEN "<wfs:FeatureTypeList><wfs:FeatureType><wfs:Name> "
                "</wfs:Name></wfs:FeatureType></wfs:FeatureTypeList></wfs:WFS_Capabilities>",
     NULL, PASTED_URL, MO_EPARTNER, "lists no feature types"},
    {"only unnamed layers",
     "<WMS_Capabilities xmlns='http://www.opengis.net/wms' version='1.3.0'>"
     "<Service><Title>T</Title></Service><Capability><Layer><Title>root</Title><Layer>"
     "<Title>group</Title></Layer></Layer></Capability></WMS_Capabilities>",
     NULL, PASTED_URL, MO_EPARTNER, "lists no named layers"},
    {"html page", "\n<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head></html>",
     NULL, PASTED_URL, MO_EPARTNER, "is an HTML page, not OGC capabilities: <!DOCTYPE html>"},
    {"html root", "<?xml version='1.0'?><html><body>Service indisponible</body></html>", NULL,
     PASTED_URL, MO_EPARTNER, "is an HTML page, not OGC capabilities"},
    {"empty", "", NULL, PASTED_URL, MO_EXML, "is empty"},
    {"blank", " \n\t ", NULL, PASTED_URL, MO_EXML, "holds only white space"},
    {"json", "{\"error\": \"no such layer\"}", NULL, PASTED_URL, MO_EXML,
     "is not XML (it starts with \"{\"error\": \"no such layer\"}\")"},
    {"status line", "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<a/>", NULL, PASTED_URL,
     MO_EPARTNER, "starts with HTTP header lines (\"HTTP/1.1 200 OK\")"},
    {"truncated", "<WMS_Capabilities xmlns='http://www.opengis.net/wms'><Service><Title>T", NULL,
     PASTED_URL, MO_EXML, "malformed XML in"},
    {"trailing junk", "<WMT_MS_Capabilities version='1.1.1'/><junk/>", NULL, PASTED_URL, MO_EXML,
     "malformed XML in"},
    {"entity declaration",
     "<?xml version='1.0'?><!DOCTYPE WMT_MS_Capabilities [<!ENTITY e "
     "SYSTEM 'file:///etc/passwd'>]><WMT_MS_Capabilities>&e;</WMT_MS_Capabilities>",
     NULL, PASTED_URL, MO_EFORBIDDEN, "declares a DOCTYPE with an internal subset"},
    {"csw capabilities",
     "<csw:Capabilities xmlns:csw='http://www.opengis.net/cat/csw/2.0.2' "
     "version='2.0.2'/>",
     NULL, PASTED_URL, MO_EPARTNER,
     "is not WFS or WMS capabilities (root element "
     "{http://www.opengis.net/cat/csw/2.0.2}Capabilities)"},
    {"unknown namespace", "<WFS_Capabilities xmlns='http://example.org/wfs'/>", NULL, PASTED_URL,
     MO_EPARTNER, "is WFS_Capabilities in an unknown namespace \"http://example.org/wfs\""},
    {"undeclared 8-bit text",
     "<WMT_MS_Capabilities><Service><Title>Gu\xe9</Title></Service>"
     "</WMT_MS_Capabilities>",
     NULL, PASTED_URL, MO_EXML, "malformed XML in"},
};

static void test_inline_errors(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof inline_cases / sizeof *inline_cases; i++) {
        const struct inline_case *ic = &inline_cases[i];
        struct ogc_caps_info info;
        struct collected c = {.f = f, .name = ic->what};
        struct mo_err err = {0};
        FILE *fp = open_text(ic->text, strlen(ic->text));
        mo_rc rc =
            ogc_caps_parse(f->caps, fp, ic->what, ic->url, ic->charset, &info, on_record, &c, &err);
        fclose(fp);
        assert_error(rc, &err, ic->rc, ic->what, ic->message);
        assert_int_equal(c.count, 0);
        ogc_caps_info_clear(&info);
    }
}

/* A document that declares no encoding is read in the HTTP charset; one
 * that declares its own keeps it. */
static void test_http_charset(void **state)
{
    struct fixture *f = *state;
    static const char latin1[] = "<WMT_MS_Capabilities version='1.1.1'><Service><Title>Rivi\xe8"
                                 "res</Title></Service><Capability><Layer><Name>a</Name><Title>"
                                 "Gu\xe9</Title></Layer></Capability></WMT_MS_Capabilities>";
    static const char declared[] = "<?xml version='1.0' encoding='UTF-8'?><WMT_MS_Capabilities>"
                                   "<Capability><Layer><Name>a</Name><Title>Gu\xc3\xa9</Title>"
                                   "</Layer></Capability></WMT_MS_Capabilities>";
    struct {
        const char *text;
        const char *title;
    } cases[] = {
        {latin1, "Gu\xc3\xa9"},
        {declared, "Gu\xc3\xa9"},
    };
    for (size_t i = 0; i < 2; i++) {
        struct ogc_caps_info info;
        struct collected c = {.f = f, .name = "charset", .normalise = 1};
        struct mo_err err = {0};
        FILE *fp = open_text(cases[i].text, strlen(cases[i].text));
        mo_rc rc = ogc_caps_parse(f->caps, fp, "charset", "http://h/wms", "ISO-8859-1", &info,
                                  on_record, &c, &err);
        fclose(fp);
        if (rc != MO_OK)
            fail_msg("%s", err.msg);
        assert_int_equal(c.count, 2);
        assert_string_equal(c.items[1].rec.title, cases[i].title);
        assert_string_equal(c.items[1].rec.identifier, "http://h/wms?SERVICE=WMS#a");
        collected_free(&c);
        ogc_caps_info_clear(&info);
    }
}

/* The callback's error stops the walk and comes back as is. */
static void test_callback_error(void **state)
{
    struct fixture *f = *state;
    static const char doc[] = WFS11_OPEN "<wfs:FeatureTypeList>"
                                         "<wfs:FeatureType><wfs:Name>a</wfs:Name></wfs:FeatureType>"
                                         "<wfs:FeatureType><wfs:Name>b</wfs:Name></wfs:FeatureType>"
                                         "<wfs:FeatureType><wfs:Name>a</wfs:Name></wfs:FeatureType>"
                                         "</wfs:FeatureTypeList></wfs:WFS_Capabilities>";
    struct ogc_caps_info info;
    struct collected c = {.f = f, .name = "stop", .fail_at_rc = MO_EDB, .fail_at = 1};
    struct mo_err err = {0};
    FILE *fp = open_text(doc, strlen(doc));
    assert_int_equal(
        ogc_caps_parse(f->caps, fp, "stop", "http://h/wfs", NULL, &info, on_record, &c, &err),
        MO_EDB);
    fclose(fp);
    assert_int_equal(c.count, 2);
    assert_int_equal(info.layers, 2); /* the repeated name "a" gives one record */
    assert_non_null(strstr(err.msg, "stopped by the test at 1"));
    ogc_caps_info_clear(&info);
}

static void test_missing_stylesheet(void **state)
{
    (void)state;
    struct mo_err err = {0};
    struct ogc_caps *c = (struct ogc_caps *)&err; /* must be reset to NULL */
    assert_int_equal(ogc_caps_new("/nonexistent/moisson-xslt", &c, &err), MO_EIO);
    assert_null(c);
    assert_non_null(strstr(err.msg, "\"/nonexistent/moisson-xslt/ogc-capabilities-split.xsl\""));
}

/* --------------------------------------------------- URL helpers */

struct url_case {
    const char *pasted;
    const char *service;
    mo_rc rc;
    const char *caps;        /* expected GetCapabilities URL, or the error piece */
    const char *service_url; /* expected stable URL (NULL: same error) */
};

static const struct url_case url_cases[] = {
    {"https://geo.example.fr/geoserver/wfs", "WFS", MO_OK,
     "https://geo.example.fr/geoserver/wfs?SERVICE=WFS&REQUEST=GetCapabilities",
     "https://geo.example.fr/geoserver/wfs"},
    {"  HTTPS://Geo.Example.FR:443/geoserver/WFS?Service=wfs&Request=getcapabilities"
     "&VERSION=2.0.0 ",
     "WFS", MO_OK,
     "https://geo.example.fr/geoserver/WFS?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0",
     "https://geo.example.fr/geoserver/WFS"},
    {"http://h.example:8080/cgi-bin/mapserv?map=/srv/a.map&", "WMS", MO_OK,
     "http://h.example:8080/cgi-bin/mapserv?map=/srv/a.map&SERVICE=WMS&REQUEST=GetCapabilities",
     "http://h.example:8080/cgi-bin/mapserv?map=/srv/a.map"},
    {"http://H.example:80?language=fre&&request=GetMap&LAYERS=a#top", "wms", MO_OK,
     "http://h.example/?language=fre&LAYERS=a&SERVICE=WMS&REQUEST=GetCapabilities",
     "http://h.example/?language=fre&LAYERS=a"},
    {"https://user:Pw@HOST.example/wfs?AcceptVersions=2.0.0,1.1.0", "wfs", MO_OK,
     "https://user:Pw@host.example/wfs?SERVICE=WFS&REQUEST=GetCapabilities"
     "&ACCEPTVERSIONS=2.0.0,1.1.0",
     "https://user:Pw@host.example/wfs"},
    {"http://[::1]:8000/ows?SERVICE=WMS", "WMS", MO_OK,
     "http://[::1]:8000/ows?SERVICE=WMS&REQUEST=GetCapabilities", "http://[::1]:8000/ows"},
    {"https://h.example/wfs?", "WFS", MO_OK,
     "https://h.example/wfs?SERVICE=WFS&REQUEST=GetCapabilities", "https://h.example/wfs"},
    {"https://h.example:8443/wms?authkey=Abc", "WMS", MO_OK,
     "https://h.example:8443/wms?authkey=Abc&SERVICE=WMS&REQUEST=GetCapabilities",
     "https://h.example:8443/wms?authkey=Abc"},
    {"ftp://h.example/wfs", "WFS", MO_EBADREQ,
     "\"ftp://h.example/wfs\" is not an http or https URL", NULL},
    {"geo.example.fr/wfs", "WFS", MO_EBADREQ, "is not an http or https URL", NULL},
    {"https:///wfs", "WFS", MO_EBADREQ, "\"https:///wfs\" has no host", NULL},
    {"https://h.example:8x/", "WFS", MO_EBADREQ, "has a bad port", NULL},
    {"https://h.example/w fs", "WFS", MO_EBADREQ, "contains white space or control characters",
     NULL},
    {"", "WFS", MO_EBADREQ, "empty URL", NULL},
    {"https://h.example/wfs?service=WMS", "WFS", MO_EBADREQ,
     "\"https://h.example/wfs?service=WMS\" asks for service WMS, not WFS", ""},
    {"https://h.example/wcs", "WCS", MO_EBADREQ, "unknown OGC service \"WCS\"", ""},
};

static void test_url_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof url_cases / sizeof *url_cases; i++) {
        const struct url_case *uc = &url_cases[i];
        char out[OGC_URL_MAX + 1];
        struct mo_err err = {0};
        mo_rc rc = ogc_url_capabilities(uc->pasted, uc->service, out, sizeof out, &err);
        if (rc != uc->rc)
            fail_msg("\"%s\": %s", uc->pasted, err.msg);
        if (rc == MO_OK)
            assert_string_equal(out, uc->caps);
        else if (!strstr(err.msg, uc->caps))
            fail_msg("\"%s\": message lacks \"%s\": %s", uc->pasted, uc->caps, err.msg);
        mo_err_clear(&err);
        rc = ogc_url_service(uc->pasted, out, sizeof out, &err);
        if (uc->service_url && uc->service_url[0]) {
            if (rc != MO_OK)
                fail_msg("\"%s\": %s", uc->pasted, err.msg);
            assert_string_equal(out, uc->service_url);
        } else if (!uc->service_url) {
            assert_int_equal(rc, uc->rc);
            assert_non_null(strstr(err.msg, uc->caps));
        } /* "": only the capabilities helper refuses it */
    }
}

static void test_url_limits(void **state)
{
    (void)state;
    char longurl[OGC_URL_MAX + 64];
    char out[64];
    struct mo_err err = {0};
    memset(longurl, 'a', sizeof longurl);
    memcpy(longurl, "https://h.example/", 18);
    longurl[sizeof longurl - 1] = '\0';
    char big[OGC_URL_MAX * 2];
    assert_int_equal(ogc_url_service(longurl, big, sizeof big, &err), MO_ELIMIT);
    assert_non_null(strstr(err.msg, "is longer than 2048 bytes"));
    assert_int_equal(ogc_url_capabilities("https://h.example/wfs", "WFS", out, 20, &err),
                     MO_ELIMIT);
    assert_int_equal(ogc_url_service(NULL, out, sizeof out, &err), MO_EBADREQ);
}

struct iso_case {
    const char *type, *format, *url;
    int iso;
};

static const struct iso_case iso_cases[] = {
    {"TC211", "text/xml", "https://x.example/md?id=1", 1},
    {"ISO19115:2003", "application/vnd.ogc.csw.GetRecordByIdResponse_xml", "https://x.example", 1},
    {"19115", "text/html", "https://x.example/md.html", 0},
    {"FGDC", "text/xml", "https://x.example/md.xml", 0},
    {NULL, NULL, "https://geo.example/srv/api/records/x/formatters/xml", 1},
    {NULL, NULL, "https://geo.example/srv/fre/catalog.search#/metadata/x", 0},
    {"", "", "https://cat.example/csw?service=CSW&request=GetRecordById&id=1", 1},
    {"ISO19115:2003", NULL, "https://x.example/record.XML?lang=fr", 1},
    {"TC211", "application/xml", "", 0},
    {"TC211", "application/xml", NULL, 0},
};

static void test_metadata_is_iso(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof iso_cases / sizeof *iso_cases; i++) {
        const struct iso_case *c = &iso_cases[i];
        if (ogc_caps_metadata_is_iso(c->type, c->format, c->url) != c->iso)
            fail_msg("case %zu (%s, %s, %s): expected %d", i, c->type ? c->type : "NULL",
                     c->format ? c->format : "NULL", c->url ? c->url : "NULL", c->iso);
    }
}

/* ---------------------------------------------------- goldens */

struct golden_case {
    const char *golden; /* tests/golden/normalise/<golden>.xml */
    const char *file;   /* the corpus file it comes from */
    const char *name;   /* layer name, NULL for the service */
};

static const struct golden_case golden_cases[] = {
    {"ogc_wfs_layer", "wfs/geoserver-dov-be_wfs110.xml", "gw_meetnetten:meetnetten"},
    {"ogc_wms_layer", "wfs/wms/brgm-fr_wms130.xml", "SCAN_F_GEOL1M"},
    {"ogc_wfs_service", "wfs/mapserver_wfs100_demo.xml", NULL},
};

/* Re-parsed without blank nodes and indented: indentation does not count. */
static char *canonical(const char *text, const char *name)
{
    xmlDoc *doc =
        xmlReadMemory(text, (int)strlen(text), name, NULL, XML_PARSE_NOBLANKS | XML_PARSE_NONET);
    if (!doc)
        fail_msg("could not re-parse \"%s\"", name);
    char *s = dump_doc(doc);
    xmlFreeDoc(doc);
    return s;
}

static char *read_all(const char *path)
{
    FILE *fp = open_path(path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
    data[n] = '\0';
    fclose(fp);
    return data;
}

static void write_text(const char *dir, const char *file, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void check_golden(struct fixture *f, const struct golden_case *gc)
{
    char path[4096], id[1024];
    struct ogc_caps_info info;
    struct collected c = {.normalise = 1};
    struct mo_err err = {0};
    snprintf(path, sizeof path, "%s/%s", f->corpus, gc->file);
    if (parse_file(f, path, NULL, &info, &c, &err) != MO_OK)
        fail_msg("%s", err.msg);
    snprintf(id, sizeof id, "%s%s%s", info.service_id, gc->name ? "#" : "",
             gc->name ? gc->name : "");
    const struct got *g = find_record(&c, id);
    if (!g)
        fail_msg("\"%s\": no record \"%s\"", gc->file, id);
    if (f->golden_write) {
        char file[256];
        snprintf(file, sizeof file, "%s.xml", gc->golden);
        write_text(f->golden_write, file, g->raw);
        snprintf(file, sizeof file, "%s.unified.xml", gc->golden);
        char *u = canonical(g->rec.unified, id);
        write_text(f->golden_write, file, u);
        free(u);
    } else {
        snprintf(path, sizeof path, "%s/tests/golden/normalise/%s.xml", f->share, gc->golden);
        char *exp = read_all(path);
        char *a = canonical(g->raw, id), *b = canonical(exp, path);
        if (strcmp(a, b) != 0)
            fail_msg("the split no longer gives \"%s\":\n--- got\n%s\n--- expected\n%s", path, a,
                     b);
        free(a);
        free(b);
        free(exp);
    }
    collected_free(&c);
    ogc_caps_info_clear(&info);
}

/* The golden inputs of test_normalise are what the split gives today (their
 * unified records are compared by test_normalise). */
static void test_golden_inputs(void **state)
{
    struct fixture *f = *state;
    if (!need_corpus(f))
        skip();
    for (size_t i = 0; i < sizeof golden_cases / sizeof *golden_cases; i++)
        check_golden(f, &golden_cases[i]);
}

/* ------------------------------------------------ linear cost */

/* A WFS 2.0 capabilities document with n feature types, written to a temp
 * file (what bench/ogc-caps-bench generates too). */
static FILE *generate_wfs(long n)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    fputs("<?xml version='1.0' encoding='UTF-8'?>\n"
          "<wfs:WFS_Capabilities version='2.0.0' xmlns:wfs='http://www.opengis.net/wfs/2.0' "
          "xmlns='http://www.opengis.net/wfs/2.0' xmlns:ows='http://www.opengis.net/ows/1.1' "
          "xmlns:xlink='http://www.w3.org/1999/xlink'>\n"
          "<ows:ServiceIdentification><ows:Title>Synthetic WFS</ows:Title>"
          "<ows:Abstract>Generated</ows:Abstract><ows:Fees>NONE</ows:Fees>"
          "<ows:AccessConstraints>NONE</ows:AccessConstraints></ows:ServiceIdentification>\n"
          "<ows:ServiceProvider><ows:ProviderName>Bench</ows:ProviderName></ows:ServiceProvider>\n"
          "<ows:OperationsMetadata><ows:Operation name='GetFeature'><ows:DCP><ows:HTTP>"
          "<ows:Get xlink:href='https://bench.example/wfs'/></ows:HTTP></ows:DCP>"
          "<ows:Parameter name='outputFormat'><ows:AllowedValues>"
          "<ows:Value>application/gml+xml; version=3.2</ows:Value>"
          "<ows:Value>application/json</ows:Value><ows:Value>SHAPE-ZIP</ows:Value>"
          "</ows:AllowedValues></ows:Parameter></ows:Operation></ows:OperationsMetadata>\n"
          "<FeatureTypeList>\n",
          fp);
    for (long i = 0; i < n; i++)
        fprintf(fp,
                "<FeatureType><Name>ws:layer_%ld</Name><Title>Layer %ld</Title>"
                "<Abstract>Synthetic feature type %ld</Abstract><ows:Keywords>"
                "<ows:Keyword>k%ld</ows:Keyword><ows:Keyword>bench</ows:Keyword></ows:Keywords>"
                "<DefaultCRS>urn:ogc:def:crs:EPSG::2154</DefaultCRS>"
                "<OtherCRS>urn:ogc:def:crs:EPSG::4326</OtherCRS>"
                "<ows:WGS84BoundingBox><ows:LowerCorner>%ld.5 45.1</ows:LowerCorner>"
                "<ows:UpperCorner>%ld.9 46.2</ows:UpperCorner></ows:WGS84BoundingBox>"
                "<MetadataURL xlink:href='https://cat.example/srv/api/records/%ld/formatters/xml'/>"
                "</FeatureType>\n",
                i, i, i, i, i % 170 - 85, i % 170 - 85, i);
    fputs("</FeatureTypeList></wfs:WFS_Capabilities>\n", fp);
    rewind(fp);
    return fp;
}

static double parse_seconds(struct fixture *f, long n)
{
    struct ogc_caps_info info;
    struct collected c = {.f = f, .name = "generated", .normalise = 0};
    struct mo_err err = {0};
    FILE *fp = generate_wfs(n);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (ogc_caps_parse(f->caps, fp, "generated", "https://bench.example/wfs", NULL, &info,
                       on_record, &c, &err) != MO_OK)
        fail_msg("%s", err.msg);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fclose(fp);
    assert_int_equal(info.layers, n);
    assert_int_equal(c.count, n + 1);
    assert_int_equal(info.metadata_count, (size_t)n);
    ogc_caps_info_clear(&info);
    return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* 5,000 feature types cost about five times 1,000 (a quadratic split would
 * cost 25 times); best of three each, against the machine's noise. */
static void test_linear(void **state)
{
    struct fixture *f = *state;
    double small = 1e9, large = 1e9;
    for (int i = 0; i < 3; i++) {
        double s = parse_seconds(f, 1000), l = parse_seconds(f, 5000);
        small = s < small ? s : small;
        large = l < large ? l : large;
    }
    printf("split of 1,000 feature types: %.3f s, 5,000: %.3f s (ratio %.1f; this build)\n", small,
           large, large / small);
    assert_true(large / small < 12.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_corpus_table_complete),
        cmocka_unit_test(test_metadata_urls),
        cmocka_unit_test(test_wms130_inheritance),
        cmocka_unit_test(test_wms111_inheritance),
        cmocka_unit_test(test_broken_corpus),
        cmocka_unit_test(test_inline_errors),
        cmocka_unit_test(test_http_charset),
        cmocka_unit_test(test_callback_error),
        cmocka_unit_test(test_missing_stylesheet),
        cmocka_unit_test(test_url_table),
        cmocka_unit_test(test_url_limits),
        cmocka_unit_test(test_metadata_is_iso),
        cmocka_unit_test(test_golden_inputs),
        cmocka_unit_test(test_linear),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
