/*
 * normalise.c — partner records → the unified record, by XSLT.
 *
 * normalise_new compiles the input stylesheets of xslt/ once; each record then
 * gets its own transform context (security preferences that deny every file
 * and network access, depth and operation limits, an error handler that
 * collects the stylesheet's messages into a buffer on the stack).  White
 * space only text nodes of the record are removed in C before the transform
 * (strip_blank_text) rather than by xsl:strip-space.
 */
#include "normalise.h"

#include "xmlsafe.h"
#include "xsltsafe.h"

#include <libexslt/exslt.h>
#include <libxml/xmlsave.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltutils.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Transform limits: recursion of named templates, live variables, XPath steps. */
#define NORMALISE_MAX_TEMPLATE_DEPTH 500
#define NORMALISE_MAX_TEMPLATE_VARS 20000
#define NORMALISE_MAX_XPATH_OPS 50000000UL

static const struct xsltsafe_limits normalise_limits = {
    NORMALISE_MAX_TEMPLATE_DEPTH, NORMALISE_MAX_TEMPLATE_VARS, NORMALISE_MAX_XPATH_OPS};

enum stylesheet_id { XSL_ISO19139, XSL_ISO19115_3, XSL_CSW, XSL_DCAT, XSL_OGC, XSL_COUNT };

static const char *const stylesheet_files[XSL_COUNT] = {
    "iso19139-to-unified.xsl", "iso19115-3-to-unified.xsl", "csw-record-to-unified.xsl",
    "dcat-rdf-to-unified.xsl", "ogc-layer-to-unified.xsl",
};

struct root_rule {
    const char *ns;
    const char *name;
    enum stylesheet_id xsl;
};

static const struct root_rule root_rules[] = {
    {"http://www.isotc211.org/2005/gmd", "MD_Metadata", XSL_ISO19139},
    {"http://www.isotc211.org/2005/gmi", "MI_Metadata", XSL_ISO19139},
    {"http://standards.iso.org/iso/19115/-3/mdb/2.0", "MD_Metadata", XSL_ISO19115_3},
    {"http://www.opengis.net/cat/csw/2.0.2", "Record", XSL_CSW},
    {"http://www.opengis.net/cat/csw/2.0.2", "SummaryRecord", XSL_CSW},
    {"http://www.opengis.net/cat/csw/2.0.2", "BriefRecord", XSL_CSW},
    {"http://www.opengis.net/cat/csw/3.0", "Record", XSL_CSW},
    {"http://www.opengis.net/cat/csw/3.0", "SummaryRecord", XSL_CSW},
    {"http://www.opengis.net/cat/csw/3.0", "BriefRecord", XSL_CSW},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "RDF", XSL_DCAT},
    {"http://www.w3.org/ns/dcat#", "Dataset", XSL_DCAT},
    {"urn:x-moisson:capabilities:1", "layer", XSL_OGC}, /* ogc_caps.h */
    {"urn:x-moisson:capabilities:1", "service", XSL_OGC},
};

struct normaliser {
    xsltStylesheet *xsl[XSL_COUNT];
    xsltSecurityPrefs *prefs;
};

mo_rc normalise_new(const char *xslt_dir, struct normaliser **out, struct mo_err *err)
{
    mo_rc rc = MO_OK;
    struct normaliser *n = NULL;
    *out = NULL;
    exsltRegisterAll(); /* idempotent */
    n = calloc(1, sizeof *n);
    if (!n)
        return mo_fail(err, MO_ENOMEM, "could not allocate the normaliser");
    n->prefs = xsltsafe_prefs_new();
    if (!n->prefs) {
        rc = mo_fail(err, MO_ENOMEM, "could not set up xslt security preferences");
        goto out;
    }
    for (int i = 0; i < XSL_COUNT && rc == MO_OK; i++)
        rc = xsltsafe_compile(xslt_dir, stylesheet_files[i], &n->xsl[i], err);
out:
    if (rc != MO_OK) {
        normalise_free(n);
        return rc;
    }
    *out = n;
    return MO_OK;
}

void normalise_free(struct normaliser *n)
{
    if (!n)
        return;
    for (int i = 0; i < XSL_COUNT; i++)
        xsltFreeStylesheet(n->xsl[i]);
    xsltFreeSecurityPrefs(n->prefs);
    free(n);
}

/* Profiles that substitute gmd:MD_Metadata (GeoCat che:CHE_MD_Metadata) say
 * so with gco:isoType="gmd:MD_Metadata". */
static int is_iso_substitute(xmlNode *root)
{
    xmlChar *t = xmlGetNsProp(root, (const xmlChar *)"isoType",
                              (const xmlChar *)"http://www.isotc211.org/2005/gco");
    int yes = t && strcmp((const char *)t, "gmd:MD_Metadata") == 0;
    xmlFree(t);
    return yes;
}

static mo_rc choose_stylesheet(const xmlNode *root, enum stylesheet_id *out, char *label,
                               size_t label_size, struct mo_err *err)
{
    const char *ns = root->ns ? (const char *)root->ns->href : "";
    const char *prefix = root->ns && root->ns->prefix ? (const char *)root->ns->prefix : "";
    snprintf(label, label_size, "%s%s%s", prefix, *prefix ? ":" : "", (const char *)root->name);
    for (size_t i = 0; i < sizeof root_rules / sizeof *root_rules; i++) {
        if (strcmp(root_rules[i].ns, ns) == 0 &&
            strcmp(root_rules[i].name, (const char *)root->name) == 0) {
            *out = root_rules[i].xsl;
            return MO_OK;
        }
    }
    if (is_iso_substitute((xmlNode *)root)) {
        *out = XSL_ISO19139;
        return MO_OK;
    }
    return mo_fail(err, MO_EXML, "unsupported record root {%s}%s", ns, (const char *)root->name);
}

/* A text node of white space only (XML's four blank characters, as libxslt's
 * xsltIsBlank). */
static int is_blank_text(const xmlNode *n)
{
    if (n->type != XML_TEXT_NODE)
        return 0;
    for (const xmlChar *c = n->content; c && *c; c++)
        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
            return 0;
    return 1;
}

/* Removes the white-space-only text nodes under every element of the tree
 * rooted at root: what <xsl:strip-space elements="*"/> had libxslt do before
 * each transform (xsltApplyStripSpaces), without its per-element lookups in the
 * stylesheet's strip-space tables, which cost about a tenth of a transform.
 * The stylesheets therefore declare no xsl:strip-space (xslt/README.md).  Like
 * libxslt's pass, this changes the record's tree.  Iterative: the depth of a
 * partner's record is not ours to choose. */
static void strip_blank_text(xmlNode *root)
{
    xmlNode *n = root;
    while (n) {
        xmlNode *c = n->children;
        while (c) {
            xmlNode *next = c->next;
            if (is_blank_text(c)) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
            c = next;
        }
        /* next element in document order: first element child, else the next
         * element sibling of n or of its nearest ancestor below root */
        xmlNode *down = n->children;
        while (down && down->type != XML_ELEMENT_NODE)
            down = down->next;
        if (down) {
            n = down;
            continue;
        }
        while (n && n != root) {
            xmlNode *sib = n->next;
            while (sib && sib->type != XML_ELEMENT_NODE)
                sib = sib->next;
            if (sib)
                break;
            n = n->parent;
        }
        if (!n || n == root)
            break;
        n = n->next;
        while (n->type != XML_ELEMENT_NODE)
            n = n->next;
    }
}

mo_rc normalise_to_unified(struct normaliser *n, xmlDoc *raw, xmlDoc **unified, struct mo_err *err)
{
    enum stylesheet_id id = 0;
    char label[256];
    struct xsltsafe_errors errors = {.len = 0};
    *unified = NULL;
    xmlNode *root = raw ? xmlDocGetRootElement(raw) : NULL;
    if (!root)
        return mo_fail(err, MO_EXML, "record has no root element");
    mo_rc rc = choose_stylesheet(root, &id, label, sizeof label, err);
    if (rc != MO_OK)
        return rc;
    errors.msg[0] = '\0';
    strip_blank_text(root);
    rc = xsltsafe_apply(n->xsl[id], n->prefs, &normalise_limits, raw, NULL, unified, &errors);
    if (rc != MO_OK)
        return mo_fail(err, rc, "could not normalise %s: %s", label, xsltsafe_message(&errors));
    if (!xmlDocGetRootElement(*unified)) {
        xmlFreeDoc(*unified);
        *unified = NULL;
        return mo_fail(err, MO_EXSLT, "could not normalise %s: %s produced no record", label,
                       stylesheet_files[id]);
    }
    return MO_OK;
}

mo_rc normalise_record(struct normaliser *n, xmlDoc *raw, struct record *rec, struct mo_err *err)
{
    xmlDoc *unified = NULL;
    mo_rc rc = normalise_to_unified(n, raw, &unified, err);
    if (rc != MO_OK)
        return rc;
    rc = record_from_unified(unified, rec, err);
    xmlFreeDoc(unified);
    return rc;
}
