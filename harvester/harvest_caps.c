/*
 * harvest_caps.c — the listings of OGC services (see harvest_internal.h,
 * ogc_caps.h): "wfs" and "wms".  One GetCapabilities document gives a record
 * for the service and one per feature type or named layer.
 *
 * The document is read once; its records are taken by pages of
 * HARVEST_BATCH_MAX through the common run core as they come, so memory is
 * bounded by a page whatever the number of layers.  A layer whose
 * MetadataURL points to an ISO 19139 record is taken as that record,
 * fetched here; when the fetch or the parse fails, the layer's own record
 * from the capabilities stands in, and the run retires nothing (the record
 * it replaced would otherwise look gone).  Every run is full.
 */
#include "harvest_internal.h"
#include "ogc_caps.h"
#include "xmlsafe.h"

#include <stdlib.h>
#include <string.h>

#define CAPS_MAX_METADATA_FETCHES 5000 /* ISO records fetched for one service */

struct caps_listing {
    enum ogc_service service;
    char caps_url[OGC_URL_MAX];
    struct ogc_caps_info info;
    struct run *run;
    xmlDoc *docs[HARVEST_BATCH_MAX]; /* the page being gathered */
    size_t n;
    long records;       /* handed on by the capabilities */
    long from_iso;      /* layers taken as their ISO record */
    long iso_failed;    /* MetadataURLs that could not be used */
    long iso_not_tried; /* past CAPS_MAX_METADATA_FETCHES */
    long iso_fetched;
    int follow_metadata; /* MetadataURLs followed */
};

struct caps_page {
    xmlDoc **docs;
    size_t n;
    long total;
};

static mo_rc walk_caps_page(void *page, struct csw_page_info *info, csw_record_fn fn, void *ud,
                            struct mo_err *err)
{
    struct caps_page *p = page;
    return run_walk_docs(p->docs, p->n, p->total, -1, info, fn, ud, err);
}

/* The ISO record at url, or NULL (why in err). */
static xmlDoc *fetch_iso(struct run *run, const char *url, struct mo_err *err)
{
    struct fetch_response resp = {0};
    xmlDoc *doc = NULL;
    if (fetch_get(run->h->fetch, url, &resp, err) == MO_OK &&
        xmlsafe_parse_file(resp.body, url, &doc, err) == MO_OK) {
        xmlNode *root = xmlDocGetRootElement(doc);
        const char *name = (const char *)root->name;
        if (strcmp(name, "MD_Metadata") && strcmp(name, "MI_Metadata")) {
            mo_fail(err, MO_EPARTNER, "\"%s\" is not an ISO 19139 record (root %s)", url, name);
            xmlFreeDoc(doc);
            doc = NULL;
        }
    }
    fetch_response_clear(&resp);
    return doc;
}

/* The first MetadataURL of a c:layer that points to an ISO record (owned),
 * or NULL. */
static char *iso_metadata_url(const xmlNode *record)
{
    if (strcmp((const char *)record->name, "layer") != 0)
        return NULL;
    for (const xmlNode *m = record->children; m; m = m->next) {
        if (m->type != XML_ELEMENT_NODE || strcmp((const char *)m->name, "metadata-url") != 0)
            continue;
        xmlChar *href = xmlGetProp(m, (const xmlChar *)"href");
        xmlChar *type = xmlGetProp(m, (const xmlChar *)"type");
        xmlChar *format = xmlGetProp(m, (const xmlChar *)"format");
        int iso = href && ogc_caps_metadata_is_iso((const char *)type, (const char *)format,
                                                   (const char *)href);
        char *url = iso ? strdup((const char *)href) : NULL;
        xmlFree(href);
        xmlFree(type);
        xmlFree(format);
        if (url)
            return url;
    }
    return NULL;
}

/* One layer's record: its ISO record when its MetadataURL gives one, else
 * the capabilities' own (a failure is counted: the run retires nothing). */
static xmlDoc *record_doc(struct caps_listing *L, xmlNode *record)
{
    char *url = L->follow_metadata ? iso_metadata_url(record) : NULL;
    if (url && L->iso_fetched >= CAPS_MAX_METADATA_FETCHES) {
        L->iso_not_tried++;
    } else if (url) {
        struct mo_err why = {0};
        L->iso_fetched++;
        xmlDoc *iso = fetch_iso(L->run, url, &why);
        free(url);
        if (iso) {
            L->from_iso++;
            return iso;
        }
        L->iso_failed++;
        xmlChar *id = xmlGetProp(record, (const xmlChar *)"id");
        log_warn(L->run->h->log, "layer %s: %s; its capabilities record stands in",
                 id ? (const char *)id : "?", why.msg);
        xmlFree(id);
        return csw_record_doc(record);
    }
    free(url);
    return csw_record_doc(record);
}

/* The records gathered so far, taken as one page. */
static mo_rc take_gathered(struct caps_listing *L, struct mo_err *err)
{
    struct run *run = L->run;
    struct caps_page p = {L->docs, L->n, -1};
    struct csw_page_info info = {0};
    struct page_walk pw = {walk_caps_page, NULL, &p, 1};
    mo_rc rc = MO_OK;
    if (L->n > 0) {
        run->page_fresh = 0;
        rc = run_take_page(run, &pw, &info, err);
        run->c.pages++;
        run->c.received += run->page_fresh;
    }
    for (size_t i = 0; i < L->n; i++)
        xmlFreeDoc(L->docs[i]);
    L->n = 0;
    return rc;
}

/* ogc_caps_parse's callback: the record into the page, the page taken when
 * full (memory stays bounded by a page whatever the number of layers). */
static mo_rc gather_record(void *ud, xmlNode *record, long index, struct mo_err *err)
{
    struct caps_listing *L = ud;
    (void)index;
    if (run_stop_requested(L->run))
        return mo_fail(err, MO_EIO, "interrupted");
    if (!(L->docs[L->n] = record_doc(L, record)))
        return mo_fail(err, MO_ENOMEM, "out of memory reading \"%s\"", L->caps_url);
    L->n++;
    L->records++;
    return L->n == HARVEST_BATCH_MAX ? take_gathered(L, err) : MO_OK;
}

/* ---- the listing ---- */

static mo_rc caps_open(struct run *run, const struct harvest_options *opts, int *full,
                       struct mo_err *err)
{
    (void)opts;
    *full = 1;
    struct caps_listing *L = calloc(1, sizeof *L);
    if (!L)
        return mo_fail(err, MO_ENOMEM, "out of memory");
    run->listing = L;
    L->run = run;
    L->follow_metadata = !run->src->ignore_metadata_urls;
    L->service = !strcmp(run->src->type, "wms") ? OGC_SERVICE_WMS : OGC_SERVICE_WFS;
    return ogc_url_capabilities(run->src->url, ogc_service_name(L->service), L->caps_url,
                                sizeof L->caps_url, err);
}

static mo_rc caps_list(struct run *run, struct mo_err *err)
{
    struct caps_listing *L = run->listing;
    struct ogc_caps *caps = NULL;
    struct fetch_response resp = {0};
    char charset[64] = "";
    mo_rc rc = buf_printf(&run->report,
                          "full run over the %s capabilities %s: ", ogc_service_name(L->service),
                          L->caps_url);
    if (rc == MO_OK)
        rc = ogc_caps_new(run->h->xslt_dir ? run->h->xslt_dir : "xslt", &caps, err);
    if (rc == MO_OK)
        rc = fetch_get(run->h->fetch, L->caps_url, &resp, err);
    if (rc == MO_OK) {
        fetch_content_charset(resp.content_type, charset, sizeof charset);
        rc = ogc_caps_parse(caps, resp.body, L->caps_url, run->src->url,
                            charset[0] ? charset : NULL, &L->info, gather_record, L, err);
    }
    if (rc == MO_OK)
        rc = take_gathered(L, err);
    run->c.announced = L->records;
    fetch_response_clear(&resp);
    ogc_caps_free(caps);
    run->complete = rc == MO_OK;
    run->consistent = L->iso_failed == 0 && L->iso_not_tried == 0;
    run->inconsistency = "some MetadataURLs could not be used";
    return rc;
}

static mo_rc caps_describe(struct run *run, struct buf *out)
{
    struct caps_listing *L = run->listing;
    if (!L)
        return MO_OK;
    mo_rc rc = buf_printf(out, "%s %s, %ld layer%s and the service", ogc_service_name(L->service),
                          L->info.version, L->info.layers, L->info.layers == 1 ? "" : "s");
    if (rc == MO_OK && L->from_iso)
        rc = buf_printf(out, "; %ld taken as the ISO record of their MetadataURL", L->from_iso);
    if (rc == MO_OK && L->iso_failed)
        rc = buf_printf(out, "; %ld MetadataURL%s failed (capabilities used instead)",
                        L->iso_failed, L->iso_failed == 1 ? "" : "s");
    if (rc == MO_OK && L->iso_not_tried)
        rc = buf_printf(out, "; %ld MetadataURLs past %d not followed", L->iso_not_tried,
                        CAPS_MAX_METADATA_FETCHES);
    return rc;
}

static void caps_close(struct run *run)
{
    struct caps_listing *L = run->listing;
    if (!L)
        return;
    for (size_t i = 0; i < L->n; i++)
        xmlFreeDoc(L->docs[i]);
    ogc_caps_info_clear(&L->info);
    free(L);
    run->listing = NULL;
}

const struct listing_kind listing_wfs = {"wfs", caps_open, caps_list, caps_describe, caps_close};
const struct listing_kind listing_wms = {"wms", caps_open, caps_list, caps_describe, caps_close};
