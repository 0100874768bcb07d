#include "digest.h"

#include "normalise.h"

#include <openssl/evp.h>
#include <string.h>

static int flush(struct digest *d)
{
    if (d->used && EVP_DigestUpdate(d->md, d->buf, d->used) != 1)
        d->broken = 1;
    d->used = 0;
    return !d->broken;
}

/* Names and short texts are gathered in d->buf: one EVP call per piece
 * cost more than the hashing itself. */
static int feed(struct digest *d, const void *data, size_t len)
{
    if (d->too_big || d->broken)
        return 0;
    d->bytes += len;
    if (d->bytes > DIGEST_MAX_BYTES) {
        d->too_big = 1;
        return 0;
    }
    if (d->used + len > sizeof d->buf && !flush(d))
        return 0;
    if (len > sizeof d->buf) {
        if (EVP_DigestUpdate(d->md, data, len) != 1)
            d->broken = 1;
        return !d->broken;
    }
    memcpy(d->buf + d->used, data, len);
    d->used += len;
    return 1;
}

static int feed_str(struct digest *d, const void *s)
{
    return feed(d, s, strlen((const char *)s));
}

mo_rc digest_begin(struct digest *d)
{
    d->used = d->bytes = 0;
    d->depth = d->too_big = d->broken = 0;
    d->md = EVP_MD_CTX_new();
    if (!d->md || EVP_DigestInit_ex(d->md, EVP_sha256(), NULL) != 1) {
        digest_abandon(d);
        return MO_ENOMEM;
    }
    return feed_str(d, NORMALISE_VERSION) ? MO_OK : MO_ENOMEM;
}

void digest_abandon(struct digest *d)
{
    EVP_MD_CTX_free(d->md);
    d->md = NULL;
}

/* The element marks: \x01 namespace \x02 name, per attribute \x03 namespace
 * \x02 name \x04 value, then the content, then \x05. */
static int feed_name(struct digest *d, const char *mark, const xmlChar *uri, const xmlChar *name)
{
    return feed(d, mark, 1) && feed_str(d, uri ? uri : (const xmlChar *)"") && feed(d, "\x02", 1) &&
           feed_str(d, name);
}

/* An attribute value from SAX2: libxml2 keeps an ampersand that came from a
 * reference as "&#38;" (to tell it from an entity reference), and decodes
 * it when it builds the tree: the same here. */
static int feed_sax_value(struct digest *d, const xmlChar *v, const xmlChar *end)
{
    static const char amp[] = "&#38;";
    int ok = 1;
    while (ok && v < end) {
        const xmlChar *a = memchr(v, '&', (size_t)(end - v));
        if (!a)
            return feed(d, v, (size_t)(end - v));
        ok = feed(d, v, (size_t)(a - v)) && feed(d, "&", 1);
        v = a + ((size_t)(end - a) >= sizeof amp - 1 && !memcmp(a, amp, sizeof amp - 1)
                     ? sizeof amp - 1
                     : 1);
    }
    return ok;
}

void digest_start_element(struct digest *d, const xmlChar *uri, const xmlChar *local,
                          int nb_attributes, const xmlChar **attributes)
{
    if (++d->depth > DIGEST_MAX_DEPTH)
        d->too_big = 1;
    int ok = feed_name(d, "\x01", uri, local);
    for (int i = 0; ok && i < nb_attributes; i++) {
        const xmlChar **a = attributes + 5 * i;
        ok =
            feed_name(d, "\x03", a[2], a[0]) && feed(d, "\x04", 1) && feed_sax_value(d, a[3], a[4]);
    }
}

void digest_characters(struct digest *d, const xmlChar *ch, int len)
{
    if (len > 0)
        (void)feed(d, ch, (size_t)len);
}

void digest_end_element(struct digest *d)
{
    d->depth--;
    (void)feed(d, "\x05", 1);
}

mo_rc digest_end(struct digest *d, char out[DIGEST_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    mo_rc rc = MO_OK;
    if (d->too_big)
        rc = MO_ELIMIT;
    else if (!flush(d) || EVP_DigestFinal_ex(d->md, md, &len) != 1 || len != 32)
        rc = MO_ENOMEM;
    digest_abandon(d);
    if (rc != MO_OK)
        return rc;
    for (unsigned int i = 0; i < len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[DIGEST_HEX_LEN] = '\0';
    return MO_OK;
}

/* ---- from a tree ---- */

static int digest_element(struct digest *d, const xmlNode *n);

/* Text nodes and elements of a list of siblings; attribute values are such
 * lists too. */
static int digest_children(struct digest *d, const xmlNode *first)
{
    int ok = 1;
    for (const xmlNode *n = first; ok && n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
            ok = !n->content || feed_str(d, n->content);
        else if (n->type == XML_ELEMENT_NODE)
            ok = digest_element(d, n);
    }
    return ok;
}

static int digest_element(struct digest *d, const xmlNode *n)
{
    if (++d->depth > DIGEST_MAX_DEPTH) {
        d->too_big = 1;
        return 0;
    }
    int ok = feed_name(d, "\x01", n->ns ? n->ns->href : NULL, n->name);
    for (const xmlAttr *a = n->properties; ok && a; a = a->next)
        ok = feed_name(d, "\x03", a->ns ? a->ns->href : NULL, a->name) && feed(d, "\x04", 1) &&
             digest_children(d, a->children);
    ok = ok && digest_children(d, n->children) && feed(d, "\x05", 1);
    d->depth--;
    return ok;
}

mo_rc digest_tree(const xmlNode *record, char out[DIGEST_HEX_LEN + 1])
{
    struct digest d;
    mo_rc rc = digest_begin(&d);
    if (rc != MO_OK)
        return rc;
    (void)digest_element(&d, record);
    return digest_end(&d, out);
}
