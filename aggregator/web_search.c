/*
 * web_search.c — the search page (/): the form, the facets as links that
 * add or remove a filter, the results with their matching words marked,
 * the map of their extents, paging.  Parameters: q, bbox, from, to (dates),
 * sort (relevance, date, -date, title), page (from 1), lang, and one per
 * facet (search_facet_name), repeated for several values.  Unknown
 * parameters are ignored (a shared link keeps working); a bad value is a
 * 400 page naming it.
 */
#include "web_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB_MAX_PAGE (SEARCH_MAX_OFFSET / WEB_PAGE_SIZE + 1)

static const enum web_msg facet_labels[SEARCH_FACET_COUNT] = {
    MSG_FACET_PARTNER, MSG_FACET_ORGANISATION, MSG_FACET_KEYWORD, MSG_FACET_THEME,
    MSG_FACET_TYPE,    MSG_FACET_FORMAT,       MSG_FACET_YEAR,
};

struct sort_choice {
    const char *value; /* in the URL */
    const char *sortby;
    enum web_msg label;
};

static const struct sort_choice sorts[] = {
    {"relevance", "relevance", MSG_SORT_RELEVANCE},
    {"-date", "-date", MSG_SORT_DATE},
    {"date", "date", MSG_SORT_DATE_OLD},
    {"title", "title", MSG_SORT_TITLE},
};

/* A non-empty argument's first value, or NULL. */
static const char *arg(const struct http_request *req, const char *key)
{
    const char *v = http_request_arg(req, key);
    return v && v[0] ? v : NULL;
}

/* The date range as a datetime interval; msg names the bad end. */
static mo_rc dates_set(struct search_request *r, const char *from, const char *to, char *msg,
                       size_t size)
{
    char interval[2 * SEARCH_MAX_TIME + 2];
    struct mo_err err = {0};
    const char *ends[2] = {from, to}, *names[2] = {"from", "to"};
    for (int i = 0; i < 2; i++) {
        if (!ends[i])
            continue;
        snprintf(interval, sizeof interval, "%s", ends[i]);
        if (strlen(ends[i]) >= SEARCH_MAX_TIME ||
            search_request_set(r, "datetime", interval, &err) != MO_OK) {
            snprintf(msg, size, "bad parameter %s \"%.64s\": expected a date YYYY-MM-DD", names[i],
                     ends[i]);
            return MO_EBADREQ;
        }
    }
    if (!from && !to)
        return MO_OK;
    if (from && to && strcmp(from, to) > 0) {
        snprintf(msg, size, "bad date range: from \"%.64s\" is after to \"%.64s\"", from, to);
        return MO_EBADREQ;
    }
    snprintf(interval, sizeof interval, "%s/%s", from ? from : "..", to ? to : "..");
    if (search_request_set(r, "datetime", interval, &err) != MO_OK) {
        snprintf(msg, size, "bad date range: %s", err.msg);
        return MO_EBADREQ;
    }
    return MO_OK;
}

/* One request argument into r (q, bbox, sort, page, a facet filter). */
static mo_rc param_set(struct search_request *r, const char *k, const char *v, char *msg,
                       size_t size)
{
    struct mo_err err = {0};
    if (!strcmp(k, "page")) {
        char *end = NULL;
        long p = strtol(v, &end, 10);
        if (*end || p < 1 || p > WEB_MAX_PAGE || v[0] == '+') {
            snprintf(msg, size, "bad parameter page \"%.32s\": expected 1 to %d", v, WEB_MAX_PAGE);
            return MO_EBADREQ;
        }
        r->offset = (p - 1) * WEB_PAGE_SIZE;
        return MO_OK;
    }
    if (!strcmp(k, "sort")) {
        for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++)
            if (!strcmp(v, sorts[i].value))
                return search_request_set(r, "sortby", sorts[i].sortby, &err);
        snprintf(msg, size,
                 "bad parameter sort \"%.32s\": expected relevance, date, -date or title", v);
        return MO_EBADREQ;
    }
    if (strcmp(k, "q") && strcmp(k, "bbox") && search_facet_find(k) < 0)
        return MO_OK; /* lang, from, to, unknown ones */
    mo_rc rc = search_request_set(r, k, v, &err);
    if (rc != MO_OK)
        snprintf(msg, size, "%s", err.msg);
    return rc;
}

/* The request's arguments into r: MO_EBADREQ with msg naming the first bad one. */
static mo_rc params_read(const struct http_request *req, struct search_request *r, char *msg,
                         size_t size)
{
    search_request_init(r);
    r->limit = WEB_PAGE_SIZE;
    r->facets = 1;
    for (size_t i = 0; i < req->n_args; i++) {
        const char *k = req->args[i].key, *v = req->args[i].value;
        if (!v[0] || (search_facet_find(k) < 0 && http_request_arg(req, k) != v))
            continue; /* empty, or a repeat of a single-valued parameter */
        mo_rc rc = param_set(r, k, v, msg, size);
        if (rc != MO_OK)
            return rc;
    }
    return dates_set(r, arg(req, "from"), arg(req, "to"), msg, size);
}

/* ---- writing ---- */

/* t with its matches in <mark>. */
static void marked_write(struct html *h, const struct search_text *t)
{
    size_t len = strlen(t->text), at = 0;
    for (size_t i = 0; i < t->n_matches; i++) {
        size_t s = t->match_start[i], n = t->match_len[i];
        if (s < at || s > len || n > len - s)
            break;
        html_text_n(h, t->text + at, s - at);
        html_raw(h, "<mark>");
        html_text_n(h, t->text + s, n);
        html_raw(h, "</mark>");
        at = s + n;
    }
    html_text_n(h, t->text + at, len - at);
}

static void input_write(struct html *h, enum web_lang lang, const char *id, enum web_msg label,
                        const char *type, const char *value, const char *extra)
{
    html_printf(h, "<div><label for=\"%s\">", id);
    html_text(h, web_msg(lang, label));
    html_printf(h, "</label><input type=\"%s\" id=\"%s\" name=\"%s\" value=\"", type, id, id);
    html_attr(h, value ? value : "");
    html_printf(h, "\"%s></div>\n", extra);
}

static void form_write(struct html *h, enum web_lang lang, const struct http_request *req)
{
    const char *sort = arg(req, "sort");
    html_raw(h, "<form class=\"search\" method=\"get\" action=\"/\" role=\"search\">\n"
                "<div class=\"q\"><label for=\"q\">");
    html_text(h, web_msg(lang, MSG_SEARCH_LABEL));
    html_raw(h, "</label><input type=\"search\" id=\"q\" name=\"q\" value=\"");
    html_attr(h, arg(req, "q") ? arg(req, "q") : "");
    html_raw(h, "\"></div>\n<div><label for=\"bbox\">");
    html_text(h, web_msg(lang, MSG_BBOX_LABEL));
    html_raw(h, "</label><input type=\"text\" id=\"bbox\" name=\"bbox\" inputmode=\"decimal\" "
                "aria-describedby=\"bbox-hint\" value=\"");
    html_attr(h, arg(req, "bbox") ? arg(req, "bbox") : "");
    html_raw(h, "\"><p class=\"hint\" id=\"bbox-hint\">");
    html_text(h, web_msg(lang, MSG_BBOX_HINT));
    html_raw(h, "</p></div>\n");
    input_write(h, lang, "from", MSG_FROM, "date", arg(req, "from"), "");
    input_write(h, lang, "to", MSG_TO, "date", arg(req, "to"), "");
    html_raw(h, "<div><label for=\"sort\">");
    html_text(h, web_msg(lang, MSG_SORT));
    html_raw(h, "</label><select id=\"sort\" name=\"sort\">");
    for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++) {
        html_printf(h, "<option value=\"%s\"%s>", sorts[i].value,
                    sort && !strcmp(sort, sorts[i].value) ? " selected" : "");
        html_text(h, web_msg(lang, sorts[i].label));
        html_raw(h, "</option>");
    }
    html_raw(h, "</select></div>\n");
    for (size_t i = 0; i < req->n_args; i++) /* the facet filters and lang carry over */
        if (req->args[i].value[0] &&
            (search_facet_find(req->args[i].key) >= 0 || !strcmp(req->args[i].key, "lang"))) {
            html_raw(h, "<input type=\"hidden\" name=\"");
            html_attr(h, req->args[i].key);
            html_raw(h, "\" value=\"");
            html_attr(h, req->args[i].value);
            html_raw(h, "\">\n");
        }
    html_raw(h, "<div><button type=\"submit\">");
    html_text(h, web_msg(lang, MSG_SEARCH_BUTTON));
    html_raw(h, "</button></div>\n</form>\n");
}

/* Whether the request filters facet name on value. */
static int filter_active(const struct http_request *req, const char *name, const char *value)
{
    for (size_t i = 0; i < req->n_args; i++)
        if (!strcmp(req->args[i].key, name) && !strcmp(req->args[i].value, value))
            return 1;
    return 0;
}

static void active_write(struct html *h, enum web_lang lang, const struct http_request *req)
{
    int any = 0;
    for (size_t i = 0; i < req->n_args; i++) {
        int f = search_facet_find(req->args[i].key);
        if (f < 0 || !req->args[i].value[0])
            continue;
        if (!any++) {
            html_raw(h,
                     "<section class=\"active\" aria-labelledby=\"active-h\"><h2 id=\"active-h\">");
            html_text(h, web_msg(lang, MSG_ACTIVE_FILTERS));
            html_raw(h, "</h2><ul>\n");
        }
        html_raw(h, "<li>");
        html_text(h, web_msg(lang, facet_labels[f]));
        html_raw(h, " : ");
        html_text(h, req->args[i].value);
        html_raw(h, " <a class=\"remove\" href=\"");
        web_href(h, "/", req, req->args[i].key, req->args[i].value, NULL, NULL);
        html_raw(h, "\" aria-label=\"");
        html_attr(h, web_msg(lang, MSG_REMOVE));
        html_raw(h, " ");
        html_attr(h, req->args[i].value);
        html_raw(h, "\">✕</a></li>\n");
    }
    if (any)
        html_raw(h, "</ul></section>\n");
}

static void facets_write(struct html *h, enum web_lang lang, const struct http_request *req,
                         const struct search_result *res)
{
    html_raw(h, "<aside class=\"facets\" aria-labelledby=\"facets-h\"><h2 id=\"facets-h\">");
    html_text(h, web_msg(lang, MSG_FILTERS));
    html_raw(h, "</h2>\n");
    active_write(h, lang, req);
    for (int f = 0; f < SEARCH_FACET_COUNT; f++) {
        const struct search_facet_counts *c = &res->facets[f];
        const char *name = search_facet_name(f);
        if (!c->n)
            continue;
        html_printf(h, "<section class=\"facet\" data-facet=\"%s\"><h3>", name);
        html_text(h, web_msg(lang, facet_labels[f]));
        html_raw(h, "</h3><ul>\n");
        for (size_t i = 0; i < c->n; i++) {
            int on = filter_active(req, name, c->values[i].value);
            html_raw(h, "<li><a href=\"");
            if (on)
                web_href(h, "/", req, name, c->values[i].value, NULL, NULL);
            else
                web_href(h, "/", req, NULL, NULL, name, c->values[i].value);
            html_raw(h, on ? "\" aria-current=\"true\">✓ " : "\">");
            html_text(h, c->values[i].value);
            html_printf(h, " <span class=\"count\">(%s%lld)</span></a></li>\n",
                        res->matched_exact ? "" : "≈", c->values[i].count);
        }
        html_raw(h, "</ul></section>\n");
    }
    html_raw(h, "</aside>\n");
}

static void hit_write(struct html *h, enum web_lang lang, const struct http_request *req,
                      const struct search_hit *hit)
{
    html_raw(h, "<li><h3><a href=\"" WEB_RECORD_PATH "/");
    html_url_arg(h, hit->identifier);
    if (arg(req, "lang")) {
        html_raw(h, "?lang=");
        html_url_arg(h, arg(req, "lang"));
    }
    html_raw(h, "\">");
    if (hit->title.text[0])
        marked_write(h, &hit->title);
    else
        html_text(h, hit->identifier);
    html_raw(h, "</a></h3>\n<p class=\"meta\">");
    html_text(h, hit->type[0] ? hit->type : "—");
    if (hit->modified[0]) {
        html_raw(h, " · ");
        html_text(h, web_msg(lang, MSG_UPDATED));
        html_raw(h, " ");
        html_text_n(h, hit->modified, strlen(hit->modified) < 10 ? strlen(hit->modified) : 10);
    }
    html_raw(h, " · ");
    html_text(h, web_msg(lang, MSG_PARTNERS_OF));
    html_raw(h, " ");
    html_text(h, hit->sources);
    html_raw(h, "</p>\n<p>");
    marked_write(h, &hit->excerpt);
    html_raw(h, "</p></li>\n");
}

static void map_write(const struct web *w, struct html *h, enum web_lang lang,
                      const struct search_result *res)
{
    double boxes[SEARCH_MAX_LIMIT][4];
    const char *titles[SEARCH_MAX_LIMIT];
    size_t n = 0;
    for (size_t i = 0; i < res->n && n < SEARCH_MAX_LIMIT; i++) {
        if (!res->hits[i].has_bbox)
            continue;
        memcpy(boxes[n], res->hits[i].bbox, sizeof boxes[n]);
        titles[n++] = res->hits[i].title.text;
    }
    html_raw(h, "<figure class=\"mapbox\"><figcaption>");
    html_text(h, web_msg(lang, MSG_MAP));
    html_raw(h, "</figcaption>\n");
    web_map_write(h, lang, w->tile_url, w->tile_attribution, (const double(*)[4])boxes, titles, n);
    html_raw(h, "</figure>\n");
}

static void pages_write(struct html *h, enum web_lang lang, const struct http_request *req,
                        const struct search_request *r, const struct search_result *res)
{
    long page = r->offset / WEB_PAGE_SIZE + 1;
    long long last = (res->matched + WEB_PAGE_SIZE - 1) / WEB_PAGE_SIZE;
    char num[32];
    if (last > WEB_MAX_PAGE)
        last = WEB_MAX_PAGE;
    if (last <= 1 && page == 1)
        return;
    html_raw(h, "<nav class=\"pages\" aria-label=\"");
    html_attr(h, web_msg(lang, MSG_PAGES));
    html_raw(h, "\"><ul>\n");
    if (page > 1) {
        snprintf(num, sizeof num, "%ld", page - 1);
        html_raw(h, "<li><a rel=\"prev\" href=\"");
        web_href(h, "/", req, NULL, NULL, page > 2 ? "page" : NULL, num);
        html_raw(h, "\">");
        html_text(h, web_msg(lang, MSG_PREV));
        html_raw(h, "</a></li>\n");
    }
    html_raw(h, "<li aria-current=\"page\">");
    html_text(h, web_msg(lang, MSG_PAGE_OF));
    html_printf(h, " %ld / %lld</li>\n", page, last);
    if (page < last) {
        snprintf(num, sizeof num, "%ld", page + 1);
        html_raw(h, "<li><a rel=\"next\" href=\"");
        web_href(h, "/", req, NULL, NULL, "page", num);
        html_raw(h, "\">");
        html_text(h, web_msg(lang, MSG_NEXT));
        html_raw(h, "</a></li>\n");
    }
    html_raw(h, "</ul></nav>\n");
}

static void results_write(const struct web *w, struct html *h, enum web_lang lang,
                          const struct http_request *req, const struct search_request *r,
                          const struct search_result *res)
{
    html_raw(h, "<section class=\"results\" aria-labelledby=\"results-h\">"
                "<h2 id=\"results-h\" aria-live=\"polite\">");
    if (!res->matched_exact) {
        html_text(h, web_msg(lang, MSG_RESULTS_ABOUT));
        html_raw(h, " ");
    }
    html_printf(h, "<span id=\"matched\">%lld</span> ", res->matched);
    html_text(h, web_msg(lang, MSG_RESULTS));
    html_raw(h, "</h2>\n");
    if (res->behind_ms) { /* a harvest is writing: say the answer's age */
        html_raw(h, "<p class=\"behind\" id=\"behind\">");
        html_text(h, web_msg(lang, MSG_INDEX_BEHIND));
        html_printf(h, "%s <span>%u</span></p>\n", lang == WEB_FR ? " :" : ":",
                    (res->behind_ms + 999) / 1000);
    }
    map_write(w, h, lang, res);
    if (!res->n) {
        html_raw(h, "<p>");
        html_text(h, web_msg(lang, MSG_NO_RESULT));
        html_raw(h, "</p>\n");
    } else {
        html_printf(h, "<ol class=\"hits\" start=\"%ld\">\n", r->offset + 1);
        for (size_t i = 0; i < res->n; i++)
            hit_write(h, lang, req, &res->hits[i]);
        html_raw(h, "</ol>\n");
    }
    pages_write(h, lang, req, r, res);
    html_raw(h, "</section>\n");
}

void web_search_page(struct web *w, const struct http_request *req, struct http_response *resp)
{
    enum web_lang lang = web_lang_pick(req);
    struct search_request r;
    struct search_result res = {0};
    struct mo_err err = {0};
    char msg[MO_ERR_MAX] = "";
    PGconn *conn = NULL;
    struct html h;
    if (params_read(req, &r, msg, sizeof msg) != MO_OK) {
        web_error(w, resp, lang, 400, msg);
        return;
    }
    if (dbpool_borrow(w->pool, &conn, &err) != MO_OK) {
        log_warn(w->log, "web: %s", err.msg);
        web_error(w, resp, lang, 503, NULL);
        return;
    }
    mo_rc rc = search_run(w->search, conn, &r, &res, &err);
    dbpool_return(w->pool, conn);
    if (rc != MO_OK) {
        if (rc != MO_EBADREQ)
            log_warn(w->log, "web: %s", err.msg);
        web_error(w, resp, lang, rc == MO_EBADREQ ? 400 : 500, rc == MO_EBADREQ ? err.msg : NULL);
        return;
    }
    html_init(&h, &resp->body);
    web_page_begin(w, &h, lang, req, web_msg(lang, MSG_NAV_SEARCH), 1);
    html_raw(&h, "<h1>");
    html_text(&h, web_msg(lang, MSG_SEARCH_LABEL));
    html_raw(&h, "</h1>\n");
    form_write(&h, lang, req);
    html_raw(&h, "<div class=\"layout\">\n");
    facets_write(&h, lang, req, &res);
    results_write(w, &h, lang, req, &r, &res);
    html_raw(&h, "</div>\n");
    web_page_end(w, &h, lang);
    search_result_clear(&res);
    web_send(w, resp, &h, 200);
}
