/*
 * test_record.c — record_from_unified on hand-written unified records,
 * record_set_original serialisation and hash stability.
 */
#include "record.h"
#include "xmlsafe.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char full_record[] =
    "<m:record xmlns:m='urn:x-moisson:record:1'>"
    "<m:identifier>fr-123-cadastre</m:identifier>"
    "<m:schema>iso19139</m:schema>"
    "<m:language>fre</m:language>"
    "<m:parent>fr-123-parent</m:parent>"
    "<m:type>dataset</m:type>"
    "<m:title>Plan cadastral</m:title>"
    "<m:altTitle>PCI</m:altTitle><m:altTitle>Cadastre</m:altTitle>"
    "<m:abstract>Parcelles\net bâtiments</m:abstract>"
    "<m:keyword thesaurus='GEMET' type='theme'>cadastre</m:keyword>"
    "<m:keyword>foncier</m:keyword><m:keyword>cadastre</m:keyword>"
    "<m:topic>planningCadastre</m:topic>"
    "<m:party role='pointOfContact' scope='metadata'><m:organisation>Service SIG</m:organisation></m:party>"
    "<m:party role='owner' scope='resource'><m:organisation>Ville de Sète</m:organisation>"
    "<m:email>sig@sete.fr</m:email></m:party>"
    "<m:party role='custodian' scope='resource'><m:organisation>Service SIG</m:organisation></m:party>"
    "<m:party role='author' scope='resource'><m:individual>Jeanne</m:individual></m:party>"
    "<m:date type='creation'>2020-01-01</m:date>"
    "<m:date type='publication'>2020-02-01</m:date>"
    "<m:date type='revision'>2024-03-01</m:date>"
    "<m:date type='metadata'>2024-03-02T10:00:00</m:date>"
    "<m:temporal begin='2019-01-01' end='2019-12-31'/>"
    "<m:bbox west='3.6' east='3.7' south='43.38' north='43.42'/>"
    "<m:bbox west='3.5' east='3.65' south='43.40' north='43.50'/>"
    "<m:bbox west='x' east='3.9' south='43.40' north='43.50'/>"
    "<m:resourceLanguage>fre</m:resourceLanguage>"
    "<m:lineage>EDIGEO</m:lineage>"
    "<m:licence>Licence Ouverte 2.0</m:licence>"
    "<m:constraint>aucune</m:constraint>"
    "<m:link url='https://a.example/x.gpkg' protocol='WWW:DOWNLOAD'/>"
    "<m:link url='https://a.example/wms'/>"
    "<m:format version='1.2'>GeoPackage</m:format>"
    "<m:crs>EPSG:2154</m:crs>"
    "<m:thumbnail>https://a.example/t.png</m:thumbnail>"
    "<m:serviceType>view</m:serviceType>"
    "<m:operatesOn uuidref='fr-1'/><m:operatesOn href='https://x'/><m:operatesOn uuidref='fr-2'/>"
    "</m:record>";

static xmlDoc *parse(const char *text)
{
    struct mo_err err = {0};
    xmlDoc *doc = NULL;
    mo_rc rc = xmlsafe_parse_memory(text, strlen(text), "test", &doc, &err);
    if (rc != MO_OK)
        fail_msg("parse: %s", err.msg);
    return doc;
}

static void test_all_fields(void **state)
{
    (void)state;
    struct record rec = {0};
    struct mo_err err = {0};
    xmlDoc *doc = parse(full_record);
    assert_int_equal(record_from_unified(doc, &rec, &err), MO_OK);
    assert_string_equal(rec.identifier, "fr-123-cadastre");
    assert_string_equal(rec.schema, "iso19139");
    assert_string_equal(rec.language, "fre");
    assert_string_equal(rec.parent, "fr-123-parent");
    assert_string_equal(rec.type, "dataset");
    assert_string_equal(rec.title, "Plan cadastral");
    assert_string_equal(rec.abstract, "Parcelles\net bâtiments");
    assert_string_equal(rec.lineage, "EDIGEO");
    assert_string_equal(rec.service_type, "view");
    assert_string_equal(rec.thumbnail, "https://a.example/t.png");
    assert_string_equal(rec.date_creation, "2020-01-01");
    assert_string_equal(rec.date_publication, "2020-02-01");
    assert_string_equal(rec.date_revision, "2024-03-01");
    assert_string_equal(rec.date_stamp, "2024-03-02T10:00:00");
    assert_string_equal(rec.temporal_begin, "2019-01-01");
    assert_string_equal(rec.temporal_end, "2019-12-31");
    assert_int_equal(rec.alt_titles.count, 2);
    assert_int_equal(rec.keywords.count, 2); /* deduplicated */
    assert_string_equal(rec.keywords.items[0], "cadastre");
    assert_string_equal(rec.keywords.items[1], "foncier");
    assert_int_equal(rec.topics.count, 1);
    /* resource parties first, deduplicated; an individual alone adds none */
    assert_int_equal(rec.organisations.count, 2);
    assert_string_equal(rec.organisations.items[0], "Ville de Sète");
    assert_string_equal(rec.organisations.items[1], "Service SIG");
    assert_int_equal(rec.links.count, 2);
    assert_string_equal(rec.links.items[0], "https://a.example/x.gpkg");
    assert_int_equal(rec.formats.count, 1);
    assert_string_equal(rec.crs.items[0], "EPSG:2154");
    assert_string_equal(rec.licences.items[0], "Licence Ouverte 2.0");
    assert_string_equal(rec.resource_languages.items[0], "fre");
    assert_int_equal(rec.operates_on.count, 2);
    assert_string_equal(rec.operates_on.items[1], "fr-2");
    /* union of the two numeric boxes; the third (west 'x') is ignored */
    assert_int_equal(rec.has_bbox, 1);
    assert_true(rec.west == 3.5 && rec.east == 3.7);
    assert_true(rec.south == 43.38 && rec.north == 43.50);
    assert_non_null(rec.unified);
    assert_int_equal(strncmp(rec.unified, "<m:record", 9), 0);
    assert_int_equal(rec.unified_len, strlen(rec.unified));
    /* reading again replaces every field without leaking */
    assert_int_equal(record_from_unified(doc, &rec, &err), MO_OK);
    assert_int_equal(rec.keywords.count, 2);
    record_clear(&rec);
    assert_null(rec.identifier);
    xmlFreeDoc(doc);
}

static void test_minimal_no_bbox(void **state)
{
    (void)state;
    struct record rec = {0};
    struct mo_err err = {0};
    xmlDoc *doc = parse("<record xmlns='urn:x-moisson:record:1'><identifier> id-1 </identifier>"
                        "<schema>csw-record</schema><type>dataset</type></record>");
    assert_int_equal(record_from_unified(doc, &rec, &err), MO_OK);
    assert_string_equal(rec.identifier, "id-1");
    assert_null(rec.title);
    assert_int_equal(rec.has_bbox, 0);
    assert_int_equal(rec.keywords.count, 0);
    record_clear(&rec);
    xmlFreeDoc(doc);
}

static void test_missing_identifier(void **state)
{
    (void)state;
    struct record rec = {0};
    struct mo_err err = {0};
    xmlDoc *doc = parse("<m:record xmlns:m='urn:x-moisson:record:1'><m:identifier> </m:identifier>"
                        "<m:title>Sans identifiant</m:title></m:record>");
    assert_int_equal(record_from_unified(doc, &rec, &err), MO_EXML);
    assert_int_equal(err.rc, MO_EXML);
    assert_non_null(strstr(err.msg, "no identifier"));
    assert_null(rec.title); /* nothing left behind on failure */
    record_clear(&rec);
    xmlFreeDoc(doc);
}

static void test_wrong_root(void **state)
{
    (void)state;
    struct record rec = {0};
    struct mo_err err = {0};
    xmlDoc *doc = parse("<record><identifier>x</identifier></record>");
    assert_int_equal(record_from_unified(doc, &rec, &err), MO_EXML);
    assert_non_null(strstr(err.msg, "\"record\""));
    record_clear(&rec);
    xmlFreeDoc(doc);
}

static void test_original_hash(void **state)
{
    (void)state;
    struct record a = {0}, b = {0}, c = {0};
    const char *text = "<?xml version='1.0' encoding='ISO-8859-1'?>\n"
                       "<r:root xmlns:r='urn:r'><r:t>\xe9t\xe9</r:t></r:root>";
    xmlDoc *doc = parse(text);
    xmlDoc *doc2 = parse(text);
    assert_int_equal(record_set_original(&a, doc, "1"), MO_OK);
    assert_int_equal(record_set_original(&b, doc2, "1"), MO_OK);
    assert_int_equal(record_set_original(&c, doc, "2"), MO_OK);
    assert_string_equal(a.original, "<r:root xmlns:r=\"urn:r\"><r:t>\xc3\xa9t\xc3\xa9</r:t></r:root>");
    assert_int_equal(a.original_len, strlen(a.original));
    assert_int_equal(strlen(a.hash), 64);
    assert_int_equal(strspn(a.hash, "0123456789abcdef"), 64);
    assert_string_equal(a.hash, b.hash);
    assert_string_not_equal(a.hash, c.hash);
    /* replacing the original frees the old one */
    assert_int_equal(record_set_original(&a, doc2, "1"), MO_OK);
    assert_string_equal(a.hash, b.hash);
    record_clear(&a);
    record_clear(&b);
    record_clear(&c);
    xmlFreeDoc(doc);
    xmlFreeDoc(doc2);
}

static void test_original_of_nested_element(void **state)
{
    (void)state;
    struct record rec = {0};
    xmlDoc *doc = parse("<a xmlns:g='urn:g'><g:rec><g:t>x</g:t></g:rec></a>");
    /* a record copied out of a response keeps its namespace declarations */
    xmlDoc *one = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *copy = xmlDocCopyNode(xmlDocGetRootElement(doc)->children, one, 1);
    xmlDocSetRootElement(one, copy);
    xmlReconciliateNs(one, copy);
    assert_int_equal(record_set_original(&rec, one, ""), MO_OK);
    assert_string_equal(rec.original, "<g:rec xmlns:g=\"urn:g\"><g:t>x</g:t></g:rec>");
    record_clear(&rec);
    xmlFreeDoc(one);
    xmlFreeDoc(doc);
}

static void test_strlist(void **state)
{
    (void)state;
    struct strlist l = {0};
    assert_int_equal(strlist_push(&l, "a"), MO_OK);
    assert_int_equal(strlist_push(&l, "b"), MO_OK);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.items[1], "b");
    strlist_free(&l);
    assert_int_equal(l.count, 0);
    assert_null(l.items);
    strlist_free(NULL);
    record_clear(NULL);
}

int main(void)
{
    xmlsafe_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_fields),
        cmocka_unit_test(test_minimal_no_bbox),
        cmocka_unit_test(test_missing_identifier),
        cmocka_unit_test(test_wrong_root),
        cmocka_unit_test(test_original_hash),
        cmocka_unit_test(test_original_of_nested_element),
        cmocka_unit_test(test_strlist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
