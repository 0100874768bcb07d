/*
 * dcat_client.c — one page of a DCAT feed → one flat RDF/XML record per
 * dataset, data service or dataset series, and its Hydra paging.
 *
 * dcat_parse_page → rdf_parse → page_prepare (what each term is: predicates
 * to follow, node classes from rdf:type, catalog records by topic) →
 * page_read_hydra → for each record subject: record_build (breadth-first
 * walk over a queue; node_emit writes one rdf:Description and queues what it
 * references) → the callback → the document freed.
 */
#include "dcat_client.h"

#include <ctype.h>
#include <libxml/uri.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define DCT_NS "http://purl.org/dc/terms/"
#define FOAF_NS "http://xmlns.com/foaf/0.1/"
#define VCARD_NS "http://www.w3.org/2006/vcard/ns#"
#define ADMS_NS "http://www.w3.org/ns/adms#"
#define GEODCATAP_NS "http://data.europa.eu/930/"
#define NO_TERM UINT32_MAX

/* Predicate flags. */
enum { PF_FOLLOW = 1, PF_ACCESS_SERVICE = 2 };
/* Node flags: from rdf:type (the first five), and from what references the
 * node. */
enum {
    NF_DATASET = 1,   /* dcat:Dataset or dcat:DatasetSeries */
    NF_SERVICE = 2,   /* dcat:DataService */
    NF_EXCLUDED = 4,  /* a catalog or a Hydra node: never part of a record */
    NF_INCLUDED = 8,  /* part of any record that references it */
    NF_ACCESSED = 16, /* object of dcat:accessService */
    NF_LISTED = 32,   /* object of dcat:service (a catalog lists it) */
    NF_RECORD = NF_DATASET | NF_SERVICE
};

/* Predicates whose URI objects described in the page belong to the record. */
static const char *const follow_predicates[] = {
    DCAT_NS "distribution",
    DCAT_NS "contactPoint",
    DCAT_NS "theme",
    DCAT_NS "accessService",
    DCAT_NS "mediaType",
    DCAT_NS "compressFormat",
    DCAT_NS "packageFormat",
    DCT_NS "publisher",
    DCT_NS "creator",
    DCT_NS "contributor",
    DCT_NS "rightsHolder",
    DCT_NS "spatial",
    DCT_NS "temporal",
    DCT_NS "license",
    DCT_NS "accessRights",
    DCT_NS "rights",
    DCT_NS "format",
    DCT_NS "conformsTo",
    DCT_NS "provenance",
    DCT_NS "language",
    DCT_NS "accrualPeriodicity",
    DCT_NS "type",
    FOAF_NS "isPrimaryTopicOf",
    FOAF_NS "page",
    ADMS_NS "contactPoint",
    ADMS_NS "identifier",
    ADMS_NS "sample",
    VCARD_NS "hasAddress",
    VCARD_NS "hasTelephone",
    VCARD_NS "organization",
    GEODCATAP_NS "custodian",
    GEODCATAP_NS "distributor",
    GEODCATAP_NS "originator",
    GEODCATAP_NS "principalInvestigator",
    GEODCATAP_NS "processor",
    GEODCATAP_NS "resourceProvider",
    GEODCATAP_NS "user",
    GEODCATAP_NS "topicCategory",
    "http://www.w3.org/ns/prov#qualifiedAttribution",
    "http://www.w3.org/ns/locn#address",
};

static const char *const dataset_types[] = {
    DCAT_NS "Dataset",
    DCAT_NS "DatasetSeries",
};

static const char *const excluded_types[] = {
    DCAT_NS "Catalog",
    HYDRA_NS "Collection",
    HYDRA_NS "PartialCollectionView",
    HYDRA_NS "PagedCollection",
};

/* Nodes of these types belong to the record that references them, whatever
 * the predicate. */
static const char *const included_types[] = {
    DCAT_NS "Distribution",
    DCAT_NS "CatalogRecord",
    VCARD_NS "Kind",
    VCARD_NS "Organization",
    VCARD_NS "Individual",
    VCARD_NS "Address",
    FOAF_NS "Agent",
    FOAF_NS "Organization",
    FOAF_NS "Person",
    FOAF_NS "Document",
    DCT_NS "Location",
    DCT_NS "PeriodOfTime",
    DCT_NS "LicenseDocument",
    DCT_NS "RightsStatement",
    DCT_NS "MediaTypeOrExtent",
    DCT_NS "MediaType",
    DCT_NS "Standard",
    DCT_NS "ProvenanceStatement",
    DCT_NS "LinguisticSystem",
    "http://www.w3.org/2004/02/skos/core#Concept",
    "http://www.w3.org/ns/locn#Geometry",
    ADMS_NS "Identifier",
};

/* Usual prefixes, so that a stored record reads as partners write them. */
static const char *const known_prefixes[][2] = {
    {"dcat", DCAT_NS},
    {"dct", DCT_NS},
    {"foaf", FOAF_NS},
    {"vcard", VCARD_NS},
    {"adms", ADMS_NS},
    {"geodcatap", GEODCATAP_NS},
    {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
    {"skos", "http://www.w3.org/2004/02/skos/core#"},
    {"locn", "http://www.w3.org/ns/locn#"},
    {"schema", "http://schema.org/"},
    {"hydra", HYDRA_NS},
    {"owl", "http://www.w3.org/2002/07/owl#"},
    {"prov", "http://www.w3.org/ns/prov#"},
    {"dcatap", "http://data.europa.eu/r5r/"},
    {"dc", "http://purl.org/dc/elements/1.1/"},
    {"spdx", "http://spdx.org/rdf/terms#"},
    {"gsp", "http://www.opengis.net/ont/geosparql#"},
    {"dqv", "http://www.w3.org/ns/dqv#"},
    {"time", "http://www.w3.org/2006/time#"},
    {"cnt", "http://www.w3.org/2011/content#"},
    {"org", "http://www.w3.org/ns/org#"},
};

/* What a page needs while its records are built. */
struct page {
    const struct rdf_graph *g;
    const char *name;
    size_t nterms;
    size_t max_record_triples;
    uint32_t type; /* rdf:type, NO_TERM when the page has none */
    uint8_t *pred_flags;
    uint8_t *node_flags;
    uint32_t *queued;   /* record stamp when queued in the current record */
    uint32_t *labelled; /* record stamp when its blank node label was given */
    uint32_t *label;    /* blank node label in the current record */
    uint32_t *ns_stamp; /* record stamp when ns_of[term] was set */
    xmlNs **ns_of;      /* the predicate's namespace in the current record */
    uint32_t *local_at; /* where the local name starts in a predicate; 0: cannot split */
    uint32_t *cr_head;  /* first catalog record (index into cr_*) about a term */
    uint32_t *cr_next, *cr_subject;
    uint32_t *queue;
    size_t queue_cap;
};

/* The document of one record under construction. */
struct record_doc {
    struct page *pg;
    uint32_t stamp;
    xmlDoc *doc;
    xmlNode *root;
    xmlNs *rdf;
    size_t qlen;
    uint32_t next_label;
    uint32_t next_prefix;
    size_t triples;
};

void dcat_page_info_clear(struct dcat_page_info *info)
{
    if (!info)
        return;
    free(info->next_url);
    free(info->first_url);
    free(info->last_url);
    memset(info, 0, sizeof *info);
    info->total = -1;
}

static void page_free(struct page *pg)
{
    free(pg->pred_flags);
    free(pg->node_flags);
    free(pg->queued);
    free(pg->labelled);
    free(pg->label);
    free(pg->ns_stamp);
    free(pg->ns_of);
    free(pg->local_at);
    free(pg->cr_head);
    free(pg->cr_next);
    free(pg->cr_subject);
    free(pg->queue);
}

/* ---- text fit for XML ---- */

/* Length of the UTF-8 sequence at s holding an XML 1.0 character, or 0. */
static size_t xml_char_len(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    if (c < 0x80)
        return (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') ? 1 : 0;
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!n || n > avail || c > 0xF4)
        return 0;
    uint32_t cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0; /* overlong or out of range */
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return n;
}

/* s itself when every character may stand in XML, else a copy in *tmp (the
 * caller frees) where each byte that may not is U+FFFD.  NULL: no memory. */
static const xmlChar *xml_text(const char *s, size_t len, char **tmp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, n;
    *tmp = NULL;
    while (i < len && (n = xml_char_len(u + i, len - i)) > 0)
        i += n;
    if (i == len && !memchr(s, '\0', len))
        return (const xmlChar *)s;
    char *out = malloc(len * 3 + 1), *o = out;
    if (!out)
        return NULL;
    for (i = 0; i < len;) {
        n = xml_char_len(u + i, len - i);
        if (n) {
            memcpy(o, s + i, n);
            o += n;
            i += n;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    *o = '\0';
    *tmp = out;
    return (const xmlChar *)out;
}

static mo_rc set_attr(xmlNode *node, xmlNs *ns, const char *name, const char *value, size_t len)
{
    char *tmp;
    const xmlChar *v = xml_text(value, len, &tmp);
    xmlAttr *a = v ? xmlNewNsProp(node, ns, (const xmlChar *)name, v) : NULL;
    free(tmp);
    return a ? MO_OK : MO_ENOMEM;
}

/* ---- what each term is ---- */

static uint32_t find_uri(const struct rdf_graph *g, const char *uri)
{
    uint32_t id;
    return rdf_graph_find(g, RDF_URI, uri, &id) ? id : NO_TERM;
}

static void flag_terms(struct page *pg, uint8_t *flags, const char *const *uris, size_t n,
                       uint8_t flag)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t id = find_uri(pg->g, uris[i]);
        if (id != NO_TERM)
            flags[id] |= flag;
    }
}

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* Node flags from the rdf:type, dcat:accessService and dcat:service triples. */
static mo_rc classify_nodes(struct page *pg)
{
    uint8_t *type_flags = calloc(pg->nterms ? pg->nterms : 1, 1);
    if (!type_flags)
        return MO_ENOMEM;
    flag_terms(pg, type_flags, dataset_types, COUNT(dataset_types), NF_DATASET);
    static const char *const service[] = {DCAT_NS "DataService"};
    flag_terms(pg, type_flags, service, 1, NF_SERVICE);
    flag_terms(pg, type_flags, excluded_types, COUNT(excluded_types), NF_EXCLUDED);
    flag_terms(pg, type_flags, included_types, COUNT(included_types), NF_INCLUDED);
    uint32_t access = find_uri(pg->g, DCAT_NS "accessService");
    uint32_t listed = find_uri(pg->g, DCAT_NS "service");
    size_t nt = rdf_graph_triple_count(pg->g);
    for (size_t i = 0; i < nt; i++) {
        const struct rdf_triple *t = rdf_graph_triple(pg->g, i);
        if (t->p == pg->type && pg->type != NO_TERM)
            pg->node_flags[t->s] |= type_flags[t->o];
        else if (t->p == access && access != NO_TERM)
            pg->node_flags[t->o] |= NF_ACCESSED;
        else if (t->p == listed && listed != NO_TERM)
            pg->node_flags[t->o] |= NF_LISTED;
    }
    free(type_flags);
    return MO_OK;
}

/* Whether a typed node is a record of its own: datasets and series always;
 * a data service unless it only serves a distribution (dcat:accessService
 * and no catalog's dcat:service), since it is then part of that record. */
static int is_record(const struct page *pg, uint32_t node)
{
    uint8_t nf = pg->node_flags[node];
    if (nf & NF_DATASET)
        return 1;
    return (nf & NF_SERVICE) && (!(nf & NF_ACCESSED) || (nf & NF_LISTED));
}

/* Catalog records by the dataset they are about (foaf:primaryTopic). */
static mo_rc index_catalog_records(struct page *pg)
{
    uint32_t topic = find_uri(pg->g, FOAF_NS "primaryTopic");
    size_t nt = rdf_graph_triple_count(pg->g), n = 0;
    for (size_t id = 0; id < pg->nterms; id++)
        pg->cr_head[id] = NO_TERM;
    if (topic == NO_TERM)
        return MO_OK;
    pg->cr_next = malloc((nt ? nt : 1) * sizeof *pg->cr_next);
    pg->cr_subject = malloc((nt ? nt : 1) * sizeof *pg->cr_subject);
    if (!pg->cr_next || !pg->cr_subject)
        return MO_ENOMEM;
    for (size_t i = nt; i-- > 0;) { /* backwards: lists come out in page order */
        const struct rdf_triple *t = rdf_graph_triple(pg->g, i);
        if (t->p != topic || rdf_graph_term(pg->g, t->o)->kind == RDF_LITERAL)
            continue;
        pg->cr_subject[n] = t->s;
        pg->cr_next[n] = pg->cr_head[t->o];
        pg->cr_head[t->o] = (uint32_t)n++;
    }
    return MO_OK;
}

static mo_rc page_prepare(struct page *pg, const struct rdf_graph *g, const char *name,
                          const struct dcat_limits *limits)
{
    size_t n = rdf_graph_term_count(g) ? rdf_graph_term_count(g) : 1;
    pg->g = g;
    pg->name = name;
    pg->nterms = rdf_graph_term_count(g);
    pg->max_record_triples =
        limits && limits->max_record_triples ? limits->max_record_triples : DCAT_MAX_RECORD_TRIPLES;
    pg->type = find_uri(g, RDF_TYPE);
    pg->pred_flags = calloc(n, 1);
    pg->node_flags = calloc(n, 1);
    pg->queued = calloc(n, sizeof *pg->queued);
    pg->labelled = calloc(n, sizeof *pg->labelled);
    pg->label = calloc(n, sizeof *pg->label);
    pg->ns_stamp = calloc(n, sizeof *pg->ns_stamp);
    pg->ns_of = calloc(n, sizeof *pg->ns_of);
    pg->local_at = malloc(n * sizeof *pg->local_at);
    pg->cr_head = malloc(n * sizeof *pg->cr_head);
    if (!pg->pred_flags || !pg->node_flags || !pg->queued || !pg->labelled || !pg->label ||
        !pg->ns_stamp || !pg->ns_of || !pg->local_at || !pg->cr_head)
        return MO_ENOMEM;
    for (size_t id = 0; id < pg->nterms; id++)
        pg->local_at[id] = NO_TERM;
    if (classify_nodes(pg) != MO_OK)
        return MO_ENOMEM;
    flag_terms(pg, pg->pred_flags, follow_predicates, COUNT(follow_predicates), PF_FOLLOW);
    uint32_t access = find_uri(g, DCAT_NS "accessService");
    if (access != NO_TERM)
        pg->pred_flags[access] |= PF_ACCESS_SERVICE;
    return index_catalog_records(pg);
}

/* ---- Hydra ---- */

static int hydra_is(const struct rdf_term *p, const char *a, const char *b)
{
    static const size_t ns_len = sizeof HYDRA_NS - 1;
    if (p->kind != RDF_URI || p->len <= ns_len || memcmp(p->value, HYDRA_NS, ns_len) != 0)
        return 0;
    return strcmp(p->value + ns_len, a) == 0 || (b && strcmp(p->value + ns_len, b) == 0);
}

/* A literal URL, trimmed and resolved against base (the parser resolves
 * IRIs, not literals); as written when libxml2 cannot resolve it; "" when
 * blank; NULL when out of memory. */
static char *resolve_literal(const struct rdf_term *o, const char *base)
{
    const char *v = o->value, *end = o->value + o->len;
    while (v < end && isspace((unsigned char)*v))
        v++;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    char *ref = strndup(v, (size_t)(end - v));
    if (!ref || !*ref)
        return ref;
    xmlChar *abs = xmlBuildURI((const xmlChar *)ref, (const xmlChar *)base);
    if (!abs)
        return ref;
    char *s = strdup((const char *)abs);
    xmlFree(abs);
    free(ref);
    return s;
}

/* Keeps the URL o names in *slot when the slot is empty, or when preferred.
 * Hydra links are IRIs, or literals (udata writes them so). */
static mo_rc keep_url(char **slot, const struct rdf_term *o, const char *base, int preferred)
{
    if (o->kind == RDF_BNODE || o->len == 0 || o->len > DCAT_MAX_URL || (*slot && !preferred))
        return MO_OK;
    char *s = o->kind == RDF_URI ? strdup(o->value) : resolve_literal(o, base);
    if (!s)
        return MO_ENOMEM;
    if (!*s) {
        free(s);
        return MO_OK;
    }
    free(*slot);
    *slot = s;
    return MO_OK;
}

static long parse_count(const struct rdf_term *o)
{
    char *end;
    if (o->kind != RDF_LITERAL || o->len == 0 || o->len > 18)
        return -1;
    long v = strtol(o->value, &end, 10);
    return (*end == '\0' && v >= 0 && o->value[0] != '-' && o->value[0] != '+') ? v : -1;
}

static mo_rc page_read_hydra(const struct rdf_graph *g, const char *name,
                             struct dcat_page_info *info)
{
    size_t nt = rdf_graph_triple_count(g);
    int next_from_self = 0;
    mo_rc rc = MO_OK;
    for (size_t i = 0; i < nt && rc == MO_OK; i++) {
        const struct rdf_triple *t = rdf_graph_triple(g, i);
        const struct rdf_term *p = rdf_graph_term(g, t->p), *o = rdf_graph_term(g, t->o);
        if (hydra_is(p, "next", "nextPage")) {
            int self = strcmp(rdf_graph_term(g, t->s)->value, name) == 0;
            rc = keep_url(&info->next_url, o, name, self && !next_from_self);
            next_from_self |= self;
        } else if (hydra_is(p, "first", "firstPage")) {
            rc = keep_url(&info->first_url, o, name, 0);
        } else if (hydra_is(p, "last", "lastPage")) {
            rc = keep_url(&info->last_url, o, name, 0);
        } else if (hydra_is(p, "totalItems", NULL) && info->total < 0) {
            info->total = parse_count(o);
        }
    }
    return rc;
}

/* ---- one record ---- */

static int is_name_start(unsigned char c)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
    return is_name_start(c) || c == '-' || c == '.' || (c >= '0' && c <= '9');
}

/* Where the local name of a predicate URI starts (the longest NCName
 * suffix), or 0 when the URI cannot be written as an XML element. */
static uint32_t split_predicate(const struct rdf_term *p)
{
    const unsigned char *s = (const unsigned char *)p->value;
    size_t i = p->len;
    while (i > 0 && is_name_char(s[i - 1]))
        i--;
    while (i < p->len && !is_name_start(s[i]))
        i++;
    if (i == 0 || i >= p->len || xmlValidateNCName(s + i, 0) != 0)
        return 0;
    return (uint32_t)i;
}

static xmlNs *namespace_for(struct record_doc *rd, uint32_t pred, size_t ns_len)
{
    struct page *pg = rd->pg;
    const char *uri = rdf_graph_term(pg->g, pred)->value;
    char prefix[32], *href;
    xmlNs *ns;
    if (pg->ns_stamp[pred] == rd->stamp)
        return pg->ns_of[pred];
    href = strndup(uri, ns_len);
    if (!href)
        return NULL;
    ns = xmlSearchNsByHref(rd->doc, rd->root, (const xmlChar *)href);
    if (!ns) {
        snprintf(prefix, sizeof prefix, "ns%u", ++rd->next_prefix);
        for (size_t i = 0; i < COUNT(known_prefixes); i++)
            if (strcmp(known_prefixes[i][1], href) == 0)
                snprintf(prefix, sizeof prefix, "%s", known_prefixes[i][0]);
        char *tmp;
        const xmlChar *clean = xml_text(href, ns_len, &tmp);
        ns = clean ? xmlNewNs(rd->root, clean, (const xmlChar *)prefix) : NULL;
        free(tmp);
    }
    free(href);
    pg->ns_stamp[pred] = rd->stamp;
    pg->ns_of[pred] = ns;
    return ns;
}

static mo_rc queue_push(struct record_doc *rd, uint32_t node)
{
    struct page *pg = rd->pg;
    if (rd->qlen == pg->queue_cap) {
        size_t n = pg->queue_cap ? pg->queue_cap * 2 : 64;
        uint32_t *q = realloc(pg->queue, n * sizeof *q);
        if (!q)
            return MO_ENOMEM;
        pg->queue = q;
        pg->queue_cap = n;
    }
    pg->queue[rd->qlen++] = node;
    pg->queued[node] = rd->stamp;
    return MO_OK;
}

/* Whether the node o, referenced through p, belongs to the record. */
static int belongs(const struct record_doc *rd, uint32_t p, uint32_t o)
{
    const struct page *pg = rd->pg;
    size_t n;
    if (pg->queued[o] == rd->stamp || !rdf_graph_about(pg->g, o, &n) || n == 0)
        return 0;
    uint8_t nf = pg->node_flags[o];
    if (nf & NF_RECORD)
        return (pg->pred_flags[p] & PF_ACCESS_SERVICE) != 0;
    if (nf & NF_EXCLUDED)
        return 0;
    if (rdf_graph_term(pg->g, o)->kind == RDF_BNODE)
        return 1;
    return (pg->pred_flags[p] & PF_FOLLOW) || (nf & NF_INCLUDED);
}

static mo_rc set_node_ref(struct record_doc *rd, xmlNode *el, const char *attr, uint32_t node)
{
    struct page *pg = rd->pg;
    const struct rdf_term *t = rdf_graph_term(pg->g, node);
    char label[16];
    if (t->kind == RDF_URI)
        return set_attr(el, rd->rdf, attr, t->value, t->len);
    if (pg->labelled[node] != rd->stamp) {
        pg->labelled[node] = rd->stamp;
        pg->label[node] = ++rd->next_label;
    }
    int n = snprintf(label, sizeof label, "b%u", pg->label[node]);
    return set_attr(el, rd->rdf, strcmp(attr, "about") == 0 ? "nodeID" : attr, label, (size_t)n);
}

static mo_rc set_object(struct record_doc *rd, xmlNode *el, uint32_t p, uint32_t o)
{
    const struct rdf_term *t = rdf_graph_term(rd->pg->g, o);
    mo_rc rc;
    if (t->kind == RDF_LITERAL) {
        char *tmp;
        const xmlChar *v = xml_text(t->value, t->len, &tmp);
        xmlNode *text = v ? xmlNewDocText(rd->doc, v) : NULL;
        free(tmp);
        if (!text || !xmlAddChild(el, text)) {
            xmlFreeNode(text);
            return MO_ENOMEM;
        }
        if (t->lang)
            xmlNodeSetLang(el, (const xmlChar *)t->lang);
        if (t->datatype)
            return set_attr(el, rd->rdf, "datatype", t->datatype, strlen(t->datatype));
        return MO_OK;
    }
    rc = set_node_ref(rd, el, t->kind == RDF_URI ? "resource" : "nodeID", o);
    if (rc == MO_OK && belongs(rd, p, o))
        rc = queue_push(rd, o);
    return rc;
}

/* One rdf:Description: the node's triples; queues the nodes they bring in. */
static mo_rc node_emit(struct record_doc *rd, uint32_t node, struct mo_err *err)
{
    struct page *pg = rd->pg;
    size_t n;
    const struct rdf_triple *t = rdf_graph_about(pg->g, node, &n);
    xmlNode *desc = xmlNewDocNode(rd->doc, rd->rdf, (const xmlChar *)"Description", NULL);
    if (!desc || !xmlAddChild(rd->root, desc)) {
        xmlFreeNode(desc);
        return mo_fail(err, MO_ENOMEM, "out of memory building a record of \"%s\"", pg->name);
    }
    mo_rc rc = set_node_ref(rd, desc, "about", node);
    rd->triples += n;
    if (rc == MO_OK && rd->triples > pg->max_record_triples)
        return mo_fail(err, MO_ELIMIT,
                       "dataset \"%s\" of \"%s\" is described by more than %zu "
                       "triples",
                       rdf_graph_term(pg->g, pg->queue[0])->value, pg->name,
                       pg->max_record_triples);
    for (size_t i = 0; i < n && rc == MO_OK; i++) {
        const struct rdf_term *p = rdf_graph_term(pg->g, t[i].p);
        if (pg->local_at[t[i].p] == NO_TERM)
            pg->local_at[t[i].p] = split_predicate(p);
        uint32_t at = pg->local_at[t[i].p];
        if (at == 0)
            continue; /* not writable as RDF/XML (as raptor's serializer would refuse) */
        xmlNs *ns = namespace_for(rd, t[i].p, at);
        xmlNode *el = ns ? xmlNewDocNode(rd->doc, ns, (const xmlChar *)p->value + at, NULL) : NULL;
        if (!el || !xmlAddChild(desc, el)) {
            xmlFreeNode(el);
            rc = MO_ENOMEM;
            break;
        }
        rc = set_object(rd, el, t[i].p, t[i].o);
    }
    if (rc != MO_OK)
        return mo_fail(err, rc, "out of memory building a record of \"%s\"", pg->name);
    return MO_OK;
}

/* The record of subject: a new document (caller frees) in *out. */
static mo_rc record_build(struct page *pg, uint32_t subject, uint32_t stamp, xmlDoc **out,
                          struct mo_err *err)
{
    struct record_doc rd = {.pg = pg, .stamp = stamp};
    mo_rc rc = MO_ENOMEM;
    *out = NULL;
    rd.doc = xmlNewDoc((const xmlChar *)"1.0");
    rd.root = rd.doc ? xmlNewDocNode(rd.doc, NULL, (const xmlChar *)"RDF", NULL) : NULL;
    if (!rd.root)
        goto out;
    xmlDocSetRootElement(rd.doc, rd.root);
    rd.rdf = xmlNewNs(rd.root, (const xmlChar *)RDF_NS, (const xmlChar *)"rdf");
    if (!rd.rdf)
        goto out;
    xmlSetNs(rd.root, rd.rdf);
    if (queue_push(&rd, subject) != MO_OK)
        goto out;
    for (uint32_t c = pg->cr_head[subject]; c != NO_TERM; c = pg->cr_next[c])
        if (pg->queued[pg->cr_subject[c]] != stamp && queue_push(&rd, pg->cr_subject[c]) != MO_OK)
            goto out;
    for (size_t i = 0; i < rd.qlen; i++)
        if ((rc = node_emit(&rd, pg->queue[i], err)) != MO_OK)
            goto fail;
    *out = rd.doc;
    return MO_OK;
out:
    rc = mo_fail(err, MO_ENOMEM, "out of memory building a record of \"%s\"", pg->name);
fail:
    xmlFreeDoc(rd.doc);
    return rc;
}

/* ---- the page ---- */

/* The record subjects, in the order of their first rdf:type; *n of them
 * (caller frees *out). */
static mo_rc list_records(struct page *pg, uint32_t **out, size_t *n)
{
    size_t nt = rdf_graph_triple_count(pg->g), count = 0;
    uint8_t *listed = calloc(pg->nterms ? pg->nterms : 1, 1);
    uint32_t *list = malloc((pg->nterms ? pg->nterms : 1) * sizeof *list);
    *out = NULL;
    *n = 0;
    if (!listed || !list) {
        free(listed);
        free(list);
        return MO_ENOMEM;
    }
    for (size_t i = 0; i < nt && pg->type != NO_TERM; i++) {
        const struct rdf_triple *t = rdf_graph_triple(pg->g, i);
        if (t->p == pg->type && !listed[t->s] && is_record(pg, t->s)) {
            listed[t->s] = 1;
            list[count++] = t->s;
        }
    }
    free(listed);
    *out = list;
    *n = count;
    return MO_OK;
}

static mo_rc walk_records(struct page *pg, const uint32_t *subjects, size_t n,
                          struct dcat_page_info *info, dcat_record_fn fn, void *ud,
                          struct mo_err *err)
{
    for (size_t i = 0; i < n; i++) {
        xmlDoc *doc = NULL;
        if (i + 1 >= UINT32_MAX)
            return mo_fail(err, MO_ELIMIT, "too many datasets in \"%s\"", pg->name);
        mo_rc rc = record_build(pg, subjects[i], (uint32_t)i + 1, &doc, err);
        if (rc != MO_OK)
            return rc;
        rc = fn(ud, xmlDocGetRootElement(doc), (long)i, err);
        xmlFreeDoc(doc);
        if (rc != MO_OK)
            return rc;
        info->datasets++;
    }
    return MO_OK;
}

mo_rc dcat_parse_page(struct rdf_world *w, FILE *body, const char *name, const char *content_type,
                      const struct dcat_limits *limits, struct dcat_page_info *info,
                      dcat_record_fn fn, void *ud, struct mo_err *err)
{
    struct rdf_limits rl = {0};
    struct rdf_graph *g = NULL;
    struct page pg = {0};
    uint32_t *subjects = NULL;
    size_t n = 0;
    mo_rc rc;
    dcat_page_info_clear(info);
    if (limits) {
        rl.max_triples = limits->max_triples;
        rl.max_bytes = limits->max_bytes;
    }
    if ((rc = rdf_parse(w, body, name, content_type, &rl, &g, err)) != MO_OK)
        return rc;
    info->triples = (long)rdf_graph_triple_count(g);
    if (page_prepare(&pg, g, name, limits) != MO_OK || list_records(&pg, &subjects, &n) != MO_OK ||
        page_read_hydra(g, name, info) != MO_OK) {
        rc = mo_fail(err, MO_ENOMEM, "out of memory reading \"%s\"", name);
        goto out;
    }
    /* no dataset: an empty page of a Hydra collection (it says so, or names
     * other pages), else not a feed at all */
    if (n == 0 && info->total < 0 && !info->next_url && !info->first_url && !info->last_url) {
        rc = mo_fail(err, MO_EPARTNER,
                     "no dcat:Dataset, dcat:DataService or dcat:DatasetSeries in \"%s\" (%s, %zu "
                     "triples)",
                     name, rdf_syntax_name(rdf_graph_syntax(g)), rdf_graph_triple_count(g));
        goto out;
    }
    rc = walk_records(&pg, subjects, n, info, fn, ud, err);
out:
    free(subjects);
    page_free(&pg);
    rdf_graph_free(g);
    return rc;
}
