/*
 * ogc_caps.h — an OGC service's capabilities (WFS 1.0.0, 1.1.0, 2.0.0;
 * WMS 1.1.1, 1.3.0) as records: one per feature type or named layer, and one
 * for the service itself.
 *
 * ogc_caps_parse reads a GetCapabilities response already fetched (a FILE, as
 * harvester/fetch.h spools it) through core/xmlsafe.h, tells the service and
 * version by the root element, refuses exception reports (with the partner's
 * message), HTML pages, HTTP headers inside the body, a bogus byte-order mark
 * and capabilities without layers, then runs xslt/ogc-capabilities-split.xsl
 * and hands each record element on, in order: the c:service first, then each
 * c:layer (namespace OGC_CAPS_NS).  Each element handed on is self-contained:
 * a copy of the service's c:info is its first child while the callback runs.
 * normalise.c turns either root into the unified record with
 * xslt/ogc-layer-to-unified.xsl.
 *
 * Identifiers are built on the service URL as ogc_url_service normalises it:
 * "<url>?SERVICE=WFS" for the service ('&' when the URL has a query) and
 * "<that>#<name>" for a layer, so a re-harvest updates the same records.
 *
 * The info also lists every MetadataURL (layer identifier → URL, type,
 * format), flagged when it looks like an ISO 19139 XML record, so that the
 * harvest can fetch those records and keep the capabilities as fallback.
 */
#ifndef MOISSON_OGC_CAPS_H
#define MOISSON_OGC_CAPS_H

#include "ogc_url.h"
#include "result.h"

#include <libxml/tree.h>
#include <stdio.h>

#define OGC_CAPS_NS "urn:x-moisson:capabilities:1"

/* Most layer records one capabilities document may give (past it:
 * MO_ELIMIT, nothing handed on). */
#define OGC_CAPS_MAX_LAYERS 100000

/* Most MetadataURLs listed in the info (further ones are counted in
 * metadata_dropped, not listed). */
#define OGC_CAPS_MAX_METADATA_URLS 200000

enum ogc_service { OGC_SERVICE_NONE = 0, OGC_SERVICE_WFS, OGC_SERVICE_WMS };

/* One MetadataURL of a layer; every string owned, never NULL ("" when the
 * capabilities said nothing). */
struct ogc_metadata_url {
    char *layer_id; /* identifier of the layer record */
    char *url;
    char *type;   /* TC211, ISO19115:2003, FGDC, 19115… */
    char *format; /* text/xml, text/html… */
    int iso;      /* ogc_caps_metadata_is_iso said yes */
};

/* What a capabilities document said. */
struct ogc_caps_info {
    enum ogc_service service;
    char version[16];                  /* "1.1.0"… as the root says */
    char service_url[OGC_URL_MAX];     /* normalised (ogc_url_service) */
    char service_id[OGC_URL_MAX + 16]; /* identifier of the service record */
    long layers;                       /* layer records handed on */
    struct ogc_metadata_url *metadata; /* owned, metadata_count entries */
    size_t metadata_count;
    size_t metadata_dropped; /* past OGC_CAPS_MAX_METADATA_URLS */
};

/* Called for each record element (c:service, then each c:layer); index
 * counts from 0.  The node is borrowed: it lives until the callback returns
 * (csw_record_doc makes a document of it).  A non-OK return stops the walk
 * with that result. */
typedef mo_rc (*ogc_record_fn)(void *ud, xmlNode *record, long index, struct mo_err *err);

struct ogc_caps;

/* Compiles xslt_dir/ogc-capabilities-split.xsl once; one struct per thread.
 * Errors: MO_EIO (no such file), MO_EXSLT (does not compile), MO_ENOMEM. */
mo_rc ogc_caps_new(const char *xslt_dir, struct ogc_caps **out, struct mo_err *err) MO_MUST_CHECK;

/* Frees c; c may be NULL. */
void ogc_caps_free(struct ogc_caps *c);

/* Reads the capabilities in body (from its start; the FILE stays the
 * caller's).  name labels the input in messages (the URL fetched);
 * service_url is the URL the user gave (normalised here; NULL: name is
 * normalised instead); charset is the HTTP charset or NULL, used only when the document declares no
 * encoding and has no byte-order mark.  info is cleared, then filled (free it with
 * ogc_caps_info_clear, also after an error).  fn gets every record; nothing
 * is handed on when the document fails.  Errors name the input:
 * MO_EPARTNER (exception report "CODE: text", HTML page, HTTP headers in the
 * body, not WFS/WMS capabilities, no feature types / named layers), MO_EXML
 * (malformed, empty, bogus byte-order mark), MO_EFORBIDDEN (entity
 * declarations), MO_ELIMIT (too large, too many layers), MO_EXSLT,
 * MO_EBADREQ (service_url not http(s)), or what fn returned. */
mo_rc ogc_caps_parse(struct ogc_caps *c, FILE *body, const char *name, const char *service_url,
                     const char *charset, struct ogc_caps_info *info, ogc_record_fn fn, void *ud,
                     struct mo_err *err) MO_MUST_CHECK;

/* Frees what info owns and zeroes it; info may be NULL. */
void ogc_caps_info_clear(struct ogc_caps_info *info);

/* "WFS", "WMS" or "" — never NULL. */
const char *ogc_service_name(enum ogc_service s);

/* Whether a MetadataURL looks like an ISO 19139 XML record worth fetching:
 * type ISO-ish (TC211, ISO19115:2003, ISO19115, 19139…) or absent, and format
 * XML (text/xml, application/xml, …+xml) — or, with no format, a URL that
 * asks a CSW for a record (GetRecordById) or ends in .xml / /formatters/xml.
 * Any argument may be NULL. */
int ogc_caps_metadata_is_iso(const char *type, const char *format, const char *url);

#endif
