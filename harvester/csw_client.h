/*
 * csw_client.h — talking to a partner's CSW 2.0.2 catalog: read its
 * capabilities, build GetRecords requests, stream the records of a response.
 *
 * Versions: the capabilities are asked with acceptVersions=2.0.2,3.0.0, and
 * the version of the answer is the one spoken: CSW 3.0.0 requests use the
 * csw/3.0 namespace, FES 2.0 filters (ValueReference) and no resultType.
 *
 * csw_discover fetches GetCapabilities and keeps what the harvest needs: the
 * GetRecords endpoints (which often differ from the capabilities URL), POST
 * or GET, the output schema (ISO 19139 preferred, else csw:Record), the
 * constraint languages.  csw_fetch_page sends one GetRecords and spools the
 * answer; csw_parse_records walks the spool with xmlTextReader and hands on
 * each record element, one at a time, so memory stays flat whatever the page
 * size (a caller may walk the same spool twice).  Exception reports, HTML
 * pages and other documents served as 200 are errors (MO_EPARTNER), never
 * records.  The parse functions work on an open file, so tests feed them
 * captured responses without a socket.
 */
#ifndef MOISSON_CSW_CLIENT_H
#define MOISSON_CSW_CLIENT_H

#include "fetch.h"
#include "result.h"

#include <libxml/tree.h>
#include <stdio.h>

#define CSW_NS_202 "http://www.opengis.net/cat/csw/2.0.2"
#define CSW_NS_300 "http://www.opengis.net/cat/csw/3.0"
#define CSW_SCHEMA_ISO "http://www.isotc211.org/2005/gmd"
#define CSW_SCHEMA_DC "http://www.opengis.net/cat/csw/2.0.2"
#define CSW_MAX_URL 2048

struct csw_endpoint {
    char version[16];           /* "2.0.2", or "3.0.0" for a partner that speaks only 3.0 */
    char get_url[CSW_MAX_URL];  /* GetRecords DCP Get, "" when not offered */
    char post_url[CSW_MAX_URL]; /* GetRecords DCP Post (XML), "" when not offered */
    char output_schema[128];    /* CSW_SCHEMA_ISO, else CSW_SCHEMA_DC (CSW_NS_300 for a
                                   3.0 catalog unless it lists only CSW_SCHEMA_DC) */
    int cql;                    /* CQL_TEXT offered */
    int filter;                 /* FILTER offered (assumed when nothing is listed) */
    int iso_modified;           /* apiso Modified queryable listed */
    char title[256];            /* ServiceIdentification/Title, may be "" */
};

/* Reads a capabilities document; url is where it came from (for messages
 * and as the fallback endpoint). */
mo_rc csw_parse_capabilities(FILE *fp, const char *url, struct csw_endpoint *ep,
                             struct mo_err *err) MO_MUST_CHECK;

/* Fetches and reads the capabilities of url (a base URL, or a full
 * GetCapabilities URL). */
mo_rc csw_discover(struct fetch *f, const char *url, struct csw_endpoint *ep,
                   struct mo_err *err) MO_MUST_CHECK;

/* One GetRecords request. */
struct csw_query {
    long start;                 /* startPosition, 1-based */
    int max;                    /* maxRecords */
    const char *constraint;     /* the source's constraint: CQL text, or an
                                   OGC Filter document when it starts with '<' */
    const char *modified_since; /* ISO date: only records modified since, or NULL */
};

/* What the response's SearchResults said (-1 when absent). */
struct csw_page_info {
    long matched;
    long returned;
    long next;
    long records; /* records handed on */
};

/* Called for each record element, in order; index counts from 0.  The node
 * is borrowed: it lives until the callback returns (csw_record_doc makes a
 * document of it that outlives the walk).  A non-OK return stops the walk
 * with that result. */
typedef mo_rc (*csw_record_fn)(void *ud, xmlNode *record, long index, struct mo_err *err);

/* A standalone copy of a record element: its own document, every namespace
 * in scope declared on its root.  NULL when out of memory. */
xmlDoc *csw_record_doc(xmlNode *record);

/* Builds the POST body of a GetRecords request (caller frees with free). */
mo_rc csw_build_getrecords_xml(const struct csw_endpoint *ep, const struct csw_query *q, char **out,
                               size_t *len, struct mo_err *err) MO_MUST_CHECK;

/* Builds the GET URL of a GetRecords request (caller frees with free). */
mo_rc csw_build_getrecords_url(struct fetch *f, const struct csw_endpoint *ep,
                               const struct csw_query *q, char **out,
                               struct mo_err *err) MO_MUST_CHECK;

/* Streams a GetRecords response from fp: fills info and calls fn for each
 * record.  name labels the input in messages; charset (may be NULL) is the
 * HTTP charset, used only when the document declares no encoding. */
mo_rc csw_parse_records(FILE *fp, const char *name, const char *charset, struct csw_page_info *info,
                        csw_record_fn fn, void *ud, struct mo_err *err) MO_MUST_CHECK;

/* A spooled GetRecords answer, checked not to be an HTML page. */
struct csw_page {
    struct fetch_response resp;
    char name[CSW_MAX_URL + 64]; /* "URL (startPosition N)", for messages */
    char charset[64];            /* HTTP charset, "" when none */
};

/* Sends q to the partner (POST when offered, else GET) and spools the answer
 * into page (cleared first; csw_page_clear frees it). */
mo_rc csw_fetch_page(struct fetch *f, const struct csw_endpoint *ep, const struct csw_query *q,
                     struct csw_page *page, struct mo_err *err) MO_MUST_CHECK;

/* Walks a fetched page (csw_parse_records over its spool). */
mo_rc csw_walk_page(struct csw_page *page, struct csw_page_info *info, csw_record_fn fn, void *ud,
                    struct mo_err *err) MO_MUST_CHECK;

/* The events of the records of a page, for a caller that needs no tree (the
 * content hash of a re-harvest).  Between record_begin and record_end come
 * the record element's own start and end and everything inside it; text
 * between records is not passed on.  ud is the caller's. */
struct csw_scan_sink {
    void (*record_begin)(void *ud, long index);
    void (*start_element)(void *ud, const xmlChar *uri, const xmlChar *local, int nb_attributes,
                          const xmlChar **attributes); /* as digest_start_element */
    void (*characters)(void *ud, const xmlChar *ch, int len);
    void (*end_element)(void *ud);
    void (*record_end)(void *ud, long index);
};

/* Scans a fetched page with SAX, building no tree: fills info as
 * csw_walk_page does and hands the records to sink.  Cheaper than a walk,
 * and blunter: MO_OK only for a well-formed GetRecordsResponse with
 * csw:SearchResults; anything else (an exception report, an HTML page,
 * malformed XML) fails without a precise message: walk the page with
 * csw_walk_page to get one. */
mo_rc csw_scan_page(struct csw_page *page, struct csw_page_info *info,
                    const struct csw_scan_sink *sink, void *ud, struct mo_err *err) MO_MUST_CHECK;

void csw_page_clear(struct csw_page *page);

#endif
