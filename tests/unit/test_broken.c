/*
 * Every file of the corpus's broken/ folder, fed to the two ways partner XML
 * comes in: as one record (safe parse, then normalisation) and as a
 * GetRecords response (streaming walk).  Each row says what must happen; a
 * file of broken/ missing from the table fails the test, so the table grows
 * with the corpus.  Never a crash, never a record out of an error document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "csw_client.h"
#include "normalise.h"
#include "testdb.h"
#include "xmlsafe.h"

#include <dirent.h>
#include <libexslt/exslt.h>
#include <stdlib.h>
#include <string.h>

struct broken_case {
    const char *file;
    mo_rc as_record;   /* parse, then normalise */
    mo_rc as_response; /* csw_parse_records */
    const char *says;  /* in the record message, or NULL */
};

static const struct broken_case cases[] = {
    {"http-dump_mapserver_wfs110_capabilities.xml", MO_EXML, MO_EXML, "malformed XML"},
    {"http-dump_qgis-server_wfs100_capabilities.txt", MO_EXML, MO_EXML, "malformed XML"},
    {"inspire_dataset_fails-validation.xml", MO_OK, MO_EPARTNER, NULL},
    {"iso19139_dataset-invalid.xml", MO_OK, MO_EPARTNER, NULL},
    {"iso19139_invalid_missing-distribution-format.xml", MO_OK, MO_EPARTNER, NULL},
    {"iso19139_invalid_service-level-description.xml", MO_OK, MO_EPARTNER, NULL},
    {"iso19139_invalid_srv-element-in-dataset.xml", MO_OK, MO_EPARTNER, NULL},
    {"iso19139_missing-mandatory_placeholder-id.xml", MO_OK, MO_EPARTNER, NULL},
    {"iso19139_truncated_not-well-formed.xml", MO_EXML, MO_EPARTNER, "Premature end of data"},
    /* XSD-invalid, and no fileIdentifier: nothing to key the record on */
    {"iso19139_xsd-invalid_no-such-element_crlf.xml", MO_EXML, MO_EPARTNER, "has no identifier"},
    {"iso19139_xsd-invalid_no-such-element_lf.xml", MO_EXML, MO_EPARTNER, "has no identifier"},
    {"not-metadata_wrong-root.xml", MO_EXML, MO_EPARTNER, "unsupported record root"},
    {"turtle_undeclared-prefix_dcat-ap.ttl", MO_EXML, MO_EXML, "malformed XML"},
    {"wfs100_service-exception-report.xml", MO_EXML, MO_EPARTNER, "unsupported record root"},
    {"wfs110_exception-report.xml", MO_EXML, MO_EPARTNER, "unsupported record root"},
    {"wfs200_exception-report.xml", MO_EXML, MO_EPARTNER, "unsupported record root"},
    {"wfs200_exception-report_request-not-enabled.xml", MO_EXML, MO_EPARTNER,
     "unsupported record root"},
    {"wms111_service-exception-report.xml", MO_EXML, MO_EPARTNER, "unsupported record root"},
    {"wms130_bogus-utf16-bom.xml", MO_EXML, MO_EXML, "malformed XML"},
    {"wms130_service-exception-report.xml", MO_EXML, MO_EPARTNER, "unsupported record root"},
};

static const struct broken_case *find_case(const char *file)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!strcmp(cases[i].file, file))
            return &cases[i];
    return NULL;
}

static mo_rc count_record(void *ud, xmlNode *node, long index, struct mo_err *err)
{
    (void)node;
    (void)index;
    (void)err;
    (*(long *)ud)++;
    return MO_OK;
}

static mo_rc as_record(struct normaliser *n, FILE *fp, const char *file, struct mo_err *err)
{
    xmlDoc *doc = NULL;
    struct record rec = {0};
    mo_rc rc = xmlsafe_parse_file(fp, file, &doc, err);
    if (rc == MO_OK)
        rc = record_set_original(&rec, doc, NORMALISE_VERSION);
    if (rc == MO_OK)
        rc = normalise_record(n, doc, &rec, err);
    if (rc == MO_OK) {
        assert_non_null(rec.identifier);
        assert_true(rec.identifier[0] != '\0');
    }
    record_clear(&rec);
    xmlFreeDoc(doc);
    return rc;
}

static void test_every_broken_file(void **state)
{
    (void)state;
    const char *corpus = testdb_corpus_dir();
    if (!corpus) {
        print_message("corpus absent ($MOISSON_CORPUS): skipping\n");
        skip();
    }
    char dir[2048], xslt[2048];
    snprintf(dir, sizeof dir, "%s/broken", corpus);
    snprintf(xslt, sizeof xslt, "%s/xslt", getenv("MOISSON_SHARE"));
    struct normaliser *n = NULL;
    struct mo_err err = {0};
    assert_int_equal(normalise_new(xslt, &n, &err), MO_OK);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int seen = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        const struct broken_case *c = find_case(e->d_name);
        if (!c)
            fail_msg("broken/%s is not in the table of this test", e->d_name);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        mo_err_clear(&err);
        mo_rc rc = as_record(n, fp, e->d_name, &err);
        print_message("%-50s record: %s\n", e->d_name, rc == MO_OK ? "ok" : err.msg);
        assert_int_equal(rc, c->as_record);
        if (c->says)
            assert_non_null(strstr(err.msg, c->says));
        struct csw_page_info info;
        long records = 0;
        mo_err_clear(&err);
        rc = csw_parse_records(fp, e->d_name, NULL, &info, count_record, &records, &err);
        print_message("%-50s response: %s\n", "", err.msg);
        assert_int_equal(rc, c->as_response);
        assert_int_equal(records, 0); /* nothing came out of an error document */
        fclose(fp);
        seen++;
    }
    closedir(d);
    assert_int_equal(seen, (int)(sizeof cases / sizeof cases[0]));
    normalise_free(n);
}

int main(void)
{
    xmlsafe_init();
    exsltRegisterAll();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_broken_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
