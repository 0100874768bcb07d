/*
 * test_csw.c — the CSW server without a socket: the demo territory's 26
 * records (three partners, ISO 19139 and Dublin Core, one identifier carried
 * by two) are normalised and stored in a test database; then a table of
 * requests, KVP and POST XML, each with the status, exception code and
 * locator, or the counts and identifiers it must give.  Every response is
 * validated against the official schemas (CSW-discovery.xsd; the wrapper
 * with ISO 19139 for ISO payloads).  Then: paging through everything with
 * page cursors, the count cache never stale after a change of the index,
 * ISO records served byte for byte, provenance, and hostile requests (SQL
 * in every parameter, escaping property names, XXE and DTD, a 1,000-deep
 * filter, huge or bad paging values) refused cleanly; pages served again
 * from the page cache, never for another state of the index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "csw.h"
#include "dbpool.h"
#include "normalise.h"
#include "record.h"
#include "schemacheck.h"
#include "store.h"
#include "testdb.h"
#include "xmlsafe.h"

#include <dirent.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONNINFO_MAX 2048
#define PATH_MAX_T 4096
#define MAX_ARGS 64
#define MAX_FILES 64
#define IDS_MAX 8192
#define PUBLIC_URL "https://geo.example.fr/moisson"
#define ALL_ENTRIES 26
#define ISO_PLU "c7a3e1f0-5b2d-4e8a-9f61-0a1b2c3d4e02" /* carried by two partners */
#define KVP "service=CSW&version=2.0.2&"
#define GR0 KVP "request=GetRecords&resultType=results&"
#define GR GR0 "typeNames=csw:Record&"
#define POST_OPEN0                                                                                 \
    "<csw:GetRecords xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" "                          \
    "xmlns:ogc=\"http://www.opengis.net/ogc\" xmlns:gml=\"http://www.opengis.net/gml\" "           \
    "service=\"CSW\" version=\"2.0.2\" "
#define POST_OPEN POST_OPEN0 "resultType=\"results\" "
#define QUERY_OPEN                                                                                 \
    "<csw:Query typeNames=\"csw:Record\"><csw:ElementSetName>brief</csw:ElementSetName>"
#define CONSTRAINT(f)                                                                              \
    "<csw:Constraint version=\"1.1.0\"><ogc:Filter>" f "</ogc:Filter></csw:Constraint>"
#define QUERY_CLOSE "</csw:Query></csw:GetRecords>"

struct fixture {
    char conninfo[CONNINFO_MAX];
    struct dbpool *pool;
    struct csw *csw;
    struct schemacheck *dc;
    struct schemacheck *iso;
    struct normaliser *norm;
    struct store *store;
};

static struct log quiet = {LOG_SILENT};

/* ---- loading the demo territory ---- */

static void load_file(struct normaliser *n, const char *path, const char *from, const char *to,
                      struct record *rec)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *text = calloc(1, 1 << 20);
    size_t len = fread(text, 1, (1 << 20) - 1, fp);
    fclose(fp);
    if (from) { /* the same record under another identifier */
        char *at = strstr(text, from);
        assert_non_null(at);
        assert_int_equal(strlen(from), strlen(to));
        memcpy(at, to, strlen(to));
    }
    struct mo_err err = {0};
    xmlDoc *doc = NULL;
    if (xmlsafe_parse_memory(text, len, path, &doc, &err) != MO_OK)
        fail_msg("%s", err.msg);
    free(text);
    memset(rec, 0, sizeof *rec);
    if (record_set_original(rec, doc, NORMALISE_VERSION) != MO_OK ||
        normalise_record(n, doc, rec, &err) != MO_OK)
        fail_msg("normalise %s: %s", path, err.msg);
    xmlFreeDoc(doc);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Puts every record of demo/partners/<partner> as source partner. */
static void load_partner(struct fixture *f, const char *partner, int priority)
{
    char dir[PATH_MAX_T], path[PATH_MAX_T * 2];
    char *names[MAX_FILES];
    size_t n = 0;
    struct record recs[MAX_FILES];
    struct mo_err err = {0};
    snprintf(dir, sizeof dir, "%s/demo/partners/%s", getenv("MOISSON_SOURCE_DIR"), partner);
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) && n < MAX_FILES;)
        if (strstr(e->d_name, ".xml"))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        load_file(f->norm, path, NULL, NULL, &recs[i]);
        free(names[i]);
    }
    struct source src = {.name = (char *)partner,
                         .type = (char *)"csw",
                         .url = (char *)"http://partner.invalid/csw",
                         .priority = priority};
    long long sid = 0, run = 0;
    struct page_result res;
    if (store_source_add(f->store, &src, &sid, &err) != MO_OK ||
        store_run_begin(f->store, sid, 1, &run, &err) != MO_OK ||
        store_put_page(f->store, sid, run, recs, n, NULL, 0, &res, &err) != MO_OK)
        fail_msg("store: %s", err.msg);
    for (size_t i = 0; i < n; i++)
        record_clear(&recs[i]);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct mo_err err = {0};
    char xslt[PATH_MAX_T], msg[1024];
    xmlsafe_init();
    testdb_create("csw", f->conninfo, sizeof f->conninfo);
    snprintf(xslt, sizeof xslt, "%s/xslt", getenv("MOISSON_SHARE"));
    if (normalise_new(xslt, &f->norm, &err) != MO_OK ||
        store_open(f->conninfo, &f->store, &err) != MO_OK)
        fail_msg("%s", err.msg);
    load_partner(f, "commune-saint-aubin", 10);
    load_partner(f, "cc-val-de-loire", 20);
    load_partner(f, "departement", 30);
    struct dbpool_config pc = {.conninfo = f->conninfo,
                               .size = 4,
                               .wait_ms = 2000,
                               .statement_timeout_ms = 30000,
                               .read_only = 1,
                               .log = &quiet};
    if (dbpool_new(&pc, &f->pool, &err) != MO_OK)
        fail_msg("pool: %s", err.msg);
    struct csw_config cc = {
        .identity = {.title = "Territoire & <Loire>", .contact_email = "sig@example.fr"},
        .public_url = PUBLIC_URL,
        .xslt_dir = xslt,
        .pool = f->pool,
        .log = &quiet};
    if (csw_new(&cc, &f->csw, &err) != MO_OK)
        fail_msg("csw: %s", err.msg);
    *state = f;
    if (!testdb_corpus_dir()) {
        /* the official schemas live in the corpus: responses are then only
         * parsed and checked, not validated */
        print_message("corpus absent ($MOISSON_CORPUS): responses not schema-validated\n");
        return 0;
    }
    f->dc = schemacheck_load(SCHEMACHECK_CSW_DISCOVERY, msg, sizeof msg);
    if (!f->dc)
        fail_msg("schema: %s", msg);
    f->iso = schemacheck_load(SCHEMACHECK_CSW_DISCOVERY_ISO, msg, sizeof msg);
    if (!f->iso)
        fail_msg("schema: %s", msg);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (!f)
        return 0;
    csw_free(f->csw);
    dbpool_free(f->pool);
    store_close(f->store);
    normalise_free(f->norm);
    schemacheck_free(f->dc);
    schemacheck_free(f->iso);
    free(f);
    return 0;
}

/* ---- one request ---- */

struct answer {
    int status;
    char *body;
    size_t len;
    xmlDoc *doc;
    xmlXPathContext *ctx;
};

static void answer_free(struct answer *a)
{
    xmlXPathFreeContext(a->ctx);
    xmlFreeDoc(a->doc);
    free(a->body);
    memset(a, 0, sizeof *a);
}

static void percent_decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        unsigned v;
        if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1) {
            *o++ = (char)v;
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

/* GET with the query string query (values %-encoded where they hold '&'),
 * or POST with body; the response parsed and validated. */
static void ask(struct fixture *f, const char *query, const char *body, struct answer *a)
{
    struct http_pair args[MAX_ARGS];
    size_t n = 0;
    char *copy = strdup(query ? query : ""), *save = NULL;
    for (char *t = strtok_r(copy, "&", &save); t && n < MAX_ARGS; t = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(t, '=');
        if (eq)
            *eq = '\0';
        percent_decode(t);
        if (eq)
            percent_decode(eq + 1);
        args[n].key = t;
        args[n].value = eq ? eq + 1 : "";
        n++;
    }
    struct http_request req = {.method = body ? HTTP_POST : HTTP_GET,
                               .method_name = body ? "POST" : "GET",
                               .path = "/csw",
                               .args = args,
                               .n_args = n,
                               .body = body ? body : "",
                               .body_len = body ? strlen(body) : 0,
                               .client = "127.0.0.1"};
    struct http_response resp;
    http_response_init(&resp);
    csw_handle(f->csw, &req, &resp);
    free(copy);
    memset(a, 0, sizeof *a);
    a->status = resp.status;
    assert_true(strstr(resp.content_type, "xml") != NULL);
    a->len = resp.body.len;
    a->body = strndup(resp.body.data ? resp.body.data : "", resp.body.len);
    http_response_clear(&resp);
    struct mo_err err = {0};
    if (xmlsafe_parse_memory(a->body, a->len, "response", &a->doc, &err) != MO_OK)
        fail_msg("response not XML: %s\n%.500s", err.msg, a->body);
    a->ctx = xmlXPathNewContext(a->doc);
    assert_int_equal(xmlsafe_register_namespaces(a->ctx), MO_OK);
    char msg[1024];
    struct schemacheck *s =
        strstr(a->body, "http://www.isotc211.org/2005/gmd\"") && strstr(a->body, ":MD_Metadata")
            ? f->iso
            : f->dc;
    if (s && schemacheck_doc(s, a->doc, msg, sizeof msg) != 0)
        fail_msg("response not valid: %s\nrequest %s%s\n%.1500s", msg, query ? query : "",
                 body ? body : "", a->body);
}

static char *xp(struct answer *a, const char *expr)
{
    return xmlsafe_xpath_string(a->ctx, expr);
}

/* The identifiers of the records of a response, in order, joined by ','. */
static void record_ids(struct answer *a, char *out, size_t size)
{
    xmlXPathObject *o = xmlXPathEvalExpression(
        (const xmlChar *)"/csw:GetRecordsResponse/csw:SearchResults/*/dc:identifier"
                         " | /csw:GetRecordsResponse/csw:SearchResults/*/gmd:fileIdentifier/*"
                         " | /csw:GetRecordByIdResponse/*/dc:identifier"
                         " | /csw:GetRecordByIdResponse/*/gmd:fileIdentifier/*",
        a->ctx);
    out[0] = '\0';
    for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        xmlChar *t = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
        size_t l = strlen(out);
        snprintf(out + l, size - l, "%s%s", l ? "," : "", (const char *)t);
        xmlFree(t);
    }
    xmlXPathFreeObject(o);
}

/* ---- the table ---- */

struct csw_case {
    const char *query; /* KVP, or NULL */
    const char *body;  /* POST XML, or NULL */
    int status;
    const char *code;    /* exceptionCode, or NULL for a success */
    const char *locator; /* or NULL (no check) */
    long long matched;   /* -1: no check */
    long long returned;
    long long next;
    const char *ids; /* identifiers in order (prefix match), or NULL */
};

#define OK_(q, m, r, n, ids)                                                                       \
    {                                                                                              \
        q, NULL, 200, NULL, NULL, m, r, n, ids                                                     \
    }
#define POST_OK(b, m, r, n, ids)                                                                   \
    {                                                                                              \
        NULL, b, 200, NULL, NULL, m, r, n, ids                                                     \
    }
#define BAD(q, code, loc)                                                                          \
    {                                                                                              \
        q, NULL, 400, code, loc, -1, -1, -1, NULL                                                  \
    }
#define POST_BAD(b, code, loc)                                                                     \
    {                                                                                              \
        NULL, b, 400, code, loc, -1, -1, -1, NULL                                                  \
    }
#define INV "InvalidParameterValue"
#define MISS "MissingParameterValue"
#define C01 "c7a3e1f0-5b2d-4e8a-9f61-0a1b2c3d4e01"
#define SQLI "1'%3B DROP TABLE entry%3B--"

static const struct csw_case cases[] = {
    /* GetCapabilities and DescribeRecord */
    OK_("service=CSW&request=GetCapabilities", -1, -1, -1, NULL),
    OK_("service=CSW&request=GetCapabilities&acceptVersions=1.0.0,2.0.2&sections="
        "OperationsMetadata",
        -1, -1, -1, NULL),
    OK_("service=CSW&request=GetCapabilities&updateSequence=1", -1, -1, -1, NULL),
    BAD("service=CSW&request=GetCapabilities&acceptVersions=3.0.0", "VersionNegotiationFailed",
        "acceptVersions"),
    BAD("service=CSW&request=GetCapabilities&sections=Everything", INV, "sections"),
    BAD("service=CSW&request=GetCapabilities&updateSequence=99", "InvalidUpdateSequence",
        "updateSequence"),
    BAD("request=GetCapabilities", MISS, "service"),
    BAD("service=WMS&request=GetCapabilities", INV, "service"),
    BAD("service=CSW", MISS, "request"),
    BAD("", MISS, "service"),
    BAD("service=CSW&request=GetMap", "OperationNotSupported", "request"),
    BAD(KVP "request=Transaction", "OperationNotSupported", "Transaction"),
    BAD(KVP "request=Harvest", "OperationNotSupported", "Harvest"),
    OK_(KVP "request=DescribeRecord", -1, -1, -1, NULL),
    OK_(KVP "request=DescribeRecord&typeName=gmd:MD_Metadata", -1, -1, -1, NULL),
    BAD(KVP "request=DescribeRecord&typeName=gmd:Nope", INV, "typename"),
    BAD("service=CSW&version=3.0.0&request=DescribeRecord", INV, "version"),
    BAD("service=CSW&request=GetRecords&typeNames=csw:Record", MISS, "version"),
    /* GetRecords: paging, element sets, schemas, result types */
    OK_(GR "maxRecords=5", ALL_ENTRIES, 5, 6, "5e0d9c2a-7f41-4b6e-8d3c-1f2e3a4b5c01"),
    OK_(GR "maxRecords=5&startPosition=25", ALL_ENTRIES, 2, 0, "fr-dep-45x-0108,fr-dep-45x-0109"),
    OK_(GR "maxRecords=5&startPosition=27", ALL_ENTRIES, 0, 0, ""),
    OK_(GR "maxRecords=0", ALL_ENTRIES, 0, 1, ""),
    OK_(GR "maxRecords=99999999999", ALL_ENTRIES, ALL_ENTRIES, 0, NULL),
    OK_(KVP "request=GetRecords&typeNames=csw:Record", ALL_ENTRIES, 0, 0, ""), /* hits */
    OK_(GR "elementSetName=full&maxRecords=3", ALL_ENTRIES, 3, 4, NULL),
    OK_(GR "elementSetName=brief&maxRecords=30", ALL_ENTRIES, ALL_ENTRIES, 0, NULL),
    OK_(GR "outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&maxRecords=30",
        ALL_ENTRIES, ALL_ENTRIES, 0, NULL),
    OK_(GR "outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=brief&maxRecords=30",
        ALL_ENTRIES, ALL_ENTRIES, 0, NULL),
    OK_(GR0 "outputSchema=http://www.isotc211.org/2005/gmd&maxRecords=30&typeNames=gmd:MD_Metadata",
        ALL_ENTRIES, ALL_ENTRIES, 0, NULL),
    OK_(GR0 "typeNames=csw:Record,gmd:MD_Metadata&maxRecords=1", -1, -1, -1, NULL),
    OK_(GR "elementName=dc:title,dct:abstract&maxRecords=2", ALL_ENTRIES, 2, 3, NULL),
    OK_(GR0
        "NAMESPACE=xmlns(x=http://www.opengis.net/cat/csw/2.0.2)&typeNames=x:Record&maxRecords=1",
        ALL_ENTRIES, 1, 2, NULL),
    OK_(KVP "request=GetRecords&typeNames=csw:Record&resultType=validate", -1, -1, -1, NULL),
    /* constraints and sorting */
    OK_(GR "constraintLanguage=CQL_TEXT&constraint=csw:AnyText LIKE '%25urbanisme%25'", 4, 4, 0,
        NULL),
    OK_(GR "constraintLanguage=CQL_TEXT&constraint=dc:type = 'service'", 2, 2, 0,
        "5e0d9c2a-7f41-4b6e-8d3c-1f2e3a4b5c08,fr-dep-45x-0109"),
    OK_(GR "constraintLanguage=CQL_TEXT&constraint=BBOX(ows:BoundingBox, 1.95, 47.85, 1.96, "
           "47.86)&maxRecords=30",
        26, 26, 0, NULL),
    OK_(GR "constraintLanguage=CQL_TEXT&constraint=BBOX(ows:BoundingBox, 2.5, 48.2, 3, 48.3)", 9, 9,
        0, "fr-dep-45x-0101"),
    OK_(GR "constraintLanguage=FILTER&constraint_language_version=1.1.0&constraint=<ogc:Filter "
           "xmlns:ogc=\"http://www.opengis.net/ogc\"><ogc:PropertyIsEqualTo><ogc:PropertyName>"
           "dc:identifier</ogc:PropertyName><ogc:Literal>" C01
           "</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>",
        1, 1, 0, C01),
    OK_(GR "sortBy=dc:identifier:D&maxRecords=2", ALL_ENTRIES, 2, 3,
        "fr-dep-45x-0109,fr-dep-45x-0108"),
    OK_(GR "sortBy=dc:title:A&maxRecords=1&constraintLanguage=CQL_TEXT&constraint=dc:type = "
           "'service'",
        2, 1, 2, "fr-dep-45x-0109"),
    BAD(GR "sortBy=csw:AnyText:A", INV, "SortBy"),
    BAD(GR "sortBy=r.title%3BDROP:A", INV, "SortBy"),
    BAD(GR "constraintLanguage=CQL_TEXT&constraint=foo:bar = 'x'", INV, "Constraint"),
    BAD(GR "constraintLanguage=CQL_TEXT&constraint=dc:title = 'x'%3B DROP TABLE entry", INV,
        "Constraint"),
    BAD(GR "constraintLanguage=CQL_TEXT&constraint=../etc/passwd = 'x'", INV, "Constraint"),
    BAD(GR "constraintLanguage=CQL_TEXT&constraint=lower(dc:title) = 'x'", INV, "Constraint"),
    BAD(GR "constraintLanguage=CQL_TEXT&constraint=dct:modified > '2020-13-45'", INV, "Constraint"),
    BAD(GR "constraintLanguage=SQL&constraint=1=1", INV, "CONSTRAINTLANGUAGE"),
    BAD(GR "constraint=dc:type = 'x'", MISS, "CONSTRAINTLANGUAGE"),
    BAD(GR "constraintLanguage=CQL_TEXT&constraint=x&constraint_language_version=9", INV,
        "CONSTRAINT_LANGUAGE_VERSION"),
    BAD(GR "constraintLanguage=FILTER&constraint=<!DOCTYPE x [<!ENTITY e SYSTEM "
           "\"file:///etc/passwd\">]><ogc:Filter xmlns:ogc=\"http://www.opengis.net/ogc\">&e;"
           "</ogc:Filter>",
        INV, "Constraint"),
    /* bad parameters, SQL in every one of them */
    BAD(GR "startPosition=0", INV, "startPosition"),
    BAD(GR "startPosition=-5", INV, "startPosition"),
    BAD(GR "startPosition=" SQLI, INV, "startPosition"),
    BAD(GR "startPosition=99999999999999999999999", INV, "startPosition"),
    BAD(GR "maxRecords=-1", INV, "maxRecords"),
    BAD(GR "maxRecords=" SQLI, INV, "maxRecords"),
    BAD(GR "resultType=" SQLI, INV, "resultType"),
    BAD(GR "outputSchema=" SQLI, INV, "outputSchema"),
    BAD(GR "outputFormat=text/html", INV, "outputFormat"),
    BAD(GR "elementSetName=" SQLI, INV, "ElementSetName"),
    BAD(GR "elementName=dc:title%3B DROP", INV, "ElementName"),
    BAD(GR "elementName=dc:title&elementSetName=full", INV, "ElementName"),
    BAD(GR "elementName=dc:title&outputSchema=http://www.isotc211.org/2005/gmd", INV,
        "ElementName"),
    BAD(KVP "request=GetRecords&typeNames=" SQLI, INV, "typenames"),
    BAD(KVP "request=GetRecords", MISS, "typenames"),
    BAD(GR "NAMESPACE=xmlns(" SQLI, INV, "NAMESPACE"),
    BAD(GR "maxRecords=1&maxRecords=2", INV, "maxrecords"),
    BAD(GR "ResponseHandler=ftp://x", INV, "ResponseHandler"),
    BAD(KVP "request=" SQLI, "OperationNotSupported", "request"),
    BAD("service=CSW&version=" SQLI "&request=GetRecords", INV, "version"),
    /* GetRecordById */
    OK_(KVP "request=GetRecordById&id=" C01 ",fr-dep-45x-0103&elementSetName=full", -1, -1, -1,
        C01 ",fr-dep-45x-0103"),
    OK_(KVP "request=GetRecordById&id=" C01 ",fr-dep-45x-0103&outputSchema=http://www.isotc211.org/"
            "2005/gmd&elementSetName=full",
        -1, -1, -1, C01 ",fr-dep-45x-0103"),
    OK_(KVP "request=GetRecordById&id=fr-dep-45x-0103&outputSchema=http://www.isotc211.org/"
            "2005/gmd&elementSetName=brief",
        -1, -1, -1, "fr-dep-45x-0103"),
    OK_(KVP "request=GetRecordById&id=" C01 "&outputSchema=http://www.isotc211.org/"
            "2005/gmd&elementSetName=summary",
        -1, -1, -1, C01),
    OK_(KVP "request=GetRecordById&id=" SQLI ",nope", -1, -1, -1, ""),
    BAD(KVP "request=GetRecordById", MISS, "Id"),
    BAD(KVP "request=GetRecordById&id=,,", MISS, "Id"),
    /* GetDomain */
    OK_(KVP "request=GetDomain&ParameterName=GetRecords.outputSchema", -1, -1, -1, NULL),
    OK_(KVP "request=GetDomain&PropertyName=dc:type", -1, -1, -1, NULL),
    OK_(KVP "request=GetDomain&PropertyName=apiso:Modified", -1, -1, -1, NULL),
    OK_(KVP "request=GetDomain&PropertyName=apiso:TopicCategory", -1, -1, -1, NULL),
    BAD(KVP "request=GetDomain&PropertyName=r.title) FROM record--", INV, "PropertyName"),
    BAD(KVP "request=GetDomain&PropertyName=ows:BoundingBox", INV, "PropertyName"),
    BAD(KVP "request=GetDomain&ParameterName=GetRecords.nope", INV, "ParameterName"),
    BAD(KVP "request=GetDomain", MISS, "ParameterName"),
    /* POST */
    POST_OK(POST_OPEN
            "maxRecords=\"3\">" QUERY_OPEN
            "<ogc:SortBy><ogc:SortProperty><ogc:PropertyName>dc:identifier</ogc:PropertyName>"
            "<ogc:SortOrder>DESC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>" QUERY_CLOSE,
            ALL_ENTRIES, 3, 4, "fr-dep-45x-0109,fr-dep-45x-0108,fr-dep-45x-0107"),
    POST_OK(
        POST_OPEN "maxRecords=\"30\">" QUERY_OPEN CONSTRAINT(
            "<ogc:PropertyIsLike wildCard=\"*\" singleChar=\"?\" escapeChar=\"\\\">"
            "<ogc:PropertyName>csw:AnyText</ogc:PropertyName><ogc:Literal>*déchet*</ogc:Literal>"
            "</ogc:PropertyIsLike>") QUERY_CLOSE,
        3, 3, 0,
        "5e0d9c2a-7f41-4b6e-8d3c-1f2e3a4b5c05,5e0d9c2a-7f41-4b6e-8d3c-1f2e3a4b5c06,"
        "5e0d9c2a-7f41-4b6e-8d3c-1f2e3a4b5c08"),
    POST_OK(POST_OPEN "maxRecords=\"30\">" QUERY_OPEN CONSTRAINT(
                "<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope "
                "srsName=\"urn:ogc:def:crs:EPSG::4326\"><gml:lowerCorner>48.2 2.5</gml:lowerCorner>"
                "<gml:upperCorner>48.3 3</gml:upperCorner></gml:Envelope></ogc:BBOX>") QUERY_CLOSE,
            9, 9, 0, NULL),
    POST_OK(POST_OPEN "maxRecords=\"2\" outputSchema=\"http://www.isotc211.org/2005/gmd\">"
                      "<csw:Query typeNames=\"csw:Record\"><csw:ElementSetName>summary"
                      "</csw:ElementSetName><csw:Constraint version=\"1.1.0\"><csw:CqlText>"
                      "dc:type = 'dataset'</csw:CqlText></csw:Constraint>" QUERY_CLOSE,
            24, 2, 3, NULL),
    POST_OK(POST_OPEN0 "resultType=\"validate\">" QUERY_OPEN QUERY_CLOSE, -1, -1, -1, NULL),
    POST_OK("<csw:GetRecordById xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" service=\"CSW\" "
            "version=\"2.0.2\"><csw:Id>fr-dep-45x-0102</csw:Id><csw:Id>" C01 "</csw:Id>"
            "<csw:ElementSetName>brief</csw:ElementSetName></csw:GetRecordById>",
            -1, -1, -1, "fr-dep-45x-0102," C01),
    POST_OK("<csw:GetDomain xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" service=\"CSW\" "
            "version=\"2.0.2\"><csw:PropertyName>apiso:OrganisationName</csw:PropertyName>"
            "</csw:GetDomain>",
            -1, -1, -1, NULL),
    POST_OK("<csw:GetCapabilities xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" "
            "xmlns:ows=\"http://www.opengis.net/ows\" service=\"CSW\"><ows:Sections><ows:Section>"
            "Filter_Capabilities</ows:Section></ows:Sections></csw:GetCapabilities>",
            -1, -1, -1, NULL),
    POST_OK(
        "<csw:DescribeRecord xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" service=\"CSW\" "
        "version=\"2.0.2\"><csw:TypeName>csw:Record</csw:TypeName></csw:DescribeRecord>",
        -1, -1, -1, NULL),
    POST_BAD("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
             "<csw:GetCapabilities xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" "
             "service=\"CSW\">&x;</csw:GetCapabilities>",
             "NoApplicableCode", NULL),
    POST_BAD("<csw:GetRecords", "NoApplicableCode", NULL),
    POST_BAD("<csw:Transaction xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" service=\"CSW\" "
             "version=\"2.0.2\"/>",
             "OperationNotSupported", "Transaction"),
    POST_BAD("<csw:Harvest xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" service=\"CSW\" "
             "version=\"2.0.2\"/>",
             "OperationNotSupported", "Harvest"),
    POST_BAD("<x:GetRecords xmlns:x=\"urn:other\"/>", "OperationNotSupported", "request"),
    POST_BAD(POST_OPEN ">" QUERY_OPEN CONSTRAINT(
                 "<ogc:PropertyIsEqualTo><ogc:PropertyName>dc:title'); DROP TABLE entry;--"
                 "</ogc:PropertyName><ogc:Literal>x</ogc:Literal></ogc:PropertyIsEqualTo>")
                 QUERY_CLOSE,
             INV, "Constraint"),
    POST_BAD(
        POST_OPEN ">" QUERY_OPEN CONSTRAINT(
            "<ogc:PropertyIsEqualTo><ogc:Function name=\"pg_sleep\"><ogc:Literal>10"
            "</ogc:Literal></ogc:Function><ogc:Literal>x</ogc:Literal></ogc:PropertyIsEqualTo>")
            QUERY_CLOSE,
        INV, "Constraint"),
    POST_BAD(POST_OPEN "startPosition=\"0\">" QUERY_OPEN QUERY_CLOSE, INV, "startPosition"),
    POST_BAD(POST_OPEN "></csw:GetRecords>", MISS, "Query"),
    POST_BAD(POST_OPEN "><csw:Query>" QUERY_CLOSE, MISS, "typeNames"),
    POST_BAD("<csw:GetRecords xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" "
             "service=\"CSW\">" QUERY_OPEN QUERY_CLOSE,
             MISS, "version"),
};

static void check_case(struct fixture *f, const struct csw_case *c)
{
    struct answer a;
    char ids[IDS_MAX];
    ask(f, c->query, c->body, &a);
    const char *what = c->query ? c->query : c->body;
    if (a.status != c->status)
        fail_msg("%s: status %d, wanted %d\n%.800s", what, a.status, c->status, a.body);
    char *code = xp(&a, "string(/ows:ExceptionReport/ows:Exception/@exceptionCode)");
    char *loc = xp(&a, "string(/ows:ExceptionReport/ows:Exception/@locator)");
    if (c->code && (!code || strcmp(code, c->code)))
        fail_msg("%s: exceptionCode %s, wanted %s", what, code ? code : "(none)", c->code);
    if (c->code && c->locator && (!loc || strcasecmp(loc, c->locator)))
        fail_msg("%s: locator %s, wanted %s", what, loc ? loc : "(none)", c->locator);
    if (!c->code && code)
        fail_msg("%s: unexpected exception %s\n%.800s", what, code, a.body);
    free(code);
    free(loc);
    if (c->matched >= 0) {
        char *m = xp(&a, "string(//csw:SearchResults/@numberOfRecordsMatched)");
        char *r = xp(&a, "string(//csw:SearchResults/@numberOfRecordsReturned)");
        char *n = xp(&a, "string(//csw:SearchResults/@nextRecord)");
        char *count = xp(&a, "count(//csw:SearchResults/*)");
        if (!m || !r || !n || atoll(m) != c->matched || atoll(r) != c->returned ||
            atoll(n) != c->next || atoll(count) != c->returned)
            fail_msg("%s: matched %s returned %s (%s records) next %s, wanted %lld %lld %lld", what,
                     m, r, count, n, c->matched, c->returned, c->next);
        free(m);
        free(r);
        free(n);
        free(count);
    }
    if (c->ids) {
        record_ids(&a, ids, sizeof ids);
        if (strncmp(ids, c->ids, strlen(c->ids)) || (!c->ids[0] && ids[0]))
            fail_msg("%s: records %s, wanted %s", what, ids, c->ids);
    }
    answer_free(&a);
}

static void test_table(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(f, &cases[i]);
}

/* Paging through everything: every entry once, in order, pages after the
 * first continued from their cursor; counts from the cache. */
static void test_paging(void **state)
{
    struct fixture *f = *state;
    char query[256], ids[IDS_MAX], all[IDS_MAX * 4] = "";
    struct catalog_stats before, after;
    catalog_get_stats(csw_catalog(f->csw), &before);
    long long start = 1;
    int pages = 0;
    while (start) {
        struct answer a;
        snprintf(query, sizeof query,
                 GR "outputSchema=http://www.isotc211.org/2005/gmd"
                    "&elementSetName=full&maxRecords=4&startPosition=%lld",
                 start);
        ask(f, query, NULL, &a);
        assert_int_equal(a.status, 200);
        char *next = xp(&a, "string(//csw:SearchResults/@nextRecord)");
        start = atoll(next);
        free(next);
        record_ids(&a, ids, sizeof ids);
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", all[0] ? "," : "", ids);
        answer_free(&a);
        pages++;
    }
    assert_int_equal(pages, 7);
    catalog_get_stats(csw_catalog(f->csw), &after);
    assert_true(after.cursor_hits - before.cursor_hits >= 6);
    assert_true(after.count_hits - before.count_hits >= 6);
    /* 26 distinct identifiers in ascending order */
    int n = 1;
    for (char *p = all; *p; p++)
        n += *p == ',';
    assert_int_equal(n, ALL_ENTRIES);
    assert_non_null(strstr(all, "5e0d9c2a-7f41-4b6e-8d3c-1f2e3a4b5c01,5e0d9c2a"));
    assert_non_null(strstr(all, "fr-dep-45x-0108,fr-dep-45x-0109"));
}

/* One more source carrying the demo's colleges record under the identifier
 * id (as long as "fr-dep-45x-0102"): a change of the index. */
static void add_colleges_as(struct fixture *f, const char *source, const char *id)
{
    char path[PATH_MAX_T];
    struct record rec;
    struct mo_err err = {0};
    snprintf(path, sizeof path, "%s/demo/partners/departement/02-colleges.xml",
             getenv("MOISSON_SOURCE_DIR"));
    load_file(f->norm, path, "fr-dep-45x-0102", id, &rec);
    struct source src = {
        .name = (char *)source, .type = (char *)"csw", .url = (char *)"http://extra.invalid/csw"};
    long long sid = 0, run = 0;
    struct page_result res;
    if (store_source_add(f->store, &src, &sid, &err) != MO_OK ||
        store_run_begin(f->store, sid, 1, &run, &err) != MO_OK ||
        store_put_page(f->store, sid, run, &rec, 1, NULL, 0, &res, &err) != MO_OK)
        fail_msg("store: %s", err.msg);
    record_clear(&rec);
}

/* A change of the index is seen at once: the cached count is not served. */
static void test_count_not_stale(void **state)
{
    struct fixture *f = *state;
    const char *q = GR "constraintLanguage=CQL_TEXT&constraint=csw:AnyText LIKE 'coll%25'";
    struct answer a;
    struct mo_err err = {0};
    ask(f, q, NULL, &a);
    char *m1 = xp(&a, "string(//csw:SearchResults/@numberOfRecordsMatched)");
    answer_free(&a);
    ask(f, q, NULL, &a); /* from the cache */
    char *m2 = xp(&a, "string(//csw:SearchResults/@numberOfRecordsMatched)");
    answer_free(&a);
    assert_string_equal(m1, m2);
    add_colleges_as(f, "extra", "fr-dep-45x-9102");
    ask(f, q, NULL, &a);
    char *m3 = xp(&a, "string(//csw:SearchResults/@numberOfRecordsMatched)");
    answer_free(&a);
    assert_int_equal(atoll(m3), atoll(m1) + 1);
    /* and back: the source removed, the count follows */
    if (store_source_remove(f->store, "extra", &err) != MO_OK)
        fail_msg("remove: %s", err.msg);
    ask(f, q, NULL, &a);
    char *m4 = xp(&a, "string(//csw:SearchResults/@numberOfRecordsMatched)");
    answer_free(&a);
    assert_string_equal(m4, m1);
    free(m1);
    free(m2);
    free(m3);
    free(m4);
}

/* The records and counts of one GetRecords answer: "matched;returned;ids". */
static void page_of(struct fixture *f, const char *query, char *out, size_t size)
{
    struct answer a;
    char ids[IDS_MAX];
    ask(f, query, NULL, &a);
    assert_int_equal(a.status, 200);
    char *m = xp(&a, "string(//csw:SearchResults/@numberOfRecordsMatched)");
    char *r = xp(&a, "string(//csw:SearchResults/@numberOfRecordsReturned)");
    record_ids(&a, ids, sizeof ids);
    snprintf(out, size, "%s;%s;%s", m, r, ids);
    free(m);
    free(r);
    answer_free(&a);
}

/* A repeated GetRecords is served from the page cache (csw_cache.h), the
 * same records and counts; a change of the index is seen at once: the page
 * of the old generation is never served. */
static void test_page_cache(void **state)
{
    struct fixture *f = *state;
    const char *q = GR "constraintLanguage=CQL_TEXT&constraint=csw:AnyText LIKE 'coll%25'"
                       "&maxRecords=50&elementSetName=summary";
    char first[IDS_MAX * 2], again[IDS_MAX * 2], changed[IDS_MAX * 2], back[IDS_MAX * 2];
    struct csw_cache_stats s0, s1, s2;
    struct mo_err err = {0};
    page_of(f, q, first, sizeof first);
    csw_cache_get_stats(csw_pages(f->csw), &s0);
    page_of(f, q, again, sizeof again);
    csw_cache_get_stats(csw_pages(f->csw), &s1);
    assert_int_equal(s1.hits, s0.hits + 1);
    assert_string_equal(again, first);
    assert_true(s1.bytes > 0 && s1.bytes <= CSW_CACHE_MAX_BYTES);
    /* another page size or element set is another page */
    page_of(f,
            GR "constraintLanguage=CQL_TEXT&constraint=csw:AnyText LIKE 'coll%25'"
               "&maxRecords=50&elementSetName=brief",
            again, sizeof again);
    csw_cache_get_stats(csw_pages(f->csw), &s2);
    assert_int_equal(s2.hits, s1.hits);
    /* one more matching record: the next answer has it */
    add_colleges_as(f, "extra2", "fr-dep-45x-9102");
    page_of(f, q, changed, sizeof changed);
    assert_string_not_equal(changed, first);
    assert_non_null(strstr(changed, "fr-dep-45x-9102"));
    assert_int_equal(atoll(changed), atoll(first) + 1);
    /* and back */
    if (store_source_remove(f->store, "extra2", &err) != MO_OK)
        fail_msg("remove: %s", err.msg);
    page_of(f, q, back, sizeof back);
    assert_string_equal(back, first);
}

/* Waits until the server has made more than made pages ahead. */
static void made_ahead(struct fixture *f, unsigned long made)
{
    unsigned long served = 0, now = 0;
    for (int i = 0; i < 500; i++) {
        csw_ahead_stats(f->csw, &served, &now);
        if (now > made)
            return;
        usleep(10000);
    }
    fail_msg("no page made ahead in 5 s");
}

/* A walk through the whole index: the next page is made while the client
 * reads this one, served as the search would answer it, and never when the
 * index changed in between. */
static void test_read_ahead(void **state)
{
    struct fixture *f = *state;
    const char *p2 = GR "maxRecords=4&startPosition=5&elementSetName=brief";
    const char *p3 = GR "maxRecords=4&startPosition=9&elementSetName=brief";
    char ahead[IDS_MAX * 2], searched[IDS_MAX * 2], page[IDS_MAX * 2];
    unsigned long served0, made0, served, made;
    struct mo_err err = {0};
    csw_ahead_stats(f->csw, &served0, &made0);
    page_of(f, GR "maxRecords=4&startPosition=1&elementSetName=brief", page, sizeof page);
    made_ahead(f, made0);
    page_of(f, p2, ahead, sizeof ahead);
    csw_ahead_stats(f->csw, &served, &made);
    assert_int_equal(served, served0 + 1);
    page_of(f, p2, searched, sizeof searched); /* not made ahead again: searched */
    csw_ahead_stats(f->csw, &served, &made);
    assert_int_equal(served, served0 + 1);
    assert_string_equal(ahead, searched);
    assert_int_equal(atoll(ahead), atoll(page)); /* numberOfRecordsMatched */
    /* page 3 is made ahead (offered by the first request of page 2), then a
     * record comes first in identifier order */
    made_ahead(f, made0 + 1);
    add_colleges_as(f, "ahead", "0000-first-0102");
    page_of(f, p3, ahead, sizeof ahead);
    csw_ahead_stats(f->csw, &served, &made);
    assert_int_equal(served, served0 + 1); /* the page made before the change is not served */
    assert_int_equal(atoll(ahead), atoll(page) + 1);
    if (store_source_remove(f->store, "ahead", &err) != MO_OK)
        fail_msg("remove: %s", err.msg);
}

/* An ISO record harvested as ISO comes back byte for byte; others carry
 * their provenance. */
static void test_verbatim_and_provenance(void **state)
{
    struct fixture *f = *state;
    struct answer a;
    char *original = testdb_query_value(
        f->conninfo, "SELECT r.original FROM entry e JOIN record r ON r.id = e.record_id "
                     "WHERE e.identifier = '" ISO_PLU "'");
    assert_non_null(original);
    ask(f,
        KVP "request=GetRecordById&id=" ISO_PLU "&outputSchema=http://www.isotc211.org/2005/gmd"
            "&elementSetName=full",
        NULL, &a);
    assert_non_null(strstr(a.body, original));
    answer_free(&a);
    free(original);
    ask(f, KVP "request=GetRecordById&id=" ISO_PLU "&elementSetName=full", NULL, &a);
    char *prov = xp(&a, "string(//csw:Record/dct:provenance)");
    assert_non_null(prov);
    assert_non_null(strstr(prov, "commune-saint-aubin, cc-val-de-loire"));
    assert_non_null(strstr(prov, PUBLIC_URL));
    free(prov);
    answer_free(&a);
    ask(f,
        KVP "request=GetRecordById&id=fr-dep-45x-0101&outputSchema=http://www.isotc211.org/2005/gmd"
            "&elementSetName=full",
        NULL, &a);
    assert_non_null(strstr(a.body, "departement"));
    assert_non_null(strstr(a.body, "LI_Source"));
    answer_free(&a);
    ask(f, "service=CSW&request=GetCapabilities", NULL, &a);
    char *title = xp(&a, "string(//ows:ServiceIdentification/ows:Title)");
    char *get = xp(&a, "string(//ows:Operation[@name='GetRecords']//ows:Post/@xlink:href)");
    assert_string_equal(title, "Territoire & <Loire>");
    assert_string_equal(get, PUBLIC_URL "/csw");
    free(title);
    free(get);
    answer_free(&a);
}

/* Hostile shapes the table cannot hold. */
static void test_hostile(void **state)
{
    struct fixture *f = *state;
    struct answer a;
    size_t depth = 1000, n = 0;
    char *deep = malloc(depth * 20 + 4096);
    n += (size_t)sprintf(deep + n, "%s",
                         POST_OPEN ">" QUERY_OPEN "<csw:Constraint version=\"1.1.0\"><ogc:Filter>");
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(deep + n, "<ogc:Not>");
    n += (size_t)sprintf(
        deep + n,
        "<ogc:PropertyIsNull><ogc:PropertyName>dc:title</ogc:PropertyName></ogc:PropertyIsNull>");
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(deep + n, "</ogc:Not>");
    sprintf(deep + n, "</ogc:Filter></csw:Constraint>" QUERY_CLOSE);
    ask(f, NULL, deep, &a);
    assert_int_equal(a.status, 400);
    assert_non_null(strstr(a.body, "exceptionCode="));
    answer_free(&a);
    free(deep);
    /* a CQL text nested 1,000 deep */
    char *cql = malloc(8192 + 200);
    strcpy(cql, GR "constraintLanguage=CQL_TEXT&constraint=");
    for (int i = 0; i < 1000; i++)
        strcat(cql, "(");
    strcat(cql, "dc:title = 'x'");
    for (int i = 0; i < 1000; i++)
        strcat(cql, ")");
    ask(f, cql, NULL, &a);
    assert_int_equal(a.status, 400);
    assert_non_null(strstr(a.body, "locator=\"Constraint\""));
    answer_free(&a);
    free(cql);
    /* the index is intact */
    char *count = testdb_query_value(f->conninfo, "SELECT count(*) FROM entry");
    assert_int_equal(atoi(count), ALL_ENTRIES);
    free(count);
    /* a database failure is ours (500), and its message is never shown */
    free(testdb_query_value(f->conninfo, "ALTER TABLE entry RENAME TO entry_gone"));
    ask(f, GR "maxRecords=1&constraintLanguage=CQL_TEXT&constraint=dc:type = 'zzz'", NULL, &a);
    free(testdb_query_value(f->conninfo, "ALTER TABLE entry_gone RENAME TO entry"));
    assert_int_equal(a.status, 500);
    assert_non_null(strstr(a.body, "exceptionCode=\"NoApplicableCode\""));
    assert_null(strstr(a.body, "entry"));
    assert_null(strstr(a.body, "relation"));
    answer_free(&a);
    ask(f, GR "maxRecords=1", NULL, &a);
    assert_int_equal(a.status, 200);
    answer_free(&a);
}

/* The service identity: each text checked (a table: field, value, the
 * reason refused or NULL), the first bad one named, and every text written
 * escaped into capabilities that still validate. */
static void test_identity(void **state)
{
    struct fixture *f = *state;
    static char long_text[CSW_MAX_TEXT + 2];
    memset(long_text, 'x', CSW_MAX_TEXT + 1);
    static const struct {
        enum csw_identity_field field;
        const char *text;
        const char *refused; /* part of the reason, NULL: accepted */
    } texts[] = {
        {CSW_ID_TITLE, NULL, NULL},
        {CSW_ID_TITLE, "", NULL},
        {CSW_ID_TITLE, "Catalogue <script>alert(1)</script> & \"Loire\" — été", NULL},
        {CSW_ID_TITLE, long_text, "longer than 512 bytes (513)"},
        {CSW_ID_TITLE, long_text + 1, NULL}, /* 512 bytes */
        {CSW_ID_ABSTRACT, "ligne 1\n\tligne 2", NULL},
        {CSW_ID_ABSTRACT, "bell \a", "control character 0x07"},
        {CSW_ID_ABSTRACT, "del \x7f", "control character 0x7F"},
        {CSW_ID_KEYWORDS, "\xc3\x28", "not valid UTF-8"},
        {CSW_ID_KEYWORDS, "\xed\xa0\x80", "not valid UTF-8"}, /* a surrogate */
        {CSW_ID_PROVIDER_NAME, "Département du Loiret", NULL},
        {CSW_ID_PROVIDER_SITE, "", NULL},
        {CSW_ID_PROVIDER_SITE, "https://www.loiret.example.fr/sig?a=1&b=2", NULL},
        {CSW_ID_PROVIDER_SITE, "HTTP://loiret.example.fr", NULL},
        {CSW_ID_PROVIDER_SITE, "ftp://loiret.example.fr", "not an http:// or https:// URL"},
        {CSW_ID_PROVIDER_SITE, "https://", "not an http:// or https:// URL"},
        {CSW_ID_PROVIDER_SITE, "https://loiret.example.fr/a b", "not an http:// or https:// URL"},
        {CSW_ID_PROVIDER_SITE, "https://loiret.example.fr/été", "not an http:// or https:// URL"},
        {CSW_ID_CONTACT_NAME, "Claire Dubois", NULL},
        {CSW_ID_CONTACT_EMAIL, "", NULL},
        {CSW_ID_CONTACT_EMAIL, "sig@loiret.example.fr", NULL},
        {CSW_ID_CONTACT_EMAIL, "sig", "not an e-mail address"},
        {CSW_ID_CONTACT_EMAIL, "@loiret.example.fr", "not an e-mail address"},
        {CSW_ID_CONTACT_EMAIL, "sig@", "not an e-mail address"},
        {CSW_ID_CONTACT_EMAIL, "a@b@c", "not an e-mail address"},
        {CSW_ID_CONTACT_EMAIL, "Claire Dubois <sig@loiret.example.fr>", "not an e-mail address"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct mo_err err = {0};
        mo_rc rc = csw_identity_check_text(texts[i].field, texts[i].text, &err);
        if (!texts[i].refused && rc != MO_OK)
            fail_msg("case %zu refused: %s", i, err.msg);
        if (texts[i].refused && (rc != MO_EBADREQ || !strstr(err.msg, texts[i].refused)))
            fail_msg("case %zu: rc %d \"%s\", wanted \"%s\"", i, rc, err.msg, texts[i].refused);
    }

    /* the first bad text is named, and csw_new refuses it */
    char xslt[PATH_MAX_T];
    snprintf(xslt, sizeof xslt, "%s/xslt", getenv("MOISSON_SHARE"));
    struct csw_config cc = {.identity = {.title = "ok", .contact_email = "nobody"},
                            .public_url = PUBLIC_URL,
                            .xslt_dir = xslt,
                            .pool = f->pool,
                            .log = &quiet};
    struct mo_err err = {0};
    struct csw *other = NULL;
    assert_int_equal(csw_identity_check(&cc.identity, &err), MO_EBADREQ);
    assert_string_equal(err.msg, "bad CSW contact e-mail \"nobody\": not an e-mail address "
                                 "(NAME@DOMAIN, no spaces)");
    assert_int_equal(csw_new(&cc, &other, &err), MO_EBADREQ);
    assert_null(other);
    assert_non_null(strstr(err.msg, "bad CSW contact e-mail"));

    /* every text written, escaped; the capabilities still valid */
    cc.identity =
        (struct csw_identity){.title = "Catalogue <script>alert(1)</script> & \"Loire\" — été",
                              .abstract = "Fiches <b>des</b> partenaires\net d'autres & plus",
                              .keywords = " urbanisme, PLU <x> ,,cadastre & foncier ",
                              .provider_name = "Département du Loiret & <co>",
                              .provider_site = "https://www.loiret.example.fr/sig?a=1&b=\"2\"",
                              .contact_name = "Claire <Dubois>",
                              .contact_email = "sig+csw@loiret.example.fr"};
    if (csw_new(&cc, &other, &err) != MO_OK)
        fail_msg("csw: %s", err.msg);
    struct csw *mine = f->csw;
    f->csw = other;
    struct answer a;
    ask(f, "service=CSW&request=GetCapabilities", NULL, &a); /* parsed and validated */
    f->csw = mine;
    static const char *const want[][2] = {
        {"string(//ows:ServiceIdentification/ows:Title)",
         "Catalogue <script>alert(1)</script> & \"Loire\" — été"},
        {"string(//ows:ServiceIdentification/ows:Abstract)",
         "Fiches <b>des</b> partenaires\net d'autres & plus"},
        {"count(//ows:Keywords/ows:Keyword)", "3"}, /* trimmed, the empty one left out */
        {"string(//ows:Keywords/ows:Keyword[1])", "urbanisme"},
        {"string(//ows:Keywords/ows:Keyword[2])", "PLU <x>"},
        {"string(//ows:Keywords/ows:Keyword[3])", "cadastre & foncier"},
        {"string(//ows:ServiceProvider/ows:ProviderName)", "Département du Loiret & <co>"},
        {"string(//ows:ServiceProvider/ows:ProviderSite/@xlink:href)",
         "https://www.loiret.example.fr/sig?a=1&b=\"2\""},
        {"string(//ows:ServiceContact/ows:IndividualName)", "Claire <Dubois>"},
        {"string(//ows:ServiceContact//ows:ElectronicMailAddress)", "sig+csw@loiret.example.fr"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *got = xp(&a, want[i][0]);
        if (!got || strcmp(got, want[i][1]))
            fail_msg("%s: \"%s\", wanted \"%s\"", want[i][0], got ? got : "(null)", want[i][1]);
        free(got);
    }
    assert_null(strstr(a.body, "<script>"));
    assert_non_null(
        strstr(a.body, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Loire&quot;"));
    answer_free(&a);
    csw_free(other);

    /* empty texts: an empty title, no keyword left, no e-mail; still valid */
    cc.identity = (struct csw_identity){.title = "", .keywords = " , ,", .contact_email = ""};
    if (csw_new(&cc, &other, &err) != MO_OK)
        fail_msg("csw: %s", err.msg);
    f->csw = other;
    ask(f, "service=CSW&request=GetCapabilities", NULL, &a);
    f->csw = mine;
    char *counts = xp(&a, "concat(count(//ows:Title[. = '']), count(//ows:Keywords), "
                          "count(//ows:ElectronicMailAddress))");
    assert_string_equal(counts, "100");
    free(counts);
    answer_free(&a);
    csw_free(other);

    /* nothing given: the defaults, the provider site being the public URL */
    ask(f, "service=CSW&request=GetCapabilities&sections=ServiceProvider", NULL, &a);
    char *name = xp(&a, "string(//ows:ProviderName)");
    char *site = xp(&a, "string(//ows:ProviderSite/@xlink:href)");
    assert_string_equal(name, "moisson");
    assert_string_equal(site, PUBLIC_URL);
    free(name);
    free(site);
    answer_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_count_not_stale),
        cmocka_unit_test(test_page_cache),
        cmocka_unit_test(test_read_ahead),
        cmocka_unit_test(test_verbatim_and_provenance),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_identity),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
