/*
 * xmlsafe.h — the one way XML from outside comes in.
 *
 * Network off, no external entities, no DTD loading, no entity substitution,
 * no RECOVER and no HUGE; a document that carries a DOCTYPE with an internal
 * subset (entity declarations: billion laughs, XXE) is refused outright.
 * Malformed XML and wrong encodings fail with MO_EXML and the first parser
 * message, quoted with the name of the input.
 */
#ifndef MOISSON_XMLSAFE_H
#define MOISSON_XMLSAFE_H

#include "result.h"

#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xpath.h>
#include <stdio.h>

/* Parser options used for every outside document. */
#define XMLSAFE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

/* Largest document parsed into memory at once (streamed documents have no
 * such cap, only libxml2's per-node limits). */
#define XMLSAFE_MAX_DOC_BYTES (64u * 1024 * 1024)

/* Called once from main (and from each test) before any parsing. */
void xmlsafe_init(void);

/* Called by every other thread that parses or transforms, before it does:
 * libxml2's error handler is per thread. */
void xmlsafe_init_thread(void);

/* Parses len bytes of data into a new document (caller frees with
 * xmlFreeDoc).  name labels the input in error messages. */
mo_rc xmlsafe_parse_memory(const char *data, size_t len, const char *name, xmlDoc **out,
                           struct mo_err *err) MO_MUST_CHECK;

/* Parses a file from the start (the FILE stays owned by the caller). */
mo_rc xmlsafe_parse_file(FILE *fp, const char *name, xmlDoc **out,
                         struct mo_err *err) MO_MUST_CHECK;

/* A streaming reader over an open file, positioned at its start; the FILE
 * stays owned by the caller and must outlive the reader.  encoding (may be
 * NULL) overrides what the document declares: pass it only for a document
 * that declares nothing. */
mo_rc xmlsafe_reader_for_file(FILE *fp, const char *name, const char *encoding, xmlTextReader **out,
                              struct mo_err *err) MO_MUST_CHECK;

/* Parses an open file from its start with the caller's SAX2 handler, no tree
 * built.  sax must have initialized = XML_SAX2_MAGIC; it is copied, and its
 * DTD callbacks are replaced (nothing of a DTD is loaded or kept; an entity
 * declaration stops the parse with MO_EFORBIDDEN).  Every callback gets the
 * parser context as its first argument: xmlsafe_sax_user(ctx) returns ud.
 * A callback that wants nothing more ignores what follows (the parse runs
 * to the end of the file, which the fetch already capped).  encoding as for
 * xmlsafe_reader_for_file.  Malformed XML fails with MO_EXML as for the
 * other entry points. */
mo_rc xmlsafe_sax_file(FILE *fp, const char *name, const char *encoding, const xmlSAXHandler *sax,
                       void *ud, struct mo_err *err) MO_MUST_CHECK;

/* The ud given to xmlsafe_sax_file, from a callback's first argument. */
void *xmlsafe_sax_user(void *ctx);

/* The HTTP charset (may be NULL) of a body in fp, unless the document has a
 * byte-order mark or declares its encoding itself (XML's own rules win over
 * HTTP's): then NULL.  fp is rewound. */
const char *xmlsafe_effective_charset(FILE *fp, const char *charset);

/* Advances a reader made by xmlsafe_reader_for_file: 1 on a node, 0 at the
 * end, or an error (a DOCTYPE with an internal subset, a parse error) written
 * to err with the reader's name. */
mo_rc xmlsafe_reader_next(xmlTextReader *r, const char *name, int *more,
                          struct mo_err *err) MO_MUST_CHECK;

/* Sets err from libxml2's last error: MO_EXML "malformed XML in \"name\" at
 * line N: message"; returns MO_EXML. */
mo_rc xmlsafe_fail_last(struct mo_err *err, const char *name);

/* XPath helpers over a context whose namespaces the caller registered.
 * xmlsafe_xpath_string returns a newly allocated, trimmed string (caller
 * frees with free) or NULL when the expression selects nothing or only
 * whitespace. */
char *xmlsafe_xpath_string(xmlXPathContext *ctx, const char *expr);

/* Registers the namespaces moisson reads with the usual prefixes (csw, ows,
 * ows11, gmd, gco, gmx, srv, gml, gml32, dc, dct, mdb, cit, m (unified
 * record), xlink, ogc, fes, rdf, dcat). */
mo_rc xmlsafe_register_namespaces(xmlXPathContext *ctx) MO_MUST_CHECK;

#endif
