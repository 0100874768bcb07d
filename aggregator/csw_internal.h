/*
 * csw_internal.h — what the files of the CSW server share: one parsed
 * request per operation (csw_request.c), the exception a refusal carries,
 * the writers of each response (csw_caps.c, csw_records.c) and the XML
 * text helpers (csw.c).
 */
#ifndef MOISSON_CSW_INTERNAL_H
#define MOISSON_CSW_INTERNAL_H

#include "buf.h"
#include "catalog.h"
#include "csw.h"
#include "csw_cache.h"
#include "filter.h"
#include "http.h"
#include "render.h"

#include <libpq-fe.h>

enum csw_op {
    CSW_OP_GET_CAPABILITIES,
    CSW_OP_DESCRIBE_RECORD,
    CSW_OP_GET_RECORDS,
    CSW_OP_GET_RECORD_BY_ID,
    CSW_OP_GET_DOMAIN,
    CSW_OP_COUNT
};

enum csw_result_type { CSW_RESULTS, CSW_HITS, CSW_VALIDATE };
enum csw_schema { CSW_SCHEMA_DC, CSW_SCHEMA_ISO };

/* typeNames */
#define CSW_TYPE_RECORD 1u /* csw:Record */
#define CSW_TYPE_MD 2u     /* gmd:MD_Metadata */

/* GetCapabilities sections */
#define CSW_SECTION_IDENTIFICATION 1u
#define CSW_SECTION_PROVIDER 2u
#define CSW_SECTION_OPERATIONS 4u
#define CSW_SECTION_FILTER 8u
#define CSW_SECTION_ALL 15u

/* The capabilities' updateSequence: they change only with the program. */
#define CSW_UPDATE_SEQUENCE 1

/* An ElementName: a Dublin Core (dc, dct) or ows:BoundingBox element. */
struct csw_element_name {
    const char *ns;    /* static namespace URI */
    const char *local; /* static local name */
};

/* One request, every parameter checked.  Owned strings and the filter are
 * freed by csw_request_clear. */
struct csw_request {
    enum csw_op op;
    int post; /* came as an XML body */
    /* GetCapabilities */
    unsigned sections;
    int update_sequence; /* -1: none given */
    /* DescribeRecord and GetRecords */
    unsigned type_names;
    /* GetRecords, GetRecordById */
    enum csw_schema schema;
    enum render_set set;
    struct csw_element_name elements[CSW_MAX_ELEMENT_NAMES];
    size_t n_elements; /* 0: the element set */
    enum csw_result_type result_type;
    long long start;
    long max;
    struct filter *filter;
    struct catalog_sort sort[CATALOG_MAX_SORT];
    size_t n_sort;
    char *request_id;
    /* GetRecordById */
    char *ids[CSW_MAX_IDS];
    size_t n_ids;
    /* GetDomain */
    char *domain[CSW_MAX_NAMES];
    size_t n_domain;
    int domain_property; /* PropertyName (else ParameterName) */
    /* GetRecords resultType=validate: the request echoed (an XML element) */
    char *echo;
};

/* A refusal: OWS exceptionCode, locator ("" for none), text, HTTP status. */
struct csw_exception {
    const char *code;
    char locator[64];
    char text[MO_ERR_MAX];
    int status;
};

#define CSW_EX_MISSING "MissingParameterValue"
#define CSW_EX_INVALID "InvalidParameterValue"
#define CSW_EX_NOT_SUPPORTED "OperationNotSupported"
#define CSW_EX_VERSION "VersionNegotiationFailed"
#define CSW_EX_UPDATE_SEQUENCE "InvalidUpdateSequence"
#define CSW_EX_NO_CODE "NoApplicableCode"

struct csw {
    struct csw_config cfg;
    char *texts[CSW_ID_FIELDS]; /* owned copies of the identity texts */
    char *public_url;
    struct render *render;
    struct catalog *catalog;
    struct csw_cache *pages; /* rendered GetRecords pages (csw_cache.h) */
    struct csw_ahead *ahead; /* the next page of a walk, made ahead (csw_ahead.h) */
};

/* Sets ex (status 400 unless code is NoApplicableCode: 500) and returns -1. */
int csw_fail(struct csw_exception *ex, const char *code, const char *locator, const char *fmt, ...)
    MO_PRINTF(4, 5);

/* Parses a KVP (GET) or XML (POST) request into req; 0, or -1 with ex set.
 * req must be zeroed; clear it with csw_request_clear in both cases. */
int csw_request_from_kvp(const struct http_request *http, struct csw_request *req,
                         struct csw_exception *ex);
int csw_request_from_xml(const char *body, size_t len, struct csw_request *req,
                         struct csw_exception *ex);
void csw_request_clear(struct csw_request *req);

/* Name of an operation ("GetRecords"). */
const char *csw_op_name(enum csw_op op);

/* Response writers: append a whole document to out; 0, or -1 with ex set
 * (the caller then answers the exception instead). */
int csw_caps_write(const struct csw *c, const struct csw_request *req, struct buf *out,
                   struct csw_exception *ex);
int csw_describe_write(const struct csw_request *req, struct buf *out, struct csw_exception *ex);
int csw_records_get(struct csw *c, PGconn *conn, const struct csw_request *req, struct buf *out,
                    struct csw_exception *ex);
int csw_records_by_id(struct csw *c, PGconn *conn, const struct csw_request *req, struct buf *out,
                      struct csw_exception *ex);
int csw_domain_write(struct csw *c, PGconn *conn, const struct csw_request *req, struct buf *out,
                     struct csw_exception *ex);

/* The page cache's key of req (empty when the page is not cached: not
 * results, no records, a key too long); returns the length of its first
 * part, the query's key (catalog_query_key). */
size_t csw_records_key(const struct csw_request *req, struct buf *key);

/* Searches and renders the page of req for csw_ahead: 0 with the records,
 * what the response says of them (where it ended included) and the
 * generation they belong to; -1 when it failed or the index changed during
 * the search. */
int csw_records_ahead(struct csw *c, PGconn *conn, const struct csw_request *req,
                      struct csw_cache_page *page, struct buf *records, long long *gen);

/* The values of a request parameter that GetDomain and the capabilities
 * list ("GetRecords.outputSchema"): NULL-terminated, or NULL when unknown. */
const char *const *csw_parameter_values(const char *name);
/* Every "Operation.parameter" name, NULL-terminated. */
const char *const *csw_parameter_names(void);

/* Appends s with &, <, >, " (and control characters as references) escaped. */
mo_rc csw_xml_escape(struct buf *out, const char *s) MO_MUST_CHECK;

/* The current UTC time as xsd:dateTime into out (at least 32 bytes). */
void csw_now(char *out, size_t size);

#endif
