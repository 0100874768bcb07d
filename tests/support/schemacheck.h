/*
 * schemacheck.h — validation against the official OGC / ISO schemas of the
 * corpus (../shared/corpus/schemas), offline, through its catalog.xml.
 *
 * A schema is compiled once (schemacheck_load; the ISO set takes a moment) and
 * then validates any number of documents, one at a time.  Schema URLs
 * (http://schemas.opengis.net/…, http://www.isotc211.org/2005/…) are mapped to
 * the local copies by the corpus catalog; a URL the catalog does not know is
 * refused, so nothing ever goes to the network.  For the tests only: the
 * first load installs a libxml2 entity loader (process-wide) in front of the
 * one xmlsafe_init set, so call xmlsafe_init first.
 */
#ifndef MOISSON_SCHEMACHECK_H
#define MOISSON_SCHEMACHECK_H

#include <libxml/tree.h>
#include <stddef.h>

/* The schemas moisson's responses are checked against (see the corpus
 * README): standalone ISO 19139 records (gmd + gmx + srv + gmi, GML 3.2),
 * csw:Record / SummaryRecord / BriefRecord, CSW 2.0.2 discovery responses
 * with Dublin Core records, and with ISO records. */
#define SCHEMACHECK_ISO19139 "wrappers/iso19139-2005-all.xsd"
#define SCHEMACHECK_CSW_RECORD "http://schemas.opengis.net/csw/2.0.2/record.xsd"
#define SCHEMACHECK_CSW_DISCOVERY "http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd"
#define SCHEMACHECK_CSW_DISCOVERY_ISO "wrappers/csw-2.0.2-discovery+iso19139.xsd"

/* Most validation messages kept in errbuf. */
#define SCHEMACHECK_MAX_MESSAGES 3

struct schemacheck;

/* Compiles the schema xsd: a URL the corpus catalog maps, an absolute path,
 * or a path relative to the corpus schemas/ folder.  The corpus is
 * $MOISSON_CORPUS (testdb_corpus_dir).  Returns NULL with the reason in
 * errbuf when the corpus is absent or the schema does not compile. */
struct schemacheck *schemacheck_load(const char *xsd, char *errbuf, size_t size);

/* Frees s; s may be NULL. */
void schemacheck_free(struct schemacheck *s);

/* 0 when doc is valid; -1 otherwise, with up to SCHEMACHECK_MAX_MESSAGES
 * "line N: message" entries in errbuf. */
int schemacheck_doc(struct schemacheck *s, xmlDoc *doc, char *errbuf, size_t size);

#endif
