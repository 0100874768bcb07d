/*
 * csw_request.c — a CSW request, KVP (GET) or XML (POST), into one struct
 * csw_request with every parameter checked.  XML bodies are parsed only
 * through xmlsafe (no DTD, no external entity); the constraint is parsed by
 * filter.h (Filter XML or CQL) into its tree here, so a bad one is refused
 * before any database work.
 */
#include "csw_internal.h"

#include "queryables.h"
#include "xmlsafe.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCT "http://purl.org/dc/terms/"
#define NS_OWS "http://www.opengis.net/ows"
#define NS_OGC "http://www.opengis.net/ogc"
#define NS_APISO "http://www.opengis.net/cat/csw/apiso/1.0"
#define CSW_MAX_PREFIX 64
#define CSW_MAX_URI 512
#define CSW_QUOTE_MAX 80

struct csw_ns {
    char prefix[CSW_MAX_PREFIX];
    char uri[CSW_MAX_URI];
};

/* Prefixes a request may use without declaring them. */
static const struct csw_ns default_ns[] = {
    {"csw", CSW_NS}, {"gmd", CSW_GMD_NS}, {"dc", NS_DC},       {"dct", NS_DCT},
    {"ows", NS_OWS}, {"ogc", NS_OGC},     {"apiso", NS_APISO},
};

/* What ElementName may ask for: the elements of a full csw:Record. */
static const struct csw_element_name dc_elements[] = {
    {NS_DC, "identifier"},   {NS_DC, "title"},       {NS_DC, "type"},         {NS_DC, "subject"},
    {NS_DC, "format"},       {NS_DC, "relation"},    {NS_DC, "creator"},      {NS_DC, "publisher"},
    {NS_DC, "contributor"},  {NS_DC, "language"},    {NS_DC, "source"},       {NS_DC, "rights"},
    {NS_DCT, "alternative"}, {NS_DCT, "modified"},   {NS_DCT, "created"},     {NS_DCT, "issued"},
    {NS_DCT, "abstract"},    {NS_DCT, "temporal"},   {NS_DCT, "isPartOf"},    {NS_DCT, "license"},
    {NS_DCT, "references"},  {NS_DCT, "provenance"}, {NS_OWS, "BoundingBox"},
};

static const char *const op_names[CSW_OP_COUNT] = {
    "GetCapabilities", "DescribeRecord", "GetRecords", "GetRecordById", "GetDomain",
};

const char *csw_op_name(enum csw_op op)
{
    return op < CSW_OP_COUNT ? op_names[op] : "?";
}

int csw_fail(struct csw_exception *ex, const char *code, const char *locator, const char *fmt, ...)
{
    va_list ap;
    ex->code = code;
    snprintf(ex->locator, sizeof ex->locator, "%s", locator ? locator : "");
    va_start(ap, fmt);
    vsnprintf(ex->text, sizeof ex->text, fmt, ap);
    va_end(ap);
    ex->status = strcmp(code, CSW_EX_NO_CODE) ? 400 : 500;
    return -1;
}

/* At most CSW_QUOTE_MAX bytes of s for a message, control characters as '?'. */
static const char *quote(const char *s, char *out, size_t size)
{
    return filter_excerpt(s, strlen(s), out, size);
}

void csw_request_clear(struct csw_request *req)
{
    if (!req)
        return;
    filter_free(req->filter);
    free(req->request_id);
    for (size_t i = 0; i < req->n_ids; i++)
        free(req->ids[i]);
    for (size_t i = 0; i < req->n_domain; i++)
        free(req->domain[i]);
    free(req->echo);
    memset(req, 0, sizeof *req);
}

/* ---- checks shared by both encodings ---- */

static int check_service(const char *v, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    if (!v || !v[0])
        return csw_fail(ex, CSW_EX_MISSING, "service", "missing parameter service");
    if (strcmp(v, "CSW") && strcmp(v, "http://www.opengis.net/cat/csw"))
        return csw_fail(ex, CSW_EX_INVALID, "service", "service \"%s\" is not CSW",
                        quote(v, q, sizeof q));
    return 0;
}

static int check_version(const char *v, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    if (!v || !v[0])
        return csw_fail(ex, CSW_EX_MISSING, "version", "missing parameter version");
    if (strcmp(v, CSW_VERSION))
        return csw_fail(ex, CSW_EX_INVALID, "version",
                        "version \"%s\" is not supported (only " CSW_VERSION ")",
                        quote(v, q, sizeof q));
    return 0;
}

static int set_output_format(const char *v, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    if (!v || !strcasecmp(v, "application/xml") || !strcasecmp(v, "text/xml"))
        return 0;
    return csw_fail(ex, CSW_EX_INVALID, "outputFormat",
                    "outputFormat \"%s\" is not supported (application/xml)",
                    quote(v, q, sizeof q));
}

static int set_output_schema(struct csw_request *req, const char *v, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    if (!v || !strcmp(v, CSW_NS) || !strcmp(v, "csw:Record"))
        req->schema = CSW_SCHEMA_DC;
    else if (!strcmp(v, CSW_GMD_NS) || !strcmp(v, "csw:IsoRecord"))
        req->schema = CSW_SCHEMA_ISO;
    else
        return csw_fail(ex, CSW_EX_INVALID, "outputSchema",
                        "outputSchema \"%s\" is not supported (" CSW_NS " or " CSW_GMD_NS ")",
                        quote(v, q, sizeof q));
    return 0;
}

static int set_result_type(struct csw_request *req, const char *v, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    if (!v || !strcmp(v, "hits"))
        req->result_type = CSW_HITS; /* the CSW 2.0.2 default */
    else if (!strcmp(v, "results"))
        req->result_type = CSW_RESULTS;
    else if (!strcmp(v, "validate"))
        req->result_type = CSW_VALIDATE;
    else
        return csw_fail(ex, CSW_EX_INVALID, "resultType",
                        "resultType \"%s\" is not hits, results or validate",
                        quote(v, q, sizeof q));
    return 0;
}

/* A whole decimal number within [lo, hi]; 0 or -1. */
static int parse_count(const char *v, long long lo, long long hi, long long *out)
{
    char *end = NULL;
    while (*v == ' ')
        v++;
    if (!isdigit((unsigned char)*v))
        return -1;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    while (*end == ' ')
        end++;
    if (errno || *end || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

static int set_start(struct csw_request *req, const char *v, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    if (!v)
        return 0;
    if (parse_count(v, 1, CSW_MAX_START, &req->start))
        return csw_fail(ex, CSW_EX_INVALID, "startPosition",
                        "startPosition \"%s\" is not a whole number from 1 to %lld",
                        quote(v, q, sizeof q), CSW_MAX_START);
    return 0;
}

/* maxRecords past CSW_MAX_RECORDS is served as CSW_MAX_RECORDS (the
 * response says how many it holds and where the next page starts). */
static int set_max(struct csw_request *req, const char *v, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    long long n = 0;
    if (!v)
        return 0;
    if (parse_count(v, 0, 999999999999999999LL, &n))
        return csw_fail(ex, CSW_EX_INVALID, "maxRecords",
                        "maxRecords \"%s\" is not a whole number of 0 or more",
                        quote(v, q, sizeof q));
    req->max = n > CSW_MAX_RECORDS ? CSW_MAX_RECORDS : (long)n;
    return 0;
}

static int set_element_set(struct csw_request *req, const char *v, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    struct mo_err err = {0};
    if (render_set_parse(v, &req->set, &err) != MO_OK)
        return csw_fail(ex, CSW_EX_INVALID, "ElementSetName",
                        "ElementSetName \"%s\" is not brief, summary or full",
                        quote(v, q, sizeof q));
    return 0;
}

/* Adds the ElementName (uri, local); only with Dublin Core output. */
static int add_element(struct csw_request *req, const char *uri, const char *local, const char *as,
                       struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    if (req->n_elements >= CSW_MAX_ELEMENT_NAMES)
        return csw_fail(ex, CSW_EX_INVALID, "ElementName", "more than %d ElementName values",
                        CSW_MAX_ELEMENT_NAMES);
    for (size_t i = 0; uri && i < sizeof dc_elements / sizeof dc_elements[0]; i++)
        if (!strcmp(dc_elements[i].ns, uri) && !strcmp(dc_elements[i].local, local)) {
            req->elements[req->n_elements++] = dc_elements[i];
            return 0;
        }
    return csw_fail(ex, CSW_EX_INVALID, "ElementName",
                    "ElementName \"%s\" is not an element of csw:Record", quote(as, q, sizeof q));
}

/* typeNames: csw:Record and gmd:MD_Metadata, by namespace; uri NULL for an
 * unprefixed name without a default namespace. */
static int add_type_name(unsigned *types, const char *uri, const char *local, const char *as,
                         const char *locator, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    if ((!uri || !strcmp(uri, CSW_NS)) && !strcmp(local, "Record"))
        *types |= CSW_TYPE_RECORD;
    else if ((!uri || !strcmp(uri, CSW_GMD_NS)) && !strcmp(local, "MD_Metadata"))
        *types |= CSW_TYPE_MD;
    else
        return csw_fail(ex, CSW_EX_INVALID, locator,
                        "type name \"%s\" is not supported (csw:Record or gmd:MD_Metadata)",
                        quote(as, q, sizeof q));
    return 0;
}

static int add_sort(struct csw_request *req, const char *name, int desc, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    const struct queryable *qb = queryable_find(name);
    if (req->n_sort >= CATALOG_MAX_SORT)
        return csw_fail(ex, CSW_EX_INVALID, "SortBy", "more than %d sort keys", CATALOG_MAX_SORT);
    if (!qb)
        return csw_fail(ex, CSW_EX_INVALID, "SortBy", "unknown queryable \"%s\" in SortBy",
                        quote(name, q, sizeof q));
    if (!qb->sortable)
        return csw_fail(ex, CSW_EX_INVALID, "SortBy", "cannot sort by %s", qb->name);
    req->sort[req->n_sort].q = qb;
    req->sort[req->n_sort].desc = desc;
    req->n_sort++;
    return 0;
}

/* A filter error: the client's (InvalidParameterValue, Constraint) or ours. */
static int filter_failed(const struct mo_err *err, struct csw_exception *ex)
{
    if (err->rc == MO_EBADREQ || err->rc == MO_EXML || err->rc == MO_EFORBIDDEN ||
        err->rc == MO_ELIMIT)
        return csw_fail(ex, CSW_EX_INVALID, FILTER_LOCATOR, "%s", err->msg);
    return csw_fail(ex, CSW_EX_NO_CODE, NULL, "could not read the constraint");
}

static int add_string(char **list, size_t *n, size_t max, const char *s, size_t len,
                      const char *locator, struct csw_exception *ex)
{
    if (*n >= max)
        return csw_fail(ex, CSW_EX_INVALID, locator, "more than %zu %s values", max, locator);
    char *copy = strndup(s, len);
    if (!copy)
        return csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory");
    list[(*n)++] = copy;
    return 0;
}

/* Defaults of a request of op. */
static void request_init(struct csw_request *req, enum csw_op op)
{
    req->op = op;
    req->sections = CSW_SECTION_ALL;
    req->update_sequence = -1;
    req->type_names = 0;
    req->schema = CSW_SCHEMA_DC;
    req->set =
        op == CSW_OP_GET_RECORDS || op == CSW_OP_GET_RECORD_BY_ID ? RENDER_SUMMARY : RENDER_FULL;
    req->result_type = CSW_HITS;
    req->start = 1;
    req->max = CSW_DEFAULT_MAX_RECORDS;
}

/* The operation named v (OperationNotSupported for the others). */
static int find_op(const char *v, enum csw_op *op, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX];
    for (int i = 0; i < CSW_OP_COUNT; i++)
        if (!strcmp(v, op_names[i])) {
            *op = (enum csw_op)i;
            return 0;
        }
    if (!strcmp(v, "Transaction") || !strcmp(v, "Harvest"))
        return csw_fail(ex, CSW_EX_NOT_SUPPORTED, v,
                        "%s is not supported: this catalogue is read-only", v);
    return csw_fail(ex, CSW_EX_NOT_SUPPORTED, "request", "request \"%s\" is not supported",
                    quote(v, q, sizeof q));
}

/* ---- KVP ---- */

struct kvp {
    const struct http_request *http;
    struct csw_ns ns[CSW_MAX_NAMESPACES];
    size_t n_ns;
    int default_ns; /* index of xmlns(uri) in ns, -1 when none */
};

/* The value of key: 0 with *out (NULL when absent), -1 when repeated or
 * too long. */
static int kvp_get(const struct kvp *k, const char *key, size_t max, const char **out,
                   struct csw_exception *ex)
{
    *out = http_request_arg(k->http, key);
    if (!*out)
        return 0;
    if (http_request_arg_count(k->http, key) > 1)
        return csw_fail(ex, CSW_EX_INVALID, key, "parameter %s given more than once", key);
    if (strlen(*out) > max)
        return csw_fail(ex, CSW_EX_INVALID, key, "parameter %s longer than %zu bytes", key, max);
    return 0;
}

/* The next comma-separated item of *p (spaces trimmed): its start and
 * length; 0 at the end. */
static int next_item(const char **p, const char **item, size_t *len)
{
    const char *s = *p;
    if (!s || !*s)
        return 0;
    const char *comma = strchr(s, ',');
    const char *end = comma ? comma : s + strlen(s);
    *p = comma ? comma + 1 : end;
    while (s < end && *s == ' ')
        s++;
    while (end > s && end[-1] == ' ')
        end--;
    *item = s;
    *len = (size_t)(end - s);
    return 1;
}

/* NAMESPACE=xmlns(p=uri),xmlns(uri),…  */
static int kvp_namespaces(struct kvp *k, struct csw_exception *ex)
{
    const char *v = NULL;
    char q[CSW_QUOTE_MAX];
    k->default_ns = -1;
    if (kvp_get(k, "namespace", 8192, &v, ex))
        return -1;
    while (v && *v) {
        const char *close = strchr(v, ')');
        if (strncmp(v, "xmlns(", 6) || !close || k->n_ns >= CSW_MAX_NAMESPACES)
            return csw_fail(ex, CSW_EX_INVALID, "NAMESPACE",
                            "bad NAMESPACE near \"%s\": expected xmlns(prefix=uri), at most %d",
                            quote(v, q, sizeof q), CSW_MAX_NAMESPACES);
        const char *in = v + 6, *eq = memchr(in, '=', (size_t)(close - in));
        struct csw_ns *ns = &k->ns[k->n_ns];
        size_t plen = eq ? (size_t)(eq - in) : 0;
        const char *uri = eq ? eq + 1 : in;
        size_t ulen = (size_t)(close - uri);
        if (plen >= sizeof ns->prefix || ulen == 0 || ulen >= sizeof ns->uri)
            return csw_fail(ex, CSW_EX_INVALID, "NAMESPACE", "bad NAMESPACE near \"%s\"",
                            quote(v, q, sizeof q));
        memcpy(ns->prefix, in, plen);
        ns->prefix[plen] = '\0';
        memcpy(ns->uri, uri, ulen);
        ns->uri[ulen] = '\0';
        if (!plen)
            k->default_ns = (int)k->n_ns;
        k->n_ns++;
        v = close + 1;
        if (*v == ',')
            v++;
        else if (*v)
            return csw_fail(ex, CSW_EX_INVALID, "NAMESPACE", "bad NAMESPACE near \"%s\"",
                            quote(v, q, sizeof q));
    }
    return 0;
}

/* Resolves "prefix:local" (len bytes) with NAMESPACE, then the usual
 * prefixes: *uri (NULL for an unprefixed name without a default namespace)
 * and local copied into local (size bytes). */
static int kvp_qname(const struct kvp *k, const char *s, size_t len, const char **uri, char *local,
                     size_t size, const char *locator, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX], name[CSW_MAX_VALUE + 1];
    snprintf(name, sizeof name, "%.*s", (int)len, s);
    const char *colon = strchr(name, ':');
    *uri = NULL;
    if (!colon) {
        if (k->default_ns >= 0)
            *uri = k->ns[k->default_ns].uri;
        snprintf(local, size, "%s", name);
        return 0;
    }
    size_t plen = (size_t)(colon - name);
    for (size_t i = 0; i < k->n_ns && !*uri; i++)
        if (strlen(k->ns[i].prefix) == plen && !strncmp(k->ns[i].prefix, name, plen))
            *uri = k->ns[i].uri;
    for (size_t i = 0; i < sizeof default_ns / sizeof default_ns[0] && !*uri; i++)
        if (strlen(default_ns[i].prefix) == plen && !strncmp(default_ns[i].prefix, name, plen))
            *uri = default_ns[i].uri;
    if (!*uri)
        return csw_fail(ex, CSW_EX_INVALID, locator, "undeclared prefix in \"%s\"",
                        quote(name, q, sizeof q));
    snprintf(local, size, "%s", colon + 1);
    return 0;
}

static int kvp_type_names(struct kvp *k, const char *key, unsigned *types, int required,
                          struct csw_exception *ex)
{
    const char *v = NULL, *item, *uri;
    size_t len;
    char local[CSW_MAX_VALUE + 1];
    if (kvp_get(k, key, CSW_MAX_VALUE, &v, ex))
        return -1;
    if (!v || !v[0])
        return required ? csw_fail(ex, CSW_EX_MISSING, key, "missing parameter %s", key) : 0;
    while (next_item(&v, &item, &len)) {
        char as[CSW_MAX_VALUE + 1];
        snprintf(as, sizeof as, "%.*s", (int)len, item);
        if (kvp_qname(k, item, len, &uri, local, sizeof local, key, ex) ||
            add_type_name(types, uri, local, as, key, ex))
            return -1;
    }
    return 0;
}

static int kvp_constraint(struct kvp *k, struct csw_request *req, struct csw_exception *ex)
{
    const char *text = NULL, *lang = NULL, *version = NULL;
    char q[CSW_QUOTE_MAX];
    struct mo_err err = {0};
    if (kvp_get(k, "constraint", FILTER_MAX_XML_BYTES, &text, ex) ||
        kvp_get(k, "constraintlanguage", CSW_MAX_VALUE, &lang, ex) ||
        kvp_get(k, "constraint_language_version", CSW_MAX_VALUE, &version, ex))
        return -1;
    if (!text || !text[0])
        return 0;
    if (!lang)
        return csw_fail(ex, CSW_EX_MISSING, "CONSTRAINTLANGUAGE",
                        "missing parameter CONSTRAINTLANGUAGE (FILTER or CQL_TEXT)");
    if (version && strcmp(version, "1.1.0") && strcmp(version, "1.0.0"))
        return csw_fail(ex, CSW_EX_INVALID, "CONSTRAINT_LANGUAGE_VERSION",
                        "CONSTRAINT_LANGUAGE_VERSION \"%s\" is not supported (1.1.0)",
                        quote(version, q, sizeof q));
    mo_rc rc;
    if (!strcasecmp(lang, "FILTER"))
        rc = filter_parse_ogc_text(text, strlen(text), &req->filter, &err);
    else if (!strcasecmp(lang, "CQL_TEXT"))
        rc = filter_parse_cql(text, &req->filter, &err);
    else
        return csw_fail(ex, CSW_EX_INVALID, "CONSTRAINTLANGUAGE",
                        "CONSTRAINTLANGUAGE \"%s\" is not FILTER or CQL_TEXT",
                        quote(lang, q, sizeof q));
    return rc == MO_OK ? 0 : filter_failed(&err, ex);
}

/* SortBy=dc:title:A,dct:modified:D */
static int kvp_sort(struct kvp *k, struct csw_request *req, struct csw_exception *ex)
{
    const char *v = NULL, *item;
    size_t len;
    if (kvp_get(k, "sortby", CSW_MAX_VALUE, &v, ex))
        return -1;
    while (next_item(&v, &item, &len)) {
        char name[CSW_MAX_VALUE + 1];
        int desc = 0;
        snprintf(name, sizeof name, "%.*s", (int)len, item);
        char *colon = strrchr(name, ':');
        if (colon && (!strcmp(colon, ":A") || !strcmp(colon, ":D"))) {
            desc = colon[1] == 'D';
            *colon = '\0';
        }
        if (add_sort(req, name, desc, ex))
            return -1;
    }
    return 0;
}

static int kvp_elements(struct kvp *k, struct csw_request *req, struct csw_exception *ex)
{
    const char *set = NULL, *names = NULL, *item, *uri;
    size_t len;
    char local[CSW_MAX_VALUE + 1];
    if (kvp_get(k, "elementsetname", CSW_MAX_VALUE, &set, ex) ||
        kvp_get(k, "elementname", CSW_MAX_VALUE, &names, ex))
        return -1;
    if (set && names)
        return csw_fail(ex, CSW_EX_INVALID, "ElementName",
                        "ElementSetName and ElementName are mutually exclusive");
    if (set)
        return set_element_set(req, set, ex);
    while (names && next_item(&names, &item, &len)) {
        char as[CSW_MAX_VALUE + 1];
        snprintf(as, sizeof as, "%.*s", (int)len, item);
        if (kvp_qname(k, item, len, &uri, local, sizeof local, "ElementName", ex) ||
            add_element(req, uri, local, as, ex))
            return -1;
    }
    return 0;
}

static int kvp_get_records(struct kvp *k, struct csw_request *req, struct csw_exception *ex)
{
    const char *v[6] = {0};
    if (kvp_get(k, "outputformat", CSW_MAX_VALUE, &v[0], ex) || set_output_format(v[0], ex) ||
        kvp_get(k, "outputschema", CSW_MAX_VALUE, &v[1], ex) || set_output_schema(req, v[1], ex) ||
        kvp_get(k, "resulttype", CSW_MAX_VALUE, &v[2], ex) || set_result_type(req, v[2], ex) ||
        kvp_get(k, "startposition", CSW_MAX_VALUE, &v[3], ex) || set_start(req, v[3], ex) ||
        kvp_get(k, "maxrecords", CSW_MAX_VALUE, &v[4], ex) || set_max(req, v[4], ex) ||
        kvp_type_names(k, "typenames", &req->type_names, 1, ex) || kvp_elements(k, req, ex) ||
        kvp_sort(k, req, ex) || kvp_constraint(k, req, ex) ||
        kvp_get(k, "responsehandler", CSW_MAX_VALUE, &v[5], ex))
        return -1;
    if (v[5])
        return csw_fail(ex, CSW_EX_INVALID, "ResponseHandler",
                        "asynchronous responses (ResponseHandler) are not supported");
    if (req->n_elements && req->schema != CSW_SCHEMA_DC)
        return csw_fail(ex, CSW_EX_INVALID, "ElementName",
                        "ElementName is supported with the csw:Record output schema only; "
                        "use ElementSetName");
    const char *rid = NULL;
    if (kvp_get(k, "requestid", CSW_MAX_VALUE, &rid, ex))
        return -1;
    if (rid && !(req->request_id = strdup(rid)))
        return csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory");
    return 0;
}

static int kvp_by_id(struct kvp *k, struct csw_request *req, struct csw_exception *ex)
{
    const char *v[4] = {0}, *item;
    size_t len;
    if (kvp_get(k, "outputformat", CSW_MAX_VALUE, &v[0], ex) || set_output_format(v[0], ex) ||
        kvp_get(k, "outputschema", CSW_MAX_VALUE, &v[1], ex) || set_output_schema(req, v[1], ex) ||
        kvp_get(k, "elementsetname", CSW_MAX_VALUE, &v[2], ex) ||
        (v[2] && set_element_set(req, v[2], ex)) ||
        kvp_get(k, "id", (size_t)CATALOG_MAX_ID_BYTES / 2, &v[3], ex))
        return -1;
    if (!v[3] || !v[3][0])
        return csw_fail(ex, CSW_EX_MISSING, "Id", "missing parameter Id");
    while (next_item(&v[3], &item, &len))
        if (len && add_string(req->ids, &req->n_ids, CSW_MAX_IDS, item, len, "Id", ex))
            return -1;
    if (!req->n_ids)
        return csw_fail(ex, CSW_EX_MISSING, "Id", "missing parameter Id");
    return 0;
}

static int kvp_domain(struct kvp *k, struct csw_request *req, struct csw_exception *ex)
{
    const char *param = NULL, *prop = NULL, *item;
    size_t len;
    if (kvp_get(k, "parametername", CSW_MAX_VALUE, &param, ex) ||
        kvp_get(k, "propertyname", CSW_MAX_VALUE, &prop, ex))
        return -1;
    if (param && prop)
        return csw_fail(ex, CSW_EX_INVALID, "PropertyName",
                        "ParameterName and PropertyName are mutually exclusive");
    if (!param && !prop)
        return csw_fail(ex, CSW_EX_MISSING, "ParameterName",
                        "missing parameter ParameterName or PropertyName");
    req->domain_property = prop != NULL;
    const char *v = prop ? prop : param;
    while (next_item(&v, &item, &len))
        if (len && add_string(req->domain, &req->n_domain, CSW_MAX_NAMES, item, len,
                              prop ? "PropertyName" : "ParameterName", ex))
            return -1;
    if (!req->n_domain)
        return csw_fail(ex, CSW_EX_MISSING, prop ? "PropertyName" : "ParameterName",
                        "missing parameter %s", prop ? "PropertyName" : "ParameterName");
    return 0;
}

/* Sections and versions of GetCapabilities, shared by both encodings. */
static int add_section(struct csw_request *req, const char *s, size_t len, struct csw_exception *ex)
{
    static const struct {
        const char *name;
        unsigned bit;
    } sections[] = {{"ServiceIdentification", CSW_SECTION_IDENTIFICATION},
                    {"ServiceProvider", CSW_SECTION_PROVIDER},
                    {"OperationsMetadata", CSW_SECTION_OPERATIONS},
                    {"Filter_Capabilities", CSW_SECTION_FILTER},
                    {"All", CSW_SECTION_ALL}};
    char q[CSW_QUOTE_MAX], name[CSW_MAX_VALUE + 1];
    snprintf(name, sizeof name, "%.*s", (int)len, s);
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (!strcmp(name, sections[i].name)) {
            req->sections |= sections[i].bit;
            return 0;
        }
    return csw_fail(ex, CSW_EX_INVALID, "sections", "unknown section \"%s\"",
                    quote(name, q, sizeof q));
}

static int set_update_sequence(struct csw_request *req, const char *v, struct csw_exception *ex)
{
    long long n = 0;
    char q[CSW_QUOTE_MAX];
    if (!v)
        return 0;
    if (parse_count(v, 0, 999999999999LL, &n))
        return csw_fail(ex, CSW_EX_UPDATE_SEQUENCE, "updateSequence",
                        "updateSequence \"%s\" is not one of this server's (%d)",
                        quote(v, q, sizeof q), CSW_UPDATE_SEQUENCE);
    if (n > CSW_UPDATE_SEQUENCE)
        return csw_fail(ex, CSW_EX_UPDATE_SEQUENCE, "updateSequence",
                        "updateSequence %lld is newer than this server's (%d)", n,
                        CSW_UPDATE_SEQUENCE);
    req->update_sequence = (int)n;
    return 0;
}

static int kvp_capabilities(struct kvp *k, struct csw_request *req, struct csw_exception *ex)
{
    const char *versions = NULL, *sections = NULL, *seq = NULL, *item;
    size_t len;
    int ok = 0;
    char q[CSW_QUOTE_MAX];
    if (kvp_get(k, "acceptversions", CSW_MAX_VALUE, &versions, ex) ||
        kvp_get(k, "sections", CSW_MAX_VALUE, &sections, ex) ||
        kvp_get(k, "updatesequence", CSW_MAX_VALUE, &seq, ex) || set_update_sequence(req, seq, ex))
        return -1;
    if (versions) {
        const char *v = versions;
        while (next_item(&v, &item, &len))
            ok |= len == strlen(CSW_VERSION) && !strncmp(item, CSW_VERSION, len);
        if (!ok)
            return csw_fail(ex, CSW_EX_VERSION, "acceptVersions",
                            "none of the versions \"%s\" is supported (" CSW_VERSION ")",
                            quote(versions, q, sizeof q));
    }
    if (sections) {
        req->sections = 0;
        while (next_item(&sections, &item, &len))
            if (add_section(req, item, len, ex))
                return -1;
    }
    return 0;
}

int csw_request_from_kvp(const struct http_request *http, struct csw_request *req,
                         struct csw_exception *ex)
{
    struct kvp k = {.http = http, .default_ns = -1};
    const char *service = NULL, *request = NULL, *version = NULL;
    enum csw_op op;
    if (kvp_get(&k, "service", CSW_MAX_VALUE, &service, ex) || check_service(service, ex) ||
        kvp_get(&k, "request", CSW_MAX_VALUE, &request, ex))
        return -1;
    if (!request || !request[0])
        return csw_fail(ex, CSW_EX_MISSING, "request", "missing parameter request");
    if (find_op(request, &op, ex))
        return -1;
    request_init(req, op);
    if (kvp_namespaces(&k, ex))
        return -1;
    if (op == CSW_OP_GET_CAPABILITIES)
        return kvp_capabilities(&k, req, ex);
    if (kvp_get(&k, "version", CSW_MAX_VALUE, &version, ex) || check_version(version, ex))
        return -1;
    switch (op) {
    case CSW_OP_DESCRIBE_RECORD: {
        const char *fmt = NULL, *lang = NULL;
        char q[CSW_QUOTE_MAX];
        if (kvp_type_names(&k, "typename", &req->type_names, 0, ex) ||
            kvp_get(&k, "outputformat", CSW_MAX_VALUE, &fmt, ex) || set_output_format(fmt, ex) ||
            kvp_get(&k, "schemalanguage", CSW_MAX_VALUE, &lang, ex))
            return -1;
        if (lang && strcmp(lang, "XMLSCHEMA") && strcmp(lang, "http://www.w3.org/XML/Schema") &&
            strcmp(lang, "http://www.w3.org/2001/XMLSchema"))
            return csw_fail(ex, CSW_EX_INVALID, "schemaLanguage",
                            "schemaLanguage \"%s\" is not supported (XMLSCHEMA)",
                            quote(lang, q, sizeof q));
        return 0;
    }
    case CSW_OP_GET_RECORDS:
        return kvp_get_records(&k, req, ex);
    case CSW_OP_GET_RECORD_BY_ID:
        return kvp_by_id(&k, req, ex);
    case CSW_OP_GET_DOMAIN:
        return kvp_domain(&k, req, ex);
    default:
        return 0;
    }
}

/* ---- XML ---- */

static int is_el(const xmlNode *n, const char *ns, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && !strcmp((const char *)n->ns->href, ns) &&
           !strcmp((const char *)n->name, local);
}

static const xmlNode *first_el(const xmlNode *n)
{
    while (n && n->type != XML_ELEMENT_NODE)
        n = n->next;
    return n;
}

/* An attribute without namespace, or NULL; the caller frees. */
static char *attr(const xmlNode *n, const char *name)
{
    return (char *)xmlGetNoNsProp(n, (const xmlChar *)name);
}

/* The trimmed text of n; the caller frees; NULL when out of memory. */
static char *text_of(const xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    if (!t)
        return strdup("");
    char *s = (char *)t, *e = s + strlen(s);
    while (*s && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    char *out = strndup(s, (size_t)(e - s));
    xmlFree(t);
    return out;
}

/* Resolves a QName written in n's content or attributes, with the
 * namespaces in scope at n. */
static int xml_qname(const xmlNode *n, const char *name, const char **uri, const char **local,
                     const char *locator, struct csw_exception *ex)
{
    char q[CSW_QUOTE_MAX], prefix[CSW_MAX_PREFIX];
    const char *colon = strchr(name, ':');
    xmlNs *ns = NULL;
    if (colon && (size_t)(colon - name) < sizeof prefix) {
        snprintf(prefix, sizeof prefix, "%.*s", (int)(colon - name), name);
        ns = xmlSearchNs(n->doc, (xmlNode *)n, (const xmlChar *)prefix);
        for (size_t i = 0; !ns && i < sizeof default_ns / sizeof default_ns[0]; i++)
            if (!strcmp(default_ns[i].prefix, prefix)) {
                *uri = default_ns[i].uri;
                *local = colon + 1;
                return 0;
            }
        if (!ns)
            return csw_fail(ex, CSW_EX_INVALID, locator, "undeclared prefix in \"%s\"",
                            quote(name, q, sizeof q));
    } else if (!colon) {
        ns = xmlSearchNs(n->doc, (xmlNode *)n, NULL);
    } else {
        return csw_fail(ex, CSW_EX_INVALID, locator, "bad name \"%s\"", quote(name, q, sizeof q));
    }
    *uri = ns ? (const char *)ns->href : NULL;
    *local = colon ? colon + 1 : name;
    return 0;
}

/* A space-separated list of type names in an attribute. */
static int xml_type_names(const xmlNode *n, const char *value, unsigned *types,
                          struct csw_exception *ex)
{
    char *copy = strdup(value), *save = NULL;
    int rc = copy ? 0 : csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory");
    for (char *t = copy ? strtok_r(copy, " \t\r\n,", &save) : NULL; t && !rc;
         t = strtok_r(NULL, " \t\r\n,", &save)) {
        const char *uri = NULL, *local = NULL;
        rc = xml_qname(n, t, &uri, &local, "typeNames", ex) ||
             add_type_name(types, uri, local, t, "typeNames", ex);
    }
    free(copy);
    return rc ? -1 : 0;
}

/* Runs check on the attribute name of n (absent: NULL). */
#define XML_ATTR_CHECK(n, name, call)                                                              \
    do {                                                                                           \
        char *v_ = attr(n, name);                                                                  \
        int r_ = call;                                                                             \
        xmlFree(v_);                                                                               \
        if (r_)                                                                                    \
            return -1;                                                                             \
    } while (0)

static int xml_sort(const xmlNode *sort, struct csw_request *req, struct csw_exception *ex)
{
    for (const xmlNode *p = first_el(sort->children); p; p = first_el(p->next)) {
        if (!is_el(p, NS_OGC, "SortProperty"))
            return csw_fail(ex, CSW_EX_INVALID, "SortBy", "unexpected element %s in SortBy",
                            (const char *)p->name);
        char *name = NULL, *order = NULL;
        for (const xmlNode *c = first_el(p->children); c; c = first_el(c->next)) {
            if (is_el(c, NS_OGC, "PropertyName") && !name)
                name = text_of(c);
            else if (is_el(c, NS_OGC, "SortOrder") && !order)
                order = text_of(c);
        }
        int rc = 0;
        if (!name)
            rc = csw_fail(ex, CSW_EX_MISSING, "SortBy", "SortProperty without PropertyName");
        else if (order && strcmp(order, "ASC") && strcmp(order, "DESC"))
            rc = csw_fail(ex, CSW_EX_INVALID, "SortBy", "SortOrder is not ASC or DESC");
        else
            rc = add_sort(req, name, order && !strcmp(order, "DESC"), ex);
        free(name);
        free(order);
        if (rc)
            return -1;
    }
    return 0;
}

static int xml_constraint(const xmlNode *c, struct csw_request *req, struct csw_exception *ex)
{
    struct mo_err err = {0};
    char *version = attr(c, "version");
    char q[CSW_QUOTE_MAX];
    int bad = version && strcmp(version, "1.1.0") && strcmp(version, "1.0.0");
    if (bad)
        csw_fail(ex, CSW_EX_INVALID, "Constraint",
                 "Constraint version \"%s\" is not supported (1.1.0)", quote(version, q, sizeof q));
    xmlFree(version);
    if (bad)
        return -1;
    const xmlNode *f = first_el(c->children);
    if (!f)
        return csw_fail(ex, CSW_EX_MISSING, FILTER_LOCATOR, "empty Constraint");
    if (is_el(f, CSW_NS, "CqlText")) {
        char *text = text_of(f);
        if (!text)
            return csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory");
        mo_rc rc = filter_parse_cql(text, &req->filter, &err);
        free(text);
        return rc == MO_OK ? 0 : filter_failed(&err, ex);
    }
    if (filter_parse_ogc(f, &req->filter, &err) != MO_OK)
        return filter_failed(&err, ex);
    return 0;
}

static int xml_query(const xmlNode *query, struct csw_request *req, struct csw_exception *ex)
{
    int have_set = 0;
    XML_ATTR_CHECK(query, "typeNames",
                   v_ ? xml_type_names(query, v_, &req->type_names, ex)
                      : csw_fail(ex, CSW_EX_MISSING, "typeNames", "Query without typeNames"));
    for (const xmlNode *c = first_el(query->children); c; c = first_el(c->next)) {
        int rc = 0;
        if (is_el(c, CSW_NS, "ElementSetName")) {
            char *t = text_of(c);
            rc = t ? set_element_set(req, t, ex) : csw_fail(ex, CSW_EX_NO_CODE, NULL, "no memory");
            free(t);
            have_set = 1;
        } else if (is_el(c, CSW_NS, "ElementName")) {
            char *t = text_of(c);
            const char *uri = NULL, *local = NULL;
            rc = !t ? csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory")
                    : xml_qname(c, t, &uri, &local, "ElementName", ex) ||
                          add_element(req, uri, local, t, ex);
            free(t);
        } else if (is_el(c, CSW_NS, "Constraint")) {
            rc = req->filter ? csw_fail(ex, CSW_EX_INVALID, "Constraint", "two Constraints")
                             : xml_constraint(c, req, ex);
        } else if (is_el(c, NS_OGC, "SortBy")) {
            rc = xml_sort(c, req, ex);
        } else {
            rc = csw_fail(ex, CSW_EX_INVALID, "Query", "unexpected element %s in Query",
                          (const char *)c->name);
        }
        if (rc)
            return -1;
    }
    if (have_set && req->n_elements)
        return csw_fail(ex, CSW_EX_INVALID, "ElementName",
                        "ElementSetName and ElementName are mutually exclusive");
    return 0;
}

static int xml_echo(const xmlNode *root, struct csw_request *req, struct csw_exception *ex)
{
    xmlBuffer *b = xmlBufferCreate();
    if (!b || xmlNodeDump(b, root->doc, (xmlNode *)root, 0, 0) < 0 ||
        !(req->echo = strdup((const char *)xmlBufferContent(b)))) {
        xmlBufferFree(b);
        return csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory");
    }
    xmlBufferFree(b);
    return 0;
}

static int xml_get_records(const xmlNode *root, struct csw_request *req, struct csw_exception *ex)
{
    const xmlNode *query = NULL;
    XML_ATTR_CHECK(root, "outputFormat", set_output_format(v_, ex));
    XML_ATTR_CHECK(root, "outputSchema", set_output_schema(req, v_, ex));
    XML_ATTR_CHECK(root, "resultType", set_result_type(req, v_, ex));
    XML_ATTR_CHECK(root, "startPosition", set_start(req, v_, ex));
    XML_ATTR_CHECK(root, "maxRecords", set_max(req, v_, ex));
    for (const xmlNode *c = first_el(root->children); c; c = first_el(c->next)) {
        if (is_el(c, CSW_NS, "Query") && !query)
            query = c;
        else if (is_el(c, CSW_NS, "ResponseHandler"))
            return csw_fail(ex, CSW_EX_INVALID, "ResponseHandler",
                            "asynchronous responses (ResponseHandler) are not supported");
        else if (!is_el(c, CSW_NS, "DistributedSearch"))
            return csw_fail(ex, CSW_EX_INVALID, "GetRecords", "unexpected element %s in GetRecords",
                            (const char *)c->name);
    }
    if (!query)
        return csw_fail(ex, CSW_EX_MISSING, "Query", "GetRecords without Query");
    if (xml_query(query, req, ex))
        return -1;
    if (req->n_elements && req->schema != CSW_SCHEMA_DC)
        return csw_fail(ex, CSW_EX_INVALID, "ElementName",
                        "ElementName is supported with the csw:Record output schema only; "
                        "use ElementSetName");
    char *rid = attr(root, "requestId");
    if (rid) {
        req->request_id = strdup(rid);
        xmlFree(rid);
        if (!req->request_id)
            return csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory");
    }
    return req->result_type == CSW_VALIDATE ? xml_echo(root, req, ex) : 0;
}

static int xml_by_id(const xmlNode *root, struct csw_request *req, struct csw_exception *ex)
{
    XML_ATTR_CHECK(root, "outputFormat", set_output_format(v_, ex));
    XML_ATTR_CHECK(root, "outputSchema", set_output_schema(req, v_, ex));
    for (const xmlNode *c = first_el(root->children); c; c = first_el(c->next)) {
        char *t = text_of(c);
        int rc = 0;
        if (!t)
            rc = csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory");
        else if (is_el(c, CSW_NS, "Id"))
            rc = t[0] ? add_string(req->ids, &req->n_ids, CSW_MAX_IDS, t, strlen(t), "Id", ex) : 0;
        else if (is_el(c, CSW_NS, "ElementSetName"))
            rc = set_element_set(req, t, ex);
        else
            rc = csw_fail(ex, CSW_EX_INVALID, "GetRecordById",
                          "unexpected element %s in GetRecordById", (const char *)c->name);
        free(t);
        if (rc)
            return -1;
    }
    if (!req->n_ids)
        return csw_fail(ex, CSW_EX_MISSING, "Id", "GetRecordById without Id");
    return 0;
}

static int xml_domain(const xmlNode *root, struct csw_request *req, struct csw_exception *ex)
{
    const xmlNode *c = first_el(root->children);
    if (!c)
        return csw_fail(ex, CSW_EX_MISSING, "ParameterName",
                        "GetDomain without ParameterName or PropertyName");
    int prop = is_el(c, CSW_NS, "PropertyName");
    if (!prop && !is_el(c, CSW_NS, "ParameterName"))
        return csw_fail(ex, CSW_EX_INVALID, "GetDomain", "unexpected element %s in GetDomain",
                        (const char *)c->name);
    if (first_el(c->next))
        return csw_fail(ex, CSW_EX_INVALID, "GetDomain", "more than one name in GetDomain");
    req->domain_property = prop;
    char *t = text_of(c);
    const char *v = t, *item;
    size_t len;
    int rc = t ? 0 : csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory");
    while (!rc && next_item(&v, &item, &len))
        if (len)
            rc = add_string(req->domain, &req->n_domain, CSW_MAX_NAMES, item, len,
                            prop ? "PropertyName" : "ParameterName", ex);
    free(t);
    if (!rc && !req->n_domain)
        rc = csw_fail(ex, CSW_EX_MISSING, prop ? "PropertyName" : "ParameterName", "empty %s",
                      prop ? "PropertyName" : "ParameterName");
    return rc;
}

static int xml_capabilities(const xmlNode *root, struct csw_request *req, struct csw_exception *ex)
{
    XML_ATTR_CHECK(root, "updateSequence", set_update_sequence(req, v_, ex));
    for (const xmlNode *c = first_el(root->children); c; c = first_el(c->next)) {
        if (is_el(c, NS_OWS, "AcceptVersions")) {
            int ok = 0;
            for (const xmlNode *v = first_el(c->children); v; v = first_el(v->next)) {
                char *t = text_of(v);
                ok |= t && is_el(v, NS_OWS, "Version") && !strcmp(t, CSW_VERSION);
                free(t);
            }
            if (!ok)
                return csw_fail(ex, CSW_EX_VERSION, "AcceptVersions",
                                "none of the accepted versions is supported (" CSW_VERSION ")");
        } else if (is_el(c, NS_OWS, "Sections")) {
            req->sections = 0;
            for (const xmlNode *s = first_el(c->children); s; s = first_el(s->next)) {
                char *t = text_of(s);
                int rc = t ? add_section(req, t, strlen(t), ex)
                           : csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory");
                free(t);
                if (rc)
                    return -1;
            }
        }
    }
    return 0;
}

static int xml_describe(const xmlNode *root, struct csw_request *req, struct csw_exception *ex)
{
    XML_ATTR_CHECK(root, "outputFormat", set_output_format(v_, ex));
    for (const xmlNode *c = first_el(root->children); c; c = first_el(c->next)) {
        if (!is_el(c, CSW_NS, "TypeName"))
            return csw_fail(ex, CSW_EX_INVALID, "DescribeRecord",
                            "unexpected element %s in DescribeRecord", (const char *)c->name);
        char *t = text_of(c);
        const char *uri = NULL, *local = NULL;
        int rc = !t ? csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory")
                    : xml_qname(c, t, &uri, &local, "TypeName", ex) ||
                          add_type_name(&req->type_names, uri, local, t, "TypeName", ex);
        free(t);
        if (rc)
            return -1;
    }
    return 0;
}

/* The operation of the root element, and the checks of service / version. */
static int xml_root(const xmlNode *root, struct csw_request *req, struct csw_exception *ex)
{
    enum csw_op op;
    char q[CSW_QUOTE_MAX];
    if (!root->ns || strcmp((const char *)root->ns->href, CSW_NS))
        return csw_fail(ex, CSW_EX_NOT_SUPPORTED, "request",
                        "request element {%s}%s is not a CSW " CSW_VERSION " operation",
                        root->ns ? quote((const char *)root->ns->href, q, sizeof q) : "",
                        (const char *)root->name);
    if (find_op((const char *)root->name, &op, ex))
        return -1;
    request_init(req, op);
    req->post = 1;
    XML_ATTR_CHECK(root, "service", check_service(v_, ex));
    if (op != CSW_OP_GET_CAPABILITIES)
        XML_ATTR_CHECK(root, "version", check_version(v_, ex));
    switch (op) {
    case CSW_OP_GET_CAPABILITIES:
        return xml_capabilities(root, req, ex);
    case CSW_OP_DESCRIBE_RECORD:
        return xml_describe(root, req, ex);
    case CSW_OP_GET_RECORDS:
        return xml_get_records(root, req, ex);
    case CSW_OP_GET_RECORD_BY_ID:
        return xml_by_id(root, req, ex);
    case CSW_OP_GET_DOMAIN:
        return xml_domain(root, req, ex);
    default:
        return 0;
    }
}

int csw_request_from_xml(const char *body, size_t len, struct csw_request *req,
                         struct csw_exception *ex)
{
    xmlDoc *doc = NULL;
    struct mo_err err = {0};
    if (!len)
        return csw_fail(ex, CSW_EX_MISSING, "request", "empty POST body");
    mo_rc rc = xmlsafe_parse_memory(body, len, "request body", &doc, &err);
    if (rc != MO_OK) {
        int r = rc == MO_ENOMEM ? csw_fail(ex, CSW_EX_NO_CODE, NULL, "out of memory")
                                : csw_fail(ex, CSW_EX_NO_CODE, NULL, "%s", err.msg);
        ex->status = rc == MO_ENOMEM ? 500 : 400;
        return r;
    }
    const xmlNode *root = xmlDocGetRootElement(doc);
    int r = root ? xml_root(root, req, ex)
                 : csw_fail(ex, CSW_EX_MISSING, "request", "POST body without an element");
    xmlFreeDoc(doc);
    return r;
}
