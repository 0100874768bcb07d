/*
 * csw_records.c — the operations that read the index: GetRecords (hits,
 * results, validate; Dublin Core or ISO 19139; element sets or element
 * names; sorting and paging), GetRecordById and GetDomain.
 *
 * The response is written into a capped buf as text; each record comes from
 * render.h, except an ISO 19139 record harvested as ISO and asked in full,
 * which is the partner's text copied as it is (no parse).  A record that
 * cannot be rendered is logged and left out (the counts say so).
 */
#include "csw_ahead.h"
#include "csw_internal.h"

#include "csw_cache.h"
#include "xmlsafe.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESPONSE_NS                                                                                \
    " xmlns:csw=\"" CSW_NS "\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\""                      \
    " xmlns:dct=\"http://purl.org/dc/terms/\" xmlns:ows=\"http://www.opengis.net/ows\""            \
    " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""                                     \
    " xsi:schemaLocation=\"" CSW_NS " http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd\""
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCT "http://purl.org/dc/terms/"

static int db_failed(struct csw *c, const struct mo_err *err, struct csw_exception *ex)
{
    log_error(c->cfg.log, "csw: %s", err->msg);
    if (err->rc == MO_EBADREQ)
        return csw_fail(ex, CSW_EX_INVALID, NULL, "%s", err->msg);
    return csw_fail(ex, CSW_EX_NO_CODE, NULL, "the catalogue could not answer this request");
}

static int out_full(struct csw_exception *ex)
{
    return csw_fail(ex, CSW_EX_NO_CODE, NULL, "response larger than the server's limit");
}

/* Keeps, of a rendered csw:Record, the asked elements (and its identifier
 * and provenance, which every record carries). */
static mo_rc keep_elements(const struct csw_request *req, const struct buf *full, struct buf *out,
                           struct mo_err *err)
{
    xmlDoc *doc = NULL;
    mo_rc rc = xmlsafe_parse_memory(full->data, full->len, "rendered record", &doc, err);
    if (rc != MO_OK)
        return rc;
    xmlNode *root = xmlDocGetRootElement(doc), *next = NULL;
    for (xmlNode *n = root->children; n; n = next) {
        next = n->next;
        int keep = n->type == XML_ELEMENT_NODE && n->ns &&
                   ((!strcmp((const char *)n->ns->href, NS_DC) &&
                     !strcmp((const char *)n->name, "identifier")) ||
                    (!strcmp((const char *)n->ns->href, NS_DCT) &&
                     !strcmp((const char *)n->name, "provenance")));
        for (size_t i = 0; !keep && n->ns && i < req->n_elements; i++)
            keep = !strcmp((const char *)n->ns->href, req->elements[i].ns) &&
                   !strcmp((const char *)n->name, req->elements[i].local);
        if (!keep) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
    }
    xmlBuffer *b = xmlBufferCreate();
    if (!b || xmlNodeDump(b, doc, root, 0, 0) < 0)
        rc = mo_fail(err, MO_ENOMEM, "could not serialise a record");
    else
        rc = buf_append(out, xmlBufferContent(b), (size_t)xmlBufferLength(b));
    xmlBufferFree(b);
    xmlFreeDoc(doc);
    return rc;
}

/* Appends one record in the requested form. */
static mo_rc render_row(struct csw *c, const struct csw_request *req, const struct catalog_row *row,
                        struct buf *out, struct mo_err *err)
{
    struct render_params p = {row->sources, row->harvested, c->public_url};
    int iso_original = !strcmp(row->schema, "iso19139");
    xmlDoc *doc = NULL;
    if (!row->payload_len)
        return mo_fail(err, MO_EXML, "record \"%s\" has no stored XML", row->identifier);
    if (req->schema == CSW_SCHEMA_ISO && iso_original && req->set == RENDER_FULL &&
        !req->n_elements)
        return buf_append(out, row->payload, row->payload_len); /* as the partner wrote it */
    mo_rc rc = xmlsafe_parse_memory(row->payload, row->payload_len, row->identifier, &doc, err);
    if (rc != MO_OK)
        return rc;
    if (req->schema == CSW_SCHEMA_ISO && iso_original)
        rc = render_iso_subset(c->render, doc, req->set, out, err);
    else if (req->schema == CSW_SCHEMA_ISO)
        rc = render_iso(c->render, doc, req->set, &p, out, err);
    else if (!req->n_elements)
        rc = render_dc(c->render, doc, req->set, &p, out, err);
    else {
        struct buf full;
        buf_init(&full, out->max);
        rc = render_dc(c->render, doc, RENDER_FULL, &p, &full, err);
        if (rc == MO_OK)
            rc = keep_elements(req, &full, out, err);
        buf_free(&full);
    }
    xmlFreeDoc(doc);
    return rc;
}

/* Appends the records of res; *written receives how many made it. */
static int render_rows(struct csw *c, const struct csw_request *req,
                       const struct catalog_result *res, struct buf *out, size_t *written,
                       struct csw_exception *ex)
{
    *written = 0;
    for (size_t i = 0; i < res->n; i++) {
        struct mo_err err = {0};
        size_t mark = out->len;
        mo_rc rc = render_row(c, req, &res->rows[i], out, &err);
        if (rc == MO_OK)
            rc = buf_append_str(out, "\n");
        if (rc == MO_ELIMIT)
            return out_full(ex);
        if (rc != MO_OK) {
            out->len = mark;
            if (out->data)
                out->data[mark] = '\0';
            log_warn(c->cfg.log, "csw: record \"%s\" left out: %s", res->rows[i].identifier,
                     err.msg);
            continue;
        }
        (*written)++;
    }
    return 0;
}

/* csw:Acknowledgement of resultType=validate, echoing the request. */
static int write_ack(const struct csw_request *req, struct buf *out, struct csw_exception *ex)
{
    char now[40];
    csw_now(now, sizeof now);
    mo_rc rc = buf_printf(out,
                          XML_DECL "<csw:Acknowledgement" RESPONSE_NS " timeStamp=\"%s\">"
                                   "<csw:EchoedRequest>",
                          now);
    if (rc == MO_OK && req->echo)
        rc = buf_append_str(out, req->echo);
    else if (rc == MO_OK)
        rc = buf_printf(out,
                        "<csw:GetRecords service=\"CSW\" version=\"" CSW_VERSION "\""
                        " resultType=\"validate\"><csw:Query typeNames=\"%s\">"
                        "<csw:ElementSetName>%s</csw:ElementSetName></csw:Query></csw:GetRecords>",
                        req->type_names == CSW_TYPE_MD ? "gmd:MD_Metadata" : "csw:Record",
                        render_set_name(req->set));
    if (rc == MO_OK)
        rc = buf_append_str(out, "</csw:EchoedRequest></csw:Acknowledgement>\n");
    return rc == MO_OK ? 0 : out_full(ex);
}

static mo_rc write_results_open(const struct csw_request *req, const struct csw_cache_page *page,
                                struct buf *out)
{
    char now[40];
    csw_now(now, sizeof now);
    mo_rc rc = buf_append_str(out, XML_DECL "<csw:GetRecordsResponse" RESPONSE_NS
                                            " version=\"" CSW_VERSION "\">\n");
    if (rc == MO_OK && req->request_id) {
        rc = buf_append_str(out, "<csw:RequestId>");
        if (rc == MO_OK)
            rc = csw_xml_escape(out, req->request_id);
        if (rc == MO_OK)
            rc = buf_append_str(out, "</csw:RequestId>");
    }
    if (rc == MO_OK)
        rc = buf_printf(out,
                        "<csw:SearchStatus timestamp=\"%s\"/>\n"
                        "<csw:SearchResults numberOfRecordsMatched=\"%lld\""
                        " numberOfRecordsReturned=\"%lld\" nextRecord=\"%lld\""
                        " recordSchema=\"%s\"",
                        now, page->matched, page->returned, page->next,
                        req->schema == CSW_SCHEMA_ISO ? CSW_GMD_NS : CSW_NS);
    if (rc == MO_OK && !req->n_elements)
        rc = buf_printf(out, " elementSet=\"%s\"", render_set_name(req->set));
    if (rc == MO_OK)
        rc = buf_append_str(out, ">\n");
    return rc;
}

/* The page cache's key of a results request: the query's normalised form
 * (catalog_query_key, its length into *query_len), then the page and the
 * output asked.  An empty key when the query has none or it is too long:
 * the page is then not cached. */
static void page_key(const struct csw_request *req, const struct catalog_query *q, struct buf *key,
                     size_t *query_len)
{
    struct mo_err err = {0};
    if (catalog_query_key(q, key, &err) != MO_OK) {
        buf_reset(key);
        return;
    }
    *query_len = key->len;
    mo_rc rc = buf_printf(key, "\x1c%lld %ld %d %d %u", req->start, req->max, (int)req->schema,
                          (int)req->set, req->type_names);
    for (size_t i = 0; rc == MO_OK && i < req->n_elements; i++)
        rc = buf_printf(key, "\x1c%s %s", req->elements[i].ns, req->elements[i].local);
    if (rc != MO_OK)
        buf_reset(key);
}

/* The whole response: the search results element around records. */
static int write_results(const struct csw_request *req, const struct csw_cache_page *page,
                         const struct buf *records, struct buf *out, struct csw_exception *ex)
{
    if (write_results_open(req, page, out) != MO_OK ||
        buf_append(out, records->data, records->len) != MO_OK ||
        buf_append_str(out, "</csw:SearchResults>\n</csw:GetRecordsResponse>\n") != MO_OK)
        return out_full(ex);
    return 0;
}

/* Searches and renders the page of req: its records into records, what
 * the response says of them into *page, the generation the search saw into
 * *gen (-1: unknown).  0, or -1 with ex set. */
static int records_make(struct csw *c, PGconn *conn, const struct csw_request *req,
                        struct csw_cache_page *page, struct buf *records, long long *gen,
                        struct csw_exception *ex)
{
    struct catalog_query q = {req->filter, req->sort, req->n_sort};
    struct catalog_result res = {0};
    struct mo_err err = {0};
    size_t returned = 0;
    long max = req->result_type == CSW_HITS ? 0 : req->max;
    *gen = -1;
    if (catalog_search(c->catalog, conn, &q, req->start, max,
                       req->schema == CSW_SCHEMA_ISO ? CATALOG_ISO : CATALOG_UNIFIED, &res,
                       &err) != MO_OK)
        return db_failed(c, &err, ex);
    int r = render_rows(c, req, &res, records, &returned, ex);
    long long end = req->start + (long long)res.n - 1;
    *page = (struct csw_cache_page){.matched = res.matched, .returned = (long long)returned};
    if (req->result_type != CSW_HITS && end < res.matched)
        page->next = end + 1;
    *gen = res.generation;
    const char *last = res.n ? res.rows[res.n - 1].identifier : "";
    if (strlen(last) <= CSW_CACHE_MAX_LAST)
        memcpy(page->last, last, strlen(last) + 1);
    catalog_result_clear(&res);
    return r;
}

/* Searches, renders and, when the index did not change meanwhile (gen: the
 * generation seen before the search; -1: unknown), keeps the page. */
static int records_search(struct csw *c, PGconn *conn, const struct csw_request *req,
                          const struct buf *key, long long gen, struct buf *out,
                          struct csw_cache_page *page, struct csw_exception *ex)
{
    struct buf records;
    long long seen = -1;
    buf_init(&records, out->max);
    int r = records_make(c, conn, req, page, &records, &seen, ex);
    if (r == 0)
        r = write_results(req, page, &records, out, ex);
    if (r == 0 && key->len && gen >= 0 && seen == gen)
        csw_cache_put(c->pages, key->data, key->len, gen, page, records.data, records.len);
    buf_free(&records);
    return r;
}

size_t csw_records_key(const struct csw_request *req, struct buf *key)
{
    struct catalog_query q = {req->filter, req->sort, req->n_sort};
    size_t query_len = 0;
    if (req->result_type == CSW_RESULTS && req->max > 0)
        page_key(req, &q, key, &query_len);
    return key->len ? query_len : 0;
}

int csw_records_ahead(struct csw *c, PGconn *conn, const struct csw_request *req,
                      struct csw_cache_page *page, struct buf *records, long long *gen)
{
    struct csw_exception ex = {0};
    long long before = -1;
    struct mo_err err = {0};
    if (catalog_generation(conn, &before, &err) != MO_OK)
        return -1;
    if (records_make(c, conn, req, page, records, gen, &ex) != 0)
        return -1;
    return *gen == before ? 0 : -1; /* the index changed meanwhile: not to be served */
}

/* Whether the page just answered is one of a walk through the whole index
 * in its default order, with more to come: then the next one is made ahead
 * (csw_ahead.h). */
static int walks_everything(const struct csw_request *req, const struct csw_cache_page *page)
{
    return req->result_type == CSW_RESULTS && !req->filter && req->n_sort == 0 && req->max > 0 &&
           page->next > 0 && page->returned == req->max;
}

int csw_records_get(struct csw *c, PGconn *conn, const struct csw_request *req, struct buf *out,
                    struct csw_exception *ex)
{
    struct csw_cache_page page = {0};
    struct mo_err err = {0};
    struct buf key, records;
    long long gen = -1;
    int r = 0;
    if (req->result_type == CSW_VALIDATE)
        return write_ack(req, out, ex);
    buf_init(&key, CSW_CACHE_MAX_KEY);
    size_t query_len = csw_records_key(req, &key);
    if (key.len && catalog_generation(conn, &gen, &err) != MO_OK) {
        buf_free(&key);
        return db_failed(c, &err, ex);
    }
    buf_init(&records, out->max);
    if (key.len &&
        (csw_cache_get(c->pages, key.data, key.len, gen, &page, &records) ||
         (c->ahead && csw_ahead_take(c->ahead, key.data, key.len, gen, &page, &records)))) {
        /* made by a search maybe long ago, whose note of where it ended the
         * cursors may have forgotten since: noted again for the next page */
        if (req->n_sort == 0 && page.returned == req->max)
            catalog_remember(c->catalog, key.data, query_len, req->start, req->max, page.last, gen);
        r = write_results(req, &page, &records, out, ex);
    } else
        r = records_search(c, conn, req, &key, gen, out, &page, ex);
    if (r == 0 && c->ahead && walks_everything(req, &page))
        csw_ahead_offer(c->ahead, req, page.next);
    buf_free(&records);
    buf_free(&key);
    return r;
}

int csw_records_by_id(struct csw *c, PGconn *conn, const struct csw_request *req, struct buf *out,
                      struct csw_exception *ex)
{
    struct catalog_result res = {0};
    struct mo_err err = {0};
    size_t returned = 0;
    if (catalog_by_ids(conn, (const char *const *)req->ids, req->n_ids,
                       req->schema == CSW_SCHEMA_ISO ? CATALOG_ISO : CATALOG_UNIFIED, &res,
                       &err) != MO_OK)
        return db_failed(c, &err, ex);
    int r = buf_append_str(out, XML_DECL "<csw:GetRecordByIdResponse" RESPONSE_NS ">\n") == MO_OK
                ? render_rows(c, req, &res, out, &returned, ex)
                : out_full(ex);
    if (r == 0 && buf_append_str(out, "</csw:GetRecordByIdResponse>\n") != MO_OK)
        r = out_full(ex);
    catalog_result_clear(&res);
    return r;
}

/* ---- GetDomain ---- */

static mo_rc domain_value(struct buf *out, const char *value, long long count)
{
    mo_rc rc = count >= 0 ? buf_printf(out, "<csw:Value count=\"%lld\">", count)
                          : buf_append_str(out, "<csw:Value>");
    if (rc == MO_OK)
        rc = csw_xml_escape(out, value);
    if (rc == MO_OK)
        rc = buf_append_str(out, "</csw:Value>");
    return rc;
}

static int domain_parameter(const char *name, struct buf *out, struct csw_exception *ex)
{
    char q[80];
    const char *const *values = csw_parameter_values(name);
    if (!values)
        return csw_fail(ex, CSW_EX_INVALID, "ParameterName", "unknown parameter \"%s\"",
                        filter_excerpt(name, strlen(name), q, sizeof q));
    mo_rc rc = buf_append_str(out, "<csw:DomainValues type=\"csw:Record\"><csw:ParameterName>");
    if (rc == MO_OK)
        rc = csw_xml_escape(out, name);
    if (rc == MO_OK)
        rc = buf_append_str(out, "</csw:ParameterName><csw:ListOfValues>");
    for (size_t i = 0; rc == MO_OK && values[i]; i++)
        rc = domain_value(out, values[i], -1);
    if (rc == MO_OK)
        rc = buf_append_str(out, "</csw:ListOfValues></csw:DomainValues>\n");
    return rc == MO_OK ? 0 : out_full(ex);
}

static int domain_property(struct csw *c, PGconn *conn, const char *name, struct buf *out,
                           struct csw_exception *ex)
{
    char q[80];
    struct catalog_values v = {0};
    struct mo_err err = {0};
    const struct queryable *qb = queryable_find(name);
    if (!qb)
        return csw_fail(ex, CSW_EX_INVALID, "PropertyName", "unknown queryable \"%s\"",
                        filter_excerpt(name, strlen(name), q, sizeof q));
    mo_rc rc = catalog_domain(conn, qb, CSW_MAX_DOMAIN_VALUES, &v, &err);
    if (rc == MO_EBADREQ)
        return csw_fail(ex, CSW_EX_INVALID, "PropertyName", "%s", err.msg);
    if (rc != MO_OK)
        return db_failed(c, &err, ex);
    rc = buf_append_str(out, "<csw:DomainValues type=\"csw:Record\"><csw:PropertyName>");
    if (rc == MO_OK)
        rc = csw_xml_escape(out, qb->name);
    if (rc == MO_OK)
        rc = buf_append_str(out, "</csw:PropertyName>");
    if (rc == MO_OK && v.n)
        rc = buf_append_str(out, "<csw:ListOfValues>");
    for (size_t i = 0; rc == MO_OK && i < v.n; i++) {
        const char *value;
        long long count;
        catalog_values_get(&v, i, &value, &count);
        rc = domain_value(out, value, count);
    }
    if (rc == MO_OK && v.n)
        rc = buf_append_str(out, "</csw:ListOfValues>");
    if (rc == MO_OK)
        rc = buf_append_str(out, "</csw:DomainValues>\n");
    catalog_values_clear(&v);
    return rc == MO_OK ? 0 : out_full(ex);
}

int csw_domain_write(struct csw *c, PGconn *conn, const struct csw_request *req, struct buf *out,
                     struct csw_exception *ex)
{
    if (buf_append_str(out, XML_DECL "<csw:GetDomainResponse" RESPONSE_NS ">\n") != MO_OK)
        return out_full(ex);
    for (size_t i = 0; i < req->n_domain; i++) {
        int r = req->domain_property ? domain_property(c, conn, req->domain[i], out, ex)
                                     : domain_parameter(req->domain[i], out, ex);
        if (r)
            return r;
    }
    return buf_append_str(out, "</csw:GetDomainResponse>\n") == MO_OK ? 0 : out_full(ex);
}
