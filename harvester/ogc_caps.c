/*
 * ogc_caps.c — an OGC service's capabilities as records.
 *
 * ogc_caps_parse: sniff_body (what a parser would only call "Start tag
 * expected": headers, HTML, a stray byte-order mark) → read_tree (the whole
 * document through an xmlsafe reader, so that a declared encoding, a
 * byte-order mark or else the HTTP charset decides, and WMS 1.1.1 DOCTYPEs
 * with element declarations pass) → check_root (service, version, exception
 * reports) → run_split (xslt/ogc-capabilities-split.xsl, locked down as in
 * normalise.c) → collect_layers (count, MetadataURLs) → hand_records (each
 * c:service / c:layer with a copy of c:info, to the caller's callback).
 * Partner XML is reduced by the stylesheet; C reads only the c: vocabulary it
 * produces, and the root element and exception reports of the partner's.
 */
#include "ogc_caps.h"

#include "xmlsafe.h"
#include "xsltsafe.h"

#include <ctype.h>
#include <libexslt/exslt.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltutils.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define OGC_CAPS_SPLIT_XSL "ogc-capabilities-split.xsl"
#define NS_WFS "http://www.opengis.net/wfs"
#define NS_WFS2 "http://www.opengis.net/wfs/2.0"
#define NS_WMS "http://www.opengis.net/wms"

/* Transform limits: template recursion (the WMS layer tree, at most
 * libxml2's 256 levels deep, costs three levels each), live variables,
 * XPath steps (measured in tests/unit/test_ogc_caps.c: the cap is far above
 * what a 5,000-type WFS document takes). */
#define OGC_CAPS_MAX_TEMPLATE_DEPTH 3000
#define OGC_CAPS_MAX_TEMPLATE_VARS 100000
#define OGC_CAPS_MAX_XPATH_OPS 500000000UL
#define OGC_CAPS_SNIFF_BYTES 512
#define OGC_CAPS_EXCERPT 160

struct ogc_caps {
    xsltStylesheet *split;
    xsltSecurityPrefs *prefs;
};

/* ------------------------------------------------------------ helpers */

const char *ogc_service_name(enum ogc_service s)
{
    return s == OGC_SERVICE_WFS ? "WFS" : s == OGC_SERVICE_WMS ? "WMS" : "";
}

/* Collapses white space, replaces control and non-ASCII bytes by '?', cuts
 * to max bytes (with "..."), in place: a partner's text quoted in a message. */
static void squeeze(char *s, size_t max)
{
    char *w = s;
    int space = 1;
    for (const unsigned char *r = (const unsigned char *)s; *r; r++) {
        if (isspace(*r)) {
            if (!space)
                *w++ = ' ';
            space = 1;
        } else {
            *w++ = (*r < 0x20 || *r >= 0x7f) ? '?' : (char)*r;
            space = 0;
        }
    }
    if (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
    if (max >= 4 && strlen(s) > max)
        strcpy(s + max - 3, "...");
}

static int is_c(const xmlNode *n, const char *local)
{
    return n->type == XML_ELEMENT_NODE && n->ns &&
           !strcmp((const char *)n->ns->href, OGC_CAPS_NS) && !strcmp((const char *)n->name, local);
}

/* ------------------------------------------------ sniffing the body */

static int looks_like_header_line(const char *s)
{
    if (!strncmp(s, "HTTP/", 5))
        return 1;
    size_t n = 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '-')
        n++;
    return n > 0 && isalpha((unsigned char)s[0]) && s[n] == ':';
}

/* The first line of s (up to max bytes) as a quotable excerpt. */
static void first_line(const char *s, char *out, size_t size)
{
    size_t n = strcspn(s, "\r\n");
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), s);
    squeeze(out, OGC_CAPS_EXCERPT);
}

/* A UTF-16 byte-order mark before text that is not UTF-16 (its second and
 * fourth bytes would be NUL for "<?" in UTF-16LE). */
static int bogus_utf16_bom(const unsigned char *h, size_t n)
{
    if (n >= 4 && h[0] == 0xFF && h[1] == 0xFE)
        return h[3] != 0;
    if (n >= 4 && h[0] == 0xFE && h[1] == 0xFF)
        return h[2] != 0;
    return 0;
}

/* Refuses what is no XML document at all, with a message better than the
 * parser's "Start tag expected". */
static mo_rc sniff_body(FILE *fp, const char *name, struct mo_err *err)
{
    char head[OGC_CAPS_SNIFF_BYTES + 1];
    char excerpt[OGC_CAPS_EXCERPT + 1];
    rewind(fp);
    size_t n = fread(head, 1, OGC_CAPS_SNIFF_BYTES, fp);
    rewind(fp);
    head[n] = '\0';
    const unsigned char *u = (const unsigned char *)head;
    if (n == 0)
        return mo_fail(err, MO_EXML, "\"%s\" is empty", name);
    if (bogus_utf16_bom(u, n))
        return mo_fail(err, MO_EXML,
                       "\"%s\" starts with a UTF-16 byte-order mark but is not UTF-16 "
                       "(a single-byte document behind a stray mark)",
                       name);
    if ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF) || u[0] == 0 ||
        (n > 1 && u[1] == 0))
        return MO_OK; /* UTF-16: the parser decides */
    const char *s = head;
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        s += 3;
    while (*s && isspace((unsigned char)*s))
        s++;
    if (!*s)
        return mo_fail(err, MO_EXML, "\"%s\" holds only white space", name);
    if (*s != '<') {
        first_line(s, excerpt, sizeof excerpt);
        if (looks_like_header_line(s))
            return mo_fail(err, MO_EPARTNER,
                           "\"%s\" starts with HTTP header lines (\"%s\"), not XML: the server "
                           "wrote its headers into the body",
                           name, excerpt);
        return mo_fail(err, MO_EXML, "\"%s\" is not XML (it starts with \"%s\")", name, excerpt);
    }
    if (!strncasecmp(s, "<!doctype html", 14) || !strncasecmp(s, "<html", 5)) {
        snprintf(excerpt, sizeof excerpt, "%s", s);
        squeeze(excerpt, OGC_CAPS_EXCERPT);
        return mo_fail(err, MO_EPARTNER, "\"%s\" is an HTML page, not OGC capabilities: %s", name,
                       excerpt);
    }
    return MO_OK;
}

/* ---------------------------------------------------- the tree */

static mo_rc check_size(FILE *fp, const char *name, struct mo_err *err)
{
    if (fseek(fp, 0, SEEK_END) != 0)
        return mo_fail(err, MO_EIO, "could not read \"%s\"", name);
    long size = ftell(fp);
    rewind(fp);
    if (size < 0)
        return mo_fail(err, MO_EIO, "could not read \"%s\"", name);
    if ((unsigned long)size > XMLSAFE_MAX_DOC_BYTES)
        return mo_fail(err, MO_ELIMIT, "\"%s\" is larger than %u bytes", name,
                       XMLSAFE_MAX_DOC_BYTES);
    return MO_OK;
}

/* Moves r to the root element (the DOCTYPE checked on the way). */
static mo_rc reader_to_root(xmlTextReader *r, const char *name, struct mo_err *err)
{
    int more = 0;
    mo_rc rc = xmlsafe_reader_next(r, name, &more, err);
    while (rc == MO_OK && more && xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
        rc = xmlsafe_reader_next(r, name, &more, err);
    if (rc == MO_OK && !more)
        rc = mo_fail(err, MO_EXML, "\"%s\" has no root element", name);
    return rc;
}

/* The whole document as a tree, read through an xmlsafe reader; the caller
 * frees *out.  What follows the root element is read too (a parse error
 * there fails like any other). */
static mo_rc read_tree(FILE *fp, const char *name, const char *encoding, xmlDoc **out,
                       struct mo_err *err)
{
    xmlTextReader *r = NULL;
    xmlDoc *doc = NULL;
    *out = NULL;
    mo_rc rc = xmlsafe_reader_for_file(fp, name, encoding, &r, err);
    if (rc != MO_OK)
        return rc;
    rc = reader_to_root(r, name, err);
    if (rc == MO_OK && !xmlTextReaderExpand(r))
        rc = xmlsafe_fail_last(err, name);
    /* preserved: the reader frees no node of it while reading on */
    if (rc == MO_OK && !xmlTextReaderPreserve(r))
        rc = mo_fail(err, MO_ENOMEM, "out of memory reading \"%s\"", name);
    if (rc == MO_OK) {
        doc = xmlTextReaderCurrentDoc(r); /* ours from now on */
        int ret;
        while ((ret = xmlTextReaderNext(r)) == 1)
            ;
        if (ret < 0)
            rc = xmlsafe_fail_last(err, name);
    }
    xmlFreeTextReader(r);
    if (rc == MO_OK && (!doc || !xmlDocGetRootElement(doc)))
        rc = mo_fail(err, MO_EXML, "\"%s\" has no root element", name);
    if (rc != MO_OK) {
        xmlFreeDoc(doc);
        return rc;
    }
    *out = doc;
    return MO_OK;
}

/* ------------------------------------------------ the root element */

/* The partner's exception report as "CODE: text". */
static mo_rc exception_message(xmlDoc *doc, const char *name, struct mo_err *err)
{
    char text[OGC_CAPS_EXCERPT * 2 + 1] = "";
    char *code = NULL, *body = NULL;
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    if (ctx) {
        code = xmlsafe_xpath_string(ctx, "(/*/*[local-name()='Exception']/@exceptionCode"
                                         " | /*/*[local-name()='ServiceException']/@code)[1]");
        body = xmlsafe_xpath_string(
            ctx, "(/*/*[local-name()='Exception']/*[local-name()='ExceptionText']"
                 " | /*/*[local-name()='ServiceException'])[1]");
    }
    snprintf(text, sizeof text, "%s", body ? body : "");
    squeeze(text, OGC_CAPS_EXCERPT * 2);
    mo_rc rc = mo_fail(err, MO_EPARTNER, "\"%s\" answered with an exception report: %s%s%s", name,
                       code ? code : "no code", text[0] ? ": " : "", text);
    free(code);
    free(body);
    xmlXPathFreeContext(ctx);
    return rc;
}

static void root_version(xmlNode *root, const char *fallback, struct ogc_caps_info *info)
{
    xmlChar *v = xmlGetProp(root, (const xmlChar *)"version");
    char *s = v ? (char *)v : NULL;
    while (s && isspace((unsigned char)*s))
        s++;
    snprintf(info->version, sizeof info->version, "%s", s && *s ? s : fallback);
    squeeze(info->version, sizeof info->version - 1);
    xmlFree(v);
}

/* Tells the service and version by the root element; refuses the rest. */
static mo_rc check_root(xmlDoc *doc, const char *name, struct ogc_caps_info *info,
                        struct mo_err *err)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    const char *ns = root->ns ? (const char *)root->ns->href : "";
    const char *local = (const char *)root->name;
    size_t ll = strlen(local);
    if (!strcmp(local, "WFS_Capabilities") && (!strcmp(ns, NS_WFS) || !strcmp(ns, NS_WFS2))) {
        info->service = OGC_SERVICE_WFS;
        root_version(root, !strcmp(ns, NS_WFS2) ? "2.0.0" : "1.1.0", info);
        return MO_OK;
    }
    if ((!strcmp(local, "WMT_MS_Capabilities") && !*ns) ||
        (!strcmp(local, "WMS_Capabilities") && !strcmp(ns, NS_WMS))) {
        info->service = OGC_SERVICE_WMS;
        root_version(root, *ns ? "1.3.0" : "1.1.1", info);
        return MO_OK;
    }
    if (ll >= 15 && !strcmp(local + ll - 15, "ExceptionReport"))
        return exception_message(doc, name, err);
    if (!strcasecmp(local, "html"))
        return mo_fail(err, MO_EPARTNER, "\"%s\" is an HTML page, not OGC capabilities", name);
    if (!strcmp(local, "WFS_Capabilities") || !strcmp(local, "WMS_Capabilities"))
        return mo_fail(err, MO_EPARTNER,
                       "\"%s\" is %s in an unknown namespace \"%s\", not WFS or WMS capabilities",
                       name, local, ns);
    return mo_fail(err, MO_EPARTNER, "\"%s\" is not WFS or WMS capabilities (root element {%s}%s)",
                   name, ns, local);
}

/* ------------------------------------------------------ stylesheet */

mo_rc ogc_caps_new(const char *xslt_dir, struct ogc_caps **out, struct mo_err *err)
{
    *out = NULL;
    exsltRegisterAll(); /* idempotent; the split uses str:tokenize */
    struct ogc_caps *c = calloc(1, sizeof *c);
    if (!c)
        return mo_fail(err, MO_ENOMEM, "could not allocate the capabilities reader");
    c->prefs = xsltsafe_prefs_new();
    if (!c->prefs) {
        ogc_caps_free(c);
        return mo_fail(err, MO_ENOMEM, "could not set up xslt security preferences");
    }
    mo_rc rc = xsltsafe_compile(xslt_dir, OGC_CAPS_SPLIT_XSL, &c->split, err);
    if (rc != MO_OK) {
        ogc_caps_free(c);
        return rc;
    }
    *out = c;
    return MO_OK;
}

void ogc_caps_free(struct ogc_caps *c)
{
    if (!c)
        return;
    xsltFreeStylesheet(c->split);
    xsltFreeSecurityPrefs(c->prefs);
    free(c);
}

/* The split stylesheet over doc; *result is a c:records document. */
static mo_rc run_split(struct ogc_caps *c, xmlDoc *doc, const char *service_url, const char *name,
                       xmlDoc **result, struct mo_err *err)
{
    static const struct xsltsafe_limits limits = {
        OGC_CAPS_MAX_TEMPLATE_DEPTH, OGC_CAPS_MAX_TEMPLATE_VARS, OGC_CAPS_MAX_XPATH_OPS};
    struct xsltsafe_errors errors = {.len = 0};
    const char *params[] = {"service-url", service_url, NULL};
    mo_rc rc = xsltsafe_apply(c->split, c->prefs, &limits, doc, params, result, &errors);
    if (rc == MO_ENOMEM)
        return mo_fail(err, MO_ENOMEM, "out of memory reading \"%s\"", name);
    if (rc != MO_OK) {
        char *m = errors.msg;
        for (char *p = m; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        squeeze(m, sizeof errors.msg - 1);
        return mo_fail(err, MO_EXSLT, "could not split the capabilities of \"%s\": %s", name,
                       *m ? m : "no message");
    }
    if (!xmlDocGetRootElement(*result) || !is_c(xmlDocGetRootElement(*result), "records")) {
        xmlFreeDoc(*result);
        *result = NULL;
        return mo_fail(err, MO_EXSLT, "could not split the capabilities of \"%s\": no c:records",
                       name);
    }
    return MO_OK;
}

/* ------------------------------------------------ the records */

static char *prop_dup(xmlNode *n, const char *attr)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
    char *s = strdup(v ? (const char *)v : "");
    xmlFree(v);
    return s;
}

static mo_rc push_metadata(struct ogc_caps_info *info, xmlNode *layer, xmlNode *m)
{
    if (info->metadata_count >= OGC_CAPS_MAX_METADATA_URLS) {
        info->metadata_dropped++;
        return MO_OK;
    }
    if (info->metadata_count % 64 == 0) {
        struct ogc_metadata_url *grown =
            realloc(info->metadata, (info->metadata_count + 64) * sizeof *grown);
        if (!grown)
            return MO_ENOMEM;
        info->metadata = grown;
    }
    struct ogc_metadata_url *u = &info->metadata[info->metadata_count];
    u->layer_id = prop_dup(layer, "id");
    u->url = prop_dup(m, "href");
    u->type = prop_dup(m, "type");
    u->format = prop_dup(m, "format");
    info->metadata_count++; /* counted even half-made: ogc_caps_info_clear frees it */
    if (!u->layer_id || !u->url || !u->type || !u->format)
        return MO_ENOMEM;
    u->iso = ogc_caps_metadata_is_iso(u->type, u->format, u->url);
    return MO_OK;
}

/* Counts the layers and lists their MetadataURLs; refuses none or too many. */
static mo_rc collect_layers(xmlNode *records, const char *name, struct ogc_caps_info *info,
                            struct mo_err *err)
{
    for (xmlNode *n = records->children; n; n = n->next) {
        if (!is_c(n, "layer"))
            continue;
        if (++info->layers > OGC_CAPS_MAX_LAYERS)
            return mo_fail(err, MO_ELIMIT, "\"%s\" lists more than %d layers", name,
                           OGC_CAPS_MAX_LAYERS);
        for (xmlNode *m = n->children; m; m = m->next)
            if (is_c(m, "metadata-url") && push_metadata(info, n, m) != MO_OK)
                return mo_fail(err, MO_ENOMEM, "out of memory reading \"%s\"", name);
    }
    if (info->layers == 0)
        return mo_fail(err, MO_EPARTNER, "\"%s\" lists no %s", name,
                       info->service == OGC_SERVICE_WFS ? "feature types" : "named layers");
    return MO_OK;
}

/* Hands on c:service and each c:layer, each with a copy of c:info as its
 * first child for as long as the callback runs. */
static mo_rc hand_records(xmlNode *records, const char *name, ogc_record_fn fn, void *ud,
                          struct mo_err *err)
{
    xmlNode *info = NULL;
    long index = 0;
    for (xmlNode *n = records->children; n && !info; n = n->next)
        if (is_c(n, "info"))
            info = n;
    if (!info)
        return mo_fail(err, MO_EXSLT, "could not split the capabilities of \"%s\": no c:info",
                       name);
    for (xmlNode *n = records->children; n; n = n->next) {
        if (!is_c(n, "service") && !is_c(n, "layer"))
            continue;
        xmlNode *copy = xmlDocCopyNode(info, n->doc, 1);
        if (!copy)
            return mo_fail(err, MO_ENOMEM, "out of memory reading \"%s\"", name);
        if (n->children)
            xmlAddPrevSibling(n->children, copy);
        else
            xmlAddChild(n, copy);
        mo_rc rc = fn(ud, n, index++, err);
        xmlUnlinkNode(copy);
        xmlFreeNode(copy);
        if (rc != MO_OK)
            return rc;
    }
    return MO_OK;
}

mo_rc ogc_caps_parse(struct ogc_caps *c, FILE *body, const char *name, const char *service_url,
                     const char *charset, struct ogc_caps_info *info, ogc_record_fn fn, void *ud,
                     struct mo_err *err)
{
    xmlDoc *doc = NULL, *split = NULL;
    memset(info, 0, sizeof *info);
    mo_rc rc = ogc_url_service(service_url ? service_url : name, info->service_url,
                               sizeof info->service_url, err);
    if (rc == MO_OK)
        rc = check_size(body, name, err);
    if (rc == MO_OK)
        rc = sniff_body(body, name, err);
    if (rc == MO_OK)
        rc = read_tree(body, name, xmlsafe_effective_charset(body, charset), &doc, err);
    if (rc == MO_OK)
        rc = check_root(doc, name, info, err);
    if (rc == MO_OK)
        rc = run_split(c, doc, info->service_url, name, &split, err);
    xmlFreeDoc(doc); /* the split copied what the records need */
    if (rc != MO_OK)
        goto out;
    xmlNode *records = xmlDocGetRootElement(split);
    snprintf(info->service_id, sizeof info->service_id, "%s%sSERVICE=%s", info->service_url,
             strchr(info->service_url, '?') ? "&" : "?", ogc_service_name(info->service));
    rc = collect_layers(records, name, info, err);
    if (rc == MO_OK)
        rc = hand_records(records, name, fn, ud, err);
out:
    xmlFreeDoc(split);
    return rc;
}

void ogc_caps_info_clear(struct ogc_caps_info *info)
{
    if (!info)
        return;
    for (size_t i = 0; i < info->metadata_count; i++) {
        free(info->metadata[i].layer_id);
        free(info->metadata[i].url);
        free(info->metadata[i].type);
        free(info->metadata[i].format);
    }
    free(info->metadata);
    memset(info, 0, sizeof *info);
}

/* ---------------------------------------------- MetadataURL kinds */

static int contains_ci(const char *s, const char *needle)
{
    return s && strcasestr(s, needle) != NULL;
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

int ogc_caps_metadata_is_iso(const char *type, const char *format, const char *url)
{
    if (!url || !*url)
        return 0;
    int iso_type = !type || !*type || contains_ci(type, "TC211") || contains_ci(type, "19115") ||
                   contains_ci(type, "19139") || contains_ci(type, "ISO");
    if (!iso_type)
        return 0; /* FGDC and the like */
    if (format && *format)
        return contains_ci(format, "xml") && !contains_ci(format, "html");
    const char *q = strchr(url, '?');
    size_t path_len = q ? (size_t)(q - url) : strlen(url);
    char path[OGC_URL_MAX];
    snprintf(path, sizeof path, "%.*s", (int)(path_len < sizeof path ? path_len : sizeof path - 1),
             url);
    return contains_ci(url, "GetRecordById") || ends_with_ci(path, ".xml") ||
           ends_with_ci(path, "/formatters/xml");
}
