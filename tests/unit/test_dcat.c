/*
 * test_dcat.c — the DCAT client (harvester/dcat_client.h, harvester/rdf.h):
 * every file of the corpus's dcat/ gives its records (counted by hand) or is
 * refused with its reason; every record normalises into a unified record
 * that validates against schemas/unified-record.xsd, some with the expected
 * identifier, title and type; Hydra paging from RDF/XML and Turtle fixtures
 * (the corpus's Hydra pages are JSON-LD, which raptor2 cannot read) and from
 * the udata catalog of the corpus; bad inputs as a table of expected errors;
 * an RDF loop; records that do not depend on the page they came in; raptor
 * kept off the network; the partner stand-in's DCAT catalogs walked over
 * HTTP by their hydra:next links.
 */
#include "dcat_client.h"
#include "fetch.h"
#include "normalise.h"
#include "record.h"
#include "standin.h"
#include "xmlsafe.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libxml/xmlschemas.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

struct fixture {
    const char *share;
    const char *corpus;
    struct rdf_world *world;
    struct normaliser *n;
    xmlSchema *schema;
    xmlSchemaParserCtxt *schema_parser;
};

/* What the callback saw of one page. */
#define MAX_SEEN 16
struct seen {
    struct fixture *f;
    const char *name;
    long count;
    int normalise; /* normalise and validate each record */
    char *identifier[MAX_SEEN];
    char *title[MAX_SEEN];
    char *type[MAX_SEEN];
    char *text[MAX_SEEN]; /* the record document as written */
};

static void seen_clear(struct seen *s)
{
    for (int i = 0; i < MAX_SEEN; i++) {
        free(s->identifier[i]);
        free(s->title[i]);
        free(s->type[i]);
        free(s->text[i]);
    }
    memset(s, 0, sizeof *s);
}

static int group_setup(void **state)
{
    static struct fixture f;
    struct mo_err err = {0};
    char path[4096];
    xmlsafe_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    f.share = getenv("MOISSON_SHARE");
    f.corpus = getenv("MOISSON_CORPUS");
    if (!f.share) {
        fprintf(stderr, "MOISSON_SHARE is not set\n");
        return -1;
    }
    if (rdf_world_new(&f.world, &err) != MO_OK) {
        fprintf(stderr, "rdf_world_new: %s\n", err.msg);
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

/* The rdf world goes last: raptor's teardown calls xmlCleanupParser(). */
static int group_teardown(void **state)
{
    struct fixture *f = *state;
    normalise_free(f->n);
    xmlSchemaFree(f->schema);
    xmlSchemaFreeParserCtxt(f->schema_parser);
    rdf_world_free(f->world);
    curl_global_cleanup();
    return 0;
}

static char *xpath_of(xmlDoc *doc, const char *expr)
{
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    assert_non_null(ctx);
    assert_int_equal(xmlsafe_register_namespaces(ctx), MO_OK);
    char *v = xmlsafe_xpath_string(ctx, expr);
    xmlXPathFreeContext(ctx);
    return v;
}

/* Normalises a copy of the record, validates it against the unified schema
 * and keeps its identifier, title and type. */
static void check_unified(struct seen *s, xmlNode *record, long index)
{
    struct mo_err err = {0};
    xmlDoc *raw = xmlCopyDoc(record->doc, 1), *unified = NULL;
    struct record rec = {0};
    assert_non_null(raw);
    if (normalise_to_unified(s->f->n, raw, &unified, &err) != MO_OK)
        fail_msg("record %ld of \"%s\": %s", index, s->name, err.msg);
    xmlSchemaValidCtxt *v = xmlSchemaNewValidCtxt(s->f->schema);
    assert_non_null(v);
    if (xmlSchemaValidateDoc(v, unified) != 0)
        fail_msg("unified record %ld of \"%s\" does not validate", index, s->name);
    xmlSchemaFreeValidCtxt(v);
    if (record_from_unified(unified, &rec, &err) != MO_OK)
        fail_msg("record %ld of \"%s\": %s", index, s->name, err.msg);
    if (!rec.identifier)
        fail_msg("record %ld of \"%s\" has no identifier", index, s->name);
    if (index < MAX_SEEN) {
        s->identifier[index] = strdup(rec.identifier);
        s->title[index] = rec.title ? strdup(rec.title) : NULL;
        s->type[index] = xpath_of(unified, "/m:record/m:type");
    }
    record_clear(&rec);
    xmlFreeDoc(unified);
    xmlFreeDoc(raw);
}

static mo_rc on_record(void *ud, xmlNode *record, long index, struct mo_err *err)
{
    struct seen *s = ud;
    assert_int_equal(index, s->count);
    assert_string_equal((const char *)record->name, "RDF");
    assert_string_equal((const char *)record->ns->href, RDF_NS);
    if (index < MAX_SEEN) {
        xmlBuffer *b = xmlBufferCreate();
        assert_non_null(b);
        xmlNodeDump(b, record->doc, record, 0, 0);
        s->text[index] = strdup((const char *)xmlBufferContent(b));
        xmlBufferFree(b);
    }
    if (s->normalise)
        check_unified(s, record, index);
    s->count++;
    return MO_OK;
}

static FILE *open_or_fail(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("could not open \"%s\"", path);
    return fp;
}

/* Parses path (name: the URL to tell the client, else the path). */
static mo_rc parse_path(struct fixture *f, const char *path, const char *name, const char *ct,
                        const struct dcat_limits *lim, struct dcat_page_info *info, struct seen *s,
                        struct mo_err *err)
{
    FILE *fp = open_or_fail(path);
    s->f = f;
    s->name = name ? name : path;
    mo_rc rc = dcat_parse_page(f->world, fp, s->name, ct, lim, info, on_record, s, err);
    fclose(fp);
    return rc;
}

static int need_corpus(struct fixture *f)
{
    if (f->corpus && access(f->corpus, R_OK) == 0)
        return 1;
    printf("MOISSON_CORPUS is not set or not readable: corpus tests skipped\n");
    return 0;
}

/* ---- the corpus ---- */

struct corpus_case {
    const char *file;
    long records;       /* -1: refused */
    const char *reason; /* refused: part of the message */
    /* one record checked (index; NULL fields are not checked) */
    long index;
    const char *identifier;
    const char *title;
    const char *type;
};

/* Counts read off the files: dcat:Dataset and dcat:DatasetSeries subjects,
 * plus the dcat:DataService ones that are records of their own (not only a
 * distribution's dcat:accessService).  JSON bodies are refused. */
static const struct corpus_case corpus_cases[] = {
    {"be_vlaanderen_dataset.rdf", 1, NULL, 0, "f3bd3e9b-cec1-38de-bb16-d063edace486", NULL,
     "dataset"},
    {"ch_opendataswiss_dataset.rdf", 1, NULL, 0,
     "393940cd-6a67-4190-8b91-378669cdea1d@bundesamt-fur-energie-bfe", NULL, "dataset"},
    {"ckan_catalog.rdf", 2, NULL, 1, "https://data.some.org/catalog/datasets/2",
     "Example dataset 2", "dataset"},
    {"ckan_catalog_datasets_list.rdf", 2, NULL, 0, "https://data.some.org/catalog/datasets/1",
     "Example dataset 1", NULL},
    {"ckan_dataset_full.rdf", 1, NULL, 0, "9df8df51-63db-37a8-e044-0003ba9b0d98",
     "Zimbabwe Regional Geochemical Survey.", "dataset"},
    /* en, ca, es: no French, no untagged text → English */
    {"ckan_dataset_multilingual.ttl", 1, NULL, 0, NULL, "Test DCAT dataset", NULL},
    {"de_govdata_dataset.rdf", 1, NULL, 0, "c1be4007-d811-48fb-8818-2cb358b06a63",
     "Liefer- und Abholservices (Gastronomie)", NULL},
    {"es_datosgob_dataset.ttl", 1, NULL, 0, NULL, NULL, NULL},
    {"eu_geodcatap_from_inspire-dataset.rdf", 1, NULL, 0, "123e4567-e89b-12d3-a456-426655440000",
     "Land Use map of MyCountry", "dataset"},
    {"eu_geodcatap_from_inspire-dataset.ttl", 1, NULL, 0, "123e4567-e89b-12d3-a456-426655440000",
     "Land Use map of MyCountry", NULL},
    {"eu_geodcatap_from_inspire-service.rdf", 1, NULL, 0, "123e4567-e89b-12d3-a456-426655440123",
     NULL, "service"},
    {"eu_geodcatap_from_multilingual-service.rdf", 1, NULL, 0, NULL, NULL, "service"},
    {"eu_jrc_dataset.rdf", 1, NULL, 0, NULL, "Digital finance and virtual currency data", NULL},
    {"eu_jrc_geo-dataset.rdf", 1, NULL, 0, NULL, "Animation of OPERA rainfall accumulation", NULL},
    {"example_catalog_at-graph.jsonld", -1, "is JSON-LD, which moisson cannot read", 0, NULL, NULL,
     NULL},
    {"example_dataset_afs.ttl", 1, NULL, 0, "http://example.com/data/test-dataset-1", NULL, NULL},
    {"example_dataset_deri.ttl", 1, NULL, 0, NULL, "Abandoned Vehicles", NULL},
    /* two datasets and the data service the catalog lists (dcat:service) */
    {"fr_datagouv_udata_catalog_hydra.rdf", 3, NULL, 1,
     "https://vanves-seineouest.opendatasoft.com/api/explore/v2.1/", NULL, "service"},
    {"fr_datara_geodcatap_1.rdf", 1, NULL, 0, "5a26b0f6-0ccf-46ad-ac58-734054b91977",
     "Campings issus de la BDTopo de Auvergne Rh\xc3\xb4ne-Alpes", "dataset"},
    {"fr_datara_geodcatap_2.rdf", 1, NULL, 0, "f40c3860-7236-4b30-a141-23b8ae33f7b2", NULL, NULL},
    {"fr_evian_arcgis-hub_dcat-us.json", -1, "is DCAT-US (Project Open Data) JSON, not RDF", 0,
     NULL, NULL, NULL},
    {"fr_oreme_geonetwork_catalog.rdf", 1, NULL, 0, "0437a976-cff1-4fa6-807a-c23006df2f8f", NULL,
     NULL},
    {"fr_oreme_geonetwork_catalogrecord.rdf", 1, NULL, 0, NULL, NULL, NULL},
    {"fr_sextant_catalogrecord_bathymetry.rdf", 1, NULL, 0, "370ab490-e8b4-11df-b733-005056987263",
     NULL, NULL},
    {"fr_sextant_catalogrecord_seadatanet.rdf", 1, NULL, 0, "98d22ac0-5398-4889-8f8e-8f28273b548b",
     NULL, NULL},
    {"se_dataset.rdf", 1, NULL, 0, "http://nobelprize.org/datasets/dcat#ds1", NULL, NULL},
    {"test_catalog.rdf", 4, NULL, 3, "4", "Dataset 4", "dataset"},
    {"test_catalog_bnodes.jsonld", -1, "is JSON-LD", 0, NULL, NULL, NULL},
    /* three datasets (one a blank node) and the catalog's dcat:service */
    {"test_catalog_bnodes.rdf", 4, NULL, 1, "1", "Dataset 1", "dataset"},
    {"test_catalog_flat.jsonld", -1, "is JSON-LD", 0, NULL, NULL, NULL},
    {"test_catalog_nested.jsonld", -1, "is JSON-LD", 0, NULL, NULL, NULL},
    {"test_dataset_series.rdf", 1, NULL, 0, "fc663284-e599-427e-9da6-9fe9519170f3", NULL, "series"},
    {"test_hydra_pagedcollection_1.jsonld", -1, "is JSON-LD", 0, NULL, NULL, NULL},
    {"test_hydra_pagedcollection_2.jsonld", -1, "is JSON-LD", 0, NULL, NULL, NULL},
    {"test_hydra_partialcollectionview_1.jsonld", -1, "is JSON-LD", 0, NULL, NULL, NULL},
    {"test_hydra_partialcollectionview_2.jsonld", -1, "is JSON-LD", 0, NULL, NULL, NULL},
    /* Project Open Data JSON with an @context: DCAT-US all the same */
    {"us_pod_catalog.jsonld", -1, "is DCAT-US (Project Open Data) JSON", 0, NULL, NULL, NULL},
};

static void check_corpus_case(struct fixture *f, const struct corpus_case *c)
{
    char path[4096];
    struct mo_err err = {0};
    struct dcat_page_info info = {0};
    struct seen s = {.normalise = 1};
    snprintf(path, sizeof path, "%s/dcat/%s", f->corpus, c->file);
    mo_rc rc = parse_path(f, path, NULL, NULL, NULL, &info, &s, &err);
    if (c->records < 0) {
        if (rc != MO_EPARTNER || !strstr(err.msg, c->reason) || !strstr(err.msg, path))
            fail_msg("\"%s\": expected refusal \"%s\", got %d \"%s\"", c->file, c->reason, rc,
                     err.msg);
        assert_int_equal(s.count, 0);
    } else {
        if (rc != MO_OK)
            fail_msg("\"%s\": %s", c->file, err.msg);
        if (s.count != c->records || info.datasets != c->records)
            fail_msg("\"%s\": %ld records, expected %ld", c->file, s.count, c->records);
        if (c->identifier && strcmp(s.identifier[c->index], c->identifier) != 0)
            fail_msg("\"%s\" record %ld: identifier \"%s\"", c->file, c->index,
                     s.identifier[c->index]);
        if (c->title && (!s.title[c->index] || strcmp(s.title[c->index], c->title) != 0))
            fail_msg("\"%s\" record %ld: title \"%s\"", c->file, c->index,
                     s.title[c->index] ? s.title[c->index] : "(none)");
        if (c->type && strcmp(s.type[c->index], c->type) != 0)
            fail_msg("\"%s\" record %ld: type \"%s\"", c->file, c->index, s.type[c->index]);
    }
    dcat_page_info_clear(&info);
    seen_clear(&s);
}

static void test_corpus(void **state)
{
    struct fixture *f = *state;
    if (!need_corpus(f))
        skip();
    long records = 0, refused = 0;
    for (size_t i = 0; i < sizeof corpus_cases / sizeof *corpus_cases; i++) {
        check_corpus_case(f, &corpus_cases[i]);
        if (corpus_cases[i].records < 0)
            refused++;
        else
            records += corpus_cases[i].records;
    }
    printf("corpus: %ld records normalised and valid, %ld files refused with their reason\n",
           records, refused);
}

/* Every file of the corpus folder has a row above. */
static void test_corpus_all_listed(void **state)
{
    struct fixture *f = *state;
    char path[4096], cmd[4200];
    if (!need_corpus(f))
        skip();
    snprintf(path, sizeof path, "%s/dcat", f->corpus);
    snprintf(cmd, sizeof cmd, "ls '%s'", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[512];
    int files = 0;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        int found = 0;
        for (size_t i = 0; i < sizeof corpus_cases / sizeof *corpus_cases; i++)
            found |= strcmp(corpus_cases[i].file, line) == 0;
        if (!found)
            fail_msg("corpus file \"%s\" has no row in corpus_cases", line);
        files++;
    }
    pclose(p);
    assert_int_equal(files, (int)(sizeof corpus_cases / sizeof *corpus_cases));
}

/* ---- Hydra paging ---- */

struct hydra_case {
    const char *file; /* under tests/fixtures/dcat, or "corpus:" + a corpus dcat file */
    const char *url;  /* the page URL given as name (base of relative references) */
    const char *content_type;
    long records;
    long total;
    const char *next, *first, *last;
};

static const struct hydra_case hydra_cases[] = {
    {"hydra_view_page1.rdf", "http://partner.test/catalog.rdf?page=1", "application/rdf+xml", 3, 4,
     "http://partner.test/catalog.rdf?page=2", "http://partner.test/catalog.rdf?page=1",
     "http://partner.test/catalog.rdf?page=2"},
    {"hydra_view_page2.rdf", "http://partner.test/catalog.rdf?page=2", NULL, 1, 4, NULL,
     "http://partner.test/catalog.rdf?page=1", "http://partner.test/catalog.rdf?page=2"},
    {"hydra_paged_page1.ttl", "http://partner.test/catalog.ttl?page=1", "text/turtle", 3, 4,
     "http://partner.test/catalog.ttl?page=2", "http://partner.test/catalog.ttl?page=1",
     "http://partner.test/catalog.ttl?page=2"},
    {"hydra_paged_page2.ttl", "http://partner.test/catalog.ttl?page=2", NULL, 1, 4, NULL,
     "http://partner.test/catalog.ttl?page=1", "http://partner.test/catalog.ttl?page=2"},
    {"corpus:fr_datagouv_udata_catalog_hydra.rdf",
     "https://www.data.gouv.fr/api/1/organizations/54884a24c751df7226a3fc16/catalog.rdf?page=1&"
     "page_size=100",
     "application/rdf+xml; charset=utf-8", 3, 2, NULL,
     "https://www.data.gouv.fr/api/1/organizations/54884a24c751df7226a3fc16/catalog.rdf?page=1&"
     "page_size=100",
     "https://www.data.gouv.fr/api/1/organizations/54884a24c751df7226a3fc16/catalog.rdf?page=1&"
     "page_size=100"},
    {"empty_collection.rdf", "http://partner.test/catalog.rdf", NULL, 0, 0, NULL, NULL, NULL},
    /* a page of a collection with no dataset: empty, not an error */
    {"hydra_empty_page.ttl", "http://partner.test/catalog.ttl?page=2", "text/turtle", 0, 7,
     "http://partner.test/catalog.ttl?page=3", "http://partner.test/catalog.ttl?page=1",
     "http://partner.test/catalog.ttl?page=3"},
};

static void assert_url(const char *what, const char *got, const char *expected, const char *file)
{
    if (!expected && !got)
        return;
    if (!expected || !got || strcmp(got, expected) != 0)
        fail_msg("\"%s\": %s is \"%s\", expected \"%s\"", file, what, got ? got : "(none)",
                 expected ? expected : "(none)");
}

static void test_hydra(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof hydra_cases / sizeof *hydra_cases; i++) {
        const struct hydra_case *c = &hydra_cases[i];
        char path[4096];
        struct mo_err err = {0};
        struct dcat_page_info info = {0};
        struct seen s = {.normalise = 1};
        if (strncmp(c->file, "corpus:", 7) == 0) {
            if (!need_corpus(f))
                continue;
            snprintf(path, sizeof path, "%s/dcat/%s", f->corpus, c->file + 7);
        } else {
            snprintf(path, sizeof path, "%s/tests/fixtures/dcat/%s", f->share, c->file);
        }
        if (parse_path(f, path, c->url, c->content_type, NULL, &info, &s, &err) != MO_OK)
            fail_msg("\"%s\": %s", c->file, err.msg);
        assert_int_equal(s.count, c->records);
        assert_int_equal(info.datasets, c->records);
        if (info.total != c->total)
            fail_msg("\"%s\": total %ld, expected %ld", c->file, info.total, c->total);
        assert_url("next", info.next_url, c->next, c->file);
        assert_url("first", info.first_url, c->first, c->file);
        assert_url("last", info.last_url, c->last, c->file);
        dcat_page_info_clear(&info);
        seen_clear(&s);
    }
}

/* The records of the udata-style fixture, field by field through the XSLT. */
static void test_fixture_fields(void **state)
{
    struct fixture *f = *state;
    char path[4096];
    struct mo_err err = {0};
    struct dcat_page_info info = {0};
    struct seen s = {.normalise = 1};
    snprintf(path, sizeof path, "%s/tests/fixtures/dcat/hydra_view_page1.rdf", f->share);
    assert_int_equal(
        parse_path(f, path, "http://partner.test/catalog.rdf?page=1", NULL, NULL, &info, &s, &err),
        MO_OK);
    assert_int_equal(s.count, 3);
    /* French title preferred over English; dct:identifier over the URI */
    assert_string_equal(s.identifier[0], "jeu-1");
    assert_string_equal(s.title[0], "Pistes cyclables");
    /* no dct:identifier: the URI */
    assert_string_equal(s.identifier[2], "http://partner.test/datasets/3");
    /* the record of dataset 1 holds its contact, place, period and distribution
       (blank nodes renumbered), not the catalog nor the other datasets */
    const char *t = s.text[0];
    assert_non_null(strstr(t, "rdf:nodeID=\"b1\""));
    assert_non_null(strstr(t, "Service SIG"));
    assert_non_null(strstr(t, "POLYGON((4.80 45.70"));
    assert_non_null(strstr(t, "<dcat:startDate"));
    assert_non_null(strstr(t, "rdf:about=\"http://partner.test/datasets/1/geojson\""));
    assert_non_null(strstr(t, "Commune de Test"));
    assert_null(strstr(t, "Catalogue de test"));
    assert_null(strstr(t, "Bureaux de vote"));
    assert_null(strstr(t, "PartialCollectionView"));

    xmlDoc *unified = NULL;
    xmlDoc *raw = NULL;
    assert_int_equal(xmlsafe_parse_memory(t, strlen(t), "record 0", &raw, &err), MO_OK);
    assert_int_equal(normalise_to_unified(f->n, raw, &unified, &err), MO_OK);
    static const char *const expect[][2] = {
        {"/m:record/m:keyword[1]", "v\xc3\xa9lo"},
        {"count(/m:record/m:keyword)", "1"},
        {"/m:record/m:party[@role='publisher']/m:organisation", "Commune de Test"},
        {"/m:record/m:party[@role='pointOfContact']/m:email", "sig@commune.test"},
        {"/m:record/m:date[@type='publication']", "2021-03-01"},
        {"/m:record/m:date[@type='revision']", "2024-01-15"},
        {"/m:record/m:temporal/@begin", "2020-01-01"},
        {"/m:record/m:temporal/@end", "2023-12-31"},
        {"concat(/m:record/m:bbox/@west, ' ', /m:record/m:bbox/@south, ' ', "
         "/m:record/m:bbox/@east, ' ', /m:record/m:bbox/@north)",
         "4.80 45.70 4.90 45.80"},
        {"/m:record/m:licence", "https://www.etalab.gouv.fr/licence-ouverte-open-licence"},
        {"/m:record/m:constraint",
         "http://publications.europa.eu/resource/authority/access-right/PUBLIC"},
        {"/m:record/m:link[1]/@url", "http://partner.test/datasets/1"},
        {"/m:record/m:link[1]/@protocol", "GeoJSON"},
        {"/m:record/m:link[@function='download']/@url", "http://partner.test/files/pistes.geojson"},
        {"/m:record/m:format[1]", "GeoJSON"},
        {"/m:record/m:format[2]", "application/geo+json"},
    };
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        xmlXPathContext *ctx = xmlXPathNewContext(unified);
        assert_int_equal(xmlsafe_register_namespaces(ctx), MO_OK);
        xmlXPathObject *o = xmlXPathEvalExpression((const xmlChar *)expect[i][0], ctx);
        assert_non_null(o);
        xmlChar *v = xmlXPathCastToString(o);
        if (strcmp((const char *)v, expect[i][1]) != 0)
            fail_msg("%s is \"%s\", expected \"%s\"", expect[i][0], v, expect[i][1]);
        xmlFree(v);
        xmlXPathFreeObject(o);
        xmlXPathFreeContext(ctx);
    }
    xmlFreeDoc(unified);
    xmlFreeDoc(raw);
    /* dataset 2: its extent is only a URI (a gazetteer place): kept as a link */
    assert_int_equal(xmlsafe_parse_memory(s.text[1], strlen(s.text[1]), "record 1", &raw, &err),
                     MO_OK);
    assert_int_equal(normalise_to_unified(f->n, raw, &unified, &err), MO_OK);
    char *place = xpath_of(unified, "/m:record/m:link[@name='spatial coverage']/@url");
    assert_non_null(place);
    assert_string_equal(place, "http://sws.geonames.org/2996944/");
    free(place);
    xmlFreeDoc(unified);
    xmlFreeDoc(raw);
    dcat_page_info_clear(&info);
    seen_clear(&s);
}

/* ---- bad inputs ---- */

struct bad_case {
    const char *what;
    const char *file; /* fixture file, "corpus:…" or "broken:…"; NULL: text */
    const char *text;
    const char *content_type;
    struct dcat_limits limits;
    mo_rc rc;
    const char *message; /* part of err.msg ("%s" for the name is checked apart) */
};

static const struct bad_case bad_cases[] = {
    {"turtle with an undeclared prefix",
     "broken:turtle_undeclared-prefix_dcat-ap.ttl",
     NULL,
     "text/turtle",
     {0},
     MO_EXML,
     "at line 149: The namespace prefix in \"healthdcatap:publisherNote\" was not declared"},
    {"malformed RDF/XML",
     "truncated.rdf",
     NULL,
     "application/rdf+xml",
     {0},
     MO_EXML,
     "malformed XML in \""},
    {"an HTML page served as RDF",
     NULL,
     "<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>Ooops</body></html>",
     "application/rdf+xml",
     {0},
     MO_EPARTNER,
     "is an HTML page, not RDF"},
    {"XHTML after an XML declaration",
     NULL,
     "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>",
     NULL,
     {0},
     MO_EPARTNER,
     "is an HTML page, not RDF"},
    {"DCAT-US JSON",
     "corpus:fr_evian_arcgis-hub_dcat-us.json",
     NULL,
     "application/json",
     {0},
     MO_EPARTNER,
     "is DCAT-US (Project Open Data) JSON, not RDF: not supported"},
    {"JSON that is not JSON-LD",
     NULL,
     "{\"error\": \"quota exceeded\"}",
     "application/json",
     {0},
     MO_EPARTNER,
     "is JSON, not RDF"},
    {"JSON-LD",
     "corpus:test_hydra_partialcollectionview_1.jsonld",
     NULL,
     "application/ld+json",
     {0},
     MO_EPARTNER,
     "is JSON-LD, which moisson cannot read (raptor2 has no JSON-LD parser)"},
    {"a graph with no dataset",
     "no_dataset.ttl",
     NULL,
     NULL,
     {0},
     MO_EPARTNER,
     "no dcat:Dataset, dcat:DataService or dcat:DatasetSeries in \""},
    {"an empty body", NULL, "", "text/turtle", {0}, MO_EPARTNER, "is empty"},
    {"a page over the triple limit",
     "hydra_view_page1.rdf",
     NULL,
     NULL,
     {.max_triples = 20},
     MO_ELIMIT,
     "has more than 20 triples"},
    {"a page over the byte limit",
     "hydra_view_page1.rdf",
     NULL,
     NULL,
     {.max_bytes = 1000},
     MO_ELIMIT,
     "bytes"},
    {"a record over its triple cap",
     "hydra_view_page1.rdf",
     NULL,
     NULL,
     {.max_record_triples = 10},
     MO_ELIMIT,
     "dataset \"http://partner.test/datasets/1\" of \""},
    {"a DOCTYPE declaring entities",
     NULL,
     "<?xml version=\"1.0\"?><!DOCTYPE rdf:RDF [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
     "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>",
     "application/rdf+xml",
     {0},
     MO_EFORBIDDEN,
     "declares a DOCTYPE with an internal subset"},
    {"N-Triples with a syntax error",
     NULL,
     "<http://partner.test/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
     "<http://www.w3.org/ns/dcat#Dataset> .\n<http://partner.test/a> oops .\n",
     "application/n-triples",
     {0},
     MO_EXML,
     "malformed N-Triples in \""},
};

static FILE *text_file(const char *text)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    fputs(text, fp);
    rewind(fp);
    return fp;
}

static void test_bad_inputs(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        const struct bad_case *c = &bad_cases[i];
        char path[4096] = "http://partner.test/page";
        struct mo_err err = {0};
        struct dcat_page_info info = {0};
        struct seen s = {.f = f, .name = c->what};
        FILE *fp;
        if (c->file && strncmp(c->file, "corpus:", 7) == 0) {
            if (!need_corpus(f))
                continue;
            snprintf(path, sizeof path, "%s/dcat/%s", f->corpus, c->file + 7);
        } else if (c->file && strncmp(c->file, "broken:", 7) == 0) {
            if (!need_corpus(f))
                continue;
            snprintf(path, sizeof path, "%s/broken/%s", f->corpus, c->file + 7);
        } else if (c->file) {
            snprintf(path, sizeof path, "%s/tests/fixtures/dcat/%s", f->share, c->file);
        }
        fp = c->file ? open_or_fail(path) : text_file(c->text);
        mo_rc rc = dcat_parse_page(f->world, fp, path, c->content_type, &c->limits, &info,
                                   on_record, &s, &err);
        fclose(fp);
        if (rc != c->rc || !strstr(err.msg, c->message) || !strstr(err.msg, path))
            fail_msg("%s: expected %d \"%s\" naming \"%s\", got %d \"%s\"", c->what, c->rc,
                     c->message, path, rc, err.msg);
        if (s.count != 0)
            fail_msg("%s: %ld records handed on before the error", c->what, s.count);
        printf("%-34s %s\n", c->what, err.msg);
        dcat_page_info_clear(&info);
        seen_clear(&s);
    }
}

/* ---- records ---- */

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* a → _:b → <std> → _:b → _:c → a: one record, each node written once. */
static void test_loop(void **state)
{
    struct fixture *f = *state;
    char path[4096];
    struct mo_err err = {0};
    struct dcat_page_info info = {0};
    struct seen s = {.normalise = 1};
    snprintf(path, sizeof path, "%s/tests/fixtures/dcat/loop.ttl", f->share);
    assert_int_equal(parse_path(f, path, NULL, NULL, NULL, &info, &s, &err), MO_OK);
    assert_int_equal(s.count, 1);
    assert_string_equal(s.identifier[0], "boucle-a");
    const char *t = s.text[0];
    assert_int_equal(count_of(t, "<rdf:Description "), 4);
    assert_int_equal(count_of(t, "<rdf:Description rdf:about=\"http://partner.test/ds/a\""), 1);
    assert_int_equal(count_of(t, "<rdf:Description rdf:about=\"http://partner.test/std\""), 1);
    assert_int_equal(count_of(t, "<rdf:Description rdf:nodeID=\"b1\""), 1);
    assert_int_equal(count_of(t, "<rdf:Description rdf:nodeID=\"b2\""), 1);
    dcat_page_info_clear(&info);
    seen_clear(&s);
}

/* The same dataset in two pages (alone, and after another dataset with blank
 * nodes of its own) gives the same record document: its hash does not depend
 * on the page. */
static void test_record_stable(void **state)
{
    struct fixture *f = *state;
    static const char one[] =
        "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
        "<http://p.test/d/2> a dcat:Dataset ; dct:title \"Deux\" ; dct:temporal [ dcat:startDate "
        "\"2020\" ] ; dcat:contactPoint [ dct:title \"x\" ] .\n";
    static const char two[] =
        "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
        "<http://p.test/d/1> a dcat:Dataset ; dct:title \"Un\" ; dct:spatial [ dct:title \"y\" ] "
        ".\n"
        "<http://p.test/d/2> a dcat:Dataset ; dct:title \"Deux\" ; dct:temporal [ dcat:startDate "
        "\"2020\" ] ; dcat:contactPoint [ dct:title \"x\" ] .\n";
    struct mo_err err = {0};
    struct dcat_page_info info = {0};
    struct seen a = {.f = f, .name = "one"}, b = {.f = f, .name = "two"};
    FILE *fp = text_file(one);
    assert_int_equal(dcat_parse_page(f->world, fp, "http://p.test/1.ttl", NULL, NULL, &info,
                                     on_record, &a, &err),
                     MO_OK);
    fclose(fp);
    fp = text_file(two);
    assert_int_equal(dcat_parse_page(f->world, fp, "http://p.test/2.ttl", NULL, NULL, &info,
                                     on_record, &b, &err),
                     MO_OK);
    fclose(fp);
    assert_int_equal(a.count, 1);
    assert_int_equal(b.count, 2);
    assert_string_equal(a.text[0], b.text[1]);
    assert_non_null(strstr(a.text[0], "rdf:nodeID=\"b2\""));
    dcat_page_info_clear(&info);
    seen_clear(&a);
    seen_clear(&b);
}

/* Text that XML cannot carry (a control character written in Turtle) is
 * replaced, never a broken document. */
static void test_text_fit_for_xml(void **state)
{
    struct fixture *f = *state;
    static const char ttl[] = "<http://p.test/d> a <http://www.w3.org/ns/dcat#Dataset> ;\n"
                              " <http://purl.org/dc/terms/title> \"bip\\u0001bip\" ;\n"
                              " <http://example.org/p/123> \"unwritable predicate\" .\n";
    struct mo_err err = {0};
    struct dcat_page_info info = {0};
    struct seen s = {.normalise = 1};
    FILE *fp = text_file(ttl);
    s.f = f;
    s.name = "inline";
    assert_int_equal(dcat_parse_page(f->world, fp, "http://p.test/x.ttl", NULL, NULL, &info,
                                     on_record, &s, &err),
                     MO_OK);
    fclose(fp);
    assert_int_equal(s.count, 1);
    assert_string_equal(s.title[0], "bip\xef\xbf\xbd"
                                    "bip");
    assert_null(strstr(s.text[0], "unwritable predicate"));
    xmlDoc *back = NULL;
    assert_int_equal(xmlsafe_parse_memory(s.text[0], strlen(s.text[0]), "again", &back, &err),
                     MO_OK);
    xmlFreeDoc(back);
    dcat_page_info_clear(&info);
    seen_clear(&s);
}

/* raptor fetches nothing: an external DTD and an xml:base pointing at a
 * listening loopback socket get no connection. */
static void test_no_network(void **state)
{
    struct fixture *f = *state;
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    assert_true(sock >= 0);
    assert_int_equal(bind(sock, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(sock, 4), 0);
    assert_int_equal(getsockname(sock, (struct sockaddr *)&addr, &len), 0);
    int port = ntohs(addr.sin_port);
    char doc[2048];
    snprintf(doc, sizeof doc,
             "<?xml version=\"1.0\"?>\n<!DOCTYPE rdf:RDF SYSTEM \"http://127.0.0.1:%d/rdf.dtd\">\n"
             "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
             "xmlns:dct=\"http://purl.org/dc/terms/\" xml:base=\"http://127.0.0.1:%d/base/\">"
             "<rdf:Description rdf:about=\"d1\"><rdf:type "
             "rdf:resource=\"http://www.w3.org/ns/dcat#Dataset\"/>"
             "<dct:title>Sans r\xc3\xa9seau</dct:title><dct:source "
             "rdf:resource=\"http://127.0.0.1:%d/source.rdf\"/></rdf:Description></rdf:RDF>\n",
             port, port, port);
    struct mo_err err = {0};
    struct dcat_page_info info = {0};
    struct seen s = {.normalise = 1};
    FILE *fp = text_file(doc);
    s.f = f;
    s.name = "inline";
    mo_rc rc = dcat_parse_page(f->world, fp, "http://partner.test/nonet.rdf", NULL, NULL, &info,
                               on_record, &s, &err);
    fclose(fp);
    if (rc != MO_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(s.count, 1);
    char expected_id[128];
    snprintf(expected_id, sizeof expected_id, "http://127.0.0.1:%d/base/d1", port);
    assert_string_equal(s.identifier[0], expected_id);
    fcntl(sock, F_SETFL, O_NONBLOCK);
    int c = accept(sock, NULL, NULL);
    if (c >= 0)
        fail_msg("raptor connected to the loopback listener");
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    close(sock);
    dcat_page_info_clear(&info);
    seen_clear(&s);
}

/* A callback that fails stops the walk with its result. */
static mo_rc stop_at_second(void *ud, xmlNode *record, long index, struct mo_err *err)
{
    long *calls = ud;
    (void)record;
    (*calls)++;
    return index == 1 ? mo_fail(err, MO_EDB, "store refused record %ld", index) : MO_OK;
}

static void test_callback_stops(void **state)
{
    struct fixture *f = *state;
    char path[4096];
    struct mo_err err = {0};
    struct dcat_page_info info = {0};
    long calls = 0;
    snprintf(path, sizeof path, "%s/tests/fixtures/dcat/hydra_view_page1.rdf", f->share);
    FILE *fp = open_or_fail(path);
    assert_int_equal(
        dcat_parse_page(f->world, fp, path, NULL, NULL, &info, stop_at_second, &calls, &err),
        MO_EDB);
    fclose(fp);
    assert_int_equal(calls, 2);
    assert_int_equal(info.datasets, 1);
    assert_string_equal(err.msg, "store refused record 1");
    dcat_page_info_clear(&info);
}

/* ---- over HTTP: the stand-in's DCAT catalogs, walked by their Hydra links ---- */

struct walk_case {
    const char *what;
    const char *args[8]; /* partner.py arguments; "FIXTURES/x" and "CORPUS/x" expanded */
    const char *path;    /* first page */
    long datasets, pages, total;
};

static const struct walk_case walk_cases[] = {
    {"synthetic, 1000 datasets by 100",
     {"--dcat-synthetic", "1000", NULL},
     "/dcat/catalog.rdf",
     1000,
     10,
     1000},
    {"RDF/XML file, datasets nested in the catalog, by 3",
     {"--dcat", "CORPUS/test_catalog.rdf", "--dcat-page-size", "3", NULL},
     "/dcat",
     4,
     2,
     4},
    {"Turtle file, by 1",
     {"--dcat", "FIXTURES/hydra_paged_page1.ttl", "--dcat-page-size", "1", NULL},
     "/dcat/catalog.ttl?page=1",
     3,
     3,
     3},
};

static void seen_reset(struct seen *s)
{
    struct fixture *f = s->f;
    const char *name = s->name;
    seen_clear(s);
    s->f = f;
    s->name = name;
    s->normalise = 1;
}

/* Walks one catalog from its first page by hydra:next, over HTTP. */
static void walk_catalog(struct fixture *f, const struct walk_case *c)
{
    char argbuf[8][4096];
    const char *args[9] = {0};
    for (int i = 0; i < 8 && c->args[i]; i++) {
        if (strncmp(c->args[i], "CORPUS/", 7) == 0)
            snprintf(argbuf[i], sizeof argbuf[i], "%s/dcat/%s", f->corpus, c->args[i] + 7);
        else if (strncmp(c->args[i], "FIXTURES/", 9) == 0)
            snprintf(argbuf[i], sizeof argbuf[i], "%s/tests/fixtures/dcat/%s", f->share,
                     c->args[i] + 9);
        else
            snprintf(argbuf[i], sizeof argbuf[i], "%s", c->args[i]);
        args[i] = argbuf[i];
    }
    struct standin sd;
    struct fetch_options o = {0};
    struct fetch *fe = NULL;
    struct seen s = {.f = f, .name = c->what, .normalise = 1};
    struct timespec t0, t1;
    long pages = 0, datasets = 0;
    char *url = NULL;
    standin_start(&sd, args);
    fetch_options_defaults(&o);
    o.max_retries = -1;
    assert_int_equal(fetch_new(&o, &fe), MO_OK);
    assert_int_not_equal(asprintf(&url, "http://127.0.0.1:%d%s", sd.port, c->path), -1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (url && pages <= c->pages) {
        struct fetch_response resp = {0};
        struct dcat_page_info info = {0};
        struct mo_err err = {0};
        if (fetch_get(fe, url, &resp, &err) != MO_OK)
            fail_msg("%s: %s", c->what, err.msg);
        seen_reset(&s);
        if (dcat_parse_page(f->world, resp.body, url, resp.content_type, NULL, &info, on_record, &s,
                            &err) != MO_OK)
            fail_msg("%s, page %ld: %s", c->what, pages + 1, err.msg);
        assert_int_equal(info.total, c->total);
        datasets += info.datasets;
        pages++;
        free(url);
        url = info.next_url;
        info.next_url = NULL;
        dcat_page_info_clear(&info);
        fetch_response_clear(&resp);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    free(url);
    seen_clear(&s);
    fetch_free(fe);
    standin_stop(&sd);
    if (pages != c->pages || datasets != c->datasets)
        fail_msg("%s: %ld datasets in %ld pages, expected %ld in %ld", c->what, datasets, pages,
                 c->datasets, c->pages);
    printf("%-52s %ld datasets, %ld pages, %.2f s (%.0f datasets/s with normalise and "
           "validation, this build)\n",
           c->what, datasets, pages, secs, (double)datasets / secs);
}

static void test_standin_walk(void **state)
{
    struct fixture *f = *state;
    if (!need_corpus(f))
        skip();
    for (size_t i = 0; i < sizeof walk_cases / sizeof *walk_cases; i++)
        walk_catalog(f, &walk_cases[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),        cmocka_unit_test(test_corpus_all_listed),
        cmocka_unit_test(test_hydra),         cmocka_unit_test(test_fixture_fields),
        cmocka_unit_test(test_bad_inputs),    cmocka_unit_test(test_loop),
        cmocka_unit_test(test_record_stable), cmocka_unit_test(test_text_fit_for_xml),
        cmocka_unit_test(test_no_network),    cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_standin_walk),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
