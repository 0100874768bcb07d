/*
 * web_partners.c — the partners page (/partners): each source with its last
 * WEB_MAX_RUNS runs (status, counters, duration, report) and, per run, the
 * first WEB_MAX_ERRORS per-record errors with their reasons, so a partner
 * sees what to fix.  Two constant statements with $n parameters.
 */
#include "web_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB_MAX_IDS_TEXT (WEB_MAX_SOURCES * WEB_MAX_RUNS * 21 + 2)

enum run_col {
    RC_NAME,
    RC_TYPE,
    RC_URL,
    RC_ID,
    RC_STATUS,
    RC_STARTED,
    RC_DURATION,
    RC_RECEIVED,
    RC_ADDED,
    RC_UPDATED,
    RC_UNCHANGED,
    RC_FAILED,
    RC_RETIRED,
    RC_REPORT,
};

/* Every source (at most $2 rows in all) with its last $1 runs, newest first. */
static const char sql_runs[] =
    "SELECT s.name, s.type, s.url, h.id, h.status, moisson_iso(h.started_at),"
    "       round(extract(epoch FROM coalesce(h.finished_at, now()) - h.started_at)::numeric, 1),"
    "       h.received, h.added, h.updated, h.unchanged, h.failed, h.retired, h.report"
    "  FROM source s"
    "  LEFT JOIN LATERAL (SELECT * FROM harvest_run r WHERE r.source_id = s.id"
    "                      ORDER BY r.id DESC LIMIT $1::int) h ON true"
    " ORDER BY s.name, h.id DESC"
    " LIMIT $2::int";

/* The first $2 errors of each run of $1, with each run's total. */
static const char sql_errors[] =
    "SELECT u.id, x.identifier, x.reason, x.total"
    "  FROM unnest($1::bigint[]) AS u(id)"
    "  CROSS JOIN LATERAL (SELECT e.seq, e.identifier, e.reason, count(*) OVER () AS total"
    "                        FROM run_error e WHERE e.run_id = u.id"
    "                       ORDER BY e.seq LIMIT $2::int) x"
    " ORDER BY u.id, x.seq";

struct partners {
    PGresult *runs;
    PGresult *errors;
};

/* The run ids of runs as an array literal (numbers only) into ids. */
static mo_rc ids_literal(PGresult *runs, struct buf *ids)
{
    mo_rc rc = buf_append_str(ids, "{");
    for (int i = 0; i < PQntuples(runs) && rc == MO_OK; i++) {
        if (PQgetisnull(runs, i, RC_ID))
            continue;
        rc = buf_printf(ids, "%s%lld", ids->len > 1 ? "," : "",
                        strtoll(PQgetvalue(runs, i, RC_ID), NULL, 10));
    }
    return rc == MO_OK ? buf_append_str(ids, "}") : rc;
}

static mo_rc partners_read(PGconn *conn, struct partners *p, struct mo_err *err)
{
    char runs[16], sources[16], errors[16];
    struct buf ids;
    snprintf(runs, sizeof runs, "%d", WEB_MAX_RUNS);
    snprintf(sources, sizeof sources, "%d", WEB_MAX_SOURCES * WEB_MAX_RUNS);
    snprintf(errors, sizeof errors, "%d", WEB_MAX_ERRORS);
    const char *p1[2] = {runs, sources};
    p->runs = PQexecParams(conn, sql_runs, 2, NULL, p1, NULL, NULL, 0);
    if (PQresultStatus(p->runs) != PGRES_TUPLES_OK)
        return mo_fail(err, MO_EDB, "could not read the runs: %s", PQerrorMessage(conn));
    buf_init(&ids, WEB_MAX_IDS_TEXT);
    mo_rc rc = ids_literal(p->runs, &ids);
    if (rc != MO_OK) {
        buf_free(&ids);
        return mo_fail(err, rc, "could not list the run ids");
    }
    const char *p2[2] = {ids.data, errors};
    p->errors = PQexecParams(conn, sql_errors, 2, NULL, p2, NULL, NULL, 0);
    buf_free(&ids);
    if (PQresultStatus(p->errors) != PGRES_TUPLES_OK)
        return mo_fail(err, MO_EDB, "could not read the run errors: %s", PQerrorMessage(conn));
    return MO_OK;
}

/* The first row of errors for run id (rows sorted by run id), or -1. */
static int errors_find(PGresult *errors, long long id)
{
    int lo = 0, hi = PQntuples(errors);
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strtoll(PQgetvalue(errors, mid, 0), NULL, 10) < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < PQntuples(errors) && strtoll(PQgetvalue(errors, lo, 0), NULL, 10) == id ? lo : -1;
}

static void th(struct html *h, enum web_lang lang, enum web_msg m)
{
    html_raw(h, "<th scope=\"col\">");
    html_text(h, web_msg(lang, m));
    html_raw(h, "</th>");
}

static void runs_head(struct html *h, enum web_lang lang)
{
    static const enum web_msg cols[] = {MSG_RUN_STARTED, MSG_RUN_STATUS,  MSG_RUN_RECEIVED,
                                        MSG_RUN_ADDED,   MSG_RUN_UPDATED, MSG_RUN_UNCHANGED,
                                        MSG_RUN_FAILED,  MSG_RUN_RETIRED, MSG_RUN_DURATION};
    html_raw(h, "<table class=\"runs\"><thead><tr>");
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        th(h, lang, cols[i]);
    html_raw(h, "</tr></thead><tbody>\n");
}

static void run_row(struct html *h, PGresult *runs, int i)
{
    html_raw(h, "<tr><th scope=\"row\">");
    html_text(h, PQgetvalue(runs, i, RC_STARTED));
    html_raw(h, "</th><td class=\"status-");
    html_attr(h, PQgetvalue(runs, i, RC_STATUS));
    html_raw(h, "\">");
    html_text(h, PQgetvalue(runs, i, RC_STATUS));
    if (!PQgetisnull(runs, i, RC_REPORT) && PQgetvalue(runs, i, RC_REPORT)[0]) {
        html_raw(h, "<br><small>");
        html_text(h, PQgetvalue(runs, i, RC_REPORT));
        html_raw(h, "</small>");
    }
    html_raw(h, "</td>");
    for (int c = RC_RECEIVED; c <= RC_RETIRED; c++) {
        html_raw(h, "<td>");
        html_text(h, PQgetvalue(runs, i, c));
        html_raw(h, "</td>");
    }
    html_raw(h, "<td>");
    html_text(h, PQgetvalue(runs, i, RC_DURATION));
    html_raw(h, "</td></tr>\n");
}

static void run_errors(struct html *h, enum web_lang lang, PGresult *runs, int i, PGresult *errors)
{
    long long id = strtoll(PQgetvalue(runs, i, RC_ID), NULL, 10);
    int e = errors_find(errors, id);
    if (e < 0)
        return;
    long long total = strtoll(PQgetvalue(errors, e, 3), NULL, 10), shown = 0;
    html_raw(h, "<h4>");
    html_text(h, web_msg(lang, MSG_RUN_ERRORS));
    html_raw(h, " ");
    html_text(h, PQgetvalue(runs, i, RC_STARTED));
    html_printf(h, " (%lld)</h4>\n<ul class=\"run-errors\">\n", total);
    for (; e < PQntuples(errors) && strtoll(PQgetvalue(errors, e, 0), NULL, 10) == id; e++) {
        html_raw(h, "<li><code>");
        html_text(h, PQgetisnull(errors, e, 1) ? web_msg(lang, MSG_NO_IDENTIFIER)
                                               : PQgetvalue(errors, e, 1));
        html_raw(h, "</code> : ");
        html_text(h, PQgetvalue(errors, e, 2));
        html_raw(h, "</li>\n");
        shown++;
    }
    if (total > shown) {
        html_printf(h, "<li>%lld ", total - shown);
        html_text(h, web_msg(lang, MSG_RUN_MORE_ERRORS));
        html_raw(h, "</li>\n");
    }
    html_raw(h, "</ul>\n");
}

/* One source from row *i on; *i ends past its rows. */
static void source_write(struct html *h, enum web_lang lang, const struct partners *p, int *i)
{
    PGresult *runs = p->runs;
    const char *name = PQgetvalue(runs, *i, RC_NAME);
    int first = *i, n = PQntuples(runs);
    html_raw(h, "<section class=\"partner\" aria-labelledby=\"p-");
    html_attr(h, name);
    html_raw(h, "\"><h2 id=\"p-");
    html_attr(h, name);
    html_raw(h, "\">");
    html_text(h, name);
    html_raw(h, "</h2>\n<p class=\"meta\">");
    html_text(h, PQgetvalue(runs, *i, RC_TYPE));
    html_raw(h, " · ");
    html_text(h, PQgetvalue(runs, *i, RC_URL));
    html_raw(h, "</p>\n");
    if (PQgetisnull(runs, *i, RC_ID)) {
        html_raw(h, "<p>");
        html_text(h, web_msg(lang, MSG_NO_RUN));
        html_raw(h, "</p>\n</section>\n");
        (*i)++;
        return;
    }
    runs_head(h, lang);
    for (; *i < n && !strcmp(PQgetvalue(runs, *i, RC_NAME), name); (*i)++)
        run_row(h, runs, *i);
    html_raw(h, "</tbody></table>\n");
    for (int r = first; r < *i; r++)
        run_errors(h, lang, runs, r, p->errors);
    html_raw(h, "</section>\n");
}

void web_partners_page(struct web *w, const struct http_request *req, struct http_response *resp)
{
    enum web_lang lang = web_lang_pick(req);
    struct partners p = {0};
    struct mo_err err = {0};
    PGconn *conn = NULL;
    struct html h;
    if (dbpool_borrow(w->pool, &conn, &err) != MO_OK) {
        log_warn(w->log, "web: %s", err.msg);
        web_error(w, resp, lang, 503, NULL);
        return;
    }
    mo_rc rc = partners_read(conn, &p, &err);
    dbpool_return(w->pool, conn);
    if (rc != MO_OK) {
        log_warn(w->log, "web: %s", err.msg);
        web_error(w, resp, lang, 500, NULL);
    } else {
        html_init(&h, &resp->body);
        web_page_begin(w, &h, lang, req, web_msg(lang, MSG_PARTNERS_TITLE), 0);
        html_raw(&h, "<h1>");
        html_text(&h, web_msg(lang, MSG_PARTNERS_TITLE));
        html_raw(&h, "</h1>\n<p>");
        html_text(&h, web_msg(lang, MSG_PARTNERS_INTRO));
        html_raw(&h, "</p>\n");
        for (int i = 0; i < PQntuples(p.runs);)
            source_write(&h, lang, &p, &i);
        web_page_end(w, &h, lang);
        web_send(w, resp, &h, 200);
    }
    PQclear(p.runs);
    PQclear(p.errors);
}
