/*
 * record.h — the unified record as the C side sees it.
 *
 * Every input stylesheet (xslt/NAME-to-unified.xsl) produces one XML shape, the
 * unified record of schemas/unified-record.xsd (namespace
 * urn:x-moisson:record:1).  record_from_unified reads that shape, and only
 * that shape, into the columns the store writes.  No partner XML is walked
 * here.
 */
#ifndef MOISSON_RECORD_H
#define MOISSON_RECORD_H

#include "result.h"

#include <libxml/tree.h>
#include <stddef.h>

#define RECORD_NS "urn:x-moisson:record:1"

/* A list of strings, owned. */
struct strlist {
    char **items;
    size_t count;
};

struct record {
    char *identifier;   /* m:identifier, never NULL after record_from_unified */
    char *schema;       /* iso19139, iso19115-3, csw-record or dcat-rdf */
    char *language;     /* metadata language as written (fre, fr, ...) */
    char *parent;
    char *type;         /* dataset, series, service, featureType, ... */
    char *title;
    char *abstract;
    char *lineage;
    char *service_type;
    char *thumbnail;
    char *date_creation; /* ISO 8601 text as normalised by the stylesheet */
    char *date_publication;
    char *date_revision;
    char *date_stamp;    /* metadata date stamp */
    char *temporal_begin;
    char *temporal_end;
    struct strlist alt_titles;
    struct strlist keywords;
    struct strlist topics;
    struct strlist organisations; /* organisation names, resource parties first */
    struct strlist links;         /* link URLs */
    struct strlist formats;
    struct strlist crs;
    struct strlist licences;
    struct strlist resource_languages;
    struct strlist operates_on; /* identifiers (uuidref) of coupled resources */
    int has_bbox;               /* union of the m:bbox elements, WGS84 degrees */
    double west, south, east, north;

    char *original;      /* the partner's record, serialised XML, UTF-8 */
    size_t original_len;
    char *unified;       /* the unified record, serialised XML, UTF-8 */
    size_t unified_len;
    char hash[65];       /* hex SHA-256 of the original and the stylesheet version */
};

/* Reads a unified record document into rec: every field but original,
 * original_len and hash is replaced (unified is set from the document).  Fails with
 * MO_EXML when the root is not m:record or the identifier is missing. */
mo_rc record_from_unified(xmlDoc *unified, struct record *rec, struct mo_err *err) MO_MUST_CHECK;

/* Frees everything rec owns and zeroes it; rec may be NULL. */
void record_clear(struct record *rec);

/* Serialises the root element of doc (namespaces reconciled, UTF-8, no XML
 * declaration) into rec->original/original_len, and, unless salt is NULL,
 * sets rec->hash to the hex SHA-256 of salt and that text (a caller with a
 * hash of its own passes NULL).  rec->original is replaced. */
mo_rc record_set_original(struct record *rec, xmlDoc *doc, const char *salt) MO_MUST_CHECK;

void strlist_free(struct strlist *l);
mo_rc strlist_push(struct strlist *l, const char *s) MO_MUST_CHECK;

#endif
