/*
 * record.c — reads the unified record (urn:x-moisson:record:1) into struct
 * record, and serialises / hashes the partner's original record.
 *
 * Only the unified shape is read, in one pass over the children of m:record
 * (see child_fields); partner XML is never walked here.
 */
#include "record.h"

#include <ctype.h>
#include <libxml/xmlsave.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

void strlist_free(struct strlist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

mo_rc strlist_push(struct strlist *l, const char *s)
{
    char *copy = strdup(s);
    if (!copy)
        return MO_ENOMEM;
    char **items = realloc(l->items, (l->count + 1) * sizeof *items);
    if (!items) {
        free(copy);
        return MO_ENOMEM;
    }
    items[l->count++] = copy;
    l->items = items;
    return MO_OK;
}

static int strlist_has(const struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return 1;
    return 0;
}

/* Every field read from the unified document, not original/hash. */
static void record_clear_fields(struct record *rec)
{
    char **strings[] = {&rec->identifier, &rec->schema, &rec->language, &rec->parent,
                        &rec->type, &rec->title, &rec->abstract, &rec->lineage,
                        &rec->service_type, &rec->thumbnail, &rec->date_creation,
                        &rec->date_publication, &rec->date_revision, &rec->date_stamp,
                        &rec->temporal_begin, &rec->temporal_end, &rec->unified};
    struct strlist *lists[] = {&rec->alt_titles, &rec->keywords, &rec->topics,
                               &rec->organisations, &rec->links, &rec->formats,
                               &rec->crs, &rec->licences, &rec->resource_languages,
                               &rec->operates_on};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
        free(*strings[i]);
        *strings[i] = NULL;
    }
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        strlist_free(lists[i]);
    rec->unified_len = 0;
    rec->has_bbox = 0;
    rec->west = rec->south = rec->east = rec->north = 0;
}

void record_clear(struct record *rec)
{
    if (!rec)
        return;
    record_clear_fields(rec);
    free(rec->original);
    memset(rec, 0, sizeof *rec);
}

static mo_rc list_add(struct strlist *l, const char *s, int dedup)
{
    if (!*s || (dedup && strlist_has(l, s)))
        return MO_OK;
    return strlist_push(l, s);
}

/* Appends the string value of node (not trimmed; an empty one skipped). */
static mo_rc list_add_content(struct strlist *l, xmlNode *node, int dedup)
{
    xmlChar *raw = xmlNodeGetContent(node);
    if (!raw)
        return MO_ENOMEM;
    mo_rc rc = list_add(l, (const char *)raw, dedup);
    xmlFree(raw);
    return rc;
}

/* Appends the value of node's attribute attr (no namespace), when present. */
static mo_rc list_add_attr(struct strlist *l, xmlNode *node, const char *attr, int dedup)
{
    xmlChar *raw = xmlGetNoNsProp(node, (const xmlChar *)attr);
    if (!raw)
        return MO_OK;
    mo_rc rc = list_add(l, (const char *)raw, dedup);
    xmlFree(raw);
    return rc;
}

/* A copy of s without leading and trailing white space, or NULL when that
 * leaves nothing (what xmlsafe_xpath_string gives). */
static char *trimmed_copy(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return n ? strndup(s, n) : NULL;
}

static char *content_trimmed(xmlNode *node)
{
    xmlChar *raw = xmlNodeGetContent(node);
    char *s = raw ? trimmed_copy((const char *)raw) : NULL;
    xmlFree(raw);
    return s;
}

static char *attr_trimmed(xmlNode *node, const char *attr)
{
    xmlChar *raw = xmlGetNoNsProp(node, (const xmlChar *)attr);
    char *s = raw ? trimmed_copy((const char *)raw) : NULL;
    xmlFree(raw);
    return s;
}

static void union_bbox(struct record *rec, double w, double s, double e, double n)
{
    if (!rec->has_bbox) {
        rec->west = w, rec->south = s, rec->east = e, rec->north = n;
        rec->has_bbox = 1;
        return;
    }
    rec->west = w < rec->west ? w : rec->west;
    rec->south = s < rec->south ? s : rec->south;
    rec->east = e > rec->east ? e : rec->east;
    rec->north = n > rec->north ? n : rec->north;
}

static int parse_double(xmlNode *node, const char *name, double *out)
{
    xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
    char *end = NULL;
    int ok = 0;
    if (v) {
        *out = strtod((const char *)v, &end);
        ok = end != (char *)v && *end == '\0';
        xmlFree(v);
    }
    return ok;
}

/* An m:bbox with four numeric corners joins the union. */
static void read_bbox(xmlNode *b, struct record *rec)
{
    double w, s, e, n;
    if (parse_double(b, "west", &w) && parse_double(b, "south", &s) &&
        parse_double(b, "east", &e) && parse_double(b, "north", &n))
        union_bbox(rec, w, s, e, n);
}

/*
 * The unified record is read in one pass over the children of m:record (our
 * own fixed shape, schemas/unified-record.xsd), each child dispatched by its
 * local name through child_fields.  The rules are those of the XPath
 * expressions this replaced:
 *   scalar   "/m:record/m:NAME": the first such child, trimmed; NULL when
 *            blank (a later one is not looked at)
 *   list     "/m:record/m:NAME" or ".../@ATTR": every value as written, empty
 *            ones skipped, duplicates skipped when dedup
 *   date     "/m:record/m:date[@type='T'][1]": the first of each type, trimmed
 *   temporal "(/m:record/m:temporal/@begin)[1]", same for @end
 *   party    organisations of the parties with scope="resource", then those of
 *            the other parties (a second pass), deduplicated
 *   bbox     the union of every m:bbox with four numeric corners
 */
enum field_kind { F_SCALAR, F_LIST, F_LIST_ATTR, F_DATE, F_TEMPORAL, F_PARTY, F_BBOX };

struct child_field {
    const char *name;
    enum field_kind kind;
    size_t offset; /* F_SCALAR: char *, F_LIST*: struct strlist, in struct record */
    int dedup;
    const char *attr; /* F_LIST_ATTR */
};

#define SCALAR(name, member) {name, F_SCALAR, offsetof(struct record, member), 0, NULL}
#define LIST(name, member, dedup) {name, F_LIST, offsetof(struct record, member), dedup, NULL}
#define LIST_ATTR(name, attr, member) \
    {name, F_LIST_ATTR, offsetof(struct record, member), 1, attr}
#define SPECIAL(name, kind) {name, kind, 0, 0, NULL}

static const struct child_field child_fields[] = {
    SCALAR("identifier", identifier),
    SCALAR("schema", schema),
    SCALAR("language", language),
    SCALAR("parent", parent),
    SCALAR("type", type),
    SCALAR("title", title),
    SCALAR("abstract", abstract),
    SCALAR("lineage", lineage),
    SCALAR("serviceType", service_type),
    SCALAR("thumbnail", thumbnail),
    LIST("altTitle", alt_titles, 0),
    LIST("keyword", keywords, 1),
    LIST("topic", topics, 1),
    LIST("format", formats, 1),
    LIST("crs", crs, 1),
    LIST("licence", licences, 1),
    LIST("resourceLanguage", resource_languages, 1),
    LIST_ATTR("link", "url", links),
    LIST_ATTR("operatesOn", "uuidref", operates_on),
    SPECIAL("date", F_DATE),
    SPECIAL("temporal", F_TEMPORAL),
    SPECIAL("party", F_PARTY),
    SPECIAL("bbox", F_BBOX),
};

#define CHILD_FIELD_COUNT (sizeof child_fields / sizeof *child_fields)

struct date_field {
    const char *type;
    size_t offset;
};

static const struct date_field date_fields[] = {
    {"creation", offsetof(struct record, date_creation)},
    {"publication", offsetof(struct record, date_publication)},
    {"revision", offsetof(struct record, date_revision)},
    {"metadata", offsetof(struct record, date_stamp)},
};

#define DATE_FIELD_COUNT (sizeof date_fields / sizeof *date_fields)

/* Which "first one wins" values were already taken: a scalar by its index in
 * child_fields, dates and temporal bounds after them. */
enum {
    SEEN_DATE = CHILD_FIELD_COUNT,
    SEEN_BEGIN = SEEN_DATE + DATE_FIELD_COUNT,
    SEEN_END,
    SEEN_COUNT
};

struct reader {
    struct record *rec;
    unsigned char seen[SEEN_COUNT];
};

static char **string_slot(struct record *rec, size_t offset)
{
    return (char **)((char *)rec + offset);
}

static struct strlist *list_slot(struct record *rec, size_t offset)
{
    return (struct strlist *)((char *)rec + offset);
}

static int is_record_element(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns &&
           strcmp((const char *)node->ns->href, RECORD_NS) == 0 &&
           (!name || strcmp((const char *)node->name, name) == 0);
}

static const struct child_field *child_field_of(const xmlNode *node, size_t *index)
{
    for (size_t i = 0; i < CHILD_FIELD_COUNT; i++) {
        if (strcmp((const char *)node->name, child_fields[i].name) == 0) {
            *index = i;
            return &child_fields[i];
        }
    }
    return NULL;
}

static void read_date(struct reader *r, xmlNode *node)
{
    xmlChar *type = xmlGetNoNsProp(node, (const xmlChar *)"type");
    for (size_t i = 0; type && i < DATE_FIELD_COUNT; i++) {
        if (strcmp((const char *)type, date_fields[i].type) == 0 && !r->seen[SEEN_DATE + i]) {
            r->seen[SEEN_DATE + i] = 1;
            *string_slot(r->rec, date_fields[i].offset) = content_trimmed(node);
        }
    }
    xmlFree(type);
}

static void read_temporal(struct reader *r, xmlNode *node)
{
    if (!r->seen[SEEN_BEGIN] && xmlHasNsProp(node, (const xmlChar *)"begin", NULL)) {
        r->seen[SEEN_BEGIN] = 1;
        r->rec->temporal_begin = attr_trimmed(node, "begin");
    }
    if (!r->seen[SEEN_END] && xmlHasNsProp(node, (const xmlChar *)"end", NULL)) {
        r->seen[SEEN_END] = 1;
        r->rec->temporal_end = attr_trimmed(node, "end");
    }
}

static int is_resource_party(xmlNode *party)
{
    xmlChar *scope = xmlGetNoNsProp(party, (const xmlChar *)"scope");
    int yes = scope && strcmp((const char *)scope, "resource") == 0;
    xmlFree(scope);
    return yes;
}

/* The m:organisation children of party, when its scope is (or is not, for
 * resource == 0) "resource". */
static mo_rc read_party(struct record *rec, xmlNode *party, int resource)
{
    mo_rc rc = MO_OK;
    if (is_resource_party(party) != resource)
        return MO_OK;
    for (xmlNode *c = party->children; c && rc == MO_OK; c = c->next)
        if (is_record_element(c, "organisation"))
            rc = list_add_content(&rec->organisations, c, 1);
    return rc;
}

static mo_rc read_child(struct reader *r, xmlNode *node)
{
    size_t i = 0;
    const struct child_field *f = child_field_of(node, &i);
    if (!f)
        return MO_OK;
    switch (f->kind) {
    case F_SCALAR:
        if (!r->seen[i]) {
            r->seen[i] = 1;
            *string_slot(r->rec, f->offset) = content_trimmed(node);
        }
        return MO_OK;
    case F_LIST:
        return list_add_content(list_slot(r->rec, f->offset), node, f->dedup);
    case F_LIST_ATTR:
        return list_add_attr(list_slot(r->rec, f->offset), node, f->attr, f->dedup);
    case F_DATE:
        read_date(r, node);
        return MO_OK;
    case F_TEMPORAL:
        read_temporal(r, node);
        return MO_OK;
    case F_PARTY:
        return read_party(r->rec, node, 1);
    case F_BBOX:
        read_bbox(node, r->rec);
        return MO_OK;
    }
    return MO_OK;
}

static mo_rc read_fields(xmlNode *root, struct record *rec)
{
    struct reader r = {.rec = rec};
    mo_rc rc = MO_OK;
    for (xmlNode *c = root->children; c && rc == MO_OK; c = c->next)
        if (is_record_element(c, NULL))
            rc = read_child(&r, c);
    /* then the organisations of the metadata (non-resource) parties */
    for (xmlNode *c = root->children; c && rc == MO_OK; c = c->next)
        if (is_record_element(c, "party"))
            rc = read_party(rec, c, 0);
    return rc;
}

/* Serialises node (copied into a fresh document, namespaces reconciled) as
 * UTF-8 without an XML declaration. */
/* Serialises root.  The root element of its own document (what the CSW
 * client hands on: every namespace in scope declared on it) is dumped as it
 * is; any other element is first copied into a document of its own so that
 * the namespaces it uses are declared in the text. */
static mo_rc serialise_root(xmlNode *root, char **out, size_t *out_len)
{
    mo_rc rc = MO_ENOMEM;
    xmlDoc *copy = NULL;
    xmlBuffer *buf = NULL;
    xmlNode *node = root;
    *out = NULL;
    if (!root->doc || xmlDocGetRootElement(root->doc) != root) {
        copy = xmlNewDoc((const xmlChar *)"1.0");
        node = copy ? xmlDocCopyNode(root, copy, 1) : NULL;
        if (!node)
            goto out;
        xmlDocSetRootElement(copy, node);
        xmlReconciliateNs(copy, node);
    }
    buf = xmlBufferCreateSize(16 * 1024);
    if (!buf || xmlNodeDump(buf, node->doc, node, 0, 0) < 0)
        goto out;
    size_t len = (size_t)xmlBufferLength(buf);
    *out = malloc(len + 1);
    if (!*out)
        goto out;
    memcpy(*out, xmlBufferContent(buf), len);
    (*out)[len] = '\0';
    *out_len = len;
    rc = MO_OK;
out:
    xmlBufferFree(buf);
    xmlFreeDoc(copy);
    return rc;
}

mo_rc record_from_unified(xmlDoc *unified, struct record *rec, struct mo_err *err)
{
    mo_rc rc = MO_OK;
    xmlNode *root = unified ? xmlDocGetRootElement(unified) : NULL;
    record_clear_fields(rec);
    if (!root || !root->ns || strcmp((const char *)root->name, "record") != 0 ||
        strcmp((const char *)root->ns->href, RECORD_NS) != 0)
        return mo_fail(err, MO_EXML, "not a unified record: root is \"%s\"",
                       root ? (const char *)root->name : "(none)");
    rc = read_fields(root, rec);
    if (rc != MO_OK) {
        rc = mo_fail(err, rc, "could not read the unified record: %s", mo_rc_str(rc));
        goto out;
    }
    if (!rec->identifier) {
        rc = mo_fail(err, MO_EXML, "unified record \"%s\" has no identifier",
                     rec->title ? rec->title : "");
        goto out;
    }
    rc = serialise_root(root, &rec->unified, &rec->unified_len);
    if (rc != MO_OK)
        rc = mo_fail(err, rc, "could not serialise unified record \"%s\"", rec->identifier);
out:
    if (rc != MO_OK)
        record_clear_fields(rec);
    return rc;
}

static mo_rc sha256_hex(const char *salt, const char *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    mo_rc rc = MO_ENOMEM;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return MO_ENOMEM;
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, salt, strlen(salt)) != 1 ||
        EVP_DigestUpdate(ctx, data, len) != 1 || EVP_DigestFinal_ex(ctx, md, &md_len) != 1)
        goto out;
    static const char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < md_len && i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
    rc = MO_OK;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

mo_rc record_set_original(struct record *rec, xmlDoc *doc, const char *salt)
{
    char *text = NULL;
    size_t len = 0;
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root)
        return MO_EXML;
    mo_rc rc = serialise_root(root, &text, &len);
    if (rc != MO_OK)
        return rc;
    rc = salt ? sha256_hex(salt, text, len, rec->hash) : MO_OK;
    if (rc != MO_OK) {
        free(text);
        return rc;
    }
    free(rec->original);
    rec->original = text;
    rec->original_len = len;
    return MO_OK;
}
