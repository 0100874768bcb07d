/*
 * normalise.h — partner records → the unified record, by XSLT.
 *
 * normalise_new compiles every input stylesheet of xslt/ once; a struct
 * normaliser is then used for any number of records (one per thread).
 * Transforms run with libxslt security preferences that forbid reading and
 * writing files, creating directories and any network access, and with
 * depth limits; document() of anything but the stylesheet itself fails.
 *
 * The input schema is told by the record's root element:
 *   gmd:MD_Metadata, gmi:MI_Metadata, and profile roots that declare
 *   gco:isoType="gmd:MD_Metadata" (che:CHE_MD_Metadata)
 *                                          → xslt/iso19139-to-unified.xsl
 *   mdb:MD_Metadata (ISO 19115-3)          → xslt/iso19115-3-to-unified.xsl
 *   csw:Record, csw:SummaryRecord, csw:BriefRecord (and their CSW 3.0
 *   namespace twins)                       → xslt/csw-record-to-unified.xsl
 *   rdf:RDF, dcat:Dataset (DCAT / GeoDCAT-AP RDF/XML records, as GeoNetwork
 *   returns them in CSW responses)         → xslt/dcat-rdf-to-unified.xsl
 *   c:layer, c:service of urn:x-moisson:capabilities:1 (WFS / WMS
 *   capabilities as ogc_caps.h hands them on) → xslt/ogc-layer-to-unified.xsl
 * Anything else fails with MO_EXML "unsupported record root {ns}name".
 */
#ifndef MOISSON_NORMALISE_H
#define MOISSON_NORMALISE_H

#include "record.h"
#include "result.h"

#include <libxml/tree.h>

/* Changes whenever a stylesheet's output changes; part of every content hash
 * so that records are re-normalised after an upgrade.  "1": the first
 * stylesheets (iso19139, iso19115-3, csw-record, dcat-rdf); "2": DCAT read
 * from raptor's flat RDF/XML (more fields), WFS/WMS capabilities. */
#define NORMALISE_VERSION "2"

struct normaliser;

/* Compiles the stylesheets found in xslt_dir. */
mo_rc normalise_new(const char *xslt_dir, struct normaliser **out,
                    struct mo_err *err) MO_MUST_CHECK;
void normalise_free(struct normaliser *n);

/* Transforms one record (a document whose root is the record element) into a
 * new unified record document (caller frees).  raw is changed: its
 * whitespace-only text nodes are removed first (what xsl:strip-space would
 * do, cheaper), so serialise it before (record_set_original).  Errors name
 * the record's root and the stylesheet message. */
mo_rc normalise_to_unified(struct normaliser *n, xmlDoc *raw, xmlDoc **unified,
                           struct mo_err *err) MO_MUST_CHECK;

/* Normalises raw into rec: runs the stylesheet, reads the unified record
 * (record_from_unified) and sets rec->unified (serialised, UTF-8).  The
 * caller has already set rec->original, rec->original_len and rec->hash
 * (record_hash); they are kept.  Every other field of rec is replaced. */
mo_rc normalise_record(struct normaliser *n, xmlDoc *raw, struct record *rec,
                       struct mo_err *err) MO_MUST_CHECK;

#endif
