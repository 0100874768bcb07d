#include "csw_client.h"

#include "buf.h"
#include "xmlsafe.h"

#include <ctype.h>
#include <errno.h>
#include <libxml/uri.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OGC_NS "http://www.opengis.net/ogc"
#define FES_NS "http://www.opengis.net/fes/2.0"
#define OWS_NS_200 "http://www.opengis.net/ows/2.0"
#define APISO_NS "http://www.opengis.net/cat/csw/apiso/1.0"
#define MESSAGE_EXCERPT 300

/* ---- small helpers ---- */

static void xpath_copy(xmlXPathContext *ctx, const char *expr, char *out, size_t size)
{
    char *s = xmlsafe_xpath_string(ctx, expr);
    snprintf(out, size, "%s", s ? s : "");
    free(s);
}

static int xpath_true(xmlXPathContext *ctx, const char *expr)
{
    xmlXPathObject *o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    int t = o ? xmlXPathCastToBoolean(o) : 0;
    xmlXPathFreeObject(o);
    return t;
}

/* Collapses whitespace and cuts text to at most max bytes, in place. */
static void squeeze(char *s, size_t max)
{
    char *w = s;
    int space = 1;
    for (const char *r = s; *r; r++) {
        if (isspace((unsigned char)*r)) {
            if (!space)
                *w++ = ' ';
            space = 1;
        } else {
            *w++ = *r;
            space = 0;
        }
    }
    if (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
    if (strlen(s) > max)
        strcpy(s + max - 3, "...");
}

static int is_localhost(const char *host)
{
    return host && (!strcasecmp(host, "localhost") || !strncmp(host, "127.", 4) ||
                    !strcmp(host, "[::1]") || !strcmp(host, "::1"));
}

/* Resolves href against base; an endpoint advertised on localhost by a
 * partner that is not itself on localhost (a common misconfiguration) is
 * replaced by base. */
static void resolve_endpoint(const char *href, const char *base, char *out, size_t size)
{
    if (!*href) {
        out[0] = '\0';
        return;
    }
    xmlChar *abs = xmlBuildURI((const xmlChar *)href, (const xmlChar *)base);
    const char *url = abs ? (const char *)abs : href;
    xmlURI *u = xmlParseURI(url);
    xmlURI *b = xmlParseURI(base);
    int swap = u && b && is_localhost(u->server) && !is_localhost(b->server);
    if (swap) {
        char *q = strchr(base, '?');
        snprintf(out, size, "%.*s", (int)(q ? (size_t)(q - base) : strlen(base)), base);
    } else {
        snprintf(out, size, "%s", url);
    }
    xmlFreeURI(u);
    xmlFreeURI(b);
    xmlFree(abs);
}

/* The text of an ows:ExceptionReport: "CODE: text". */
static mo_rc exception_message(xmlNode *report, const char *name, struct mo_err *err)
{
    char code[128] = "";
    char text[MESSAGE_EXCERPT + 1] = "";
    for (xmlNode *c = report->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *attr = xmlGetProp(c, (const xmlChar *)"exceptionCode");
        if (!attr) /* WMS/WFS 1.0 ServiceException */
            attr = xmlGetProp(c, (const xmlChar *)"code");
        xmlChar *content = xmlNodeGetContent(c);
        snprintf(code, sizeof code, "%s", attr ? (const char *)attr : "");
        snprintf(text, sizeof text, "%s", content ? (const char *)content : "");
        xmlFree(attr);
        xmlFree(content);
        break;
    }
    squeeze(text, MESSAGE_EXCERPT);
    return mo_fail(err, MO_EPARTNER, "\"%s\" answered with an exception report: %s%s%s", name,
                   code[0] ? code : "no code", text[0] ? ": " : "", text);
}

/* Refuses an HTML page (or other non-XML text) before parsing it. */
static mo_rc check_not_html(const struct fetch_response *resp, const char *url, struct mo_err *err)
{
    const char *h = resp->head;
    while (*h && isspace((unsigned char)*h))
        h++;
    int html = resp->content_type && strcasestr(resp->content_type, "html");
    if (!strncasecmp(h, "<!doctype html", 14) || !strncasecmp(h, "<html", 5))
        html = 1;
    if (!html)
        return MO_OK;
    char excerpt[MESSAGE_EXCERPT + 1];
    snprintf(excerpt, sizeof excerpt, "%s", h);
    squeeze(excerpt, 160);
    return mo_fail(err, MO_EPARTNER, "\"%s\" answered with an HTML page, not CSW: %s", url,
                   excerpt);
}

/* ---- capabilities ---- */

/* The version the capabilities speak into ep->version, or the error. */
static mo_rc check_caps_root(xmlDoc *doc, const char *url, struct csw_endpoint *ep,
                             struct mo_err *err)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    const char *ns = root->ns ? (const char *)root->ns->href : "";
    const char *name = (const char *)root->name;
    if (!strcmp(name, "Capabilities") && !strcmp(ns, CSW_NS_202)) {
        snprintf(ep->version, sizeof ep->version, "2.0.2");
        return MO_OK;
    }
    if (!strcmp(name, "Capabilities") && !strcmp(ns, CSW_NS_300)) {
        snprintf(ep->version, sizeof ep->version, "3.0.0");
        return MO_OK;
    }
    size_t nl = strlen(name);
    if (nl >= 15 && !strcmp(name + nl - 15, "ExceptionReport"))
        return exception_message(root, url, err);
    return mo_fail(err, MO_EPARTNER, "\"%s\" is not a CSW capabilities document (root {%s}%s)", url,
                   ns, name);
}

static int is_v3(const struct csw_endpoint *ep)
{
    return !strcmp(ep->version, "3.0.0");
}

#define GETRECORDS_OP "/csw:Capabilities/ows:OperationsMetadata/ows:Operation[@name='GetRecords']"
/* OWS 1.0 lists values under the parameter, OWS 1.1 and 2.0 under
 * ows:AllowedValues: both are descendants. */
#define OP_PARAM(lower)                                                                            \
    GETRECORDS_OP "/ows:Parameter[translate(@name,'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"                   \
                  "'abcdefghijklmnopqrstuvwxyz')='" lower "']//ows:Value"

static void read_endpoints(xmlXPathContext *ctx, const char *url, struct csw_endpoint *ep)
{
    char href[CSW_MAX_URL];
    xpath_copy(ctx, GETRECORDS_OP "/ows:DCP/ows:HTTP/ows:Get[1]/@xlink:href", href, sizeof href);
    resolve_endpoint(href, url, ep->get_url, sizeof ep->get_url);
    xpath_copy(ctx,
               GETRECORDS_OP
               "/ows:DCP/ows:HTTP/ows:Post[not(ows:Constraint[@name='PostEncoding'])"
               " or ows:Constraint[@name='PostEncoding']/ows:Value='XML'][1]/@xlink:href",
               href, sizeof href);
    resolve_endpoint(href, url, ep->post_url, sizeof ep->post_url);
    if (!ep->get_url[0] && !ep->post_url[0]) {
        /* nothing advertised: the capabilities URL without its query */
        const char *q = strchr(url, '?');
        snprintf(ep->get_url, sizeof ep->get_url, "%.*s",
                 (int)(q ? (size_t)(q - url) : strlen(url)), url);
    }
}

/* An output schema listed for GetRecords, or for every operation (as con
 * terra's CSW 3.0 does). */
#define OFFERS_SCHEMA(uri)                                                                         \
    OP_PARAM("outputschema")                                                                       \
    "[normalize-space(.)='" uri "']"                                                               \
    " | /csw:Capabilities/ows:OperationsMetadata/ows:Parameter"                                    \
    "[translate(@name,'OUTPSCHEMA','outpschema')='outputschema']"                                  \
    "//ows:Value[normalize-space(.)='" uri "']"

/* The Dublin Core output schema to ask for: a CSW 3.0 catalog answers
 * csw30:Record under the 3.0 namespace (a 3.0-only one may refuse the 2.0.2
 * one), unless it lists only the 2.0.2 schema. */
static const char *dc_schema(xmlXPathContext *ctx, const struct csw_endpoint *ep)
{
    if (!is_v3(ep))
        return CSW_SCHEMA_DC;
    if (xpath_true(ctx, OFFERS_SCHEMA(CSW_SCHEMA_DC)) &&
        !xpath_true(ctx, OFFERS_SCHEMA(CSW_NS_300)))
        return CSW_SCHEMA_DC;
    return CSW_NS_300;
}

mo_rc csw_parse_capabilities(FILE *fp, const char *url, struct csw_endpoint *ep, struct mo_err *err)
{
    xmlDoc *doc = NULL;
    xmlXPathContext *ctx = NULL;
    mo_rc rc;

    memset(ep, 0, sizeof *ep);
    rc = xmlsafe_parse_file(fp, url, &doc, err);
    if (rc != MO_OK)
        goto out;
    rc = check_caps_root(doc, url, ep, err);
    if (rc != MO_OK)
        goto out;
    ctx = xmlXPathNewContext(doc);
    if (!ctx || xmlsafe_register_namespaces(ctx) != MO_OK ||
        (is_v3(ep) &&
         (xmlXPathRegisterNs(ctx, (const xmlChar *)"csw", (const xmlChar *)CSW_NS_300) ||
          xmlXPathRegisterNs(ctx, (const xmlChar *)"ows", (const xmlChar *)OWS_NS_200)))) {
        rc = mo_fail(err, MO_ENOMEM, "out of memory reading \"%s\"", url);
        goto out;
    }
    if (xpath_true(ctx, "/csw:Capabilities/ows:OperationsMetadata/ows:Operation") &&
        !xpath_true(ctx, GETRECORDS_OP)) {
        rc = mo_fail(err, MO_EPARTNER, "\"%s\" offers no GetRecords operation (CSW %s)", url,
                     ep->version);
        goto out;
    }
    xpath_copy(ctx, "/csw:Capabilities/ows:ServiceIdentification/ows:Title", ep->title,
               sizeof ep->title);
    read_endpoints(ctx, url, ep);
    int iso = xpath_true(ctx, OP_PARAM("outputschema") "[normalize-space(.)='" CSW_SCHEMA_ISO "']");
    snprintf(ep->output_schema, sizeof ep->output_schema, "%s",
             iso ? CSW_SCHEMA_ISO : dc_schema(ctx, ep));
    int listed = xpath_true(ctx, OP_PARAM("constraintlanguage"));
    ep->filter = !listed || xpath_true(ctx, OP_PARAM("constraintlanguage") "[.='FILTER']");
    ep->cql = xpath_true(ctx, OP_PARAM("constraintlanguage") "[.='CQL_TEXT']");
    ep->iso_modified = xpath_true(ctx, "//ows:Constraint[@name='SupportedISOQueryables']"
                                       "//ows:Value[.='Modified' or .='apiso:Modified']");
out:
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return rc;
}

static int has_request_param(const char *url)
{
    return strcasestr(url, "request=") != NULL;
}

mo_rc csw_discover(struct fetch *f, const char *url, struct csw_endpoint *ep, struct mo_err *err)
{
    struct fetch_response resp = {0};
    struct buf caps;
    mo_rc rc;

    buf_init(&caps, CSW_MAX_URL);
    if (has_request_param(url))
        rc = buf_append_str(&caps, url);
    else
        rc = buf_printf(&caps, "%s%sservice=CSW&request=GetCapabilities&acceptVersions=2.0.2,3.0.0",
                        url, strchr(url, '?') ? (url[strlen(url) - 1] == '&' ? "" : "&") : "?");
    if (rc != MO_OK) {
        rc = mo_fail(err, rc, "capabilities URL too long: \"%s\"", url);
        goto out;
    }
    rc = fetch_get(f, caps.data, &resp, err);
    if (rc != MO_OK)
        goto out;
    rc = check_not_html(&resp, caps.data, err);
    if (rc != MO_OK)
        goto out;
    rc = csw_parse_capabilities(resp.body, caps.data, ep, err);
out:
    fetch_response_clear(&resp);
    buf_free(&caps);
    return rc;
}

/* ---- requests ---- */

static int is_iso(const struct csw_endpoint *ep)
{
    return !strcmp(ep->output_schema, CSW_SCHEMA_ISO);
}

static const char *modified_property(const struct csw_endpoint *ep)
{
    return is_iso(ep) ? "apiso:Modified" : "dct:modified";
}

static int is_filter_text(const char *constraint)
{
    while (constraint && isspace((unsigned char)*constraint))
        constraint++;
    return constraint && *constraint == '<';
}

/* The predicate element of a user's OGC Filter text: the child of ogc:Filter,
 * or the root itself when it is a bare predicate. */
static mo_rc parse_user_filter(const char *text, xmlDoc **doc, xmlNode **pred, struct mo_err *err)
{
    mo_rc rc = xmlsafe_parse_memory(text, strlen(text), "source constraint", doc, err);
    if (rc != MO_OK)
        return rc;
    xmlNode *root = xmlDocGetRootElement(*doc);
    *pred = root;
    if (!strcmp((const char *)root->name, "Filter")) {
        *pred = xmlFirstElementChild(root);
        if (!*pred)
            return mo_fail(err, MO_EBADREQ, "the source constraint is an empty ogc:Filter");
    }
    return MO_OK;
}

/* A user's OGC Filter 1.1 predicate as FES 2.0 (CSW 3.0): the ogc
 * namespace becomes fes, ogc:PropertyName becomes fes:ValueReference; the
 * rest (GML envelopes, literals) is copied as it is. */
static void to_fes(xmlNode *n, xmlNs *fes)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (n->ns && !strcmp((const char *)n->ns->href, OGC_NS)) {
            xmlSetNs(n, fes);
            if (!strcmp((const char *)n->name, "PropertyName"))
                xmlNodeSetName(n, (const xmlChar *)"ValueReference");
        }
        to_fes(n->children, fes);
    }
}

/* Appends <ogc:Filter> for q to parent (ogc declared on the document root;
 * for CSW 3.0 it is the FES 2.0 namespace). */
static mo_rc add_filter(xmlNode *parent, xmlNs *ogc, const struct csw_endpoint *ep,
                        const struct csw_query *q, struct mo_err *err)
{
    const char *prop_name = is_v3(ep) ? "ValueReference" : "PropertyName";
    xmlDoc *user = NULL;
    xmlNode *pred = NULL;
    mo_rc rc = MO_OK;
    xmlNode *filter = xmlNewChild(parent, ogc, (const xmlChar *)"Filter", NULL);
    xmlNode *into = filter;

    if (q->constraint && q->modified_since)
        into = xmlNewChild(filter, ogc, (const xmlChar *)"And", NULL);
    if (q->constraint) {
        rc = parse_user_filter(q->constraint, &user, &pred, err);
        if (rc != MO_OK)
            goto out;
        xmlNode *copy = xmlDocCopyNode(pred, parent->doc, 1);
        xmlAddChild(into, copy);
        if (is_v3(ep) && copy) {
            xmlNs *fes = xmlSearchNsByHref(parent->doc, copy, (const xmlChar *)FES_NS);
            if (!fes)
                fes = xmlNewNs(copy, (const xmlChar *)FES_NS, (const xmlChar *)"fes");
            to_fes(copy, fes);
        }
    }
    if (q->modified_since) {
        xmlNode *cmp =
            xmlNewChild(into, ogc, (const xmlChar *)"PropertyIsGreaterThanOrEqualTo", NULL);
        xmlNewTextChild(cmp, ogc, (const xmlChar *)prop_name,
                        (const xmlChar *)modified_property(ep));
        xmlNewTextChild(cmp, ogc, (const xmlChar *)"Literal", (const xmlChar *)q->modified_since);
    }
out:
    xmlFreeDoc(user);
    return rc;
}

/* CQL text for q, or NULL when q has no CQL constraint (caller frees). */
static char *cql_text(const struct csw_endpoint *ep, const struct csw_query *q)
{
    struct buf b;
    buf_init(&b, 64 * 1024);
    mo_rc rc = MO_OK;
    if (q->constraint && q->modified_since)
        rc = buf_printf(&b, "(%s) AND %s >= '%s'", q->constraint, modified_property(ep),
                        q->modified_since);
    else if (q->constraint)
        rc = buf_append_str(&b, q->constraint);
    else
        rc = buf_printf(&b, "%s >= '%s'", modified_property(ep), q->modified_since);
    char *s = NULL;
    if (rc == MO_OK && buf_steal(&b, &s) == MO_OK)
        return s;
    buf_free(&b);
    return NULL;
}

static int wants_filter(const struct csw_endpoint *ep, const struct csw_query *q)
{
    if (q->constraint)
        return is_filter_text(q->constraint);
    return q->modified_since && (ep->filter || !ep->cql);
}

static void set_long_prop(xmlNode *n, const char *name, long v)
{
    char num[32];
    snprintf(num, sizeof num, "%ld", v);
    xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)num);
}

static mo_rc dump_doc(xmlDoc *doc, char **out, size_t *len, struct mo_err *err)
{
    xmlChar *mem = NULL;
    int n = 0;
    xmlDocDumpMemoryEnc(doc, &mem, &n, "UTF-8");
    if (!mem)
        return mo_fail(err, MO_ENOMEM, "could not serialise a GetRecords request");
    *out = strdup((const char *)mem);
    *len = (size_t)n;
    xmlFree(mem);
    return *out ? MO_OK : mo_fail(err, MO_ENOMEM, "out of memory");
}

mo_rc csw_build_getrecords_xml(const struct csw_endpoint *ep, const struct csw_query *q, char **out,
                               size_t *len, struct mo_err *err)
{
    mo_rc rc = MO_OK;
    char *cql = NULL;
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"GetRecords");
    xmlDocSetRootElement(doc, root);
    int v3 = is_v3(ep);
    xmlNs *csw =
        xmlNewNs(root, (const xmlChar *)(v3 ? CSW_NS_300 : CSW_NS_202), (const xmlChar *)"csw");
    xmlNs *ogc = v3 ? xmlNewNs(root, (const xmlChar *)FES_NS, (const xmlChar *)"fes")
                    : xmlNewNs(root, (const xmlChar *)OGC_NS, (const xmlChar *)"ogc");
    xmlNewNs(root, (const xmlChar *)"http://purl.org/dc/terms/", (const xmlChar *)"dct");
    xmlNewNs(root, (const xmlChar *)APISO_NS, (const xmlChar *)"apiso");
    xmlNewNs(root, (const xmlChar *)CSW_SCHEMA_ISO, (const xmlChar *)"gmd");
    xmlSetNs(root, csw);
    xmlSetProp(root, (const xmlChar *)"service", (const xmlChar *)"CSW");
    xmlSetProp(root, (const xmlChar *)"version", (const xmlChar *)(v3 ? "3.0.0" : "2.0.2"));
    if (!v3) /* CSW 3.0 has no resultType: results always come */
        xmlSetProp(root, (const xmlChar *)"resultType", (const xmlChar *)"results");
    set_long_prop(root, "startPosition", q->start);
    set_long_prop(root, "maxRecords", q->max);
    xmlSetProp(root, (const xmlChar *)"outputSchema", (const xmlChar *)ep->output_schema);
    xmlSetProp(root, (const xmlChar *)"outputFormat", (const xmlChar *)"application/xml");

    xmlNode *query = xmlNewChild(root, csw, (const xmlChar *)"Query", NULL);
    xmlSetProp(query, (const xmlChar *)"typeNames", (const xmlChar *)"csw:Record");
    xmlNewChild(query, csw, (const xmlChar *)"ElementSetName", (const xmlChar *)"full");
    if (q->constraint || q->modified_since) {
        xmlNode *c = xmlNewChild(query, csw, (const xmlChar *)"Constraint", NULL);
        xmlSetProp(c, (const xmlChar *)"version", (const xmlChar *)(v3 ? "2.0.0" : "1.1.0"));
        if (wants_filter(ep, q)) {
            rc = add_filter(c, ogc, ep, q, err);
        } else if (!(cql = cql_text(ep, q))) {
            rc = mo_fail(err, MO_ENOMEM, "out of memory");
        } else {
            xmlNewTextChild(c, csw, (const xmlChar *)"CqlText", (const xmlChar *)cql);
        }
    }
    if (rc == MO_OK) {
        xmlReconciliateNs(doc, root);
        rc = dump_doc(doc, out, len, err);
    }
    free(cql);
    xmlFreeDoc(doc);
    return rc;
}

/* The ogc:Filter of q serialised alone, for a KVP constraint. */
static mo_rc filter_kvp(const struct csw_endpoint *ep, const struct csw_query *q, char **out,
                        struct mo_err *err)
{
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *holder = xmlNewNode(NULL, (const xmlChar *)"holder");
    xmlDocSetRootElement(doc, holder);
    const char *ns = is_v3(ep) ? FES_NS : OGC_NS, *prefix = is_v3(ep) ? "fes" : "ogc";
    xmlNs *ogc = xmlNewNs(holder, (const xmlChar *)ns, (const xmlChar *)prefix);
    mo_rc rc = add_filter(holder, ogc, ep, q, err);
    if (rc == MO_OK) {
        xmlNode *filter = xmlFirstElementChild(holder);
        xmlUnlinkNode(filter);
        xmlDocSetRootElement(doc, filter);
        xmlFreeNode(holder);
        xmlNewNs(filter, (const xmlChar *)ns, (const xmlChar *)prefix);
        xmlReconciliateNs(doc, filter);
        xmlBuffer *b = xmlBufferCreate();
        xmlNodeDump(b, doc, filter, 0, 0);
        *out = strdup((const char *)xmlBufferContent(b));
        xmlBufferFree(b);
        if (!*out)
            rc = mo_fail(err, MO_ENOMEM, "out of memory");
    }
    xmlFreeDoc(doc);
    return rc;
}

static mo_rc append_param(struct fetch *f, struct buf *u, const char *name, const char *value)
{
    char *esc = fetch_escape(f, value);
    if (!esc)
        return MO_ENOMEM;
    mo_rc rc = buf_printf(u, "&%s=%s", name, esc);
    free(esc);
    return rc;
}

mo_rc csw_build_getrecords_url(struct fetch *f, const struct csw_endpoint *ep,
                               const struct csw_query *q, char **out, struct mo_err *err)
{
    struct buf u;
    char *constraint = NULL;
    const char *base = ep->get_url;
    mo_rc rc;

    buf_init(&u, 256 * 1024);
    if (is_v3(ep))
        rc = buf_printf(&u,
                        "%s%sservice=CSW&version=3.0.0&request=GetRecords&typeNames=csw:Record"
                        "&namespace=xmlns(csw=" CSW_NS_300 ")"
                        "&elementSetName=full&startPosition=%ld&maxRecords=%d",
                        base, strchr(base, '?') ? "&" : "?", q->start, q->max);
    else
        rc = buf_printf(&u,
                        "%s%sservice=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record"
                        "&resultType=results&elementSetName=full&startPosition=%ld&maxRecords=%d",
                        base, strchr(base, '?') ? "&" : "?", q->start, q->max);
    if (rc == MO_OK)
        rc = append_param(f, &u, "outputSchema", ep->output_schema);
    if (rc == MO_OK && (q->constraint || q->modified_since)) {
        int filter = wants_filter(ep, q);
        if (filter)
            rc = filter_kvp(ep, q, &constraint, err);
        else if (!(constraint = cql_text(ep, q)))
            rc = MO_ENOMEM;
        if (rc == MO_OK)
            rc = buf_printf(&u, "&constraintLanguage=%s&constraint_language_version=%s",
                            filter ? "FILTER" : "CQL_TEXT", is_v3(ep) ? "2.0.0" : "1.1.0");
        if (rc == MO_OK)
            rc = append_param(f, &u, "constraint", constraint);
    }
    if (rc == MO_OK)
        rc = buf_steal(&u, out);
    if (rc == MO_ENOMEM || rc == MO_ELIMIT)
        mo_fail(err, rc, "could not build a GetRecords URL for \"%s\"", base);
    free(constraint);
    buf_free(&u);
    return rc;
}

/* ---- responses ---- */

static long attr_long(xmlTextReader *r, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
    if (!v)
        return -1;
    char *end = NULL;
    errno = 0;
    long n = strtol((const char *)v, &end, 10);
    int ok = errno == 0 && end != (char *)v && n >= 0;
    while (ok && *end && isspace((unsigned char)*end))
        end++;
    ok = ok && *end == '\0';
    xmlFree(v);
    return ok ? n : -1;
}

xmlDoc *csw_record_doc(xmlNode *node)
{
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    if (!doc)
        return NULL;
    xmlNode *copy = xmlDocCopyNode(node, doc, 1);
    if (!copy) {
        xmlFreeDoc(doc);
        return NULL;
    }
    xmlDocSetRootElement(doc, copy);
    xmlNs **in_scope = xmlGetNsList(node->doc, node);
    for (xmlNs **ns = in_scope; ns && *ns; ns++) {
        if (!xmlSearchNs(doc, copy, (*ns)->prefix))
            xmlNewNs(copy, (*ns)->href, (*ns)->prefix);
    }
    xmlFree(in_scope);
    xmlReconciliateNs(doc, copy);
    return doc;
}

struct response_walk {
    xmlTextReader *r;
    const char *name;
    struct csw_page_info *info;
    csw_record_fn fn;
    void *ud;
    int saw_root;
    int results_depth;
};

static mo_rc check_response_root(struct response_walk *w, struct mo_err *err)
{
    const char *local = (const char *)xmlTextReaderConstLocalName(w->r);
    const char *ns = (const char *)xmlTextReaderConstNamespaceUri(w->r);
    w->saw_root = 1;
    if (!strcmp(local, "GetRecordsResponse") && ns &&
        (!strcmp(ns, CSW_NS_202) || !strcmp(ns, CSW_NS_300)))
        return MO_OK;
    size_t ll = strlen(local);
    if (ll >= 15 && !strcmp(local + ll - 15, "ExceptionReport")) { /* OWS and Service... */
        xmlNode *n = xmlTextReaderExpand(w->r);
        if (n)
            return exception_message(n, w->name, err);
    }
    if (!strcasecmp(local, "html"))
        return mo_fail(err, MO_EPARTNER, "\"%s\" is an HTML page, not a CSW response", w->name);
    return mo_fail(err, MO_EPARTNER, "\"%s\" is not a GetRecords response (root {%s}%s)", w->name,
                   ns ? ns : "", local);
}

/* At an element: the root, SearchResults, or one record.  *skipped tells the
 * caller the reader already moved past the subtree. */
static mo_rc walk_element(struct response_walk *w, int *skipped, struct mo_err *err)
{
    int depth = xmlTextReaderDepth(w->r);
    *skipped = 0;
    if (!w->saw_root)
        return check_response_root(w, err);
    if (w->results_depth < 0) {
        if (!strcmp((const char *)xmlTextReaderConstLocalName(w->r), "SearchResults")) {
            w->results_depth = depth;
            w->info->matched = attr_long(w->r, "numberOfRecordsMatched");
            w->info->returned = attr_long(w->r, "numberOfRecordsReturned");
            w->info->next = attr_long(w->r, "nextRecord");
        }
        return MO_OK;
    }
    if (depth != w->results_depth + 1)
        return MO_OK;
    xmlNode *node = xmlTextReaderExpand(w->r);
    if (!node)
        return xmlsafe_fail_last(err, w->name);
    mo_rc rc = w->fn(w->ud, node, w->info->records, err);
    w->info->records++;
    if (rc != MO_OK)
        return rc;
    int ret = xmlTextReaderNext(w->r);
    if (ret < 0)
        return xmlsafe_fail_last(err, w->name);
    *skipped = ret == 1 ? 1 : 2; /* 2: the end of the document */
    return MO_OK;
}

mo_rc csw_parse_records(FILE *fp, const char *name, const char *charset, struct csw_page_info *info,
                        csw_record_fn fn, void *ud, struct mo_err *err)
{
    struct response_walk w = {.name = name, .info = info, .fn = fn, .ud = ud, .results_depth = -1};
    mo_rc rc;
    int more = 0;

    info->matched = info->returned = info->next = -1;
    info->records = 0;
    const char *enc = xmlsafe_effective_charset(fp, charset);
    rc = xmlsafe_reader_for_file(fp, name, enc, &w.r, err);
    if (rc != MO_OK)
        return rc;
    rc = xmlsafe_reader_next(w.r, name, &more, err);
    while (rc == MO_OK && more) {
        int skipped = 0;
        if (xmlTextReaderNodeType(w.r) == XML_READER_TYPE_ELEMENT)
            rc = walk_element(&w, &skipped, err);
        if (rc != MO_OK || skipped == 2)
            break;
        if (skipped)
            continue; /* already on the next node */
        rc = xmlsafe_reader_next(w.r, name, &more, err);
    }
    if (rc == MO_OK && !w.saw_root)
        rc = mo_fail(err, MO_EXML, "\"%s\" is empty", name);
    else if (rc == MO_OK && w.results_depth < 0)
        rc = mo_fail(err, MO_EPARTNER, "\"%s\" has no csw:SearchResults", name);
    xmlFreeTextReader(w.r);
    return rc;
}

mo_rc csw_fetch_page(struct fetch *f, const struct csw_endpoint *ep, const struct csw_query *q,
                     struct csw_page *page, struct mo_err *err)
{
    char *request = NULL;
    size_t len = 0;
    const char *url;
    mo_rc rc;

    csw_page_clear(page);
    if (ep->post_url[0]) {
        url = ep->post_url;
        rc = csw_build_getrecords_xml(ep, q, &request, &len, err);
        if (rc == MO_OK)
            rc = fetch_post(f, url, "application/xml", request, len, &page->resp, err);
    } else {
        rc = csw_build_getrecords_url(f, ep, q, &request, err);
        url = request;
        if (rc == MO_OK)
            rc = fetch_get(f, request, &page->resp, err);
    }
    if (rc == MO_OK)
        rc = check_not_html(&page->resp, url, err);
    if (rc == MO_OK) {
        fetch_content_charset(page->resp.content_type, page->charset, sizeof page->charset);
        snprintf(page->name, sizeof page->name, "%s (startPosition %ld)",
                 ep->post_url[0] ? ep->post_url : ep->get_url, q->start);
    } else {
        csw_page_clear(page);
    }
    free(request);
    return rc;
}

mo_rc csw_walk_page(struct csw_page *page, struct csw_page_info *info, csw_record_fn fn, void *ud,
                    struct mo_err *err)
{
    return csw_parse_records(page->resp.body, page->name, page->charset[0] ? page->charset : NULL,
                             info, fn, ud, err);
}

/* ---- the SAX scan ---- */

struct scan {
    const struct csw_scan_sink *sink;
    void *ud;
    struct csw_page_info *info;
    int depth;         /* of the element being opened or closed, root = 0 */
    int results_depth; /* -1 before csw:SearchResults */
    int in_record;
    int bad_root;
};

/* A SAX2 attribute value (not NUL-terminated) as a count; -1 when absent
 * or not a count. */
static long sax_attr_long(const xmlChar **attrs, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        const xmlChar **a = attrs + 5 * i;
        if (strcmp((const char *)a[0], name) != 0 || a[2])
            continue;
        char v[32];
        size_t len = (size_t)(a[4] - a[3]);
        if (len == 0 || len >= sizeof v)
            return -1;
        memcpy(v, a[3], len);
        v[len] = '\0';
        char *end = NULL;
        errno = 0;
        long x = strtol(v, &end, 10);
        while (end && *end && isspace((unsigned char)*end))
            end++;
        return errno == 0 && end != v && *end == '\0' && x >= 0 ? x : -1;
    }
    return -1;
}

static void scan_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
                       int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                       int nb_defaulted, const xmlChar **attributes)
{
    struct scan *s = xmlsafe_sax_user(ctx);
    int depth = s->depth++;
    (void)prefix;
    (void)nb_namespaces;
    (void)namespaces;
    (void)nb_defaulted;
    if (s->in_record) {
        s->sink->start_element(s->ud, uri, local, nb_attributes, attributes);
    } else if (depth == 0) {
        s->bad_root =
            strcmp((const char *)local, "GetRecordsResponse") != 0 || !uri ||
            (strcmp((const char *)uri, CSW_NS_202) && strcmp((const char *)uri, CSW_NS_300));
    } else if (s->results_depth < 0) {
        if (!strcmp((const char *)local, "SearchResults")) {
            s->results_depth = depth;
            s->info->matched = sax_attr_long(attributes, nb_attributes, "numberOfRecordsMatched");
            s->info->returned = sax_attr_long(attributes, nb_attributes, "numberOfRecordsReturned");
            s->info->next = sax_attr_long(attributes, nb_attributes, "nextRecord");
        }
    } else if (depth == s->results_depth + 1 && !s->bad_root) {
        s->in_record = 1;
        s->sink->record_begin(s->ud, s->info->records);
        s->sink->start_element(s->ud, uri, local, nb_attributes, attributes);
    }
}

static void scan_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    struct scan *s = xmlsafe_sax_user(ctx);
    int depth = --s->depth;
    (void)local;
    (void)prefix;
    (void)uri;
    if (!s->in_record)
        return;
    s->sink->end_element(s->ud);
    if (depth == s->results_depth + 1) {
        s->in_record = 0;
        s->sink->record_end(s->ud, s->info->records++);
    }
}

static void scan_characters(void *ctx, const xmlChar *ch, int len)
{
    struct scan *s = xmlsafe_sax_user(ctx);
    if (s->in_record)
        s->sink->characters(s->ud, ch, len);
}

mo_rc csw_scan_page(struct csw_page *page, struct csw_page_info *info,
                    const struct csw_scan_sink *sink, void *ud, struct mo_err *err)
{
    struct scan s = {.sink = sink, .ud = ud, .info = info, .results_depth = -1};
    xmlSAXHandler h;
    memset(&h, 0, sizeof h);
    h.initialized = XML_SAX2_MAGIC;
    h.startElementNs = scan_start;
    h.endElementNs = scan_end;
    h.characters = scan_characters;
    h.ignorableWhitespace = scan_characters;
    h.cdataBlock = scan_characters;

    info->matched = info->returned = info->next = -1;
    info->records = 0;
    const char *charset = page->charset[0] ? page->charset : NULL;
    const char *enc = xmlsafe_effective_charset(page->resp.body, charset);
    mo_rc rc = xmlsafe_sax_file(page->resp.body, page->name, enc, &h, &s, err);
    if (rc == MO_OK && (s.bad_root || s.results_depth < 0))
        rc = mo_fail(err, MO_EPARTNER, "\"%s\" is not a GetRecords response with results",
                     page->name);
    return rc;
}

void csw_page_clear(struct csw_page *page)
{
    if (!page)
        return;
    fetch_response_clear(&page->resp);
    page->name[0] = '\0';
    page->charset[0] = '\0';
}
