/* The one way outside XML comes in: what it refuses and what it decodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "xmlsafe.h"

#include <stdlib.h>
#include <string.h>

struct refusal {
    const char *name;
    const char *xml;
    mo_rc rc;
    const char *message_part;
};

static const struct refusal refusals[] = {
    {"xxe",
     "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
     MO_EFORBIDDEN, "DOCTYPE with an internal subset"},
    {"billion laughs",
     "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;"
     "&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><r>&c;&c;&c;</r>",
     MO_EFORBIDDEN, "internal subset"},
    {"external dtd",
     "<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM \"http://example.invalid/x.dtd\">"
     "<r>ok</r>",
     MO_OK, NULL},
    {"truncated", "<?xml version=\"1.0\"?><csw:R xmlns:csw=\"urn:x\"><a>text</a", MO_EXML,
     "malformed XML in \"truncated\""},
    {"invalid utf-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><r>caf\xe9</r>", MO_EXML,
     "malformed XML in \"invalid utf-8\""},
    {"empty", "", MO_EXML, "malformed XML"},
    {"html", "<html><body><p>Service unavailable</body></html>", MO_EXML, "malformed XML"},
};

static void test_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        const struct refusal *r = &refusals[i];
        struct mo_err err = {0};
        xmlDoc *doc = NULL;
        mo_rc rc = xmlsafe_parse_memory(r->xml, strlen(r->xml), r->name, &doc, &err);
        print_message("%-16s → %s\n", r->name, rc == MO_OK ? "ok" : err.msg);
        assert_int_equal(rc, r->rc);
        if (r->message_part)
            assert_non_null(strstr(err.msg, r->message_part));
        if (rc == MO_OK) {
            /* the external DTD was neither fetched nor used */
            assert_non_null(doc);
            assert_null(doc->extSubset);
        } else {
            assert_null(doc);
        }
        xmlFreeDoc(doc);
    }
}

static void test_reader_refuses_internal_subset(void **state)
{
    (void)state;
    const char *xml = refusals[0].xml;
    FILE *fp = tmpfile();
    fwrite(xml, 1, strlen(xml), fp);
    xmlTextReader *r = NULL;
    struct mo_err err = {0};
    assert_int_equal(xmlsafe_reader_for_file(fp, "page", NULL, &r, &err), MO_OK);
    int more = 1;
    mo_rc rc = MO_OK;
    while (rc == MO_OK && more)
        rc = xmlsafe_reader_next(r, "page", &more, &err);
    assert_int_equal(rc, MO_EFORBIDDEN);
    assert_non_null(strstr(err.msg, "\"page\""));
    xmlFreeTextReader(r);
    fclose(fp);
}

static void check_title(const char *bytes, size_t len, const char *encoding_name)
{
    xmlDoc *doc = NULL;
    struct mo_err err = {0};
    assert_int_equal(xmlsafe_parse_memory(bytes, len, encoding_name, &doc, &err), MO_OK);
    xmlChar *text = xmlNodeGetContent(xmlDocGetRootElement(doc));
    assert_string_equal((const char *)text, "Plan de prévention — Œuvre");
    xmlFree(text);
    xmlFreeDoc(doc);
}

static void test_encodings_decode_to_utf8(void **state)
{
    (void)state;
    /* windows-1252: 0x97 em dash, 0x8C OE ligature */
    const char cp1252[] = "<?xml version=\"1.0\" encoding=\"windows-1252\"?>"
                          "<t>Plan de pr\xe9vention \x97 \x8c"
                          "uvre</t>";
    check_title(cp1252, sizeof cp1252 - 1, "cp1252");
    /* ISO-8859-1 has neither: character references for those */
    const char latin1[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
                          "<t>Plan de pr\xe9vention &#x2014; &#x152;uvre</t>";
    check_title(latin1, sizeof latin1 - 1, "latin1");
    /* UTF-16LE with a byte order mark */
    const char *ascii = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>Plan de pr";
    char u16[512];
    size_t n = 0;
    u16[n++] = (char)0xFF;
    u16[n++] = (char)0xFE;
    for (const char *c = ascii; *c; c++) {
        u16[n++] = *c;
        u16[n++] = 0;
    }
    const unsigned short rest[] = {0xE9, 'v',   'e', 'n', 't', 'i', 'o', 'n', ' ', 0x2014,
                                   ' ',  0x152, 'u', 'v', 'r', 'e', '<', '/', 't', '>'};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) {
        u16[n++] = (char)(rest[i] & 0xFF);
        u16[n++] = (char)(rest[i] >> 8);
    }
    check_title(u16, n, "utf16");
}

static void test_wrong_declared_encoding(void **state)
{
    (void)state;
    /* declared UTF-8, written in Latin-1: refused with the input named */
    const char bad[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>pr\xe9vention</t>";
    xmlDoc *doc = NULL;
    struct mo_err err = {0};
    assert_int_equal(xmlsafe_parse_memory(bad, sizeof bad - 1, "partner page", &doc, &err),
                     MO_EXML);
    assert_non_null(strstr(err.msg, "\"partner page\""));
    assert_non_null(strstr(err.msg, "UTF-8"));
}

static void test_xpath_string_trims(void **state)
{
    (void)state;
    const char *xml = "<m:record xmlns:m=\"urn:x-moisson:record:1\"><m:title>\n  Voirie "
                      "\n</m:title><m:abstract>   </m:abstract></m:record>";
    xmlDoc *doc = NULL;
    assert_int_equal(xmlsafe_parse_memory(xml, strlen(xml), "t", &doc, NULL), MO_OK);
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    assert_int_equal(xmlsafe_register_namespaces(ctx), MO_OK);
    char *s = xmlsafe_xpath_string(ctx, "/m:record/m:title");
    assert_string_equal(s, "Voirie");
    free(s);
    assert_null(xmlsafe_xpath_string(ctx, "/m:record/m:abstract"));
    assert_null(xmlsafe_xpath_string(ctx, "/m:record/m:nothing"));
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
}

int main(void)
{
    xmlsafe_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_reader_refuses_internal_subset),
        cmocka_unit_test(test_encodings_decode_to_utf8),
        cmocka_unit_test(test_wrong_declared_encoding),
        cmocka_unit_test(test_xpath_string_trims),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return failed;
}
