/*
 * record.c — reads the unified record (urn:x-moisson:record:1) into struct
 * record, and serialises / hashes the partner's original record.
 *
 * Only the unified shape is read, through XPath with the namespaces of
 * xmlsafe_register_namespaces; partner XML is never walked here.
 */
#include "record.h"

#include "xmlsafe.h"

#include <libxml/xmlsave.h>
#include <libxml/xpath.h>
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

/* Appends the trimmed string value of every node expr selects (empty ones
 * skipped; duplicates skipped when dedup). */
static mo_rc read_list(xmlXPathContext *ctx, const char *expr, struct strlist *out, int dedup)
{
    mo_rc rc = MO_OK;
    xmlXPathObject *obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (!obj)
        return MO_ENOMEM;
    xmlNodeSet *set = obj->nodesetval;
    for (int i = 0; set && i < set->nodeNr && rc == MO_OK; i++) {
        xmlChar *raw = xmlNodeGetContent(set->nodeTab[i]);
        if (!raw) {
            rc = MO_ENOMEM;
            break;
        }
        const char *s = (const char *)raw;
        if (*s && !(dedup && strlist_has(out, s)))
            rc = strlist_push(out, s);
        xmlFree(raw);
    }
    xmlXPathFreeObject(obj);
    return rc;
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

/* The union of every m:bbox with four numeric corners. */
static mo_rc read_bbox(xmlXPathContext *ctx, struct record *rec)
{
    xmlXPathObject *obj = xmlXPathEvalExpression((const xmlChar *)"/m:record/m:bbox", ctx);
    if (!obj)
        return MO_ENOMEM;
    xmlNodeSet *set = obj->nodesetval;
    for (int i = 0; set && i < set->nodeNr; i++) {
        double w, s, e, n;
        xmlNode *b = set->nodeTab[i];
        if (parse_double(b, "west", &w) && parse_double(b, "south", &s) &&
            parse_double(b, "east", &e) && parse_double(b, "north", &n))
            union_bbox(rec, w, s, e, n);
    }
    xmlXPathFreeObject(obj);
    return MO_OK;
}

struct scalar_field {
    const char *expr;
    size_t offset;
};

#define FIELD(expr, member) {expr, offsetof(struct record, member)}

static const struct scalar_field scalar_fields[] = {
    FIELD("/m:record/m:identifier", identifier),
    FIELD("/m:record/m:schema", schema),
    FIELD("/m:record/m:language", language),
    FIELD("/m:record/m:parent", parent),
    FIELD("/m:record/m:type", type),
    FIELD("/m:record/m:title", title),
    FIELD("/m:record/m:abstract", abstract),
    FIELD("/m:record/m:lineage", lineage),
    FIELD("/m:record/m:serviceType", service_type),
    FIELD("/m:record/m:thumbnail", thumbnail),
    FIELD("/m:record/m:date[@type='creation'][1]", date_creation),
    FIELD("/m:record/m:date[@type='publication'][1]", date_publication),
    FIELD("/m:record/m:date[@type='revision'][1]", date_revision),
    FIELD("/m:record/m:date[@type='metadata'][1]", date_stamp),
    FIELD("(/m:record/m:temporal/@begin)[1]", temporal_begin),
    FIELD("(/m:record/m:temporal/@end)[1]", temporal_end),
};

struct list_field {
    const char *expr;
    size_t offset;
    int dedup;
};

#define LIST(expr, member, dedup) {expr, offsetof(struct record, member), dedup}

static const struct list_field list_fields[] = {
    LIST("/m:record/m:altTitle", alt_titles, 0),
    LIST("/m:record/m:keyword", keywords, 1),
    LIST("/m:record/m:topic", topics, 1),
    /* resource parties first, then the others (metadata contacts) */
    LIST("/m:record/m:party[@scope='resource']/m:organisation", organisations, 1),
    LIST("/m:record/m:party[not(@scope='resource')]/m:organisation", organisations, 1),
    LIST("/m:record/m:link/@url", links, 1),
    LIST("/m:record/m:format", formats, 1),
    LIST("/m:record/m:crs", crs, 1),
    LIST("/m:record/m:licence", licences, 1),
    LIST("/m:record/m:resourceLanguage", resource_languages, 1),
    LIST("/m:record/m:operatesOn/@uuidref", operates_on, 1),
};

static mo_rc read_fields(xmlXPathContext *ctx, struct record *rec)
{
    mo_rc rc = MO_OK;
    for (size_t i = 0; i < sizeof scalar_fields / sizeof *scalar_fields; i++) {
        char **slot = (char **)((char *)rec + scalar_fields[i].offset);
        *slot = xmlsafe_xpath_string(ctx, scalar_fields[i].expr);
    }
    for (size_t i = 0; i < sizeof list_fields / sizeof *list_fields && rc == MO_OK; i++) {
        struct strlist *l = (struct strlist *)((char *)rec + list_fields[i].offset);
        rc = read_list(ctx, list_fields[i].expr, l, list_fields[i].dedup);
    }
    if (rc == MO_OK)
        rc = read_bbox(ctx, rec);
    return rc;
}

/* Serialises node (copied into a fresh document, namespaces reconciled) as
 * UTF-8 without an XML declaration. */
static mo_rc serialise_root(xmlNode *root, char **out, size_t *out_len)
{
    mo_rc rc = MO_ENOMEM;
    xmlDoc *copy = NULL;
    xmlBuffer *buf = NULL;
    *out = NULL;
    copy = xmlNewDoc((const xmlChar *)"1.0");
    if (!copy)
        goto out;
    xmlNode *node = xmlDocCopyNode(root, copy, 1);
    if (!node)
        goto out;
    xmlDocSetRootElement(copy, node);
    xmlReconciliateNs(copy, node);
    buf = xmlBufferCreate();
    if (!buf || xmlNodeDump(buf, copy, node, 0, 0) < 0)
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
    xmlXPathContext *ctx = NULL;
    xmlNode *root = unified ? xmlDocGetRootElement(unified) : NULL;
    record_clear_fields(rec);
    if (!root || !root->ns || strcmp((const char *)root->name, "record") != 0 ||
        strcmp((const char *)root->ns->href, RECORD_NS) != 0)
        return mo_fail(err, MO_EXML, "not a unified record: root is \"%s\"",
                       root ? (const char *)root->name : "(none)");
    ctx = xmlXPathNewContext(unified);
    if (!ctx || xmlsafe_register_namespaces(ctx) != MO_OK) {
        rc = mo_fail(err, MO_ENOMEM, "could not read the unified record: out of memory");
        goto out;
    }
    rc = read_fields(ctx, rec);
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
    xmlXPathFreeContext(ctx);
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
    rc = sha256_hex(salt ? salt : "", text, len, rec->hash);
    if (rc != MO_OK) {
        free(text);
        return rc;
    }
    free(rec->original);
    rec->original = text;
    rec->original_len = len;
    return MO_OK;
}
