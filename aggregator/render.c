/*
 * render.c — records as the CSW server serves them, by the output stylesheets.
 *
 * The stylesheets are compiled once (render_new) and shared read-only; each
 * call gets its own transform context with the same locked-down setup as
 * harvester/normalise.c (every file and network access forbidden, depth and
 * XPath operation limits, the stylesheet's messages collected on the stack).
 * Parameters are passed as strings (xsltQuoteUserParams), never as XPath.
 * The result's root element is written straight into the caller's capped
 * buffer through an xmlSaveCtxt.
 */
#include "render.h"

#include "xsltsafe.h"

#include <libexslt/exslt.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlstring.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltutils.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Transform limits: recursion of templates (safe-uri: one level per '%' of a
 * URL that has a bad one, 200 at most; one per element level when a partner's
 * record is copied), live variables, XPath steps. */
#define RENDER_MAX_TEMPLATE_DEPTH 1000
#define RENDER_MAX_TEMPLATE_VARS 20000
#define RENDER_MAX_XPATH_OPS 20000000UL
#define RENDER_MAX_LABEL 160

enum stylesheet_id { XSL_DC, XSL_ISO, XSL_ISO_SET, XSL_COUNT };

static const char *const stylesheet_files[XSL_COUNT] = {
    "unified-to-csw-record.xsl",
    "unified-to-iso19139.xsl",
    "iso19139-element-set.xsl",
};

static const char *const set_names[] = {"brief", "summary", "full"};

static const char *const dc_roots[] = {"csw:BriefRecord", "csw:SummaryRecord", "csw:Record"};

struct render {
    xsltStylesheet *xsl[XSL_COUNT];
    xsltSecurityPrefs *prefs;
};

/* The caller's buffer as a libxml2 output. */
struct render_sink {
    struct buf *out;
    mo_rc rc;
};

mo_rc render_new(const char *xslt_dir, struct render **out, struct mo_err *err)
{
    mo_rc rc = MO_OK;
    struct render *r = NULL;
    *out = NULL;
    exsltRegisterAll(); /* idempotent: str:replace in common-out.xsl */
    r = calloc(1, sizeof *r);
    if (!r)
        return mo_fail(err, MO_ENOMEM, "could not allocate the renderer");
    r->prefs = xsltsafe_prefs_new();
    if (!r->prefs) {
        rc = mo_fail(err, MO_ENOMEM, "could not set up xslt security preferences");
        goto out;
    }
    for (int i = 0; i < XSL_COUNT && rc == MO_OK; i++)
        rc = xsltsafe_compile(xslt_dir, stylesheet_files[i], &r->xsl[i], err);
out:
    if (rc != MO_OK) {
        render_free(r);
        return rc;
    }
    *out = r;
    return MO_OK;
}

void render_free(struct render *r)
{
    if (!r)
        return;
    for (int i = 0; i < XSL_COUNT; i++)
        xsltFreeStylesheet(r->xsl[i]);
    xsltFreeSecurityPrefs(r->prefs);
    free(r);
}

mo_rc render_set_parse(const char *name, enum render_set *set, struct mo_err *err)
{
    for (size_t i = 0; name && i < sizeof set_names / sizeof *set_names; i++) {
        if (strcmp(name, set_names[i]) == 0) {
            *set = (enum render_set)i;
            return MO_OK;
        }
    }
    return mo_fail(err, MO_EBADREQ, "unknown element set \"%.64s\" (brief, summary or full)",
                   name ? name : "");
}

const char *render_set_name(enum render_set set)
{
    return (unsigned)set < sizeof set_names / sizeof *set_names ? set_names[set] : "?";
}

/* A parameter value must be UTF-8 text that XML can carry: no C0 control
 * characters but tab, newline and carriage return. */
static mo_rc render_check_param(const char *name, const char *value, struct mo_err *err)
{
    size_t len = strlen(value);
    if (len > RENDER_MAX_PARAM_BYTES)
        return mo_fail(err, MO_EBADREQ, "render parameter \"%s\" is longer than %d bytes", name,
                       RENDER_MAX_PARAM_BYTES);
    if (!xmlCheckUTF8((const unsigned char *)value))
        return mo_fail(err, MO_EBADREQ, "render parameter \"%s\" is not valid UTF-8", name);
    for (const unsigned char *c = (const unsigned char *)value; *c; c++)
        if (*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r')
            return mo_fail(err, MO_EBADREQ,
                           "render parameter \"%s\" holds control character 0x%02x", name, *c);
    return MO_OK;
}

/* name/value pairs for xsltQuoteUserParams, NULL-terminated; members of p
 * that are NULL are left out (the stylesheets default them to ''). */
static mo_rc render_build_params(const char *set, const struct render_params *p,
                                 const char *list[9], struct mo_err *err)
{
    const char *names[] = {"sources", "harvested", "public-url"};
    const char *values[] = {p ? p->sources : NULL, p ? p->harvested : NULL,
                            p ? p->public_url : NULL};
    size_t n = 0;
    list[n++] = "element-set";
    list[n++] = set;
    for (size_t i = 0; i < 3; i++) {
        if (!values[i])
            continue;
        mo_rc rc = render_check_param(names[i], values[i], err);
        if (rc != MO_OK)
            return rc;
        list[n++] = names[i];
        list[n++] = values[i];
    }
    list[n] = NULL;
    return MO_OK;
}

/* Runs xsl on doc with params (may be NULL); any message libxslt reports
 * fails the transform (a refused file or network access is only reported). */
static mo_rc render_transform(const struct render *r, enum stylesheet_id id, xmlDoc *doc,
                              const char **params, xmlDoc **result, struct xsltsafe_errors *errors)
{
    static const struct xsltsafe_limits limits = {RENDER_MAX_TEMPLATE_DEPTH,
                                                  RENDER_MAX_TEMPLATE_VARS, RENDER_MAX_XPATH_OPS};
    mo_rc rc = xsltsafe_apply(r->xsl[id], r->prefs, &limits, doc, params, result, errors);
    if (rc == MO_OK && !xmlDocGetRootElement(*result)) {
        xmlFreeDoc(*result);
        *result = NULL;
        rc = MO_EXSLT;
    }
    return rc;
}

static int render_sink_write(void *ctx, const char *data, int len)
{
    struct render_sink *s = ctx;
    if (s->rc == MO_OK && len > 0)
        s->rc = buf_append(s->out, data, (size_t)len);
    return s->rc == MO_OK ? len : -1;
}

static int render_sink_close(void *ctx)
{
    (void)ctx;
    return 0;
}

/* Appends the root element of doc to out; on failure out is left as it was. */
static mo_rc render_serialise(xmlDoc *doc, struct buf *out, const char *label, struct mo_err *err)
{
    size_t start = out->len;
    struct render_sink sink = {.out = out, .rc = MO_OK};
    xmlSaveCtxt *save =
        xmlSaveToIO(render_sink_write, render_sink_close, &sink, "UTF-8", XML_SAVE_NO_DECL);
    if (!save)
        return mo_fail(err, MO_ENOMEM, "could not serialise %s", label);
    long written = xmlSaveTree(save, xmlDocGetRootElement(doc));
    int closed = xmlSaveClose(save);
    if (sink.rc == MO_OK && (written < 0 || closed < 0))
        sink.rc = MO_ENOMEM;
    if (sink.rc != MO_OK) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
        if (sink.rc == MO_ELIMIT)
            return mo_fail(err, MO_ELIMIT, "%s does not fit in %zu bytes", label, out->max);
        return mo_fail(err, sink.rc, "could not serialise %s", label);
    }
    return MO_OK;
}

/* The record's identifier for messages: the text of the first child of the
 * root named identifier (m:identifier) or fileIdentifier (gmd), trimmed. */
static const char *render_label(xmlDoc *doc, char *buf, size_t size)
{
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    snprintf(buf, size, "record");
    for (xmlNode *c = root ? root->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || (!xmlStrEqual(c->name, BAD_CAST "identifier") &&
                                            !xmlStrEqual(c->name, BAD_CAST "fileIdentifier")))
            continue;
        xmlChar *text = xmlNodeGetContent(c);
        const char *t = (const char *)text;
        while (t && (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r'))
            t++;
        size_t n = t ? strcspn(t, "\r\n\t") : 0;
        if (n > RENDER_MAX_LABEL / 2) { /* cut on a UTF-8 character boundary */
            n = RENDER_MAX_LABEL / 2;
            while (n && ((unsigned char)t[n] & 0xC0) == 0x80)
                n--;
        }
        if (n > 0)
            snprintf(buf, size, "record \"%.*s\"", (int)n, t);
        xmlFree(text);
        break;
    }
    return buf;
}

/* Transforms doc with the stylesheets ids[0..n) in turn and appends the last
 * result; what names the output in messages ("csw:Record"). */
static mo_rc render_chain(const struct render *r, const enum stylesheet_id *ids, size_t n,
                          xmlDoc *doc, const char **params, const char *what, struct buf *out,
                          struct mo_err *err)
{
    char label[RENDER_MAX_LABEL], target[RENDER_MAX_LABEL];
    struct xsltsafe_errors errors = {.len = 0};
    xmlDoc *input = doc, *result = NULL;
    mo_rc rc = MO_OK;
    errors.msg[0] = '\0';
    if (!doc || !xmlDocGetRootElement(doc))
        return mo_fail(err, MO_EXML, "cannot render %s: no document", what);
    for (size_t i = 0; i < n && rc == MO_OK; i++) {
        rc = render_transform(r, ids[i], input, params, &result, &errors);
        if (input != doc)
            xmlFreeDoc(input);
        input = result;
    }
    if (rc != MO_OK) {
        render_label(doc, label, sizeof label);
        return mo_fail(err, rc, "could not render %s as %s: %s", label, what,
                       xsltsafe_message(&errors));
    }
    snprintf(target, sizeof target, "%s as %s", render_label(doc, label, sizeof label), what);
    rc = render_serialise(result, out, target, err);
    xmlFreeDoc(result);
    return rc;
}

mo_rc render_dc(const struct render *r, xmlDoc *unified, enum render_set set,
                const struct render_params *params, struct buf *out, struct mo_err *err)
{
    const char *list[9];
    const enum stylesheet_id ids[] = {XSL_DC};
    if ((unsigned)set > RENDER_FULL)
        return mo_fail(err, MO_EBADREQ, "unknown element set %d", (int)set);
    mo_rc rc = render_build_params(set_names[set], params, list, err);
    if (rc != MO_OK)
        return rc;
    return render_chain(r, ids, 1, unified, list, dc_roots[set], out, err);
}

mo_rc render_iso(const struct render *r, xmlDoc *unified, enum render_set set,
                 const struct render_params *params, struct buf *out, struct mo_err *err)
{
    const char *list[9];
    const enum stylesheet_id ids[] = {XSL_ISO, XSL_ISO_SET};
    char what[64];
    if ((unsigned)set > RENDER_FULL)
        return mo_fail(err, MO_EBADREQ, "unknown element set %d", (int)set);
    mo_rc rc = render_build_params(set_names[set], params, list, err);
    if (rc != MO_OK)
        return rc;
    snprintf(what, sizeof what, "gmd:MD_Metadata (%s)", set_names[set]);
    return render_chain(r, ids, set == RENDER_FULL ? 1 : 2, unified, list, what, out, err);
}

mo_rc render_iso_subset(const struct render *r, xmlDoc *iso, enum render_set set, struct buf *out,
                        struct mo_err *err)
{
    const enum stylesheet_id ids[] = {XSL_ISO_SET};
    char what[64];
    if (set != RENDER_BRIEF && set != RENDER_SUMMARY)
        return mo_fail(err, MO_EBADREQ,
                       "element set \"%s\" of an ISO record is the record itself, not a subset",
                       render_set_name(set));
    const char *list[] = {"element-set", set_names[set], NULL};
    snprintf(what, sizeof what, "gmd:MD_Metadata (%s)", set_names[set]);
    return render_chain(r, ids, 1, iso, list, what, out, err);
}
