/*
 * The content hash two ways: from SAX events (csw_scan_page, the re-harvest's
 * fast path) and from the tree (csw_walk_page).  Both must give the same hash
 * for every record, or a re-harvest would call every stored record changed.
 * Run over every GetRecords response of the corpus and over documents of our
 * own that stress what a tree and a SAX stream tell differently (references
 * in attributes, CDATA, comments, split text, namespaces).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "csw_client.h"
#include "digest.h"
#include "testdb.h"
#include "xmlsafe.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORDS 512

struct hashes {
    char h[MAX_RECORDS][DIGEST_HEX_LEN + 1];
    mo_rc rc[MAX_RECORDS];
    long n;
};

static mo_rc on_tree(void *ud, xmlNode *node, long index, struct mo_err *err)
{
    struct hashes *hs = ud;
    (void)err;
    assert_int_equal(index, hs->n);
    assert_true(hs->n < MAX_RECORDS);
    hs->rc[hs->n] = digest_tree(node, hs->h[hs->n]);
    hs->n++;
    return MO_OK;
}

struct sax_hashes {
    struct hashes *out;
    struct digest d;
};

static void s_begin(void *ud, long index)
{
    struct sax_hashes *s = ud;
    assert_int_equal(index, s->out->n);
    digest_abandon(&s->d);
    assert_int_equal(digest_begin(&s->d), MO_OK);
}

static void s_start(void *ud, const xmlChar *uri, const xmlChar *local, int n,
                    const xmlChar **attrs)
{
    digest_start_element(&((struct sax_hashes *)ud)->d, uri, local, n, attrs);
}

static void s_chars(void *ud, const xmlChar *ch, int len)
{
    digest_characters(&((struct sax_hashes *)ud)->d, ch, len);
}

static void s_end(void *ud)
{
    digest_end_element(&((struct sax_hashes *)ud)->d);
}

static void s_record_end(void *ud, long index)
{
    struct sax_hashes *s = ud;
    assert_int_equal(index, s->out->n);
    assert_true(s->out->n < MAX_RECORDS);
    s->out->rc[s->out->n] = digest_end(&s->d, s->out->h[s->out->n]);
    s->out->n++;
}

static const struct csw_scan_sink sink = {s_begin, s_start, s_chars, s_end, s_record_end};

/* Hashes every record of fp both ways and compares; returns the record
 * count, or -1 when the document is not a GetRecords response (both ways
 * must then refuse it). */
static long compare_both(FILE *fp, const char *name)
{
    struct csw_page page = {0};
    struct csw_page_info ti, si;
    struct mo_err err = {0};
    struct hashes *tree = calloc(1, sizeof *tree), *sax = calloc(1, sizeof *sax);
    struct sax_hashes sh = {.out = sax};
    assert_non_null(tree);
    assert_non_null(sax);
    page.resp.body = fp;
    snprintf(page.name, sizeof page.name, "%s", name);

    mo_rc trc = csw_walk_page(&page, &ti, on_tree, tree, &err);
    mo_rc src = csw_scan_page(&page, &si, &sink, &sh, &err);
    digest_abandon(&sh.d); /* a record begun by a scan that failed */
    long n = -1;
    if (trc != MO_OK) {
        assert_int_not_equal(src, MO_OK);
    } else {
        if (src != MO_OK)
            fail_msg("%s: the tree walk read it, the scan failed: %s", name, err.msg);
        assert_int_equal(ti.matched, si.matched);
        assert_int_equal(ti.returned, si.returned);
        assert_int_equal(ti.next, si.next);
        assert_int_equal(tree->n, sax->n);
        for (long i = 0; i < tree->n; i++) {
            assert_int_equal(tree->rc[i], sax->rc[i]);
            if (tree->rc[i] == MO_OK && strcmp(tree->h[i], sax->h[i]) != 0)
                fail_msg("%s: record %ld hashes differ (tree %s, SAX %s)", name, i, tree->h[i],
                         sax->h[i]);
        }
        n = tree->n;
    }
    free(tree);
    free(sax);
    return n;
}

static long compare_text(const char *xml)
{
    FILE *fp = fmemopen((void *)xml, strlen(xml), "rb");
    assert_non_null(fp);
    long n = compare_both(fp, "inline document");
    fclose(fp);
    return n;
}

static void test_corpus_responses(void **state)
{
    (void)state;
    const char *corpus = testdb_corpus_dir();
    if (!corpus) {
        print_message("corpus absent ($MOISSON_CORPUS): skipping\n");
        skip();
    }
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/csw", corpus);
    DIR *d = opendir(dir);
    assert_non_null(d);
    long files = 0, records = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, "getrecords") || !strstr(e->d_name, ".xml"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        long n = compare_both(fp, e->d_name);
        fclose(fp);
        if (n > 0) {
            files++;
            records += n;
        }
    }
    closedir(d);
    print_message("%ld responses, %ld records: same hash both ways\n", files, records);
    assert_true(files >= 10);
    assert_true(records >= 60);
}

#define HEAD                                                                                       \
    "<?xml version='1.0' encoding='UTF-8'?>"                                                       \
    "<csw:GetRecordsResponse xmlns:csw='http://www.opengis.net/cat/csw/2.0.2'>"                    \
    "<csw:SearchResults numberOfRecordsMatched='3' numberOfRecordsReturned='3' nextRecord='0'>"
#define TAIL "</csw:SearchResults></csw:GetRecordsResponse>"

/* What a tree and a stream tell differently: each case must hash alike. */
static void test_tricky_records(void **state)
{
    (void)state;
    static const char *const cases[] = {
        /* references in attribute values: &amp; &#38; &lt; &#233; &quot; */
        HEAD "<r a='x &amp; y &#38; z &lt; &#233; &quot;' xmlns:x='urn:x' x:b='&amp;&amp;'>t</r>"
             "<r a='&#38;#38;'/><r a='plain'/>" TAIL,
        /* text in pieces: references, CDATA, comments and PIs in between */
        HEAD "<r>a &amp; b<!-- c --><![CDATA[ <d> ]]>e&#x41;<?pi x?>f</r>"
             "<r>\n  <x>  </x>\n</r><r><![CDATA[]]></r>" TAIL,
        /* namespaces: default, redeclared, unprefixed attributes */
        HEAD "<r xmlns='urn:a'><s xmlns='urn:b' k='v'><t xmlns=''>u</t></s></r>"
             "<p:r xmlns:p='urn:p'><p:s p:k='1' k='2'/></p:r><r/>" TAIL,
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(compare_text(cases[i]), 3);
}

/* Both ways tell the records apart the same: a change is seen. */
static void test_change_is_seen(void **state)
{
    (void)state;
    static const char doc[] = HEAD "<r a='1'>x</r><r a='2'>x</r><r a='1'>y</r>" TAIL;
    struct hashes *h = calloc(1, sizeof *h);
    struct sax_hashes sh = {.out = h};
    struct csw_page page = {0};
    struct csw_page_info info;
    struct mo_err err = {0};
    assert_non_null(h);
    page.resp.body = fmemopen((void *)doc, sizeof doc - 1, "rb");
    snprintf(page.name, sizeof page.name, "inline");
    assert_int_equal(csw_scan_page(&page, &info, &sink, &sh, &err), MO_OK);
    assert_int_equal(h->n, 3);
    assert_string_not_equal(h->h[0], h->h[1]);
    assert_string_not_equal(h->h[0], h->h[2]);
    assert_string_not_equal(h->h[1], h->h[2]);
    fclose(page.resp.body);
    free(h);
}

/* Not a GetRecords response, or not XML: the scan refuses, the walk says why. */
static void test_scan_refuses(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "<ows:ExceptionReport xmlns:ows='http://www.opengis.net/ows'><ows:Exception "
        "exceptionCode='NoApplicableCode'><ows:ExceptionText>down</ows:ExceptionText>"
        "</ows:Exception></ows:ExceptionReport>",
        "<html><body>maintenance</body></html>",
        HEAD "<r>truncated",
        "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e 'x'>]>" HEAD "<r>&e;</r>" TAIL,
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        assert_int_equal(compare_text(docs[i]), -1);
}

/* Past the limits both ways say MO_ELIMIT for that record only. */
static void test_limits(void **state)
{
    (void)state;
    size_t depth = DIGEST_MAX_DEPTH + 4;
    char *deep = malloc(depth * 8 + 512);
    assert_non_null(deep);
    strcpy(deep, HEAD "<r/><r>");
    for (size_t i = 0; i < depth; i++)
        strcat(deep, "<a>");
    for (size_t i = 0; i < depth; i++)
        strcat(deep, "</a>");
    strcat(deep, "</r><r/>" TAIL);
    /* libxml2 itself stops at 256 levels: then both refuse the page */
    long n = compare_text(deep);
    assert_true(n == 3 || n == -1);
    free(deep);
}

int main(void)
{
    xmlsafe_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_responses), cmocka_unit_test(test_tricky_records),
        cmocka_unit_test(test_change_is_seen),   cmocka_unit_test(test_scan_refuses),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
