/*
 * The CSW client without a socket: captured capabilities and GetRecords
 * responses of the corpus, our own requests checked against the official
 * CSW schema.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "csw_client.h"
#include "testdb.h"
#include "xmlsafe.h"

#include <libxml/xmlschemas.h>
#include <stdlib.h>
#include <string.h>

static FILE *open_corpus(const char *rel)
{
    const char *corpus = testdb_corpus_dir();
    if (!corpus)
        return NULL;
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", corpus, rel);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open corpus file %s", path);
    return fp;
}

#define NEED_CORPUS(fp, rel)                                                                       \
    FILE *fp = open_corpus(rel);                                                                   \
    if (!fp) {                                                                                     \
        print_message("corpus absent ($MOISSON_CORPUS): skipping\n");                              \
        skip();                                                                                    \
    }

static mo_rc count_records(void *ud, xmlNode *node, long index, struct mo_err *err)
{
    (void)node;
    (void)index;
    (void)err;
    (*(int *)ud)++;
    return MO_OK;
}

static void test_geonetwork_capabilities(void **state)
{
    (void)state;
    NEED_CORPUS(fp, "csw/geonetwork_capabilities_csw202.xml");
    struct csw_endpoint ep;
    struct mo_err err = {0};
    const char *url = "https://catalogue.example.fr/geonetwork/srv/fre/csw?service=CSW&request="
                      "GetCapabilities";
    assert_int_equal(csw_parse_capabilities(fp, url, &ep, &err), MO_OK);
    assert_string_equal(ep.version, "2.0.2");
    assert_string_equal(ep.output_schema, CSW_SCHEMA_ISO);
    assert_true(ep.cql);
    assert_true(ep.filter);
    assert_true(ep.iso_modified);
    /* advertised on localhost:8080: replaced by where the capabilities came from */
    assert_string_equal(ep.post_url, "https://catalogue.example.fr/geonetwork/srv/fre/csw");
    assert_string_equal(ep.get_url, "https://catalogue.example.fr/geonetwork/srv/fre/csw");
    fclose(fp);
}

static void test_csw3_and_exception_capabilities(void **state)
{
    (void)state;
    NEED_CORPUS(fp, "csw/conterra-terracatalog_capabilities_csw300.xml");
    struct csw_endpoint ep;
    struct mo_err err = {0};
    /* a CSW 3.0 catalog that lists no GetRecords (only GetRecordById, OpenSearch) */
    assert_int_equal(csw_parse_capabilities(fp, "http://x/csw", &ep, &err), MO_EPARTNER);
    assert_non_null(strstr(err.msg, "offers no GetRecords operation (CSW 3.0.0)"));
    fclose(fp);
    FILE *ex = open_corpus("csw/geoserver_csw_exception-report.xml");
    mo_err_clear(&err);
    assert_int_equal(csw_parse_capabilities(ex, "http://x/csw", &ep, &err), MO_EPARTNER);
    assert_non_null(strstr(err.msg, "exception report"));
    print_message("%s\n", err.msg);
    fclose(ex);
}

/* A CSW 3.0.0 catalog: OWS 2.0 capabilities, values under AllowedValues. */
static const char csw3_caps[] =
    "<csw:Capabilities version=\"3.0.0\" xmlns:csw=\"http://www.opengis.net/cat/csw/3.0\""
    " xmlns:ows=\"http://www.opengis.net/ows/2.0\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
    "<ows:ServiceIdentification><ows:Title>Catalogue du Pays</ows:Title>"
    "<ows:ServiceType>CSW</ows:ServiceType><ows:ServiceTypeVersion>3.0.0</ows:ServiceTypeVersion>"
    "</ows:ServiceIdentification><ows:OperationsMetadata>"
    "<ows:Operation name=\"GetCapabilities\"><ows:DCP><ows:HTTP><ows:Get"
    " xlink:href=\"https://pays.example.fr/csw\"/></ows:HTTP></ows:DCP></ows:Operation>"
    "<ows:Operation name=\"GetRecords\"><ows:DCP><ows:HTTP>"
    "<ows:Get xlink:href=\"https://pays.example.fr/csw/records\"/>"
    "<ows:Post xlink:href=\"https://pays.example.fr/csw/records\"/></ows:HTTP></ows:DCP>"
    "<ows:Parameter name=\"outputSchema\"><ows:AllowedValues>"
    "<ows:Value>http://www.opengis.net/cat/csw/3.0</ows:Value>"
    "<ows:Value>http://www.isotc211.org/2005/gmd</ows:Value></ows:AllowedValues></ows:Parameter>"
    "<ows:Parameter name=\"CONSTRAINTLANGUAGE\"><ows:AllowedValues><ows:Value>FILTER</ows:Value>"
    "<ows:Value>CQL_TEXT</ows:Value></ows:AllowedValues></ows:Parameter>"
    "<ows:Constraint name=\"SupportedISOQueryables\"><ows:AllowedValues>"
    "<ows:Value>apiso:Modified</ows:Value></ows:AllowedValues></ows:Constraint>"
    "</ows:Operation></ows:OperationsMetadata></csw:Capabilities>";

static void test_csw3_capabilities(void **state)
{
    (void)state;
    FILE *fp = fmemopen((void *)csw3_caps, sizeof csw3_caps - 1, "rb");
    struct csw_endpoint ep;
    struct mo_err err = {0};
    assert_int_equal(csw_parse_capabilities(fp, "https://pays.example.fr/csw", &ep, &err), MO_OK);
    fclose(fp);
    assert_string_equal(ep.version, "3.0.0");
    assert_string_equal(ep.title, "Catalogue du Pays");
    assert_string_equal(ep.post_url, "https://pays.example.fr/csw/records");
    assert_string_equal(ep.get_url, "https://pays.example.fr/csw/records");
    assert_string_equal(ep.output_schema, CSW_SCHEMA_ISO);
    assert_true(ep.cql && ep.filter && ep.iso_modified);

    /* its GetRecords: the 3.0 namespace, FES 2.0, no resultType */
    struct csw_query q = {.start = 11, .max = 10, .modified_since = "2026-11-01"};
    char *xml = NULL, *url = NULL;
    size_t len = 0;
    assert_int_equal(csw_build_getrecords_xml(&ep, &q, &xml, &len, &err), MO_OK);
    assert_non_null(strstr(xml, "http://www.opengis.net/cat/csw/3.0"));
    assert_non_null(strstr(xml, "fes:ValueReference>apiso:Modified<"));
    assert_null(strstr(xml, "resultType"));
    free(xml);
    struct fetch *f = NULL;
    assert_int_equal(fetch_new(NULL, &f), MO_OK);
    q.constraint = "AnyText LIKE '%plu%'";
    assert_int_equal(csw_build_getrecords_url(f, &ep, &q, &url, &err), MO_OK);
    assert_non_null(strstr(url, "version=3.0.0"));
    assert_non_null(strstr(url, "constraint_language_version=2.0.0"));
    free(url);
    fetch_free(f);
}

/* The Dublin Core output schema of a CSW 3.0 catalog: csw/3.0 when it offers
 * it or lists nothing, csw/2.0.2 when that is all it lists (for GetRecords, or
 * for every operation as con terra's does). */
static void test_csw3_dc_schema(void **state)
{
    (void)state;
    static const char head[] =
        "<csw:Capabilities version=\"3.0.0\" xmlns:csw=\"http://www.opengis.net/cat/csw/3.0\""
        " xmlns:ows=\"http://www.opengis.net/ows/2.0\" "
        "xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
        "<ows:OperationsMetadata><ows:Operation name=\"GetRecords\"><ows:DCP><ows:HTTP>"
        "<ows:Get xlink:href=\"https://pays.example.fr/csw\"/></ows:HTTP></ows:DCP>";
    static const struct {
        const char *params; /* the rest of OperationsMetadata */
        const char *schema;
    } cases[] = {
        {"<ows:Parameter name=\"outputSchema\"><ows:AllowedValues><ows:Value>"
         "http://www.opengis.net/cat/csw/3.0</ows:Value></ows:AllowedValues></ows:Parameter>"
         "</ows:Operation>",
         CSW_NS_300},
        {"</ows:Operation>", CSW_NS_300},
        {"<ows:Parameter name=\"outputSchema\"><ows:AllowedValues><ows:Value>"
         "http://www.opengis.net/cat/csw/2.0.2</ows:Value><ows:Value>"
         "http://www.opengis.net/cat/csw/3.0</ows:Value></ows:AllowedValues></ows:Parameter>"
         "</ows:Operation>",
         CSW_NS_300},
        {"<ows:Parameter name=\"outputSchema\"><ows:AllowedValues><ows:Value>"
         "http://www.opengis.net/cat/csw/2.0.2</ows:Value></ows:AllowedValues></ows:Parameter>"
         "</ows:Operation>",
         CSW_SCHEMA_DC},
        {"</ows:Operation><ows:Parameter name=\"OutputSchema\"><ows:AllowedValues><ows:Value>"
         "http://www.opengis.net/cat/csw/2.0.2</ows:Value></ows:AllowedValues></ows:Parameter>",
         CSW_SCHEMA_DC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char doc[2048];
        int n = snprintf(doc, sizeof doc, "%s%s</ows:OperationsMetadata></csw:Capabilities>", head,
                         cases[i].params);
        FILE *fp = fmemopen(doc, (size_t)n, "rb");
        struct csw_endpoint ep;
        struct mo_err err = {0};
        assert_int_equal(csw_parse_capabilities(fp, "https://pays.example.fr/csw", &ep, &err),
                         MO_OK);
        fclose(fp);
        assert_string_equal(ep.output_schema, cases[i].schema);
    }
}

/* A CSW 3.0 GetRecords response streams like a 2.0.2 one. */
static void test_csw3_response(void **state)
{
    (void)state;
    static const char doc[] =
        "<csw:GetRecordsResponse xmlns:csw=\"http://www.opengis.net/cat/csw/3.0\""
        " xmlns:dc=\"http://purl.org/dc/elements/1.1/\" version=\"3.0.0\">"
        "<csw:SearchStatus timestamp=\"2026-11-26T10:00:00Z\"/>"
        "<csw:SearchResults numberOfRecordsMatched=\"3\" numberOfRecordsReturned=\"2\""
        " nextRecord=\"3\" elementSet=\"full\">"
        "<csw:Record><dc:identifier>a</dc:identifier><dc:title>A</dc:title></csw:Record>"
        "<csw:Record><dc:identifier>b</dc:identifier><dc:title>B</dc:title></csw:Record>"
        "</csw:SearchResults></csw:GetRecordsResponse>";
    FILE *fp = fmemopen((void *)doc, sizeof doc - 1, "rb");
    struct csw_page_info info;
    struct mo_err err = {0};
    int n = 0;
    assert_int_equal(csw_parse_records(fp, "csw3", NULL, &info, count_records, &n, &err), MO_OK);
    fclose(fp);
    assert_int_equal(n, 2);
    assert_int_equal(info.matched, 3);
    assert_int_equal(info.next, 3);
}

struct collected {
    long n;
    char roots[8][64];
};

static mo_rc collect(void *ud, xmlNode *node, long index, struct mo_err *err)
{
    struct collected *c = ud;
    (void)err;
    assert_int_equal(index, c->n);
    xmlDoc *doc = csw_record_doc(node);
    assert_non_null(doc);
    xmlNode *root = xmlDocGetRootElement(doc);
    if (c->n < 8)
        snprintf(c->roots[c->n], sizeof c->roots[0], "%s", (const char *)root->name);
    /* the standalone copy declares the namespace of its root itself */
    assert_non_null(root->ns);
    assert_non_null(xmlSearchNsByHref(doc, root, root->ns->href));
    c->n++;
    xmlFreeDoc(doc);
    return MO_OK;
}

struct response_case {
    const char *file;
    long matched, returned, next, records;
    const char *root;
};

static const struct response_case responses[] = {
    {"csw/dk_getrecords_iso19139_47-records.xml", 47, 47, 0, 47, "MD_Metadata"},
    {"csw/ngi-be_getrecords_iso19139.xml", 216, 2, 85, 2, "MD_Metadata"},
    /* says 2 returned, carries 4: what is there counts */
    {"csw/geonetwork_getrecords_csw-record_full_edited.xml", 100, 2, 3, 4, "Record"},
    {"csw/geoserver_getrecords_csw-record.xml", 1, 1, 0, 1, "Record"},
    {"csw/geonetwork-fr_getrecords_iso19139_page3.xml", 6, 2, 5, 2, "MD_Metadata"},
};

static void test_responses_stream_records(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof responses / sizeof responses[0]; i++) {
        const struct response_case *rc = &responses[i];
        NEED_CORPUS(fp, rc->file);
        struct csw_page_info info;
        struct collected c = {0};
        struct mo_err err = {0};
        assert_int_equal(csw_parse_records(fp, rc->file, NULL, &info, collect, &c, &err), MO_OK);
        assert_int_equal(info.matched, rc->matched);
        assert_int_equal(info.returned, rc->returned);
        assert_int_equal(info.next, rc->next);
        assert_int_equal(info.records, rc->records);
        assert_int_equal(c.n, rc->records);
        assert_string_equal(c.roots[0], rc->root);
        fclose(fp);
    }
}

struct bad_response {
    const char *name;
    const char *body;
    mo_rc rc;
    const char *message_part;
};

static const struct bad_response bad[] = {
    {"exception",
     "<ows:ExceptionReport xmlns:ows=\"http://www.opengis.net/ows\" version=\"1.0.0\">"
     "<ows:Exception exceptionCode=\"InvalidParameterValue\" locator=\"startPosition\">"
     "<ows:ExceptionText>startPosition out of range</ows:ExceptionText></ows:Exception>"
     "</ows:ExceptionReport>",
     MO_EPARTNER, "InvalidParameterValue: startPosition out of range"},
    {"html", "<html><head><title>502 Bad Gateway</title></head><body/></html>", MO_EPARTNER,
     "HTML page"},
    {"other", "<gmd:MD_Metadata xmlns:gmd=\"http://www.isotc211.org/2005/gmd\"/>", MO_EPARTNER,
     "not a GetRecords response"},
    {"no results", "<csw:GetRecordsResponse xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\"/>",
     MO_EPARTNER, "no csw:SearchResults"},
    {"truncated",
     "<csw:GetRecordsResponse xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\"><csw:SearchResults"
     " numberOfRecordsMatched=\"2\"><csw:Record><dc:title xmlns:dc=\"http://purl.org/dc/elements/"
     "1.1/\">a</dc:title></csw:Record><csw:Record><dc:ti",
     MO_EXML, "malformed XML in \"truncated\""},
    {"xxe",
     "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
     "<csw:GetRecordsResponse xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\">&x;"
     "</csw:GetRecordsResponse>",
     MO_EFORBIDDEN, "DOCTYPE"},
};

static void test_bad_responses(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *fp = tmpfile();
        fputs(bad[i].body, fp);
        struct csw_page_info info;
        struct collected c = {0};
        struct mo_err err = {0};
        mo_rc rc = csw_parse_records(fp, bad[i].name, NULL, &info, collect, &c, &err);
        print_message("%-10s → %s\n", bad[i].name, err.msg);
        assert_int_equal(rc, bad[i].rc);
        assert_non_null(strstr(err.msg, bad[i].message_part));
        fclose(fp);
    }
}

static void test_charset_from_http_when_undeclared(void **state)
{
    (void)state;
    const char body[] =
        "<csw:GetRecordsResponse xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\">"
        "<csw:SearchResults numberOfRecordsMatched=\"1\"><csw:Record><t>pr\xe9"
        "fecture</t></csw:Record></csw:SearchResults></csw:GetRecordsResponse>";
    FILE *fp = tmpfile();
    fwrite(body, 1, sizeof body - 1, fp);
    struct csw_page_info info;
    struct collected c = {0};
    struct mo_err err = {0};
    /* without the HTTP charset: not UTF-8, refused */
    assert_int_equal(csw_parse_records(fp, "latin1", NULL, &info, collect, &c, &err), MO_EXML);
    /* with it: decoded */
    memset(&c, 0, sizeof c);
    assert_int_equal(csw_parse_records(fp, "latin1", "ISO-8859-1", &info, collect, &c, &err),
                     MO_OK);
    assert_int_equal(c.n, 1);
    fclose(fp);
}

/* Our GetRecords requests validate against the official schemas: CSW 2.0.2
 * (Filter 1.1) and CSW 3.0 (FES 2.0). */
static void validate_requests(const char *xsd_rel, const char *version)
{
    const char *corpus = testdb_corpus_dir();
    if (!corpus) {
        print_message("corpus absent ($MOISSON_CORPUS): skipping\n");
        skip();
    }
    char xsd[2048];
    snprintf(xsd, sizeof xsd, "%s/schemas/schemas.opengis.net/%s", corpus, xsd_rel);
    xmlSchemaParserCtxt *pc = xmlSchemaNewParserCtxt(xsd);
    xmlSchema *schema = xmlSchemaParse(pc);
    assert_non_null(schema);
    xmlSchemaValidCtxt *vc = xmlSchemaNewValidCtxt(schema);

    struct csw_endpoint ep = {.output_schema = CSW_SCHEMA_ISO, .filter = 1, .cql = 1};
    snprintf(ep.version, sizeof ep.version, "%s", version);
    const struct csw_query queries[] = {
        {.start = 1, .max = 100},
        {.start = 101, .max = 50, .modified_since = "2026-11-01"},
        {.start = 1,
         .max = 10,
         .constraint = "AnyText LIKE '%cadastre%'",
         .modified_since = "2026-11-01"},
        {.start = 1,
         .max = 10,
         .constraint = "<ogc:Filter xmlns:ogc=\"http://www.opengis.net/ogc\"><ogc:PropertyIsLike "
                       "wildCard=\"%\" singleChar=\"_\" escapeChar=\"\\\"><ogc:PropertyName>"
                       "apiso:OrganisationName</ogc:PropertyName><ogc:Literal>%Saint-Aubin%"
                       "</ogc:Literal></ogc:PropertyIsLike></ogc:Filter>",
         .modified_since = "2026-11-01"},
    };
    int v3 = !strcmp(version, "3.0.0");
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        char *xml = NULL;
        size_t len = 0;
        struct mo_err err = {0};
        assert_int_equal(csw_build_getrecords_xml(&ep, &queries[i], &xml, &len, &err), MO_OK);
        xmlDoc *doc = NULL;
        assert_int_equal(xmlsafe_parse_memory(xml, len, "request", &doc, &err), MO_OK);
        int valid = xmlSchemaValidateDoc(vc, doc);
        if (valid != 0)
            print_message("invalid request:\n%s\n", xml);
        assert_int_equal(valid, 0);
        if (queries[i].modified_since)
            assert_non_null(strstr(xml, "apiso:Modified"));
        if (queries[i].constraint && queries[i].constraint[0] == '<')
            assert_non_null(strstr(xml, v3 ? "fes:And" : "ogc:And"));
        xmlFreeDoc(doc);
        free(xml);
    }
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
}

static void test_requests_validate(void **state)
{
    (void)state;
    validate_requests("csw/2.0.2/CSW-discovery.xsd", "2.0.2");
}

static void test_requests_validate_csw3(void **state)
{
    (void)state;
    validate_requests("cat/csw/3.0/cswGetRecords.xsd", "3.0.0");
}

int main(void)
{
    xmlsafe_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geonetwork_capabilities),
        cmocka_unit_test(test_csw3_and_exception_capabilities),
        cmocka_unit_test(test_csw3_capabilities),
        cmocka_unit_test(test_csw3_dc_schema),
        cmocka_unit_test(test_csw3_response),
        cmocka_unit_test(test_responses_stream_records),
        cmocka_unit_test(test_bad_responses),
        cmocka_unit_test(test_charset_from_http_when_undeclared),
        cmocka_unit_test(test_requests_validate),
        cmocka_unit_test(test_requests_validate_csw3),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return failed;
}
