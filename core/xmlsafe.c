#include "xmlsafe.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlIO.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_namespaces[][2] = {
    {"csw", "http://www.opengis.net/cat/csw/2.0.2"},
    {"csw3", "http://www.opengis.net/cat/csw/3.0"},
    {"ows", "http://www.opengis.net/ows"},
    {"ows11", "http://www.opengis.net/ows/1.1"},
    {"ows2", "http://www.opengis.net/ows/2.0"},
    {"gmd", "http://www.isotc211.org/2005/gmd"},
    {"gco", "http://www.isotc211.org/2005/gco"},
    {"gmx", "http://www.isotc211.org/2005/gmx"},
    {"srv", "http://www.isotc211.org/2005/srv"},
    {"gml", "http://www.opengis.net/gml"},
    {"gml32", "http://www.opengis.net/gml/3.2"},
    {"dc", "http://purl.org/dc/elements/1.1/"},
    {"dct", "http://purl.org/dc/terms/"},
    {"mdb", "http://standards.iso.org/iso/19115/-3/mdb/2.0"},
    {"cit", "http://standards.iso.org/iso/19115/-3/cit/2.0"},
    {"m", "urn:x-moisson:record:1"},
    {"xlink", "http://www.w3.org/1999/xlink"},
    {"ogc", "http://www.opengis.net/ogc"},
    {"fes", "http://www.opengis.net/fes/2.0"},
    {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
    {"dcat", "http://www.w3.org/ns/dcat#"},
};

/* Refuses every external entity and DTD, whatever the options say. */
static xmlParserInputPtr refuse_external(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)id;
    (void)ctxt;
    (void)url;
    return NULL;
}

static xmlExternalEntityLoader default_loader;

/* Stylesheets and schemas of moisson itself are local files: allow "file"
 * paths without a scheme, refuse everything with a network scheme. */
static xmlParserInputPtr local_only_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    if (url && strstr(url, "://") && strncmp(url, "file://", 7) != 0)
        return refuse_external(url, id, ctxt);
    return default_loader(url, id, ctxt);
}

/* Parser messages reach callers through mo_err, never the terminal. */
static void silent_error(void *ctx, const xmlError *error)
{
    (void)ctx;
    (void)error;
}

void xmlsafe_init_thread(void)
{
    xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)silent_error);
}

void xmlsafe_init(void)
{
    xmlInitParser();
    xmlsafe_init_thread();
    if (!default_loader) {
        default_loader = xmlGetExternalEntityLoader();
        xmlSetExternalEntityLoader(local_only_loader);
    }
}

static void trim_message(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

mo_rc xmlsafe_fail_last(struct mo_err *err, const char *name)
{
    const xmlError *e = xmlGetLastError();
    char msg[512] = "unknown parser error";
    int line = 0;
    if (e && e->message) {
        snprintf(msg, sizeof msg, "%s", e->message);
        for (char *c = msg; *c; c++)
            if (*c == '\n')
                *c = ' ';
        trim_message(msg);
        line = e->line;
    }
    if (line > 0)
        return mo_fail(err, MO_EXML, "malformed XML in \"%s\" at line %d: %s", name, line, msg);
    return mo_fail(err, MO_EXML, "malformed XML in \"%s\": %s", name, msg);
}

static mo_rc check_doc(xmlDoc *doc, const char *name, struct mo_err *err)
{
    if (doc->intSubset && (doc->intSubset->entities || doc->intSubset->children))
        return mo_fail(err, MO_EFORBIDDEN, "\"%s\" declares a DOCTYPE with an internal subset",
                       name);
    if (!xmlDocGetRootElement(doc))
        return mo_fail(err, MO_EXML, "\"%s\" has no root element", name);
    return MO_OK;
}

static mo_rc finish_parse(xmlDoc *doc, const char *name, xmlDoc **out, struct mo_err *err)
{
    if (!doc)
        return xmlsafe_fail_last(err, name);
    mo_rc rc = check_doc(doc, name, err);
    if (rc != MO_OK) {
        xmlFreeDoc(doc);
        return rc;
    }
    *out = doc;
    return MO_OK;
}

/* SAX hook: an entity declaration stops the parse before any expansion
 * (billion laughs, XXE).  Element and attribute declarations stay allowed:
 * WMS 1.1.1 capabilities carry them. */
static void refuse_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                               const xmlChar *system_id, xmlChar *content)
{
    xmlParserCtxtPtr ctxt = ctx;
    (void)name;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    ctxt->_private = (void *)1;
    xmlStopParser(ctxt);
}

static xmlParserCtxtPtr new_guarded_ctxt(void)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt) {
        ctxt->sax->entityDecl = refuse_entity_decl;
        ctxt->_private = NULL;
    }
    return ctxt;
}

static mo_rc finish_guarded(xmlParserCtxtPtr ctxt, xmlDoc *doc, const char *name, xmlDoc **out,
                            struct mo_err *err)
{
    int refused = ctxt->_private != NULL;
    xmlFreeParserCtxt(ctxt);
    if (refused) {
        xmlFreeDoc(doc);
        return mo_fail(err, MO_EFORBIDDEN,
                       "\"%s\" declares a DOCTYPE with an internal subset "
                       "declaring entities",
                       name);
    }
    return finish_parse(doc, name, out, err);
}

mo_rc xmlsafe_parse_memory(const char *data, size_t len, const char *name, xmlDoc **out,
                           struct mo_err *err)
{
    *out = NULL;
    if (len > XMLSAFE_MAX_DOC_BYTES)
        return mo_fail(err, MO_ELIMIT, "\"%s\" is larger than %u bytes", name,
                       XMLSAFE_MAX_DOC_BYTES);
    xmlParserCtxtPtr ctxt = new_guarded_ctxt();
    if (!ctxt)
        return mo_fail(err, MO_ENOMEM, "out of memory parsing \"%s\"", name);
    xmlResetLastError();
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, data, (int)len, name, NULL, XMLSAFE_OPTIONS);
    return finish_guarded(ctxt, doc, name, out, err);
}

static int file_read(void *ctx, char *buffer, int len)
{
    size_t n = fread(buffer, 1, (size_t)len, ctx);
    if (n == 0 && ferror((FILE *)ctx))
        return -1;
    return (int)n;
}

static int file_keep_open(void *ctx)
{
    (void)ctx;
    return 0;
}

mo_rc xmlsafe_parse_file(FILE *fp, const char *name, xmlDoc **out, struct mo_err *err)
{
    *out = NULL;
    rewind(fp);
    xmlParserCtxtPtr ctxt = new_guarded_ctxt();
    if (!ctxt)
        return mo_fail(err, MO_ENOMEM, "out of memory parsing \"%s\"", name);
    xmlResetLastError();
    xmlDoc *doc = xmlCtxtReadIO(ctxt, file_read, file_keep_open, fp, name, NULL, XMLSAFE_OPTIONS);
    return finish_guarded(ctxt, doc, name, out, err);
}

mo_rc xmlsafe_reader_for_file(FILE *fp, const char *name, const char *encoding, xmlTextReader **out,
                              struct mo_err *err)
{
    *out = NULL;
    rewind(fp);
    xmlResetLastError();
    xmlTextReader *r =
        xmlReaderForIO(file_read, file_keep_open, fp, name, encoding, XMLSAFE_OPTIONS);
    if (!r)
        return mo_fail(err, MO_ENOMEM, "could not start reading \"%s\"", name);
    *out = r;
    return MO_OK;
}

/* The SAX parse's state behind ctxt->_private: the caller's data, and
 * whether an entity declaration was refused. */
struct sax_guard {
    void *ud;
    int refused;
};

void *xmlsafe_sax_user(void *ctx)
{
    return ((struct sax_guard *)((xmlParserCtxtPtr)ctx)->_private)->ud;
}

static void refuse_entity_decl_sax(void *ctx, const xmlChar *name, int type,
                                   const xmlChar *public_id, const xmlChar *system_id,
                                   xmlChar *content)
{
    xmlParserCtxtPtr ctxt = ctx;
    (void)name;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    ((struct sax_guard *)ctxt->_private)->refused = 1;
    xmlStopParser(ctxt);
}

mo_rc xmlsafe_sax_file(FILE *fp, const char *name, const char *encoding, const xmlSAXHandler *sax,
                       void *ud, struct mo_err *err)
{
    struct sax_guard guard = {ud, 0};
    xmlSAXHandler h = *sax;
    /* nothing of a DTD is loaded, resolved or kept */
    h.entityDecl = refuse_entity_decl_sax;
    h.internalSubset = NULL;
    h.externalSubset = NULL;
    h.resolveEntity = NULL;
    h.getEntity = NULL;
    h.getParameterEntity = NULL;
    h.unparsedEntityDecl = NULL;
    rewind(fp);
    xmlResetLastError();
    xmlParserCtxtPtr ctxt =
        xmlCreateIOParserCtxt(&h, NULL, file_read, file_keep_open, fp, XML_CHAR_ENCODING_NONE);
    if (!ctxt)
        return mo_fail(err, MO_ENOMEM, "could not start reading \"%s\"", name);
    ctxt->_private = &guard;
    xmlCtxtUseOptions(ctxt, XMLSAFE_OPTIONS);
    if (encoding) {
        xmlCharEncodingHandlerPtr enc = xmlFindCharEncodingHandler(encoding);
        if (!enc || xmlSwitchToEncoding(ctxt, enc) != 0) {
            xmlFreeParserCtxt(ctxt);
            return mo_fail(err, MO_EXML, "\"%s\": unknown encoding \"%s\"", name, encoding);
        }
    }
    int ret = xmlParseDocument(ctxt);
    int ok = ret == 0 && ctxt->wellFormed;
    xmlFreeDoc(ctxt->myDoc); /* libxml2 keeps declared entities in one, SAX or not */
    ctxt->myDoc = NULL;
    xmlFreeParserCtxt(ctxt);
    if (guard.refused)
        return mo_fail(err, MO_EFORBIDDEN,
                       "\"%s\" declares a DOCTYPE with an internal subset declaring entities",
                       name);
    return ok ? MO_OK : xmlsafe_fail_last(err, name);
}

const char *xmlsafe_effective_charset(FILE *fp, const char *charset)
{
    char head[256] = "";
    if (!charset || !*charset)
        return NULL;
    rewind(fp);
    size_t n = fread(head, 1, sizeof head - 1, fp);
    head[n] = '\0';
    rewind(fp);
    if (n >= 2 && ((unsigned char)head[0] == 0xFE || (unsigned char)head[0] == 0xFF ||
                   (unsigned char)head[0] == 0xEF || head[0] == '\0' || head[1] == '\0'))
        return NULL;
    if (!strncmp(head, "<?xml", 5) && strstr(head, "encoding"))
        return NULL;
    return charset;
}

mo_rc xmlsafe_reader_next(xmlTextReader *r, const char *name, int *more, struct mo_err *err)
{
    *more = 0;
    int ret = xmlTextReaderRead(r);
    if (ret < 0)
        return xmlsafe_fail_last(err, name);
    if (ret == 0)
        return MO_OK;
    if (xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE) {
        /* the current node, not the document: taking the document would
         * make the caller its owner */
        xmlNode *n = xmlTextReaderCurrentNode(r);
        xmlDtd *dtd = n && n->type == XML_DTD_NODE ? (xmlDtd *)n : NULL;
        if (!dtd && n && n->doc)
            dtd = n->doc->intSubset;
        if (dtd && dtd->entities)
            return mo_fail(err, MO_EFORBIDDEN,
                           "\"%s\" declares a DOCTYPE with an internal subset declaring entities",
                           name);
    }
    *more = 1;
    return MO_OK;
}

char *xmlsafe_xpath_string(xmlXPathContext *ctx, const char *expr)
{
    xmlXPathObject *obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (!obj)
        return NULL;
    xmlChar *s = xmlXPathCastToString(obj);
    xmlXPathFreeObject(obj);
    if (!s)
        return NULL;
    const char *b = (const char *)s;
    while (*b && isspace((unsigned char)*b))
        b++;
    size_t n = strlen(b);
    while (n && isspace((unsigned char)b[n - 1]))
        n--;
    char *copy = NULL;
    if (n) {
        copy = malloc(n + 1);
        if (copy) {
            memcpy(copy, b, n);
            copy[n] = '\0';
        }
    }
    xmlFree(s);
    return copy;
}

mo_rc xmlsafe_register_namespaces(xmlXPathContext *ctx)
{
    for (size_t i = 0; i < sizeof known_namespaces / sizeof known_namespaces[0]; i++) {
        if (xmlXPathRegisterNs(ctx, (const xmlChar *)known_namespaces[i][0],
                               (const xmlChar *)known_namespaces[i][1]) != 0)
            return MO_ENOMEM;
    }
    return MO_OK;
}
