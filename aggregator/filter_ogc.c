/*
 * filter_ogc.c — OGC Filter Encoding 1.1 XML → the filter tree (see
 * filter.h).  Elements are matched by namespace and local name, never by
 * prefix: the ogc namespace (FE 1.1), the fes namespace (FE 2.0, whose
 * ValueReference is read as PropertyName) or none; geometries in GML 3.1.1
 * (http://www.opengis.net/gml) or GML 3.2.
 *
 * Call tree: filter_parse_ogc → ogc_predicate (depth-bounded) →
 *   ogc_logic | ogc_compare | ogc_like | ogc_between | ogc_null |
 *   ogc_spatial → ogc_geometry → ogc_points → filter_envelope_make
 */
#include "filter.h"
#include "xmlsafe.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OGC_NS "http://www.opengis.net/ogc"
#define OGC_FES_NS "http://www.opengis.net/fes/2.0"
#define OGC_GML_NS "http://www.opengis.net/gml"
#define OGC_GML32_NS "http://www.opengis.net/gml/3.2"

/* Property of a spatial operator that names none (FE 1.1 allows it). */
#define OGC_DEFAULT_GEOMETRY "ows:BoundingBox"

struct ogc_ctx {
    struct filter *f;
    struct mo_err *err;
};

/* ---- elements ---- */

static int ogc_ns_is(const xmlNode *n, const char *uri)
{
    return n->ns && n->ns->href && strcmp((const char *)n->ns->href, uri) == 0;
}

/* An element of the filter vocabulary (ogc, fes or no namespace). */
static int ogc_is(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0 &&
           (!n->ns || ogc_ns_is(n, OGC_NS) || ogc_ns_is(n, OGC_FES_NS));
}

static int ogc_is_gml(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0 &&
           (ogc_ns_is(n, OGC_GML_NS) || ogc_ns_is(n, OGC_GML32_NS));
}

static const xmlNode *ogc_next_elem(const xmlNode *n)
{
    while (n && n->type != XML_ELEMENT_NODE)
        n = n->next;
    return n;
}

static const xmlNode *ogc_first_elem(const xmlNode *parent)
{
    return ogc_next_elem(parent->children);
}

static size_t ogc_count_elems(const xmlNode *parent)
{
    size_t n = 0;
    for (const xmlNode *k = ogc_first_elem(parent); k; k = ogc_next_elem(k->next))
        n++;
    return n;
}

/* The first child element of parent matching the GML local name. */
static const xmlNode *ogc_gml_child(const xmlNode *parent, const char *local)
{
    for (const xmlNode *k = ogc_first_elem(parent); k; k = ogc_next_elem(k->next))
        if (ogc_is_gml(k, local))
            return k;
    return NULL;
}

/* "prefix:name" of an element for messages. */
static const char *ogc_elem_name(const xmlNode *n, char *out, size_t size)
{
    if (n->ns && n->ns->prefix)
        snprintf(out, size, "%s:%s", (const char *)n->ns->prefix, (const char *)n->name);
    else
        snprintf(out, size, "%s", (const char *)n->name);
    return out;
}

/* The text content of an element (caller frees with xmlFree), or NULL with
 * err set; an element inside (other than comments) is refused. */
static xmlChar *ogc_text(struct ogc_ctx *c, const xmlNode *n, const char *where)
{
    char name[128];
    const xmlNode *k = ogc_first_elem(n);
    if (k) {
        mo_fail(c->err, MO_EBADREQ, "unexpected element %s in %s of %s",
                ogc_elem_name(k, name, sizeof name), (const char *)n->name, where);
        return NULL;
    }
    xmlChar *t = xmlNodeGetContent(n);
    if (!t)
        t = xmlStrdup((const xmlChar *)"");
    if (!t)
        mo_fail(c->err, MO_ENOMEM, "out of memory for a filter");
    return t;
}

static const char *ogc_trim(const char *s, size_t *len)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    *len = n;
    return s;
}

/* The value of an attribute or NULL (caller frees with xmlFree). */
static char *ogc_attr(const xmlNode *el, const char *name)
{
    return (char *)xmlGetProp(el, (const xmlChar *)name);
}

/* Sets the node's property from a PropertyName (or ValueReference). */
static mo_rc ogc_set_prop(struct ogc_ctx *c, struct filter_node *node, const xmlNode *el)
{
    xmlChar *t = ogc_text(c, el, filter_op_name(node->op));
    if (!t)
        return c->err->rc;
    size_t len;
    const char *name = ogc_trim((const char *)t, &len);
    mo_rc rc = filter_set_prop(node, name, len, c->err);
    xmlFree(t);
    return rc;
}

static mo_rc ogc_set_literal(struct ogc_ctx *c, struct filter_node *node, int which,
                             const xmlNode *el)
{
    xmlChar *t = ogc_text(c, el, filter_op_name(node->op));
    if (!t)
        return c->err->rc;
    mo_rc rc = filter_set_value(node, which, (const char *)t, strlen((const char *)t), c->err);
    xmlFree(t);
    return rc;
}

static int ogc_is_prop(const xmlNode *n)
{
    return ogc_is(n, "PropertyName") || ogc_is(n, "ValueReference");
}

/* Refuses an expression other than PropertyName and Literal. */
static mo_rc ogc_bad_operand(struct ogc_ctx *c, const struct filter_node *node, const xmlNode *k)
{
    char name[128];
    if (!k)
        return mo_fail(c->err, MO_EBADREQ, "%s needs a PropertyName and a Literal",
                       filter_op_name(node->op));
    return mo_fail(c->err, MO_EBADREQ,
                   "unsupported expression %s in %s (PropertyName and Literal"
                   " only)",
                   ogc_elem_name(k, name, sizeof name), filter_op_name(node->op));
}

/* matchCase="true|false|1|0" (absent: the node's default). */
static mo_rc ogc_match_case(struct ogc_ctx *c, struct filter_node *node, const xmlNode *el)
{
    xmlChar *v = xmlGetProp(el, (const xmlChar *)"matchCase");
    mo_rc rc = MO_OK;
    if (!v)
        return MO_OK;
    if (!strcmp((const char *)v, "true") || !strcmp((const char *)v, "1"))
        node->match_case = 1;
    else if (!strcmp((const char *)v, "false") || !strcmp((const char *)v, "0"))
        node->match_case = 0;
    else
        rc = mo_fail(c->err, MO_EBADREQ, "bad matchCase in %s: true or false expected",
                     filter_op_name(node->op));
    xmlFree(v);
    return rc;
}

/* ---- comparison predicates ---- */

/* The two operands, a PropertyName and a Literal in either order; a Literal
 * first mirrors the operator (5 < x is x > 5). */
static mo_rc ogc_compare(struct ogc_ctx *c, struct filter_node *node, const xmlNode *el)
{
    static const enum filter_op mirror[FILTER_OP_COUNT] = {
        [FILTER_EQ] = FILTER_EQ,    [FILTER_NE] = FILTER_NE, [FILTER_LT] = FILTER_GT,
        [FILTER_GT] = FILTER_LT,    [FILTER_LE] = FILTER_GE, [FILTER_GE] = FILTER_LE,
        [FILTER_LIKE] = FILTER_LIKE};
    const xmlNode *a = ogc_first_elem(el);
    const xmlNode *b = a ? ogc_next_elem(a->next) : NULL;
    const xmlNode *more = b ? ogc_next_elem(b->next) : NULL;
    if (a && b && ogc_is(a, "Literal") && ogc_is_prop(b)) {
        const xmlNode *t = a;
        a = b;
        b = t;
        node->op = mirror[node->op];
    }
    if (!ogc_is_prop(a))
        return ogc_bad_operand(c, node, a);
    if (!ogc_is(b, "Literal"))
        return ogc_bad_operand(c, node, b);
    if (more)
        return ogc_bad_operand(c, node, more);
    mo_rc rc = ogc_match_case(c, node, el);
    if (rc == MO_OK)
        rc = ogc_set_prop(c, node, a);
    if (rc == MO_OK)
        rc = ogc_set_literal(c, node, 0, b);
    return rc;
}

static mo_rc ogc_like(struct ogc_ctx *c, struct filter_node *node, const xmlNode *el)
{
    char *wild = ogc_attr(el, "wildCard");
    char *single = ogc_attr(el, "singleChar");
    char *escape = ogc_attr(el, "escapeChar");
    if (!escape)
        escape = ogc_attr(el, "escape"); /* Filter Encoding 1.0 */
    mo_rc rc = filter_set_like_chars(node, wild, single, escape, c->err);
    xmlFree(wild);
    xmlFree(single);
    xmlFree(escape);
    if (rc == MO_OK)
        rc = ogc_compare(c, node, el);
    return rc;
}

/* LowerBoundary / UpperBoundary holding one Literal. */
static mo_rc ogc_boundary(struct ogc_ctx *c, struct filter_node *node, const xmlNode *b,
                          const char *name, int which)
{
    if (!ogc_is(b, name))
        return mo_fail(c->err, MO_EBADREQ, "PropertyIsBetween needs a PropertyName, a %s and %s",
                       "LowerBoundary", "UpperBoundary");
    const xmlNode *lit = ogc_first_elem(b);
    if (!ogc_is(lit, "Literal") || ogc_next_elem(lit->next))
        return ogc_bad_operand(c, node, lit);
    return ogc_set_literal(c, node, which, lit);
}

static mo_rc ogc_between(struct ogc_ctx *c, struct filter_node *node, const xmlNode *el)
{
    const xmlNode *p = ogc_first_elem(el);
    const xmlNode *lo = p ? ogc_next_elem(p->next) : NULL;
    const xmlNode *hi = lo ? ogc_next_elem(lo->next) : NULL;
    if (!ogc_is_prop(p))
        return ogc_bad_operand(c, node, p);
    mo_rc rc = ogc_set_prop(c, node, p);
    if (rc == MO_OK)
        rc = ogc_boundary(c, node, lo, "LowerBoundary", 0);
    if (rc == MO_OK)
        rc = ogc_boundary(c, node, hi, "UpperBoundary", 1);
    return rc;
}

static mo_rc ogc_null(struct ogc_ctx *c, struct filter_node *node, const xmlNode *el)
{
    const xmlNode *p = ogc_first_elem(el);
    if (!ogc_is_prop(p) || ogc_next_elem(p->next))
        return mo_fail(c->err, MO_EBADREQ, "PropertyIsNull needs one PropertyName");
    return ogc_set_prop(c, node, p);
}

/* ---- geometries ---- */

/* The positions of a geometry: the first two in document order (the corners
 * of an Envelope or Box), and the bounds of all (a Polygon's ring). */
struct ogc_points {
    double first[2][2];
    double min[2], max[2];
    long count;
};

static void ogc_points_add(struct ogc_points *p, double a0, double a1)
{
    double v[2] = {a0, a1};
    for (int a = 0; a < 2; a++) {
        if (p->count < 2)
            p->first[p->count][a] = v[a];
        if (p->count == 0 || v[a] < p->min[a])
            p->min[a] = v[a];
        if (p->count == 0 || v[a] > p->max[a])
            p->max[a] = v[a];
    }
    p->count++;
}

/* Reads the numbers of a coordinate text (separated by white space, and by
 * commas when commas is set), pair by pair, into p. */
static mo_rc ogc_read_points(struct ogc_ctx *c, const char *text, int commas, const char *where,
                             const char *what, struct ogc_points *p)
{
    char ex[128];
    double pending = 0;
    long n = 0;
    for (const char *s = text;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || (commas && *s == ','))
            s++;
        if (!*s)
            break;
        const char *start = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && !(commas && *s == ','))
            s++;
        double v;
        if (filter_number_parse(start, (size_t)(s - start), &v))
            return mo_fail(c->err, MO_EBADREQ, "bad envelope in %s: \"%s\" is not a number in %s",
                           what, filter_excerpt(start, (size_t)(s - start), ex, sizeof ex), where);
        if (n++ % 2)
            ogc_points_add(p, pending, v);
        else
            pending = v;
    }
    if (n == 0 || n % 2)
        return mo_fail(c->err, MO_EBADREQ,
                       "bad envelope in %s: %s holds %ld numbers, pairs of coordinates expected",
                       what, where, n);
    return MO_OK;
}

/* The points of one GML element's text (pos, posList, coordinates,
 * lowerCorner…); gml:coordinates must use the default separators. */
static mo_rc ogc_points_of(struct ogc_ctx *c, const xmlNode *el, const char *what,
                           struct ogc_points *p)
{
    int commas = ogc_is_gml(el, "coordinates");
    if (commas) {
        const char *attrs[3][2] = {{"decimal", "."}, {"cs", ","}, {"ts", " "}};
        for (int i = 0; i < 3; i++) {
            char *v = ogc_attr(el, attrs[i][0]);
            int ok = !v || strcmp(v, attrs[i][1]) == 0;
            xmlFree(v);
            if (!ok)
                return mo_fail(c->err, MO_EBADREQ,
                               "bad envelope in %s: gml:coordinates with %s other than \"%s\"",
                               what, attrs[i][0], attrs[i][1]);
        }
    }
    xmlChar *t = ogc_text(c, el, what);
    if (!t)
        return c->err->rc;
    char where[64];
    snprintf(where, sizeof where, "gml:%s", (const char *)el->name);
    mo_rc rc = ogc_read_points(c, (const char *)t, commas, where, what, p);
    xmlFree(t);
    return rc;
}

/* One number of a gml:X or gml:Y. */
static mo_rc ogc_number_of(struct ogc_ctx *c, const xmlNode *el, const char *what, double *v)
{
    char ex[128];
    size_t len;
    xmlChar *t = ogc_text(c, el, what);
    if (!t)
        return c->err->rc;
    const char *s = ogc_trim((const char *)t, &len);
    mo_rc rc = MO_OK;
    if (filter_number_parse(s, len, v))
        rc = mo_fail(c->err, MO_EBADREQ, "bad envelope in %s: \"%s\" is not a number in gml:%s",
                     what, filter_excerpt(s, len, ex, sizeof ex), (const char *)el->name);
    xmlFree(t);
    return rc;
}

/* A gml:coord (GML 2) with its X and Y. */
static mo_rc ogc_coord(struct ogc_ctx *c, const xmlNode *el, const char *what, struct ogc_points *p)
{
    const xmlNode *x = ogc_gml_child(el, "X"), *y = ogc_gml_child(el, "Y");
    double vx, vy;
    if (!x || !y)
        return mo_fail(c->err, MO_EBADREQ, "bad envelope in %s: gml:coord without X and Y", what);
    mo_rc rc = ogc_number_of(c, x, what, &vx);
    if (rc == MO_OK)
        rc = ogc_number_of(c, y, what, &vy);
    if (rc == MO_OK)
        ogc_points_add(p, vx, vy);
    return rc;
}

/* Every position under an Envelope, Box or LinearRing, in document order:
 * lowerCorner, upperCorner, pos, posList, coordinates, coord. */
static mo_rc ogc_positions(struct ogc_ctx *c, const xmlNode *el, const char *what,
                           struct ogc_points *p)
{
    static const char *const texts[] = {"lowerCorner", "upperCorner", "pos", "posList",
                                        "coordinates"};
    mo_rc rc = MO_OK;
    for (const xmlNode *k = ogc_first_elem(el); k && rc == MO_OK; k = ogc_next_elem(k->next)) {
        if (ogc_is_gml(k, "coord")) {
            rc = ogc_coord(c, k, what, p);
            continue;
        }
        for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
            if (ogc_is_gml(k, texts[i]))
                rc = ogc_points_of(c, k, what, p);
    }
    if (rc == MO_OK && p->count == 0)
        rc = mo_fail(c->err, MO_EBADREQ, "bad envelope in %s: gml:%s without coordinates", what,
                     (const char *)el->name);
    return rc;
}

/* The exterior ring of a gml:Polygon (GML 3 exterior, GML 2 outerBoundaryIs). */
static const xmlNode *ogc_polygon_ring(const xmlNode *poly)
{
    const xmlNode *ext = ogc_gml_child(poly, "exterior");
    if (!ext)
        ext = ogc_gml_child(poly, "outerBoundaryIs");
    return ext ? ogc_gml_child(ext, "LinearRing") : NULL;
}

/* gml:Envelope or gml:Box (two corners, lower then upper) or gml:Polygon
 * (reduced to the envelope of its exterior ring). */
static mo_rc ogc_geometry(struct ogc_ctx *c, struct filter_node *node, const xmlNode *g)
{
    char name[128];
    const char *what = filter_op_name(node->op);
    const xmlNode *from = g;
    int polygon = ogc_is_gml(g, "Polygon");
    if (!g)
        return mo_fail(c->err, MO_EBADREQ, "%s needs a gml:Envelope", what);
    if (polygon) {
        from = ogc_polygon_ring(g);
        if (!from)
            return mo_fail(c->err, MO_EBADREQ,
                           "bad envelope in %s: gml:Polygon without an exterior LinearRing", what);
    } else if (!ogc_is_gml(g, "Envelope") && !ogc_is_gml(g, "Box")) {
        return mo_fail(c->err, MO_EBADREQ,
                       "unsupported geometry %s in %s (gml:Envelope, gml:Box or gml:Polygon"
                       " expected)",
                       ogc_elem_name(g, name, sizeof name), what);
    }
    struct ogc_points p = {0};
    mo_rc rc = ogc_positions(c, from, what, &p);
    if (rc != MO_OK)
        return rc;
    if (!polygon && p.count != 2)
        return mo_fail(c->err, MO_EBADREQ,
                       "bad envelope in %s: gml:%s holds %ld positions, two"
                       " corners expected",
                       what, (const char *)g->name, p.count);
    char *srs = ogc_attr(g, "srsName");
    if (polygon)
        rc = filter_envelope_make(p.min, p.max, srs, what, &node->env, c->err);
    else
        rc = filter_envelope_make(p.first[0], p.first[1], srs, what, &node->env, c->err);
    xmlFree(srs);
    return rc;
}

static mo_rc ogc_spatial(struct ogc_ctx *c, struct filter_node *node, const xmlNode *el)
{
    const xmlNode *a = ogc_first_elem(el);
    const xmlNode *g = a;
    mo_rc rc;
    if (ogc_is_prop(a)) {
        rc = ogc_set_prop(c, node, a);
        g = ogc_next_elem(a->next);
    } else {
        rc = filter_set_prop(node, OGC_DEFAULT_GEOMETRY, strlen(OGC_DEFAULT_GEOMETRY), c->err);
    }
    if (rc == MO_OK && g && ogc_next_elem(g->next))
        return mo_fail(c->err, MO_EBADREQ, "%s holds more than one geometry",
                       filter_op_name(node->op));
    if (rc == MO_OK)
        rc = ogc_geometry(c, node, g);
    return rc;
}

/* ---- operators ---- */

static const struct {
    const char *name;
    enum filter_op op;
} ogc_ops[] = {
    {"And", FILTER_AND},
    {"Or", FILTER_OR},
    {"Not", FILTER_NOT},
    {"PropertyIsEqualTo", FILTER_EQ},
    {"PropertyIsNotEqualTo", FILTER_NE},
    {"PropertyIsLessThan", FILTER_LT},
    {"PropertyIsGreaterThan", FILTER_GT},
    {"PropertyIsLessThanOrEqualTo", FILTER_LE},
    {"PropertyIsGreaterThanOrEqualTo", FILTER_GE},
    {"PropertyIsLike", FILTER_LIKE},
    {"PropertyIsBetween", FILTER_BETWEEN},
    {"PropertyIsNull", FILTER_NULL},
    {"BBOX", FILTER_BBOX},
    {"Intersects", FILTER_INTERSECTS},
    {"Within", FILTER_WITHIN},
    {"Contains", FILTER_CONTAINS},
    {"Disjoint", FILTER_DISJOINT},
};

static mo_rc ogc_predicate(struct ogc_ctx *c, const xmlNode *el, int depth,
                           struct filter_node **out);

/* And, Or (one operand or more) and Not (exactly one). */
static mo_rc ogc_logic(struct ogc_ctx *c, struct filter_node *node, const xmlNode *el, int depth)
{
    size_t n = ogc_count_elems(el);
    if (n == 0 || (node->op == FILTER_NOT && n != 1))
        return mo_fail(c->err, MO_EBADREQ, "%s needs %s", filter_op_name(node->op),
                       node->op == FILTER_NOT ? "exactly one operand" : "operands");
    struct filter_node **tail = &node->child;
    for (const xmlNode *k = ogc_first_elem(el); k; k = ogc_next_elem(k->next)) {
        mo_rc rc = ogc_predicate(c, k, depth + 1, tail);
        if (rc != MO_OK)
            return rc;
        tail = &(*tail)->next;
    }
    return MO_OK;
}

static mo_rc ogc_predicate(struct ogc_ctx *c, const xmlNode *el, int depth,
                           struct filter_node **out)
{
    char name[128];
    size_t i = 0;
    if (depth > FILTER_MAX_DEPTH)
        return mo_fail(c->err, MO_EBADREQ, "filter nested deeper than %d", FILTER_MAX_DEPTH);
    while (i < sizeof ogc_ops / sizeof ogc_ops[0] && !ogc_is(el, ogc_ops[i].name))
        i++;
    if (i == sizeof ogc_ops / sizeof ogc_ops[0])
        return mo_fail(c->err, MO_EBADREQ, "unsupported filter operator %s",
                       ogc_elem_name(el, name, sizeof name));
    struct filter_node *node = NULL;
    mo_rc rc = filter_node_new(c->f, ogc_ops[i].op, &node, c->err);
    if (rc != MO_OK)
        return rc;
    *out = node;
    switch (node->op) {
    case FILTER_AND:
    case FILTER_OR:
    case FILTER_NOT:
        return ogc_logic(c, node, el, depth);
    case FILTER_LIKE:
        return ogc_like(c, node, el);
    case FILTER_BETWEEN:
        return ogc_between(c, node, el);
    case FILTER_NULL:
        return ogc_null(c, node, el);
    case FILTER_BBOX:
    case FILTER_INTERSECTS:
    case FILTER_WITHIN:
    case FILTER_CONTAINS:
    case FILTER_DISJOINT:
        return ogc_spatial(c, node, el);
    default:
        return ogc_compare(c, node, el);
    }
}

mo_rc filter_parse_ogc(const xmlNode *filter_el, struct filter **out, struct mo_err *err)
{
    char name[128];
    struct filter *f = NULL;
    struct filter_node *root = NULL;
    *out = NULL;
    if (!filter_el || !ogc_is(filter_el, "Filter"))
        return mo_fail(err, MO_EBADREQ, "expected an ogc:Filter element, found %s",
                       filter_el ? ogc_elem_name(filter_el, name, sizeof name) : "nothing");
    size_t n = ogc_count_elems(filter_el);
    if (n != 1)
        return mo_fail(err, MO_EBADREQ,
                       "ogc:Filter holds %zu predicates: one expected (join"
                       " several with And or Or)",
                       n);
    mo_rc rc = filter_new(&f, err);
    if (rc != MO_OK)
        return rc;
    struct ogc_ctx c = {.f = f, .err = err};
    rc = ogc_predicate(&c, ogc_first_elem(filter_el), 1, &root);
    if (rc != MO_OK) {
        filter_free(f);
        return rc;
    }
    filter_set_root(f, root);
    *out = f;
    return MO_OK;
}

mo_rc filter_parse_ogc_text(const char *xml, size_t len, struct filter **out, struct mo_err *err)
{
    xmlDoc *doc = NULL;
    *out = NULL;
    if (len > FILTER_MAX_XML_BYTES)
        return mo_fail(err, MO_EBADREQ, "filter document longer than %d bytes",
                       FILTER_MAX_XML_BYTES);
    mo_rc rc = xmlsafe_parse_memory(xml, len, "Filter", &doc, err);
    if (rc == MO_EXML || rc == MO_EFORBIDDEN) {
        if (err)
            err->rc = MO_EBADREQ; /* a client's constraint: InvalidParameterValue */
        return MO_EBADREQ;
    }
    if (rc != MO_OK)
        return rc;
    rc = filter_parse_ogc(xmlDocGetRootElement(doc), out, err);
    xmlFreeDoc(doc);
    return rc;
}
