/*
 * web_record.c — the record page (/record/ID): every unified field of the
 * entry, its links labelled by kind, the partners that carry it and when
 * each was harvested, the original XML (escaped, in a <pre>), and the CSW
 * GetRecordById links in ISO 19139 and Dublin Core.  The fields come from
 * search_record_get; provenance and original XML from two constant
 * statements with $n parameters.
 */
#include "web_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WEB_ISO_SCHEMA "http://www.isotc211.org/2005/gmd"
#define WEB_DC_SCHEMA "http://www.opengis.net/cat/csw/2.0.2"

/* Every live record carrying the identifier, in the entry's precedence. */
static const char sql_provenance[] =
    "SELECT s.name, moisson_iso(rs.last_seen), moisson_iso(r.changed_at)"
    "  FROM entry e"
    "  JOIN record r ON r.identifier = e.identifier AND r.retired_at IS NULL"
    "  JOIN source s ON s.id = r.source_id"
    "  LEFT JOIN record_seen rs ON rs.record_id = r.id"
    " WHERE e.identifier = $1"
    " ORDER BY array_position(e.sources, s.id), s.name";

/* The chosen record's original XML, cut at $2 characters, and whether it was cut. */
static const char sql_original[] =
    "SELECT substr(r.original, 1, $2::int), length(r.original) > $2::int"
    "  FROM entry e JOIN record r ON r.id = e.record_id"
    " WHERE e.identifier = $1 AND r.original IS NOT NULL";

struct record_extra {
    PGresult *provenance;
    PGresult *original;
};

static mo_rc extra_read(PGconn *conn, const char *id, struct record_extra *x, struct mo_err *err)
{
    char max[32];
    snprintf(max, sizeof max, "%d", WEB_MAX_ORIGINAL);
    const char *p1[1] = {id};
    const char *p2[2] = {id, max};
    x->provenance = PQexecParams(conn, sql_provenance, 1, NULL, p1, NULL, NULL, 0);
    if (PQresultStatus(x->provenance) != PGRES_TUPLES_OK)
        return mo_fail(err, MO_EDB, "could not read the provenance of \"%.200s\": %s", id,
                       PQerrorMessage(conn));
    x->original = PQexecParams(conn, sql_original, 2, NULL, p2, NULL, NULL, 0);
    if (PQresultStatus(x->original) != PGRES_TUPLES_OK)
        return mo_fail(err, MO_EDB, "could not read the original of \"%.200s\": %s", id,
                       PQerrorMessage(conn));
    return MO_OK;
}

static void extra_clear(struct record_extra *x)
{
    PQclear(x->provenance);
    PQclear(x->original);
    x->provenance = x->original = NULL;
}

/* ---- the kinds of link ---- */

static int contains(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (!strncasecmp(s, needle, n))
            return 1;
    return 0;
}

/* What a link is, from its URL alone (the columns keep URLs only). */
static enum web_msg link_kind(const char *url)
{
    static const char *const files[] = {".zip", ".csv",  ".json", ".geojson", ".gpkg", ".shp",
                                        ".pdf", ".xlsx", ".ods",  ".kml",     ".7z",   ".tar.gz"};
    if (contains(url, "service=wms") || contains(url, "/wms"))
        return MSG_LINK_WMS;
    if (contains(url, "service=wfs") || contains(url, "/wfs"))
        return MSG_LINK_WFS;
    if (contains(url, "download") || contains(url, "telecharg"))
        return MSG_LINK_DOWNLOAD;
    size_t path = strcspn(url, "?#");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n = strlen(files[i]);
        if (path >= n && !strncasecmp(url + path - n, files[i], n))
            return MSG_LINK_DOWNLOAD;
    }
    return MSG_LINK_PAGE;
}

/* Whether url may be an href: http(s) only (no javascript: and such). */
static int link_safe(const char *url, size_t len)
{
    return (len > 7 && !strncasecmp(url, "http://", 7)) ||
           (len > 8 && !strncasecmp(url, "https://", 8));
}

/* ---- writing ---- */

static void field_begin(struct html *h, enum web_lang lang, enum web_msg label)
{
    html_raw(h, "<dt>");
    html_text(h, web_msg(lang, label));
    html_raw(h, "</dt><dd>");
}

static void field_text(struct html *h, enum web_lang lang, enum web_msg label, const char *v)
{
    if (!v[0])
        return;
    field_begin(h, lang, label);
    html_text(h, v);
    html_raw(h, "</dd>\n");
}

static void field_list(struct html *h, enum web_lang lang, enum web_msg label, const char *v)
{
    size_t n = 0;
    if (!v[0])
        return;
    field_begin(h, lang, label);
    html_raw(h, "<ul>");
    while (*v && n++ < WEB_MAX_LIST) {
        size_t len = strcspn(v, "\x1f");
        html_raw(h, "<li>");
        html_text_n(h, v, len);
        html_raw(h, "</li>");
        v += len + (v[len] != 0);
    }
    html_raw(h, "</ul></dd>\n");
}

static void fields_write(struct html *h, enum web_lang lang, const struct search_record *rec)
{
    static const struct {
        enum search_record_col col;
        enum web_msg label;
        int list;
    } rows[] = {
        {REC_IDENTIFIER, MSG_F_IDENTIFIER, 0},
        {REC_ABSTRACT, MSG_F_ABSTRACT, 0},
        {REC_TYPE, MSG_F_TYPE, 0},
        {REC_LANGUAGE, MSG_F_LANGUAGE, 0},
        {REC_MODIFIED, MSG_F_MODIFIED, 0},
        {REC_CREATED, MSG_F_CREATED, 0},
        {REC_PUBLISHED, MSG_F_PUBLISHED, 0},
        {REC_REVISED, MSG_F_REVISED, 0},
        {REC_KEYWORDS, MSG_F_KEYWORDS, 1},
        {REC_TOPICS, MSG_F_TOPICS, 1},
        {REC_ORGANISATIONS, MSG_F_ORGANISATIONS, 1},
        {REC_FORMATS, MSG_F_FORMATS, 1},
        {REC_LICENCES, MSG_F_LICENCES, 1},
        {REC_CRS, MSG_F_CRS, 1},
        {REC_HARVESTED, MSG_F_HARVESTED, 0},
    };
    html_raw(h, "<dl class=\"fields\">\n");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *v = search_record_field(rec, rows[i].col);
        if (rows[i].list)
            field_list(h, lang, rows[i].label, v);
        else
            field_text(h, lang, rows[i].label, v);
    }
    const char *from = search_record_field(rec, REC_TEMPORAL_FROM);
    const char *to = search_record_field(rec, REC_TEMPORAL_TO);
    if (from[0] || to[0]) {
        field_begin(h, lang, MSG_F_TEMPORAL);
        html_text(h, from[0] ? from : "…");
        html_raw(h, " – ");
        html_text(h, to[0] ? to : "…");
        html_raw(h, "</dd>\n");
    }
    if (!search_record_null(rec, REC_WEST)) {
        field_begin(h, lang, MSG_F_BBOX);
        html_text(h, search_record_field(rec, REC_WEST));
        html_raw(h, ", ");
        html_text(h, search_record_field(rec, REC_SOUTH));
        html_raw(h, ", ");
        html_text(h, search_record_field(rec, REC_EAST));
        html_raw(h, ", ");
        html_text(h, search_record_field(rec, REC_NORTH));
        html_raw(h, "</dd>\n");
    }
    html_raw(h, "</dl>\n");
}

static void links_write(struct html *h, enum web_lang lang, const char *links)
{
    size_t n = 0;
    if (!links[0])
        return;
    html_raw(h, "<section aria-labelledby=\"links-h\"><h2 id=\"links-h\">");
    html_text(h, web_msg(lang, MSG_LINKS));
    html_raw(h, "</h2><ul class=\"links\">\n");
    while (*links && n++ < WEB_MAX_LIST) {
        size_t len = strcspn(links, "\x1f");
        char *url = strndup(links, len);
        if (url) {
            html_raw(h, "<li><span class=\"kind\">");
            html_text(h, web_msg(lang, link_kind(url)));
            html_raw(h, "</span> : ");
            if (link_safe(url, len)) {
                html_raw(h, "<a rel=\"nofollow noopener\" href=\"");
                html_attr(h, url);
                html_raw(h, "\">");
                html_text(h, url);
                html_raw(h, "</a>");
            } else {
                html_text(h, url);
            }
            html_raw(h, "</li>\n");
            free(url);
        }
        links += len + (links[len] != 0);
    }
    html_raw(h, "</ul></section>\n");
}

static void provenance_write(struct html *h, enum web_lang lang, PGresult *res)
{
    html_raw(h, "<section aria-labelledby=\"prov-h\"><h2 id=\"prov-h\">");
    html_text(h, web_msg(lang, MSG_PROVENANCE));
    html_raw(h, "</h2><table class=\"provenance\"><thead><tr><th scope=\"col\">");
    html_text(h, web_msg(lang, MSG_PARTNER));
    html_raw(h, "</th><th scope=\"col\">");
    html_text(h, web_msg(lang, MSG_LAST_SEEN));
    html_raw(h, "</th><th scope=\"col\">");
    html_text(h, web_msg(lang, MSG_CHANGED));
    html_raw(h, "</th></tr></thead><tbody>\n");
    for (int i = 0; i < PQntuples(res); i++) {
        html_raw(h, "<tr><th scope=\"row\">");
        html_text(h, PQgetvalue(res, i, 0));
        html_raw(h, "</th><td>");
        html_text(h, PQgetisnull(res, i, 1) ? "—" : PQgetvalue(res, i, 1));
        html_raw(h, "</td><td>");
        html_text(h, PQgetvalue(res, i, 2));
        html_raw(h, "</td></tr>\n");
    }
    html_raw(h, "</tbody></table></section>\n");
}

static void csw_link(struct html *h, const struct web *w, const char *id, const char *schema,
                     const char *label)
{
    html_raw(h, "<li><a href=\"");
    html_attr(h, w->public_url);
    html_raw(h, "/csw?service=CSW&amp;version=2.0.2&amp;request=GetRecordById&amp;id=");
    html_url_arg(h, id);
    html_raw(h, "&amp;elementSetName=full&amp;outputSchema=");
    html_url_arg(h, schema);
    html_raw(h, "\">");
    html_text(h, label);
    html_raw(h, "</a></li>\n");
}

static void original_write(struct html *h, enum web_lang lang, PGresult *res)
{
    html_raw(h, "<section aria-labelledby=\"orig-h\"><h2 id=\"orig-h\">");
    html_text(h, web_msg(lang, MSG_ORIGINAL));
    html_raw(h, "</h2>\n");
    if (PQntuples(res) < 1) {
        html_raw(h, "<p>");
        html_text(h, web_msg(lang, MSG_NO_ORIGINAL));
        html_raw(h, "</p>");
    } else {
        html_raw(h, "<pre class=\"original\" tabindex=\"0\"><code>");
        html_text(h, PQgetvalue(res, 0, 0));
        html_raw(h, PQgetvalue(res, 0, 1)[0] == 't' ? "\n…</code></pre>" : "</code></pre>");
    }
    html_raw(h, "</section>\n");
}

static void record_write(struct html *h, const struct web *w, enum web_lang lang,
                         const struct http_request *req, const struct search_record *rec,
                         const struct record_extra *x)
{
    const char *id = search_record_field(rec, REC_IDENTIFIER);
    const char *title = search_record_field(rec, REC_TITLE);
    web_page_begin(w, h, lang, req, title[0] ? title : id, 0);
    html_raw(h, "<article><h1>");
    html_text(h, title[0] ? title : id);
    html_raw(h, "</h1>\n");
    fields_write(h, lang, rec);
    links_write(h, lang, search_record_field(rec, REC_LINKS));
    provenance_write(h, lang, x->provenance);
    html_raw(h, "<section aria-labelledby=\"csw-h\"><h2 id=\"csw-h\">");
    html_text(h, web_msg(lang, MSG_CSW_LINKS));
    html_raw(h, "</h2><ul>\n");
    csw_link(h, w, id, WEB_ISO_SCHEMA, "ISO 19139");
    csw_link(h, w, id, WEB_DC_SCHEMA, "Dublin Core (csw:Record)");
    html_raw(h, "</ul></section>\n");
    original_write(h, lang, x->original);
    html_raw(h, "</article>\n");
    web_page_end(w, h, lang);
}

void web_record_page(struct web *w, const char *id, const struct http_request *req,
                     struct http_response *resp)
{
    enum web_lang lang = web_lang_pick(req);
    struct search_record rec = {0};
    struct record_extra x = {0};
    struct mo_err err = {0};
    PGconn *conn = NULL;
    struct html h;
    if (dbpool_borrow(w->pool, &conn, &err) != MO_OK) {
        log_warn(w->log, "web: %s", err.msg);
        web_error(w, resp, lang, 503, NULL);
        return;
    }
    mo_rc rc = search_record_get(conn, id, &rec, &err);
    if (rc == MO_OK)
        rc = extra_read(conn, id, &x, &err);
    dbpool_return(w->pool, conn);
    if (rc == MO_ENOTFOUND) {
        web_error(w, resp, lang, 404, NULL);
    } else if (rc != MO_OK) {
        log_warn(w->log, "web: %s", err.msg);
        web_error(w, resp, lang, 500, NULL);
    } else {
        html_init(&h, &resp->body);
        record_write(&h, w, lang, req, &rec, &x);
        web_send(w, resp, &h, 200);
    }
    extra_clear(&x);
    search_record_clear(&rec);
}
