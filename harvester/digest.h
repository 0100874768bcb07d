/*
 * digest.h — the content hash of a record as the partner sent it.
 *
 * SHA-256 (hex) of NORMALISE_VERSION and the record element's content: for
 * each element its namespace and local name, its attributes (namespace,
 * name, value), its text and child elements, with separators that cannot
 * occur in names.  Comments, processing instructions and namespace
 * declarations do not count.  Two ways in, one result:
 *
 *   digest_tree      a parsed element (xmlNode)
 *   digest_begin → digest_start_element / digest_characters /
 *   digest_end_element → digest_end
 *                    the same element as SAX2 events, with no tree built
 *                    (the fast path of a re-harvest: csw_scan_page)
 *
 * Both count the bytes fed against DIGEST_MAX_BYTES and the nesting against
 * DIGEST_MAX_DEPTH; past either, the record has no hash (MO_ELIMIT).
 */
#ifndef MOISSON_DIGEST_H
#define MOISSON_DIGEST_H

#include "result.h"

#include <libxml/tree.h>
#include <stddef.h>

#define DIGEST_MAX_BYTES (8 * 1024 * 1024) /* text and names of one record */
#define DIGEST_MAX_DEPTH 256               /* element nesting of one record */
#define DIGEST_HEX_LEN 64

/* Hashes the element record and its subtree into out (NUL-terminated hex).
 * MO_ELIMIT past the limits, MO_ENOMEM when the digest cannot run. */
mo_rc digest_tree(const xmlNode *record, char out[DIGEST_HEX_LEN + 1]) MO_MUST_CHECK;

#define DIGEST_BUFFER 8192 /* small pieces are gathered before hashing */

/* A digest fed by events; lives on the caller's stack. */
struct digest {
    void *md; /* EVP_MD_CTX */
    unsigned char buf[DIGEST_BUFFER];
    size_t used; /* bytes of buf waiting for the hash */
    size_t bytes;
    int depth;
    int too_big; /* past DIGEST_MAX_BYTES or DIGEST_MAX_DEPTH */
    int broken;  /* the SHA-256 context failed */
};

/* Starts a digest (d is overwritten).  MO_ENOMEM when it cannot. */
mo_rc digest_begin(struct digest *d) MO_MUST_CHECK;

/* An element starts: uri may be NULL; attributes as SAX2 startElementNs
 * gives them (5 pointers per attribute: local name, prefix, URI, value,
 * end of value), values as libxml2 hands them over (an ampersand kept as
 * "&#38;" is read as "&"). */
void digest_start_element(struct digest *d, const xmlChar *uri, const xmlChar *local,
                          int nb_attributes, const xmlChar **attributes);

/* Text (or CDATA) of the current element, in as many pieces as come. */
void digest_characters(struct digest *d, const xmlChar *ch, int len);

void digest_end_element(struct digest *d);

/* Finishes: out gets the hex hash.  MO_ELIMIT past the limits, MO_ENOMEM
 * when the digest failed.  d is freed either way. */
mo_rc digest_end(struct digest *d, char out[DIGEST_HEX_LEN + 1]) MO_MUST_CHECK;

/* Frees a digest abandoned before digest_end (NULL-safe on a zeroed d). */
void digest_abandon(struct digest *d);

#endif
