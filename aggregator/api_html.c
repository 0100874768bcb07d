/*
 * api_html.c — f=html: where the HTML representation of an API document is.
 *
 * The HTML pages (web*.c) show the same resources as the API, for people: a
 * request for f=html is answered 303 See Other with the page that shows it.
 * The items go to the search page with the same search (q, bbox, the facet
 * filters as they are, datetime as from/to dates, sortby as sort, offset as
 * the page holding it; limit and facets have no counterpart there); one item
 * goes to /record/ID; any other document to the search page.
 */
#include "api_internal.h"
#include "web.h"

#include <stdlib.h>
#include <string.h>

/* "key=value" appended to the query in out (value percent-encoded). */
static mo_rc query_add(struct buf *out, const char *key, const char *value)
{
    mo_rc rc = buf_append_str(out, strchr(out->data, '?') ? "&" : "?");
    if (rc == MO_OK)
        rc = api_url_encode(out, key);
    if (rc == MO_OK)
        rc = buf_append_str(out, "=");
    if (rc == MO_OK)
        rc = api_url_encode(out, value);
    return rc;
}

/* One end of a datetime interval as the page's date (YYYY-MM-DD), or
 * nothing for an open end. */
static mo_rc date_add(struct buf *out, const char *key, const char *end, size_t len)
{
    char day[11];
    if (len == 0 || (len == 2 && !strncmp(end, "..", 2)))
        return MO_OK;
    snprintf(day, sizeof day, "%.*s", (int)(len < 10 ? len : 10), end);
    return query_add(out, key, day);
}

/* datetime "a/b" or an instant → from and to. */
static mo_rc datetime_add(struct buf *out, const char *v)
{
    const char *slash = strchr(v, '/');
    if (!slash) {
        mo_rc rc = date_add(out, "from", v, strlen(v));
        return rc == MO_OK ? date_add(out, "to", v, strlen(v)) : rc;
    }
    mo_rc rc = date_add(out, "from", v, (size_t)(slash - v));
    return rc == MO_OK ? date_add(out, "to", slash + 1, strlen(slash + 1)) : rc;
}

/* sortby (relevance, date or updated, title; - for descending) → sort. */
static mo_rc sort_add(struct buf *out, const char *v)
{
    int desc = v[0] == '-';
    const char *name = v[0] == '-' || v[0] == '+' ? v + 1 : v;
    if (!strcmp(name, "date") || !strcmp(name, "updated"))
        return query_add(out, "sort", desc ? "-date" : "date");
    if (!strcmp(name, "title") || !strcmp(name, "relevance"))
        return query_add(out, "sort", name);
    return MO_OK;
}

/* offset → the page of WEB_PAGE_SIZE results that holds it. */
static mo_rc page_add(struct buf *out, const char *v)
{
    char *end = NULL;
    long long offset = strtoll(v, &end, 10);
    char page[32];
    if (!v[0] || *end || offset < 0)
        return MO_OK;
    snprintf(page, sizeof page, "%lld", offset / WEB_PAGE_SIZE + 1);
    return offset >= WEB_PAGE_SIZE ? query_add(out, "page", page) : MO_OK;
}

/* The search page's query for the items request's arguments. */
static mo_rc items_query(const struct http_request *req, struct buf *out)
{
    mo_rc rc = MO_OK;
    for (size_t i = 0; i < req->n_args && rc == MO_OK; i++) {
        const char *k = req->args[i].key, *v = req->args[i].value;
        if (!v[0])
            continue;
        if (!strcmp(k, "q") || !strcmp(k, "bbox") || search_facet_find(k) >= 0)
            rc = query_add(out, k, v);
        else if (!strcmp(k, "datetime"))
            rc = datetime_add(out, v);
        else if (!strcmp(k, "sortby"))
            rc = sort_add(out, v);
        else if (!strcmp(k, "offset"))
            rc = page_add(out, v);
    }
    return rc;
}

mo_rc api_html_location(const struct api *a, const char *rest, const struct http_request *req,
                        struct buf *out)
{
    static const char items[] = "/collections/" API_COLLECTION "/items";
    mo_rc rc = buf_append_str(out, a->public_url);
    if (rc != MO_OK)
        return rc;
    if (!strcmp(rest, items)) {
        rc = buf_append_str(out, "/");
        return rc == MO_OK ? items_query(req, out) : rc;
    }
    if (!strncmp(rest, items, sizeof items - 1) && rest[sizeof items - 1] == '/' &&
        rest[sizeof items]) {
        rc = buf_append_str(out, "/record/");
        return rc == MO_OK ? api_url_encode(out, rest + sizeof items) : rc;
    }
    return buf_append_str(out, "/");
}
