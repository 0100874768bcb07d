/*
 * test_web.c — the HTML pages (aggregator/web.h) without a socket, on a test
 * database holding tests/fixtures/search/records.sql plus a run with
 * per-record errors, fifteen more records for paging and an original XML:
 * the escaping helpers and the language choice as tables, the search page
 * (highlights, facet links that add and remove a filter, the map's
 * extents, paging), a record page, the partners page, hostile strings shown
 * as text, lang=en and Accept-Language, the CSP header, static files, and
 * bad parameters named in a 400.  The map's tile background: the checks of
 * the template and attribution as tables, the tiles and extents of a known
 * view in Web Mercator, escaping, and the search page and CSP of pages
 * configured with tiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "memindex.h"
#include "testdb.h"
#include "web.h"
#include "web_internal.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_MAX_ARGS 8

/* What the fixture adds to records.sql. */
static const char extra_sql[] =
    "INSERT INTO record (source_id, identifier, type, title, abstract, hash, bbox)"
    " SELECT s.id, 'lot-' || i, 'dataset', 'Lot numéro ' || i, 'Parcelle du lot.',"
    "        md5('lot' || i), box(point(i * 0.1, 45), point(i * 0.1 + 0.05, 45.05))"
    "   FROM source s, generate_series(1, 15) i WHERE s.name = 'agglo-b';"
    "SELECT entry_refresh(array_agg(identifier)) FROM record WHERE identifier LIKE 'lot-%';"
    "UPDATE record SET original = '<md><title><script>alert(1)</script></title></md>',"
    "       links = '{https://a.invalid/wms?service=WMS,https://a.invalid/data.zip,"
    "\"javascript:alert(1)\",https://a.invalid/fiche}'"
    " WHERE identifier = 'r-eglises';"
    "INSERT INTO record_seen (record_id, last_run, last_seen)"
    " SELECT id, 1, '2024-03-02T10:00:00Z' FROM record WHERE identifier = 'r-dup'"
    "    AND source_id = (SELECT id FROM source WHERE name = 'mairie-a');"
    "WITH r AS (INSERT INTO harvest_run (source_id, \"full\", status, started_at, finished_at,"
    "                                    received, added, failed, report)"
    "           SELECT id, true, 'incomplete', '2024-03-01T08:00:00Z', '2024-03-01T08:00:12.5Z',"
    "                  40, 38, 2, 'page 3: HTTP 503'"
    "             FROM source WHERE name = 'dept-c' RETURNING id)"
    " INSERT INTO run_error (run_id, identifier, reason)"
    " SELECT r.id, v.i, v.reason FROM r, (VALUES ('fiche-<42>', 'malformed XML: <b>unclosed'),"
    "                                          (NULL, 'timeout after 30 s')) v(i, reason);";

struct fixture {
    char conninfo[1024];
    struct dbpool *pool;
    struct search *search;
    struct web *web;
    struct log quiet;
};

struct page {
    struct http_response resp;
};

static struct fixture *fx;

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct mo_err err = {0};
    (void)state;
    f->quiet.level = LOG_SILENT;
    testdb_create("web", f->conninfo, sizeof f->conninfo);
    PGconn *conn = testdb_connect(f->conninfo);
    char *sql = testdb_read_source("tests/fixtures/search/records.sql");
    testdb_exec(conn, "SET client_min_messages = warning");
    testdb_exec(conn, sql);
    testdb_exec(conn, extra_sql);
    free(sql);
    PQfinish(conn);
    struct dbpool_config pc = {.conninfo = f->conninfo,
                               .size = 2,
                               .wait_ms = 2000,
                               .statement_timeout_ms = DBPOOL_DEFAULT_STATEMENT_TIMEOUT_MS,
                               .read_only = 1,
                               .log = &f->quiet};
    if (dbpool_new(&pc, &f->pool, &err) != MO_OK || search_new(&f->search, &err) != MO_OK)
        fail_msg("setup: %s", err.msg);
    struct web_config wc = {.public_url = "http://geo.example.fr",
                            .pool = f->pool,
                            .search = f->search,
                            .log = &f->quiet};
    if (web_new(&wc, &f->web, &err) != MO_OK)
        fail_msg("web_new: %s", err.msg);
    fx = f;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    web_free(fx->web);
    search_free(fx->search);
    dbpool_free(fx->pool);
    free(fx);
    fx = NULL;
    return 0;
}

/* GETs path with the query "k=v&k=v" (plain, not encoded: '&' and '='
 * separate) and an optional Accept-Language into p. */
static void get(struct page *p, const char *path, const char *query, const char *accept)
{
    char copy[1024];
    struct http_pair args[TEST_MAX_ARGS];
    struct http_pair headers[1] = {{"Accept-Language", accept}};
    size_t n = 0;
    snprintf(copy, sizeof copy, "%s", query ? query : "");
    for (char *save = NULL, *kv = strtok_r(copy, "&", &save); kv && n < TEST_MAX_ARGS;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq = 0;
        args[n].key = kv;
        args[n++].value = eq ? eq + 1 : "";
    }
    struct http_request req = {.method = HTTP_GET,
                               .method_name = "GET",
                               .path = path,
                               .args = args,
                               .n_args = n,
                               .headers = headers,
                               .n_headers = accept ? 1 : 0,
                               .body = "",
                               .client = "127.0.0.1"};
    http_response_init(&p->resp);
    web_handle(fx->web, &req, &p->resp);
    assert_non_null(p->resp.body.data);
}

static void done(struct page *p)
{
    http_response_clear(&p->resp);
}

static const char *header(const struct page *p, const char *name)
{
    for (size_t i = 0; i < p->resp.n_headers; i++)
        if (!strcmp(p->resp.headers[i].name, name))
            return p->resp.headers[i].value;
    return NULL;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

#define assert_has(p, s)                                                                           \
    do {                                                                                           \
        if (!strstr((p)->resp.body.data, (s)))                                                     \
            fail_msg("page lacks %s\n---\n%s", (s), (p)->resp.body.data);                          \
    } while (0)
#define assert_lacks(p, s)                                                                         \
    do {                                                                                           \
        if (strstr((p)->resp.body.data, (s)))                                                      \
            fail_msg("page holds %s", (s));                                                        \
    } while (0)

/* ---- helpers as tables ---- */

static void test_escape(void **state)
{
    static const struct {
        const char *in;
        int attr;
        const char *out;
    } cases[] = {
        {"plain", 0, "plain"},
        {"<script>alert('x')</script>", 0, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
        {"a & b \"c\"", 0, "a &amp; b &quot;c&quot;"},
        {"Églises\tà\nvoir", 0, "Églises\tà\nvoir"},
        {"Églises\tà\nvoir", 1, "Églises&#9;à&#10;voir"},
        {"ctl\x01\x1f\x7f\r.", 0, "ctl."},
        {"bad \xC3\x28 \xFF end", 0, "bad \xEF\xBF\xBD( \xEF\xBF\xBD end"},
        {"\xED\xA0\x80", 0, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* a surrogate */
        {"\" onmouseover=\"x", 1, "&quot; onmouseover=&quot;x"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b;
        struct html h;
        struct mo_err err = {0};
        buf_init(&b, 1024);
        html_init(&h, &b);
        if (cases[i].attr)
            html_attr(&h, cases[i].in);
        else
            html_text(&h, cases[i].in);
        assert_int_equal(html_finish(&h, &err), MO_OK);
        if (strcmp(b.data ? b.data : "", cases[i].out))
            fail_msg("case %zu: \"%s\", expected \"%s\"", i, b.data, cases[i].out);
        buf_free(&b);
    }
    /* a capped buffer: the error is sticky and reported once */
    struct buf b;
    struct html h;
    struct mo_err err = {0};
    buf_init(&b, 8);
    html_init(&h, &b);
    html_text(&h, "far more than eight bytes");
    html_raw(&h, "x");
    assert_int_equal(html_finish(&h, &err), MO_ELIMIT);
    buf_free(&b);
}

static void test_lang(void **state)
{
    static const struct {
        const char *query, *accept;
        enum web_lang lang;
    } cases[] = {
        {NULL, NULL, WEB_FR},
        {"lang=en", NULL, WEB_EN},
        {"lang=fr", "en", WEB_FR},
        {"lang=de", "en-GB,en;q=0.9", WEB_EN},
        {NULL, "de, fr;q=0.5, en;q=0.4", WEB_FR},
        {NULL, "de, fr;q=0.3, en;q=0.4", WEB_EN},
        {NULL, "english", WEB_FR},
        {NULL, "fr-CA", WEB_FR},
        {NULL, "*", WEB_FR},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_pair arg = {"lang", cases[i].query ? strchr(cases[i].query, '=') + 1 : ""};
        struct http_pair hdr = {"Accept-Language", cases[i].accept};
        struct http_request req = {.path = "/",
                                   .args = &arg,
                                   .n_args = cases[i].query ? 1 : 0,
                                   .headers = &hdr,
                                   .n_headers = cases[i].accept ? 1 : 0};
        if (web_lang_pick(&req) != cases[i].lang)
            fail_msg("case %zu: wrong language", i);
    }
}

/* ---- pages ---- */

static void test_search_page(void **state)
{
    struct page p;
    (void)state;
    get(&p, "/", "q=eglise", NULL);
    assert_int_equal(p.resp.status, 200);
    assert_string_equal(p.resp.content_type, "text/html; charset=utf-8");
    assert_non_null(header(&p, "Content-Security-Policy"));
    assert_int_equal(strncmp(header(&p, "Content-Security-Policy"), "default-src 'self'", 18), 0);
    assert_has(&p, "<html lang=\"fr\">");
    assert_has(&p, "<span id=\"matched\">2</span> résultats");
    assert_has(&p, "<mark>Églises</mark> du centre-ville");
    assert_has(&p, "<mark>église</mark>"); /* in the abstract excerpt of r-eglise-abstract */
    assert_has(&p, "href=\"/record/r-eglises\"");
    assert_has(&p, "value=\"eglise\"");
    /* facets with counts as links that add a filter */
    assert_has(&p, "<a href=\"/?q=eglise&amp;partner=mairie-a\">mairie-a <span "
                   "class=\"count\">(1)</span></a>");
    assert_has(&p, "<a href=\"/?q=eglise&amp;keyword=patrimoine\">patrimoine <span "
                   "class=\"count\">(2)</span></a>");
    /* the map: one rect per result with an extent, offline (no tile, the CSP as it was) */
    assert_int_equal(count(p.resp.body.data, "<rect class=\"extent\""), 2);
    assert_has(&p, "<svg id=\"map\" class=\"map\"");
    assert_lacks(&p, "<image");
    assert_lacks(&p, "data-projection");
    assert_string_equal(header(&p, "Content-Security-Policy"), WEB_CSP);
    assert_has(&p, "<script src=\"/static/map.js\" defer></script>");
    assert_lacks(&p, "<script>");
    assert_lacks(&p, "onclick");
    /* no paging for one page */
    assert_lacks(&p, "rel=\"next\"");
    done(&p);
}

static void test_facet_link(void **state)
{
    struct page p;
    (void)state;
    get(&p, "/", "q=eglise&partner=mairie-a", NULL);
    assert_int_equal(p.resp.status, 200);
    assert_has(&p, "<span id=\"matched\">1</span>");
    assert_has(&p, "<mark>Églises</mark>");
    assert_lacks(&p, "r-eglise-abstract");
    /* the active value links to the search without it */
    assert_has(&p, "<a href=\"/?q=eglise\" aria-current=\"true\">✓ mairie-a");
    assert_has(&p, "<a class=\"remove\" href=\"/?q=eglise\"");
    /* the form carries the filter over */
    assert_has(&p, "<input type=\"hidden\" name=\"partner\" value=\"mairie-a\">");
    done(&p);
    /* two values of one facet: OR */
    get(&p, "/", "q=eglise&partner=mairie-a&partner=agglo-b", NULL);
    assert_has(&p, "<span id=\"matched\">2</span>");
    assert_has(&p, "href=\"/?q=eglise&amp;partner=agglo-b\" aria-current=\"true\">✓ mairie-a");
    done(&p);
}

static void test_paging(void **state)
{
    struct page p;
    (void)state;
    get(&p, "/", "q=lot&sort=title", NULL);
    assert_int_equal(p.resp.status, 200);
    assert_has(&p, "<span id=\"matched\">15</span>");
    assert_int_equal(count(p.resp.body.data, "<li><h3>"), 10);
    assert_has(&p, "<a rel=\"next\" href=\"/?q=lot&amp;sort=title&amp;page=2\">Suivant</a>");
    assert_has(&p, "Page 1 / 2");
    assert_has(&p, "<option value=\"title\" selected>");
    done(&p);
    get(&p, "/", "q=lot&sort=title&page=2", NULL);
    assert_int_equal(count(p.resp.body.data, "<li><h3>"), 5);
    assert_has(&p, "<ol class=\"hits\" start=\"11\">");
    assert_has(&p, "<a rel=\"prev\" href=\"/?q=lot&amp;sort=title\">Précédent</a>");
    assert_lacks(&p, "rel=\"next\"");
    assert_int_equal(count(p.resp.body.data, "<rect class=\"extent\""), 5);
    done(&p);
}

static void test_filters(void **state)
{
    struct page p;
    (void)state;
    get(&p, "/", "bbox=2.5,44,5,46&q=lot", NULL); /* lots 25..: only a few reach 2.5 */
    assert_int_equal(p.resp.status, 200);
    assert_has(&p, "value=\"2.5,44,5,46\"");
    assert_has(&p, "<span id=\"matched\">0</span>");
    done(&p);
    get(&p, "/", "bbox=1.2,44,5,46&q=lot", NULL); /* lot 12 reaches 1.25, up to 15 */
    assert_has(&p, "<span id=\"matched\">4</span>");
    done(&p);
    get(&p, "/", "from=2019-06-01&to=2020-12-31&partner=mairie-a", NULL);
    assert_has(&p, "<span id=\"matched\">2</span>"); /* r-eglises, r-dup */
    assert_has(&p, "id=\"from\" name=\"from\" value=\"2019-06-01\"");
    done(&p);
}

static void test_hostile(void **state)
{
    struct page p;
    (void)state;
    get(&p, "/", "partner=dept-c", NULL);
    assert_int_equal(p.resp.status, 200);
    assert_has(&p, "Titre &quot;quoté&quot; \\ barre &lt;/script&gt; &lt;b&gt;gras&lt;/b&gt;");
    assert_has(&p, "Texte avec  contrôle,\ttabulation"); /* \x01 dropped */
    assert_lacks(&p, "<b>gras");
    assert_lacks(&p, "</script> <b>");
    done(&p);
    /* what a user types comes back escaped */
    get(&p, "/", "q=\"><script>alert(1)</script>", NULL);
    assert_int_equal(p.resp.status, 200);
    assert_has(&p, "value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"");
    assert_lacks(&p, "<script>alert");
    done(&p);
    get(&p, "/record/r-hostile", NULL, NULL);
    assert_int_equal(p.resp.status, 200);
    assert_has(&p,
               "<h1>Titre &quot;quoté&quot; \\ barre &lt;/script&gt; &lt;b&gt;gras&lt;/b&gt;</h1>");
    assert_has(&p, "<title>Titre &quot;quoté&quot;");
    assert_lacks(&p, "<b>gras");
    done(&p);
}

static void test_record_page(void **state)
{
    struct page p;
    (void)state;
    get(&p, "/record/r-eglises", NULL, NULL);
    assert_int_equal(p.resp.status, 200);
    assert_int_equal(strncmp(header(&p, "Content-Security-Policy"), "default-src 'self'", 18), 0);
    assert_has(&p, "<h1>Églises du centre-ville</h1>");
    assert_has(&p, "<dt>Résumé</dt><dd>Inventaire des chapelles et des clochers.</dd>");
    assert_has(&p, "<li>lieux de culte</li>");
    assert_has(&p, "<dt>Emprise (ouest, sud, est, nord)</dt><dd>-1, 47, 0, 48</dd>");
    /* links by kind; javascript: is shown, never a link */
    assert_has(&p, "Service WMS (carte)</span> : <a rel=\"nofollow noopener\" "
                   "href=\"https://a.invalid/wms?service=WMS\">");
    assert_has(&p, "Téléchargement</span> : <a rel=\"nofollow noopener\" "
                   "href=\"https://a.invalid/data.zip\">");
    assert_has(&p,
               "Page web</span> : <a rel=\"nofollow noopener\" href=\"https://a.invalid/fiche\">");
    assert_has(&p, "Page web</span> : javascript:alert(1)</li>");
    assert_lacks(&p, "href=\"javascript");
    /* the CSW links, ISO and DC */
    assert_has(&p, "href=\"http://geo.example.fr/csw?service=CSW&amp;version=2.0.2&amp;"
                   "request=GetRecordById&amp;id=r-eglises&amp;elementSetName=full&amp;"
                   "outputSchema=http%3A%2F%2Fwww.isotc211.org%2F2005%2Fgmd\"");
    assert_has(&p, "outputSchema=http%3A%2F%2Fwww.opengis.net%2Fcat%2Fcsw%2F2.0.2\"");
    /* the original XML, escaped in a pre */
    assert_has(&p, "<code>&lt;md&gt;&lt;title&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_lacks(&p, "<script>alert");
    assert_has(&p, "<tr><th scope=\"row\">mairie-a</th>");
    done(&p);
    /* two partners carry r-dup, in precedence order, with when each was seen */
    get(&p, "/record/r-dup", "lang=en", NULL);
    assert_int_equal(p.resp.status, 200);
    assert_has(&p, "<html lang=\"en\">");
    assert_has(&p, "Partners that expose this record");
    const char *a =
        strstr(p.resp.body.data, "<th scope=\"row\">mairie-a</th><td>2024-03-02T10:00:00Z");
    const char *b = strstr(p.resp.body.data, "<th scope=\"row\">agglo-b</th><td>—");
    if (!a || !b)
        fail_msg("provenance:\n%s", strstr(p.resp.body.data, "<table"));
    assert_true(a < b);
    assert_has(&p, "No original XML kept.");
    done(&p);
    get(&p, "/record/no-such-thing", NULL, NULL);
    assert_int_equal(p.resp.status, 404);
    assert_has(&p, "Page ou fiche introuvable");
    done(&p);
}

static void test_partners_page(void **state)
{
    struct page p;
    (void)state;
    get(&p, "/partners", NULL, NULL);
    assert_int_equal(p.resp.status, 200);
    assert_has(&p, "<h1>Partenaires et moissons</h1>");
    assert_has(&p, "<h2 id=\"p-dept-c\">dept-c</h2>");
    assert_has(&p, "<td class=\"status-incomplete\">incomplete<br><small>page 3: HTTP "
                   "503</small></td><td>40</td><td>38</td><td>0</td><td>0</td><td>2</td><td>0</td>"
                   "<td>12.5</td>");
    assert_has(&p, "<li><code>fiche-&lt;42&gt;</code> : malformed XML: &lt;b&gt;unclosed</li>");
    assert_has(&p, "<li><code>(sans identifiant)</code> : timeout after 30 s</li>");
    assert_lacks(&p, "<b>unclosed");
    /* the sources without runs say so */
    assert_int_equal(count(p.resp.body.data, "Jamais moissonné."), 2);
    done(&p);
    get(&p, "/partners", NULL, "en-US,en;q=0.9,fr;q=0.8");
    assert_has(&p, "<h1>Partners and harvests</h1>");
    assert_has(&p, "Never harvested.");
    done(&p);
}

static void test_lang_en(void **state)
{
    struct page p;
    (void)state;
    get(&p, "/", "q=eglise&lang=en", NULL);
    assert_has(&p, "<html lang=\"en\">");
    assert_has(&p, "<span id=\"matched\">2</span> results");
    assert_has(&p, "<label for=\"q\">Search for data</label>");
    assert_has(&p, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
    /* the switch back to French keeps the query */
    assert_has(&p, "href=\"/?q=eglise&amp;lang=fr\">Français</a>");
    assert_has(&p, "href=\"/record/r-eglises?lang=en\"");
    done(&p);
    get(&p, "/", "q=eglise", "en");
    assert_has(&p, "<html lang=\"en\">");
    assert_has(&p, "href=\"/?q=eglise&amp;lang=fr\">Français</a>");
    done(&p);
    get(&p, "/", "q=eglise", NULL);
    assert_has(&p, "href=\"/?q=eglise&amp;lang=en\">English</a>");
    done(&p);
}

static void test_static(void **state)
{
    static const struct {
        const char *path;
        int status;
        const char *type;
        const char *holds;
    } cases[] = {
        {"/static/moisson.css", 200, "text/css; charset=utf-8", "@media"},
        {"/static/map.js", 200, "text/javascript; charset=utf-8", "getScreenCTM"},
        {"/static/nope.js", 404, "text/html; charset=utf-8", "introuvable"},
        {"/static/../web.c", 404, "text/html; charset=utf-8", "introuvable"},
        {"/nope", 404, "text/html; charset=utf-8", "introuvable"},
        {"/record/", 404, "text/html; charset=utf-8", "introuvable"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct page p;
        get(&p, cases[i].path, NULL, NULL);
        if (p.resp.status != cases[i].status || strcmp(p.resp.content_type, cases[i].type) ||
            !strstr(p.resp.body.data, cases[i].holds))
            fail_msg("case %zu (%s): %d %s", i, cases[i].path, p.resp.status, p.resp.content_type);
        const char *csp = header(&p, "Content-Security-Policy");
        assert_non_null(csp);
        assert_int_equal(strncmp(csp, "default-src 'self'", 18), 0);
        done(&p);
    }
}

static void test_bad_params(void **state)
{
    static const struct {
        const char *query;
        const char *msg;
    } cases[] = {
        {"bbox=1,2", "bbox"},
        {"bbox=5,40,1,45", "bbox"},
        {"page=0", "bad parameter page &quot;0&quot;"},
        {"page=abc", "bad parameter page"},
        {"page=999999", "bad parameter page"},
        {"sort=size", "bad parameter sort &quot;size&quot;"},
        {"from=hier", "bad parameter from &quot;hier&quot;"},
        {"to=2020-13-45", "bad parameter to"},
        {"from=2021-01-01&to=2020-01-01", "bad date range: from &quot;2021-01-01&quot; is after"},
        {"year=<b>x</b>", "year"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct page p;
        get(&p, "/", cases[i].query, NULL);
        if (p.resp.status != 400 || !strstr(p.resp.body.data, cases[i].msg))
            fail_msg("case %zu (%s): %d\n%s", i, cases[i].query, p.resp.status, p.resp.body.data);
        assert_lacks(&p, "<b>x");
        done(&p);
    }
    /* empty fields of a submitted form and unknown parameters are ignored */
    struct page p;
    get(&p, "/", "q=eglise&bbox=&from=&to=&sort=&utm_source=x", NULL);
    assert_int_equal(p.resp.status, 200);
    assert_has(&p, "<span id=\"matched\">2</span>");
    done(&p);
}

/* ---- the map's tile background ---- */

#define buf_has(b, s)                                                                              \
    do {                                                                                           \
        if (!strstr((b)->data, (s)))                                                               \
            fail_msg("map lacks %s\n---\n%s", (s), (b)->data);                                     \
    } while (0)
#define buf_lacks(b, s)                                                                            \
    do {                                                                                           \
        if (strstr((b)->data, (s)))                                                                \
            fail_msg("map holds %s\n---\n%s", (s), (b)->data);                                     \
    } while (0)

static void test_tile_checks(void **state)
{
    static const struct {
        int attribution; /* 0: a template, 1: an attribution */
        const char *text;
        const char *msg; /* NULL: accepted */
    } cases[] = {
        {0, "https://tile.openstreetmap.org/{z}/{x}/{y}.png", NULL},
        {0, "http://127.0.0.1:8081/{z}/{x}/{y}.png", NULL},
        {0, "https://tiles.example.fr/wmts?layer=a&z={z}&x={x}&y={y}", NULL},
        {0, "HTTPS://Tiles.Example.fr/{y}/{x}/{z}", NULL},
        {0, NULL, NULL},
        {0, "", "not http:// or https://"},
        {0, "ftp://tiles.example.fr/{z}/{x}/{y}.png", "not http:// or https://"},
        {0, "tiles.example.fr/{z}/{x}/{y}.png", "not http:// or https://"},
        {0, "https:///{z}/{x}/{y}.png", "no host"},
        {0, "https://:8080/{z}/{x}/{y}.png", "no host"},
        {0, "https://me:secret@tiles.example.fr/{z}/{x}/{y}.png", "a user name is not allowed"},
        {0, "https://{s}.tiles.example.fr/{z}/{x}/{y}.png", "the host may hold letters"},
        {0, "https://{z}.example.fr/{x}/{y}.png", "the host may hold letters"},
        {0, "http://[::1]:8080/{z}/{x}/{y}.png", "the host may hold letters"},
        {0, "https://tiles.example.fr:/{z}/{x}/{y}.png", "bad port"},
        {0, "https://tiles.example.fr:0/{z}/{x}/{y}.png", "bad port"},
        {0, "https://tiles.example.fr:65536/{z}/{x}/{y}.png", "bad port"},
        {0, "https://tiles.example.fr:80a/{z}/{x}/{y}.png", "bad port"},
        {0, "https://tiles.example.fr/{z}/{x}.png", "{y} missing"},
        {0, "https://tiles.example.fr/{x}/{y}.png", "{z} missing"},
        {0, "https://tiles.example.fr/{z}/{x}/{x}/{y}.png", "{x} more than once"},
        {0, "https://tiles.example.fr/{Z}/{x}/{y}.png", "{z} missing"},
        {0, "https://tiles.example.fr/{z}/{x}/{y}.png?key={key}", "a brace outside"},
        {0, "https://tiles.example.fr/{z}/{x}/{y}.png?a=\"b\"", "character \" at byte 44"},
        {0, "https://tiles.example.fr/{z}/{x}/{y}.png?a='b'", "character ' at byte 44"},
        {0, "https://tiles.example.fr/{z}/{x}/{y}.png?a=<b>", "character < at byte 44"},
        {0, "https://tiles.example.fr/{z}/{x}/{y}.png?a=\\", "character \\ at byte 44"},
        {0, "https://tiles.example.fr/{z}/{x} /{y}.png", "space at byte 33"},
        {0, "https://tiles.example.fr/\xc3\xa9t\xc3\xa9/{z}/{x}/{y}.png",
         "character outside printable ASCII at byte 26"},
        {1, "© OpenStreetMap contributors", NULL},
        {1, "Fond : <IGN> & \"Etalab\"", NULL},
        {1, "", NULL},
        {1, "bad \xff", "not valid UTF-8"},
        {1, "a\tb", "control character 0x09"},
        {1, "a\nb", "control character 0x0A"},
        {1, "a\x7f", "control character 0x7F"},
        {1, "a\xc2\x85z", "control character U+0085"},
    };
    char longer[WEB_MAX_TILE_URL + 2];
    struct mo_err err = {0};
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mo_rc rc = cases[i].attribution ? web_tile_attribution_check(cases[i].text, &err)
                                        : web_tile_url_check(cases[i].text, &err);
        if (!cases[i].msg ? rc != MO_OK : rc != MO_EBADREQ || !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu (%s): %d \"%s\"", i, cases[i].text ? cases[i].text : "NULL", rc,
                     rc ? err.msg : "");
    }
    /* at most WEB_MAX_TILE_URL bytes */
    snprintf(longer, sizeof longer, "https://tiles.example.fr/{z}/{x}/{y}.png?%0*d",
             WEB_MAX_TILE_URL - 41, 0);
    assert_int_equal(strlen(longer), WEB_MAX_TILE_URL);
    assert_int_equal(web_tile_url_check(longer, &err), MO_OK);
    strcat(longer, "0");
    assert_int_equal(web_tile_url_check(longer, &err), MO_EBADREQ);
    assert_string_equal(err.msg, "longer than 512 bytes (513)");
    /* the check of a configuration names what is wrong; an attribution alone is ignored */
    assert_int_equal(web_tiles_check("ftp://t.example.fr/{z}/{x}/{y}", NULL, &err), MO_EBADREQ);
    assert_string_equal(err.msg,
                        "bad tile URL \"ftp://t.example.fr/{z}/{x}/{y}\": not http:// or https://");
    assert_int_equal(web_tiles_check("https://t.example.fr/{z}/{x}/{y}", "a\tb", &err), MO_EBADREQ);
    assert_string_equal(err.msg, "bad tile attribution \"a?b\": control character 0x09");
    assert_int_equal(web_tiles_check(NULL, "a\tb", &err), MO_OK);
    assert_int_equal(web_tiles_check("", NULL, &err), MO_OK);
}

/* The map of one box alone, with the tile template tmpl (NULL: none), into b. */
static void map_alone(struct buf *b, const char *tmpl, const char *attribution, const double box[4])
{
    struct html h;
    struct mo_err err = {0};
    const char *title = "Orléans <centre>";
    buf_init(b, 1 << 20);
    html_init(&h, b);
    web_map_write(&h, WEB_FR, tmpl, attribution, (const double(*)[4])box, &title, 1);
    assert_int_equal(html_finish(&h, &err), MO_OK);
}

static void test_map_tiles(void **state)
{
    static const double orleans[4] = {1.8, 47.8, 2.0, 48.0};
    static const double south[4] = {170, -50, 179, -40};
    struct buf b;
    char href[256];
    (void)state;
    /* The view is the box padded by 0.5 degree: 1.3..2.5 E, 47.3..48.5 N.  At zoom 10 it
     * spans 5 columns; at zoom 9, columns 257-259 and rows 176-179 (worked out apart with
     * the usual slippy-map formulas). */
    map_alone(&b, "https://tiles.example.fr/{z}/{x}/{y}.png", "© Contributeurs <OSM> & co",
              orleans);
    assert_int_equal(count(b.data, "<image "), 12);
    for (int y = 176; y <= 179; y++)
        for (int x = 257; x <= 259; x++) {
            snprintf(href, sizeof href, "<image href=\"https://tiles.example.fr/9/%d/%d.png\"", x,
                     y);
            buf_has(&b, href);
        }
    buf_lacks(&b, "/9/256/");
    buf_lacks(&b, "/9/260/");
    buf_lacks(&b, "/175.png");
    buf_lacks(&b, "/180.png");
    /* tile (9, 257, 176): the square of side 360/2^9 at -180 + 257 side, -180 + 176 side */
    buf_has(&b, "<image href=\"https://tiles.example.fr/9/257/176.png\" x=\"0.703125\" "
                "y=\"-56.250000\" width=\"0.703125\" height=\"0.703125\"");
    /* the view and the extent in Mercator degrees: y = -ln(tan(pi/4 + lat/2)) 180/pi */
    buf_has(&b, "<svg id=\"map\" class=\"map tiled\"");
    buf_has(&b, "viewBox=\"1.3000 -55.6097 1.2000 1.7900\"");
    buf_has(&b, "data-projection=\"EPSG:3857\"");
    buf_has(&b, "<rect class=\"extent\" vector-effect=\"non-scaling-stroke\" x=\"1.80000\" "
                "y=\"-54.85881\" width=\"0.20000\" height=\"0.29832\"><title>Orléans "
                "&lt;centre&gt;</title></rect>");
    /* tiles under the graticule, under the extents; the credit under the map, escaped */
    char *tiles = strstr(b.data, "<g class=\"tiles\""), *grid = strstr(b.data, "class=\"grid\"");
    char *rect = strstr(b.data, "<rect class=\"extent\"");
    assert_true(tiles && grid && rect && tiles < grid && grid < rect);
    buf_has(&b, "</svg>\n<p class=\"attribution\">Fond de carte : © Contributeurs &lt;OSM&gt; "
                "&amp; co</p>");
    buf_free(&b);

    /* a template with characters that need escaping in an attribute */
    map_alone(&b, "https://tiles.example.fr/wmts?layer=plan&z={z}&x={x}&y={y}", NULL, orleans);
    buf_has(&b, "<image href=\"https://tiles.example.fr/wmts?layer=plan&amp;z=9&amp;x=257&amp;"
                "y=176\"");
    buf_lacks(&b, "&z=");
    buf_lacks(&b, "attribution");
    buf_free(&b);

    /* by the antimeridian, far south: zoom 6, no column past the last one */
    map_alone(&b, "https://tiles.example.fr/{z}/{x}/{y}.png", NULL, south);
    assert_int_equal(count(b.data, "<image "), 8);
    buf_has(&b, "/6/62/39.png");
    buf_has(&b, "/6/63/42.png");
    buf_lacks(&b, "/6/64/");
    buf_free(&b);

    /* without a template: the lon/lat map as before, no image, nothing fetched */
    map_alone(&b, NULL, "ignored", orleans);
    buf_lacks(&b, "<image");
    buf_lacks(&b, "data-projection");
    buf_lacks(&b, "attribution");
    buf_has(&b, "<svg id=\"map\" class=\"map\"");
    buf_has(&b, "viewBox=\"1.3000 -48.5000 1.2000 1.2000\"");
    buf_has(&b, "x=\"1.80000\" y=\"-48.00000\" width=\"0.20000\" height=\"0.20000\"");
    buf_free(&b);
}

/* Pages configured with tiles: the map's images on the search page, the
 * credit (the host when none is given), the tile server in img-src. */
static void test_tiled_pages(void **state)
{
    static const char csp[] = WEB_CSP_HEAD " https://tiles.example.fr:8443" WEB_CSP_TAIL;
    struct web_config wc = {.public_url = "http://geo.example.fr",
                            .pool = fx->pool,
                            .search = fx->search,
                            .log = &fx->quiet,
                            .tile_url = "https://tiles.example.fr:8443/plan/{z}/{x}/{y}.png"};
    struct web *plain = fx->web, *tiled = NULL;
    struct mo_err err = {0};
    struct page p;
    (void)state;
    if (web_new(&wc, &tiled, &err) != MO_OK)
        fail_msg("web_new: %s", err.msg);
    fx->web = tiled;
    get(&p, "/", "q=eglise", NULL);
    assert_int_equal(p.resp.status, 200);
    assert_string_equal(header(&p, "Content-Security-Policy"), csp);
    assert_non_null(strstr(csp, "img-src 'self' data: https://tiles.example.fr:8443;"));
    assert_has(&p, "<image href=\"https://tiles.example.fr:8443/plan/");
    assert_int_equal(count(p.resp.body.data, "<rect class=\"extent\""), 2);
    assert_has(&p, "<p class=\"attribution\">Fond de carte : tiles.example.fr</p>");
    done(&p);
    get(&p, "/", "q=eglise&lang=en", NULL);
    assert_has(&p, "<p class=\"attribution\">Background map: tiles.example.fr</p>");
    assert_has(&p, "over a background map</title>");
    done(&p);
    get(&p, "/static/map.js", NULL, NULL);
    assert_has(&p, "EPSG:3857");
    assert_string_equal(header(&p, "Content-Security-Policy"), csp);
    done(&p);
    fx->web = plain;
    web_free(tiled);
    tiled = NULL;

    /* a bad template or attribution: no pages */
    wc.tile_url = "https://tiles.example.fr/{z}/{x}/{x}.png";
    assert_int_equal(web_new(&wc, &tiled, &err), MO_EBADREQ);
    assert_null(tiled);
    assert_string_equal(
        err.msg, "bad tile URL \"https://tiles.example.fr/{z}/{x}/{x}.png\": {x} more than once");
    wc.tile_url = "https://tiles.example.fr/{z}/{x}/{y}.png";
    wc.tile_attribution = "a\x01";
    assert_int_equal(web_new(&wc, &tiled, &err), MO_EBADREQ);
    assert_null(tiled);
}

/* A search answering from an in-memory snapshot behind the index (serve
 * --search-lag) says so on the page, in both languages. */
static void test_behind(void **state)
{
    struct search *lagging = NULL;
    struct web *plain = fx->web, *w = NULL;
    struct mo_err err = {0};
    struct page p;
    (void)state;
    if (search_new(&lagging, &err) != MO_OK ||
        search_start_index(lagging, fx->conninfo, 3600, &fx->quiet, &err) != MO_OK)
        fail_msg("search: %s", err.msg);
    char *gen = testdb_query_value(fx->conninfo, "SELECT n FROM index_generation");
    assert_true(memindex_wait(search_memindex_of(lagging), atoll(gen), 60000));
    free(gen);
    struct web_config wc = {.public_url = "http://geo.example.fr",
                            .pool = fx->pool,
                            .search = lagging,
                            .log = &fx->quiet};
    if (web_new(&wc, &w, &err) != MO_OK)
        fail_msg("web_new: %s", err.msg);
    fx->web = w;
    get(&p, "/", "q=eglise", NULL);
    assert_lacks(&p, "class=\"behind\""); /* current: no notice */
    done(&p);
    /* a harvest runs and the index moves (a statement on entry bumps the
     * generation); the index is held behind */
    memindex_hold(search_memindex_of(lagging), 1);
    PGconn *conn = testdb_connect(fx->conninfo);
    testdb_exec(conn, "INSERT INTO harvest_run (source_id, \"full\", status) SELECT id, true, "
                      "'running' FROM source WHERE name = 'mairie-a';"
                      "UPDATE entry SET sources = sources WHERE false");
    get(&p, "/", "q=eglise", NULL);
    assert_int_equal(p.resp.status, 200);
    assert_has(&p, "<span id=\"matched\">2</span>");
    assert_has(&p, "<p class=\"behind\" id=\"behind\">Mise à jour en cours ; âge de "
                   "l&#39;index (secondes) : <span>");
    done(&p);
    get(&p, "/", "q=eglise&lang=en", NULL);
    assert_has(&p, "Update under way; age of the index (seconds): <span>");
    done(&p);
    /* the harvest over: exact answers again, no notice */
    testdb_exec(conn, "UPDATE harvest_run SET status = 'success' WHERE status = 'running'");
    PQfinish(conn);
    get(&p, "/", "q=eglise", NULL);
    assert_lacks(&p, "class=\"behind\"");
    done(&p);
    fx->web = plain;
    web_free(w);
    search_free(lagging);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),        cmocka_unit_test(test_lang),
        cmocka_unit_test(test_search_page),   cmocka_unit_test(test_facet_link),
        cmocka_unit_test(test_paging),        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_hostile),       cmocka_unit_test(test_record_page),
        cmocka_unit_test(test_partners_page), cmocka_unit_test(test_lang_en),
        cmocka_unit_test(test_static),        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_tile_checks),   cmocka_unit_test(test_map_tiles),
        cmocka_unit_test(test_tiled_pages),   cmocka_unit_test(test_behind),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
