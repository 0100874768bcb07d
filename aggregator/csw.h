/*
 * csw.h — the CSW 2.0.2 server: the operations behind `/csw`.
 *
 * csw_handle takes one request (HTTP GET with KVP, or POST with an XML
 * body) and fills one response: GetCapabilities, DescribeRecord, GetRecords,
 * GetRecordById and GetDomain (the ISO application profile's outputs, Dublin
 * Core and ISO 19139), Transaction and Harvest answered OperationNotSupported
 * (the public endpoint is read-only), and every refusal an OWS 1.0.0
 * ows:ExceptionReport with its exceptionCode, locator and an HTTP status
 * (400 for the client's errors, 500 or 503 for ours; a database message is
 * logged, never sent).  The module knows nothing of libmicrohttpd: it sees
 * the plain struct http_request / http_response of http.h, so tests call it
 * without a socket.
 *
 * A struct csw is made once at start-up (its stylesheets compiled, the
 * shared count cache and page cursors of catalog.h) and shared read-only by
 * every server thread; each request borrows one connection from the pool.
 */
#ifndef MOISSON_CSW_H
#define MOISSON_CSW_H

#include "catalog.h"
#include "csw_cache.h"
#include "dbpool.h"
#include "http.h"
#include "log.h"
#include "result.h"

#define CSW_PATH "/csw"
#define CSW_VERSION "2.0.2"
#define CSW_NS "http://www.opengis.net/cat/csw/2.0.2"
#define CSW_GMD_NS "http://www.isotc211.org/2005/gmd"

/* Limits (documented in aggregator/README.md). */
#define CSW_MAX_RECORDS 1000       /* maxRecords above this is served as this */
#define CSW_DEFAULT_MAX_RECORDS 10 /* maxRecords when absent */
#define CSW_MAX_START 1000000000LL /* startPosition above this is refused */
#define CSW_MAX_IDS 100            /* identifiers of one GetRecordById */
#define CSW_MAX_ELEMENT_NAMES 32   /* ElementName values of one query */
#define CSW_MAX_NAMES 16           /* typeNames, sections, versions, ParameterName… */
#define CSW_MAX_NAMESPACES 16      /* NAMESPACE declarations */
#define CSW_MAX_DOMAIN_VALUES 1000 /* values of one GetDomain PropertyName */
#define CSW_MAX_VALUE 1024         /* one KVP value other than constraint and ids */
#define CSW_MAX_TEXT 512           /* a configuration text (title, abstract…) */

/* The service's description in GetCapabilities; every text may be NULL
 * (the default is used).  keywords: comma separated.  An empty provider site
 * is the public URL; an empty keywords or contact e-mail leaves the element
 * out. */
struct csw_identity {
    const char *title;
    const char *abstract;
    const char *keywords;
    const char *provider_name;
    const char *provider_site;
    const char *contact_name;
    const char *contact_email;
};

/* The texts of struct csw_identity, in its order (csw_identity_check_text). */
enum csw_identity_field {
    CSW_ID_TITLE,
    CSW_ID_ABSTRACT,
    CSW_ID_KEYWORDS,
    CSW_ID_PROVIDER_NAME,
    CSW_ID_PROVIDER_SITE,
    CSW_ID_CONTACT_NAME,
    CSW_ID_CONTACT_EMAIL,
    CSW_ID_FIELDS
};

struct csw_config {
    struct csw_identity identity;
    const char *public_url; /* base URL of the server, no trailing '/' (the endpoint adds /csw) */
    const char *xslt_dir;   /* output stylesheets (render.h) */
    struct dbpool *pool;    /* borrowed: must outlive the struct csw */
    const struct log *log;  /* borrowed; may be NULL */
};

struct csw;

/* Checks one text of the identity (NULL: the default, always good): valid
 * UTF-8 of at most CSW_MAX_TEXT bytes, no control character but tab and
 * newline; the provider site empty (this server) or an http:// or https://
 * URL of printable ASCII without spaces; the contact e-mail empty or
 * NAME@DOMAIN without spaces.  MO_EBADREQ with the reason alone ("longer than
 * 512 bytes"): the caller names the setting. */
mo_rc csw_identity_check_text(enum csw_identity_field field, const char *text,
                              struct mo_err *err) MO_MUST_CHECK;

/* Checks every text of id as above.  MO_EBADREQ naming the first bad one:
 * 'bad CSW title "…": longer than 512 bytes'. */
mo_rc csw_identity_check(const struct csw_identity *id, struct mo_err *err) MO_MUST_CHECK;

/* Checks the configuration (the identity by csw_identity_check, public URL
 * present) and compiles the stylesheets.  MO_EBADREQ naming a bad text,
 * MO_EIO / MO_EXSLT for the stylesheets (render_new), MO_ENOMEM. */
mo_rc csw_new(const struct csw_config *cfg, struct csw **out, struct mo_err *err) MO_MUST_CHECK;

/* Frees c; c may be NULL.  No request may be running. */
void csw_free(struct csw *c);

/* Answers one request (any method; the caller's route already allowed only
 * GET, HEAD and POST with an XML body).  Never fails: errors become an
 * exception report in resp.  Safe to call from several threads at once. */
void csw_handle(struct csw *c, const struct http_request *req, struct http_response *resp);

/* The shared search state (counters for tests and logs). */
struct catalog *csw_catalog(struct csw *c);

/* The shared cache of rendered GetRecords pages (csw_cache.h: counters for
 * tests and logs). */
struct csw_cache *csw_pages(struct csw *c);

/* Pages of walks through the whole index made ahead, and served from there
 * (csw_ahead.h: counters for tests and logs). */
void csw_ahead_stats(struct csw *c, unsigned long *served, unsigned long *made);

#endif
