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
    assert_int_equal(csw_parse_capabilities(fp, "http://x/csw", &ep, &err), MO_EPARTNER);
    assert_non_null(strstr(err.msg, "CSW 3.0.0"));
    fclose(fp);
    FILE *ex = open_corpus("csw/geoserver_csw_exception-report.xml");
    mo_err_clear(&err);
    assert_int_equal(csw_parse_capabilities(ex, "http://x/csw", &ep, &err), MO_EPARTNER);
    assert_non_null(strstr(err.msg, "exception report"));
    print_message("%s\n", err.msg);
    fclose(ex);
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

/* Our GetRecords requests validate against the official CSW 2.0.2 schema. */
static void test_requests_validate(void **state)
{
    (void)state;
    const char *corpus = testdb_corpus_dir();
    if (!corpus) {
        print_message("corpus absent ($MOISSON_CORPUS): skipping\n");
        skip();
    }
    char xsd[2048];
    snprintf(xsd, sizeof xsd, "%s/schemas/schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd", corpus);
    xmlSchemaParserCtxt *pc = xmlSchemaNewParserCtxt(xsd);
    xmlSchema *schema = xmlSchemaParse(pc);
    assert_non_null(schema);
    xmlSchemaValidCtxt *vc = xmlSchemaNewValidCtxt(schema);

    struct csw_endpoint ep = {.output_schema = CSW_SCHEMA_ISO, .filter = 1, .cql = 1};
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
            assert_non_null(strstr(xml, "ogc:And"));
        xmlFreeDoc(doc);
        free(xml);
    }
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
}

int main(void)
{
    xmlsafe_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geonetwork_capabilities),
        cmocka_unit_test(test_csw3_and_exception_capabilities),
        cmocka_unit_test(test_responses_stream_records),
        cmocka_unit_test(test_bad_responses),
        cmocka_unit_test(test_charset_from_http_when_undeclared),
        cmocka_unit_test(test_requests_validate),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return failed;
}
