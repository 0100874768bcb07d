/*
 * test_standin.c — the partner stand-in (tests/standin/partner.py) through
 * its C launcher: capabilities, paging, a few misbehaviours, the request log;
 * its CSW 3.0.0 mode, every kind of answer validated against the official
 * schemas of the corpus.
 */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "schemacheck.h"
#include "standin.h"
#include "xmlsafe.h"

#include <libxml/parser.h>

#define GMD "http://www.isotc211.org/2005/gmd"

struct reply {
    long status;
    char ctype[128];
    char *body;
    size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct reply *r = userdata;
    size_t add = size * nmemb;
    char *p = realloc(r->body, r->len + add + 1);
    if (!p)
        return 0;
    memcpy(p + r->len, ptr, add);
    r->body = p;
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

/* GET (post_body NULL) or POST of an XML body; the reply is always filled. */
static struct reply http(const char *url, const char *post_body)
{
    struct reply r = {0};
    r.body = calloc(1, 1);
    assert_non_null(r.body);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *hdr = NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (post_body) {
        hdr = curl_slist_append(hdr, "Content-Type: application/xml");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body);
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s: %s", url, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(r.ctype, sizeof r.ctype, "%s", ct ? ct : "");
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    return r;
}

/* Integer value of attribute NAME="..." in the body, -1 when missing. */
static long attr(const char *body, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "%s=\"", name);
    const char *p = strstr(body, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* A GetRecords page over KVP at {base}/query. */
static struct reply page(struct standin *s, int start, int max)
{
    char url[512];
    snprintf(url, sizeof url,
             "%s/query?service=CSW&version=2.0.2&request=GetRecords&resultType=results"
             "&typeNames=gmd:MD_Metadata&outputSchema=" GMD "&elementSetName=full"
             "&startPosition=%d&maxRecords=%d",
             s->base_url, start, max);
    return http(url, NULL);
}

static int group_setup(void **state)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static int group_teardown(void **state)
{
    curl_global_cleanup();
    return 0;
}

static struct standin *start25(void)
{
    static struct standin s;
    const char *args[] = {"--synthetic", "25", "--seed", "42", NULL};
    standin_start(&s, args);
    return &s;
}

static void test_capabilities_point_to_query(void **state)
{
    struct standin *s = start25();
    char url[512], want[256];
    snprintf(url, sizeof url, "%s?service=CSW&request=GetCapabilities", s->base_url);
    struct reply r = http(url, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<csw:Capabilities"));
    snprintf(want, sizeof want, "<ows:Get xlink:href=\"%s/query?\"/>", s->base_url);
    assert_non_null(strstr(r.body, want));
    snprintf(want, sizeof want, "<ows:Post xlink:href=\"%s/query\"/>", s->base_url);
    assert_non_null(strstr(r.body, want));
    assert_non_null(strstr(r.body, "<ows:Value>" GMD "</ows:Value>"));
    assert_non_null(strstr(r.body, "<ows:Value>CQL_TEXT</ows:Value>"));
    free(r.body);

    /* GetRecords is not answered at the capabilities URL */
    snprintf(url, sizeof url, "%s?service=CSW&request=GetRecords&resultType=results", s->base_url);
    r = http(url, NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "OperationNotSupported"));
    free(r.body);

    /* an unknown request is an OWS exception report */
    snprintf(url, sizeof url, "%s/query?service=CSW&request=Frobnicate", s->base_url);
    r = http(url, NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "ows:ExceptionReport"));
    free(r.body);
    standin_stop(s);
}

static void test_paging_get_and_post(void **state)
{
    struct standin *s = start25();
    static const int want_ret[] = {10, 10, 5}, want_next[] = {11, 21, 0};
    int start = 1;
    for (int i = 0; i < 3; i++) {
        struct reply r = page(s, start, 10);
        assert_int_equal(r.status, 200);
        assert_int_equal(attr(r.body, "numberOfRecordsMatched"), 25);
        assert_int_equal(attr(r.body, "numberOfRecordsReturned"), want_ret[i]);
        assert_int_equal(attr(r.body, "nextRecord"), want_next[i]);
        assert_int_equal(count(r.body, "<gmd:MD_Metadata "), (size_t)want_ret[i]);
        start = (int)attr(r.body, "nextRecord");
        free(r.body);
    }

    /* the same second page by POST, as csw:Record */
    char url[300];
    snprintf(url, sizeof url, "%s/query", s->base_url);
    struct reply r = http(url,
        "<csw:GetRecords xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" service=\"CSW\" "
        "version=\"2.0.2\" resultType=\"results\" startPosition=\"11\" maxRecords=\"10\" "
        "outputSchema=\"http://www.opengis.net/cat/csw/2.0.2\"><csw:Query typeNames=\"csw:Record\">"
        "<csw:ElementSetName>full</csw:ElementSetName></csw:Query></csw:GetRecords>");
    assert_int_equal(r.status, 200);
    assert_int_equal(attr(r.body, "numberOfRecordsReturned"), 10);
    assert_int_equal(attr(r.body, "nextRecord"), 21);
    assert_int_equal(count(r.body, "<csw:Record "), 10);
    free(r.body);

    /* hits only */
    snprintf(url, sizeof url, "%s/query?service=CSW&request=GetRecords&resultType=hits", s->base_url);
    r = http(url, NULL);
    assert_int_equal(attr(r.body, "numberOfRecordsMatched"), 25);
    assert_int_equal(attr(r.body, "numberOfRecordsReturned"), 0);
    free(r.body);

    /* the request log saw the POST body */
    char *log = standin_requests(s);
    assert_non_null(strstr(log, "\"method\": \"POST\""));
    assert_non_null(strstr(log, "startPosition=\\\"11\\\""));
    free(log);
    standin_stop(s);
}

static void test_cap_and_next_zero(void **state)
{
    struct standin *s = start25();
    standin_control(s, "misbehave=cap:4");
    struct reply r = page(s, 1, 10);
    assert_int_equal(attr(r.body, "numberOfRecordsReturned"), 4);
    assert_int_equal(attr(r.body, "nextRecord"), 5);
    free(r.body);

    standin_control(s, "misbehave=none");
    standin_control(s, "misbehave=next-zero:1");
    r = page(s, 1, 10); /* first page since next-zero was set */
    assert_int_equal(attr(r.body, "numberOfRecordsReturned"), 10);
    assert_int_equal(attr(r.body, "numberOfRecordsMatched"), 25);
    assert_int_equal(attr(r.body, "nextRecord"), 0);
    free(r.body);
    r = page(s, 11, 10); /* later pages are normal */
    assert_int_equal(attr(r.body, "nextRecord"), 21);
    free(r.body);
    standin_stop(s);
}

static void test_exception_and_html(void **state)
{
    struct standin *s = start25();
    standin_control(s, "misbehave=exception");
    struct reply r = page(s, 1, 10);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<ows:ExceptionReport"));
    free(r.body);

    standin_control(s, "misbehave=none&misbehave=html");
    r = page(s, 1, 10);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.ctype, "text/html"));
    assert_non_null(strstr(r.body, "<html>"));
    free(r.body);

    standin_control(s, "misbehave=none&misbehave=status:503:1");
    r = page(s, 1, 10);
    assert_int_equal(r.status, 503);
    free(r.body);
    r = page(s, 1, 10);
    assert_int_equal(r.status, 200);
    free(r.body);
    standin_stop(s);
}

static void test_drop(void **state)
{
    struct standin *s = start25();
    standin_control(s, "misbehave=drop:5");
    struct reply r = page(s, 11, 10);
    assert_int_equal(attr(r.body, "numberOfRecordsMatched"), 20);
    assert_int_equal(attr(r.body, "numberOfRecordsReturned"), 10);
    assert_int_equal(attr(r.body, "nextRecord"), 0);
    free(r.body);
    standin_stop(s);
}

static void test_encoding_latin1(void **state)
{
    const char *args[] = {"--synthetic", "25", "--seed", "42", "--misbehave", "encoding:ISO-8859-1", NULL};
    struct standin s;
    standin_start(&s, args);
    struct reply r = page(&s, 1, 5);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.ctype, "ISO-8859-1"));
    assert_memory_equal(r.body, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>", 43);
    assert_non_null(memchr(r.body, 0xE9, r.len)); /* é as one Latin-1 byte */

    /* decodable as Latin-1: "données" comes back in UTF-8 */
    iconv_t cd = iconv_open("UTF-8", "ISO-8859-1");
    assert_true(cd != (iconv_t)-1);
    size_t inleft = r.len, outcap = r.len * 2 + 1, outleft = outcap;
    char *out = malloc(outcap), *in = r.body, *o = out;
    assert_non_null(out);
    assert_true(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
    *o = '\0';
    iconv_close(cd);
    assert_non_null(strstr(out, "donn\xc3\xa9" "es"));
    free(out);
    free(r.body);
    standin_stop(&s);
}

/* ---- CSW 3.0.0 ---- */

#define CSW30 "http://www.opengis.net/cat/csw/3.0"
#define CSW30_ALL "schemas.opengis.net/cat/csw/3.0/cswAll.xsd"
#define OWS20_EXCEPTION "schemas.opengis.net/ows/2.0/owsExceptionReport.xsd"

/* body valid against xsd (relative to the corpus schemas); skipped without
 * the corpus. */
static void assert_valid(const struct reply *r, const char *xsd)
{
    char msg[1024] = "";
    struct schemacheck *sc = schemacheck_load(xsd, msg, sizeof msg);
    if (!sc) {
        print_message("%s: not validated (%s)\n", xsd, msg);
        return;
    }
    xmlDoc *doc = xmlReadMemory(r->body, (int)r->len, "reply.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    if (schemacheck_doc(sc, doc, msg, sizeof msg) != 0)
        fail_msg("invalid against %s: %s\n%.600s", xsd, msg, r->body);
    xmlFreeDoc(doc);
    schemacheck_free(sc);
}

static struct reply get(const struct standin *s, const char *path_query)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", s->base_url, path_query);
    return http(url, NULL);
}

/* A catalog that speaks only CSW 3.0.0: its documents, its refusals of
 * 2.0.2, paging and a FES 2.0 filter. */
static void test_csw3(void **state)
{
    const char *args[] = {"--synthetic", "25", "--seed", "42", "--csw-version", "3.0.0", NULL};
    struct standin s;
    standin_start(&s, args);

    struct reply r = get(&s, "?service=CSW&request=GetCapabilities&acceptVersions=2.0.2,3.0.0");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<csw30:Capabilities xmlns:csw30=\"" CSW30 "\""));
    assert_non_null(strstr(r.body, "<ows:ServiceTypeVersion>3.0.0</ows:ServiceTypeVersion>"));
    assert_null(strstr(r.body, "2.0.2"));
    assert_valid(&r, CSW30_ALL);
    free(r.body);

    /* 2.0.2 alone: refused, as a 3.0-only catalog does */
    r = get(&s, "?service=CSW&request=GetCapabilities&acceptVersions=2.0.2");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "exceptionCode=\"VersionNegotiationFailed\""));
    assert_valid(&r, OWS20_EXCEPTION);
    free(r.body);
    r = get(&s, "/query?service=CSW&version=2.0.2&request=GetRecords&resultType=results");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "exceptionCode=\"InvalidParameterValue\" locator=\"version\""));
    free(r.body);
    char url[300];
    snprintf(url, sizeof url, "%s/query", s.base_url);
    r = http(url, "<csw:GetRecords xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" "
                  "service=\"CSW\" version=\"2.0.2\" resultType=\"results\"><csw:Query "
                  "typeNames=\"csw:Record\"/></csw:GetRecords>");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "locator=\"version\""));
    free(r.body);
    /* the csw 2.0.2 output schema is not offered */
    r = get(&s, "/query?service=CSW&version=3.0.0&request=GetRecords"
                "&outputSchema=http://www.opengis.net/cat/csw/2.0.2");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "locator=\"outputSchema\""));
    free(r.body);

    /* GetRecords: results without resultType, csw30:Record by default */
    static const char *const sets[] = {"brief", "summary", "full"};
    for (size_t i = 0; i < 3; i++) {
        char q[256];
        snprintf(q, sizeof q,
                 "/query?service=CSW&version=3.0.0&request=GetRecords&typeNames=csw:Record"
                 "&elementSetName=%s&startPosition=11&maxRecords=10",
                 sets[i]);
        r = get(&s, q);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, "<csw30:GetRecordsResponse"));
        assert_int_equal(attr(r.body, "numberOfRecordsMatched"), 25);
        assert_int_equal(attr(r.body, "numberOfRecordsReturned"), 10);
        assert_int_equal(attr(r.body, "nextRecord"), 21);
        assert_int_equal(count(r.body, "xmlns:csw=\"" CSW30 "\""), 10);
        assert_valid(&r, CSW30_ALL);
        free(r.body);
    }
    r = get(&s, "/query?service=CSW&version=3.0.0&request=GetRecordById"
                "&id=does-not-exist");
    assert_int_equal(r.status, 404);
    free(r.body);

    /* by POST, ISO records, a FES 2.0 filter the stand-in understands */
    r = http(url, "<csw:GetRecords xmlns:csw=\"" CSW30 "\" xmlns:fes=\"http://www.opengis.net/fes/2.0\""
                  " service=\"CSW\" version=\"3.0.0\" startPosition=\"1\" maxRecords=\"25\""
                  " outputSchema=\"" GMD "\"><csw:Query typeNames=\"csw:Record\">"
                  "<csw:ElementSetName>full</csw:ElementSetName><csw:Constraint version=\"2.0.0\">"
                  "<fes:Filter><fes:PropertyIsLike wildCard=\"%\" singleChar=\"_\" escapeChar=\"\\\">"
                  "<fes:ValueReference>csw:AnyText</fes:ValueReference><fes:Literal>%urbanisme%"
                  "</fes:Literal></fes:PropertyIsLike></fes:Filter></csw:Constraint></csw:Query>"
                  "</csw:GetRecords>");
    assert_int_equal(r.status, 200);
    long matched = attr(r.body, "numberOfRecordsMatched");
    assert_true(matched > 0 && matched < 25);
    assert_int_equal(count(r.body, "<gmd:MD_Metadata "), (size_t)matched);
    free(r.body);
    char *log = standin_requests(&s);
    assert_null(strstr(log, "\"ignored\""));
    free(log);

    /* paging misbehaviours hold in CSW 3.0 too */
    standin_control(&s, "misbehave=next-zero:1");
    r = get(&s, "/query?service=CSW&version=3.0.0&request=GetRecords&maxRecords=10");
    assert_int_equal(attr(r.body, "numberOfRecordsReturned"), 10);
    assert_int_equal(attr(r.body, "nextRecord"), 0);
    free(r.body);
    standin_control(&s, "misbehave=none&misbehave=exception");
    r = get(&s, "/query?service=CSW&version=3.0.0&request=GetRecords&maxRecords=10");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "http://www.opengis.net/ows/2.0"));
    assert_valid(&r, OWS20_EXCEPTION);
    free(r.body);
    standin_stop(&s);
}

int main(void)
{
    xmlsafe_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capabilities_point_to_query),
        cmocka_unit_test(test_paging_get_and_post),
        cmocka_unit_test(test_cap_and_next_zero),
        cmocka_unit_test(test_exception_and_html),
        cmocka_unit_test(test_drop),
        cmocka_unit_test(test_encoding_latin1),
        cmocka_unit_test(test_csw3),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
