/*
 * test_store.c — the index against the test run's private cluster: migrations,
 * sources, pages (added / unchanged / updated), entries and their precedence,
 * retiring and its shrink guard, values that need escaping in other encodings
 * (tabs, newlines, backslashes, quotes), French full text, boxes, runs, the
 * validators of the files of folder sources.
 */
#include "store.h"

#include "testdb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define CONNINFO_MAX 2048

struct fixture {
    char conninfo[CONNINFO_MAX];
    struct store *s;
};

static struct fixture *fixture_open(const char *name)
{
    struct mo_err err = {0};
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    testdb_create(name, f->conninfo, sizeof f->conninfo);
    if (store_open(f->conninfo, &f->s, &err) != MO_OK)
        fail_msg("store_open: %s", err.msg);
    return f;
}

static void fixture_close(struct fixture *f)
{
    store_close(f->s);
    free(f);
}

/* An integer from one SQL query (for assertions). */
static long long sql_ll(const struct fixture *f, const char *sql)
{
    char *v = testdb_query_value(f->conninfo, sql);
    long long n = v ? strtoll(v, NULL, 10) : -1;
    free(v);
    return n;
}

static void assert_sql_str(const struct fixture *f, const char *sql, const char *want)
{
    char *v = testdb_query_value(f->conninfo, sql);
    if (!want) {
        assert_null(v);
        return;
    }
    assert_non_null(v);
    assert_string_equal(v, want);
    free(v);
}

static long long add_source(struct fixture *f, const char *name, int priority, double shrink)
{
    struct mo_err err = {0};
    struct source src = {.name = (char *)name,
                         .type = (char *)"csw",
                         .url = (char *)"http://partner.example/csw",
                         .priority = priority,
                         .max_shrink = shrink};
    long long id = 0;
    if (store_source_add(f->s, &src, &id, &err) != MO_OK)
        fail_msg("store_source_add: %s", err.msg);
    return id;
}

static long long begin_run(struct fixture *f, long long source_id, int full)
{
    struct mo_err err = {0};
    long long run = 0;
    if (store_run_begin(f->s, source_id, full, &run, &err) != MO_OK)
        fail_msg("store_run_begin: %s", err.msg);
    return run;
}

/* A record with borrowed strings (only the struct is ours). */
static struct record make_rec(const char *id, const char *title, const char *hash,
                              const char *stamp)
{
    struct record r;
    memset(&r, 0, sizeof r);
    r.identifier = (char *)id;
    r.title = (char *)title;
    r.date_stamp = (char *)stamp;
    r.original = (char *)"<gmd:MD_Metadata/>";
    snprintf(r.hash, sizeof r.hash, "%s", hash);
    return r;
}

static struct page_result put(struct fixture *f, long long source_id, long long run,
                              const struct record *recs, size_t n, const char *const *ids,
                              size_t n_ids)
{
    struct mo_err err = {0};
    struct page_result res = {0};
    if (store_put_page(f->s, source_id, run, recs, n, ids, n_ids, &res, &err) != MO_OK)
        fail_msg("store_put_page: %s", err.msg);
    return res;
}

static void test_migrate_twice(void **state)
{
    struct fixture *f = fixture_open("store_migrate");
    struct mo_err err = {0};
    char dir[1024];
    int applied = -1;
    snprintf(dir, sizeof dir, "%s/schemas", getenv("MOISSON_SHARE"));
    assert_int_equal(store_migrate(f->s, dir, &applied, &err), MO_OK);
    assert_int_equal(applied, 0);
    assert_true(sql_ll(f, "SELECT count(*) FROM schema_version") >= 1);
    assert_int_equal(sql_ll(f, "SELECT min(version) FROM schema_version"), 1);
    assert_int_equal(store_migrate(f->s, "/nonexistent-dir", &applied, &err), MO_EIO);
    fixture_close(f);
}

static void test_sources(void **state)
{
    struct fixture *f = fixture_open("store_sources");
    struct mo_err err = {0};
    struct source got = {0}, *list = NULL;
    size_t n = 0;
    long long a = add_source(f, "alpha", 100, -1);
    long long b = add_source(f, "beta.x-1", 10, 0.5);
    assert_true(a > 0 && b > a);

    struct source dup = {.name = (char *)"alpha", .type = (char *)"csw", .url = (char *)"u"};
    long long id = 0;
    assert_int_equal(store_source_add(f->s, &dup, &id, &err), MO_EBADREQ);
    assert_non_null(strstr(err.msg, "\"alpha\""));
    dup.name = (char *)"bad name";
    assert_int_equal(store_source_add(f->s, &dup, &id, &err), MO_EBADREQ);

    assert_int_equal(store_source_get(f->s, "alpha", &got, &err), MO_OK);
    assert_int_equal(got.id, a);
    assert_string_equal(got.type, "csw");
    assert_int_equal(got.page_size, STORE_DEFAULT_PAGE_SIZE);
    assert_int_equal(got.full_every_s, 604800);
    assert_true(got.max_shrink > 0.19 && got.max_shrink < 0.21);
    assert_int_equal(got.priority, 100);
    assert_non_null(got.created_at);
    assert_null(got.last_success_at);
    assert_int_equal(got.record_count, 0);
    source_clear(&got);

    assert_int_equal(store_source_list(f->s, &list, &n, &err), MO_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "alpha");
    assert_string_equal(list[1].name, "beta.x-1");
    assert_int_equal(list[1].priority, 10);
    for (size_t i = 0; i < n; i++)
        source_clear(&list[i]);
    free(list);

    assert_int_equal(store_source_remove(f->s, "alpha", &err), MO_OK);
    assert_int_equal(store_source_get(f->s, "alpha", &got, &err), MO_ENOTFOUND);
    assert_string_equal(err.msg, "no source named \"alpha\"");
    assert_int_equal(store_source_remove(f->s, "alpha", &err), MO_ENOTFOUND);
    fixture_close(f);
}

static void test_page_unchanged_and_updated(void **state)
{
    struct fixture *f = fixture_open("store_page");
    long long src = add_source(f, "s", 100, -1);
    struct record recs[3] = {make_rec("id-1", "one", "h1", "2020-01-01"),
                             make_rec("id-2", "two", "h2", NULL),
                             make_rec("id-3", "three", "h3", "bad date")};
    long long run1 = begin_run(f, src, 1);
    struct page_result r = put(f, src, run1, recs, 3, NULL, 0);
    assert_int_equal(r.added, 3);
    assert_int_equal(r.updated, 0);
    assert_int_equal(r.unchanged, 0);
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM entry"), 3);
    assert_sql_str(f, "SELECT moisson_iso(modified) FROM record WHERE identifier = 'id-1'",
                   "2020-01-01T00:00:00Z");
    assert_sql_str(f, "SELECT modified FROM record WHERE identifier = 'id-3'", NULL);

    char *xmin = testdb_query_value(f->conninfo, "SELECT xmin::text || changed_at::text"
                                                 " FROM record WHERE identifier = 'id-1'");
    /* same hashes sent as records again: nothing rewritten, seen advances */
    long long run2 = begin_run(f, src, 1);
    r = put(f, src, run2, recs, 3, NULL, 0);
    assert_int_equal(r.added, 0);
    assert_int_equal(r.updated, 0);
    assert_int_equal(r.unchanged, 3);
    assert_sql_str(f,
                   "SELECT xmin::text || changed_at::text FROM record"
                   " WHERE identifier = 'id-1'",
                   xmin);
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM record_seen WHERE last_run = "
                               "(SELECT max(id) FROM harvest_run)"),
                     3);

    /* unchanged identifiers only */
    const char *ids[] = {"id-1", "id-2", "id-3"};
    long long run3 = begin_run(f, src, 1);
    r = put(f, src, run3, NULL, 0, ids, 3);
    assert_int_equal(r.unchanged, 3);
    assert_sql_str(f,
                   "SELECT xmin::text || changed_at::text FROM record"
                   " WHERE identifier = 'id-1'",
                   xmin);
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM record_seen WHERE last_run = "
                               "(SELECT max(id) FROM harvest_run)"),
                     3);
    free(xmin);

    /* a changed hash updates the row */
    struct record changed = make_rec("id-2", "two, revised", "h2b", NULL);
    const char *rest[] = {"id-1", "id-3"};
    r = put(f, src, begin_run(f, src, 0), &changed, 1, rest, 2);
    assert_int_equal(r.added, 0);
    assert_int_equal(r.updated, 1);
    assert_int_equal(r.unchanged, 2);
    assert_sql_str(f, "SELECT title FROM record WHERE identifier = 'id-2'", "two, revised");
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM record"), 3);
    fixture_close(f);
}

struct lookup {
    int n;
    int seen;
    char last_id[32];
};

static void on_lookup(void *ud, const char *hash, const char *identifier, int seen_in_run)
{
    struct lookup *l = ud;
    l->n++;
    l->seen += seen_in_run;
    snprintf(l->last_id, sizeof l->last_id, "%s", identifier);
}

static void test_count_and_lookup_hashes(void **state)
{
    struct fixture *f = fixture_open("store_hashes");
    struct mo_err err = {0};
    long long src = add_source(f, "s", 100, -1);
    struct record recs[150];
    char ids[150][16], hashes[150][16];
    for (int i = 0; i < 150; i++) {
        snprintf(ids[i], sizeof ids[i], "r%d", i);
        snprintf(hashes[i], sizeof hashes[i], "h%d", i);
        recs[i] = make_rec(ids[i], ids[i], hashes[i], NULL);
    }
    put(f, src, begin_run(f, src, 1), recs, 150, NULL, 0);
    long long live = 0;
    assert_int_equal(store_count_records(f->s, src, &live, &err), MO_OK);
    assert_int_equal(live, 150);

    /* per-batch lookup: known hashes only, seen by the run that wrote them */
    const char *probe[] = {"h7", "nope", "h149", "h\"odd{,}"};
    long long run = sql_ll(f, "SELECT max(id) FROM harvest_run");
    struct lookup l = {0};
    assert_int_equal(store_lookup_hashes(f->s, src, run, probe, 4, on_lookup, &l, &err), MO_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.seen, 2);
    long long run2 = begin_run(f, src, 0);
    memset(&l, 0, sizeof l);
    assert_int_equal(store_lookup_hashes(f->s, src, run2, probe + 2, 1, on_lookup, &l, &err),
                     MO_OK);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.seen, 0);
    assert_string_equal(l.last_id, "r149");
    fixture_close(f);
}

static void test_entry_precedence(void **state)
{
    struct fixture *f = fixture_open("store_entry");
    struct mo_err err = {0};
    char sql[256], want[64];
    long long a = add_source(f, "a", 100, -1);
    long long b = add_source(f, "b", 50, -1);
    struct record ra = make_rec("X", "from a", "ha", "2024-01-01");
    struct record rb = make_rec("X", "from b", "hb", "2001-01-01");
    put(f, a, begin_run(f, a, 1), &ra, 1, NULL, 0);
    put(f, b, begin_run(f, b, 1), &rb, 1, NULL, 0);
    long long n = 0;
    assert_int_equal(store_count_entries(f->s, &n, &err), MO_OK);
    assert_int_equal(n, 1);
    /* lower priority value wins, even with an older stamp */
    assert_sql_str(f, "SELECT r.title FROM entry e JOIN record r ON r.id = e.record_id", "from b");
    snprintf(want, sizeof want, "{%lld,%lld}", b, a);
    assert_sql_str(f, "SELECT sources::text FROM entry WHERE identifier = 'X'", want);

    /* same priority: the most recent date stamp wins */
    long long c = add_source(f, "c", 100, -1);
    long long d = add_source(f, "d", 100, -1);
    struct record rc = make_rec("Y", "from c", "hc", "2019-05-01");
    struct record rd = make_rec("Y", "from d", "hd", "2023-02-01T10:00:00Z");
    put(f, c, begin_run(f, c, 1), &rc, 1, NULL, 0);
    put(f, d, begin_run(f, d, 1), &rd, 1, NULL, 0);
    assert_sql_str(f,
                   "SELECT r.title FROM entry e JOIN record r ON r.id = e.record_id"
                   " WHERE e.identifier = 'Y'",
                   "from d");
    snprintf(want, sizeof want, "{%lld,%lld}", d, c);
    assert_sql_str(f, "SELECT sources::text FROM entry WHERE identifier = 'Y'", want);
    snprintf(sql, sizeof sql,
             "SELECT e.record_id = r.id FROM entry e, record r"
             " WHERE e.identifier = 'Y' AND r.source_id = %lld",
             d);
    assert_sql_str(f, sql, "t");

    /* removing the winner's source hands the entry to the other one */
    assert_int_equal(store_source_remove(f->s, "b", &err), MO_OK);
    assert_sql_str(f,
                   "SELECT r.title FROM entry e JOIN record r ON r.id = e.record_id"
                   " WHERE e.identifier = 'X'",
                   "from a");
    snprintf(want, sizeof want, "{%lld}", a);
    assert_sql_str(f, "SELECT sources::text FROM entry WHERE identifier = 'X'", want);
    assert_int_equal(store_source_remove(f->s, "a", &err), MO_OK);
    assert_int_equal(store_count_entries(f->s, &n, &err), MO_OK);
    assert_int_equal(n, 1);
    fixture_close(f);
}

static void test_retire_after_full_run(void **state)
{
    struct fixture *f = fixture_open("store_retire");
    struct mo_err err = {0};
    long long src = add_source(f, "s", 100, -1);
    struct record recs[5] = {make_rec("a", "a", "1", NULL), make_rec("b", "b", "1", NULL),
                             make_rec("c", "c", "1", NULL), make_rec("d", "d", "1", NULL),
                             make_rec("e", "e", "1", NULL)};
    put(f, src, begin_run(f, src, 1), recs, 5, NULL, 0);
    long long run2 = begin_run(f, src, 1);
    const char *seen[] = {"a", "b", "c", "d"};
    put(f, src, run2, NULL, 0, seen, 4);
    long retired = -1;
    assert_int_equal(store_retire_unseen(f->s, src, run2, 0.2, &retired, &err), MO_OK);
    assert_int_equal(retired, 1);
    long long n = 0;
    assert_int_equal(store_count_records(f->s, src, &n, &err), MO_OK);
    assert_int_equal(n, 4);
    assert_int_equal(store_count_entries(f->s, &n, &err), MO_OK);
    assert_int_equal(n, 4);
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM record"), 5); /* kept, marked */
    assert_sql_str(f, "SELECT identifier FROM record WHERE retired_at IS NOT NULL", "e");

    /* the partner has it again: revived, its entry is back */
    struct page_result r = put(f, src, begin_run(f, src, 0), &recs[4], 1, NULL, 0);
    assert_int_equal(r.updated, 1);
    assert_int_equal(store_count_entries(f->s, &n, &err), MO_OK);
    assert_int_equal(n, 5);
    /* revived through the unchanged list too */
    long long run4 = begin_run(f, src, 1);
    put(f, src, run4, NULL, 0, seen, 4);
    assert_int_equal(store_retire_unseen(f->s, src, run4, 0.2, &retired, &err), MO_OK);
    const char *all[] = {"a", "b", "c", "d", "e"};
    put(f, src, begin_run(f, src, 0), NULL, 0, all, 5);
    assert_int_equal(store_count_entries(f->s, &n, &err), MO_OK);
    assert_int_equal(n, 5);
    assert_int_equal(store_count_records(f->s, 0, &n, &err), MO_OK);
    assert_int_equal(n, 5);
    fixture_close(f);
}

static void test_shrink_guard(void **state)
{
    struct fixture *f = fixture_open("store_shrink");
    struct mo_err err = {0};
    long long src = add_source(f, "s", 100, -1);
    struct record recs[100];
    char ids[100][8];
    const char *seen[70];
    for (int i = 0; i < 100; i++) {
        snprintf(ids[i], sizeof ids[i], "m%d", i);
        recs[i] = make_rec(ids[i], ids[i], "h", NULL);
        if (i < 70)
            seen[i] = ids[i];
    }
    put(f, src, begin_run(f, src, 1), recs, 100, NULL, 0);
    long long run2 = begin_run(f, src, 1);
    put(f, src, run2, NULL, 0, seen, 70);
    long retired = -1;
    assert_int_equal(store_retire_unseen(f->s, src, run2, 0.2, &retired, &err), MO_ELIMIT);
    assert_string_equal(err.msg,
                        "listing shrank from 100 to 70 records (more than 20%); nothing retired");
    assert_int_equal(retired, 0);
    long long n = 0;
    assert_int_equal(store_count_records(f->s, src, &n, &err), MO_OK);
    assert_int_equal(n, 100);
    /* a looser guard lets it through */
    assert_int_equal(store_retire_unseen(f->s, src, run2, 0.5, &retired, &err), MO_OK);
    assert_int_equal(retired, 30);
    fixture_close(f);
}

static void test_failing_page_writes_nothing(void **state)
{
    struct fixture *f = fixture_open("store_fail");
    struct mo_err err = {0};
    struct page_result res = {0};
    long long src = add_source(f, "s", 100, -1);
    long long run = begin_run(f, src, 1);
    struct record recs[2] = {make_rec("good", "fine", "1", NULL),
                             make_rec("bad", "invalid \xff\xfe utf-8", "2", NULL)};
    assert_int_equal(store_put_page(f->s, src, run, recs, 2, NULL, 0, &res, &err), MO_EDB);
    char want[64];
    snprintf(want, sizeof want, "could not write page of source %lld: ", src);
    assert_memory_equal(err.msg, want, strlen(want));
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM record"), 0);
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM entry"), 0);

    /* a record without identifier is refused before anything is sent */
    struct record noid = make_rec(NULL, "x", "3", NULL);
    assert_int_equal(store_put_page(f->s, src, run, &noid, 1, NULL, 0, &res, &err), MO_EBADREQ);

    /* the connection is usable afterwards */
    struct page_result r = put(f, src, run, recs, 1, NULL, 0);
    assert_int_equal(r.added, 1);

    /* a page for a source that does not exist fails whole */
    assert_int_equal(store_put_page(f->s, 999999, run, recs, 1, NULL, 0, &res, &err), MO_EDB);
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM record"), 1);

    /* the connection dies under the store: an error, nothing written */
    assert_int_equal(sql_ll(f, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                               " WHERE datname = current_database() AND pid <> pg_backend_pid()"),
                     1);
    struct record fresh = make_rec("fresh", "fresh", "4", NULL);
    assert_int_equal(store_put_page(f->s, src, run, &fresh, 1, NULL, 0, &res, &err), MO_EDB);
    assert_non_null(strstr(err.msg, "could not write page of source"));
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM record"), 1);
    fixture_close(f);
}

static void test_escaping_round_trip(void **state)
{
    struct fixture *f = fixture_open("store_escape");
    long long src = add_source(f, "s", 100, -1);
    static const char tricky[] = "tab\there\nnew\rline \\back\\slash \"quoted\" 'single'"
                                 " {braces}, commas, \\N NULL é€";
    char *kw[] = {(char *)tricky, (char *)"",    (char *)"NULL",
                  (char *)"a,b",  (char *)"{x}", (char *)"back\\slash\"quote"};
    struct record r = make_rec("id\twith\\odd\"chars{,}", tricky, "h", NULL);
    r.abstract = (char *)tricky;
    r.keywords.items = kw;
    r.keywords.count = 6;
    r.original = (char *)tricky;
    r.original_len = strlen(tricky);
    put(f, src, begin_run(f, src, 1), &r, 1, NULL, 0);

    assert_sql_str(f,
                   "SELECT count(*) FROM record WHERE identifier = "
                   "E'id\\twith\\\\odd\"chars{,}'",
                   "1");
    assert_sql_str(f, "SELECT title FROM record", tricky);
    assert_sql_str(f, "SELECT abstract FROM record", tricky);
    assert_sql_str(f, "SELECT original FROM record", tricky);
    assert_sql_str(f, "SELECT cardinality(keywords) FROM record", "6");
    char sql[128];
    for (int i = 0; i < 6; i++) {
        snprintf(sql, sizeof sql, "SELECT keywords[%d] FROM record", i + 1);
        assert_sql_str(f, sql, kw[i]);
    }
    assert_sql_str(f,
                   "SELECT count(*) FROM record WHERE title IS NOT NULL"
                   " AND lineage IS NULL AND bbox IS NULL",
                   "1");
    /* the unchanged list goes through the array literal too */
    const char *ids[] = {"id\twith\\odd\"chars{,}"};
    struct page_result res = put(f, src, begin_run(f, src, 1), NULL, 0, ids, 1);
    assert_int_equal(res.unchanged, 1);
    assert_sql_str(f,
                   "SELECT count(*) FROM record_seen WHERE last_run = "
                   "(SELECT max(id) FROM harvest_run)",
                   "1");
    fixture_close(f);
}

static void test_french_full_text_and_bbox(void **state)
{
    struct fixture *f = fixture_open("store_fts");
    long long src = add_source(f, "s", 100, -1);
    struct record recs[2] = {make_rec("plu", "Plan local d'urbanisme de Saint-Étienne", "1", NULL),
                             make_rec("other", "Réseau hydrographique", "2", NULL)};
    char *kw[] = {(char *)"aménagement", (char *)"Urbanisme"};
    recs[0].keywords.items = kw;
    recs[0].keywords.count = 2;
    recs[0].has_bbox = 1;
    recs[0].west = 4.2;
    recs[0].south = 45.3;
    recs[0].east = 4.5;
    recs[0].north = 45.5;
    put(f, src, begin_run(f, src, 1), recs, 2, NULL, 0);
    assert_sql_str(f,
                   "SELECT identifier FROM record WHERE fts @@ "
                   "plainto_tsquery('moisson_fr', 'etienne urbanisme')",
                   "plu");
    assert_sql_str(f,
                   "SELECT identifier FROM record WHERE fts @@ "
                   "plainto_tsquery('moisson_fr', 'amenagements')",
                   "plu");
    assert_sql_str(f,
                   "SELECT identifier FROM record WHERE fts @@ "
                   "plainto_tsquery('moisson_fr', 'reseaux hydrographiques')",
                   "other");
    assert_sql_str(f, "SELECT count(*) FROM record WHERE bbox && box '((4,45),(5,46))'", "1");
    assert_sql_str(f, "SELECT count(*) FROM record WHERE bbox && box '((-1,40),(0,41))'", "0");
    assert_sql_str(f, "SELECT bbox::text FROM record WHERE identifier = 'plu'",
                   "(4.5,45.5),(4.2,45.3)");
    fixture_close(f);
}

struct errs {
    int n;
    char first[128];
    int null_id;
};

static void collect_error(void *ud, const char *identifier, const char *reason)
{
    struct errs *e = ud;
    if (e->n++ == 0)
        snprintf(e->first, sizeof e->first, "%s: %s", identifier ? identifier : "-", reason);
    else if (!identifier)
        e->null_id = 1;
}

static void test_runs(void **state)
{
    struct fixture *f = fixture_open("store_runs");
    struct mo_err err = {0};
    struct run_info *runs = NULL;
    size_t n = 0;
    long long src = add_source(f, "s", 100, -1);
    long long r1 = begin_run(f, src, 1);
    struct run_counters c = {.announced = 10, .received = 9, .added = 8, .failed = 1, .pages = 1};
    assert_int_equal(store_run_error(f->s, r1, "rec-7", "malformed XML: bad", &err), MO_OK);
    assert_int_equal(store_run_error(f->s, r1, NULL, "page 2 unreadable", &err), MO_OK);
    assert_int_equal(store_run_finish(f->s, r1, "success", &c, "ok", &err), MO_OK);
    assert_int_equal(store_run_finish(f->s, r1, "bogus", &c, NULL, &err), MO_EBADREQ);
    assert_int_equal(store_run_finish(f->s, 424242, "failed", &c, NULL, &err), MO_ENOTFOUND);

    struct errs e = {0};
    assert_int_equal(store_run_errors(f->s, r1, collect_error, &e, &err), MO_OK);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.first, "rec-7: malformed XML: bad");
    assert_true(e.null_id);

    long long r2 = begin_run(f, src, 0); /* left running: a killed harvester */
    int reaped = -1;
    assert_int_equal(store_runs_reap(f->s, src, &reaped, &err), MO_OK);
    assert_int_equal(reaped, 1);
    assert_int_equal(store_runs_reap(f->s, src, &reaped, &err), MO_OK);
    assert_int_equal(reaped, 0);

    assert_int_equal(store_runs_list(f->s, "s", 10, &runs, &n, &err), MO_OK);
    assert_int_equal(n, 2);
    assert_int_equal(runs[0].id, r2);
    assert_string_equal(runs[0].status, "failed");
    assert_string_equal(runs[0].report, "interrupted");
    assert_false(runs[0].full);
    assert_int_equal(runs[1].id, r1);
    assert_true(runs[1].full);
    assert_string_equal(runs[1].status, "success");
    assert_string_equal(runs[1].source_name, "s");
    assert_int_equal(runs[1].c.announced, 10);
    assert_int_equal(runs[1].c.received, 9);
    assert_int_equal(runs[1].c.added, 8);
    assert_int_equal(runs[1].c.failed, 1);
    assert_non_null(runs[1].finished_at);
    for (size_t i = 0; i < n; i++)
        run_info_clear(&runs[i]);
    free(runs);

    assert_int_equal(store_runs_list(f->s, NULL, 1, &runs, &n, &err), MO_OK);
    assert_int_equal(n, 1);
    run_info_clear(&runs[0]);
    free(runs);

    struct source got = {0};
    assert_int_equal(store_source_get(f->s, "s", &got, &err), MO_OK);
    assert_non_null(got.last_success_at);
    assert_non_null(got.last_full_success_at);
    source_clear(&got);
    fixture_close(f);
}

/* What store_folder_validators_get reported, by url. */
struct got_validators {
    int n;
    char url[8][64];
    char etag[8][64];
    char last_modified[8][64];
    char hash[8][16];
};

static void copy_or_dash(char *out, size_t size, const char *v)
{
    snprintf(out, size, "%s", v ? v : "-");
}

static void on_validators(void *ud, const struct folder_validators *v)
{
    struct got_validators *g = ud;
    assert_true(g->n < 8);
    copy_or_dash(g->url[g->n], sizeof g->url[g->n], v->url);
    copy_or_dash(g->etag[g->n], sizeof g->etag[g->n], v->etag);
    copy_or_dash(g->last_modified[g->n], sizeof g->last_modified[g->n], v->last_modified);
    copy_or_dash(g->hash[g->n], sizeof g->hash[g->n], v->hash);
    g->n++;
}

/* The row reported for url, or -1. */
static int got_index(const struct got_validators *g, const char *url)
{
    for (int i = 0; i < g->n; i++)
        if (!strcmp(g->url[i], url))
            return i;
    return -1;
}

static struct got_validators get_validators(struct fixture *f, long long src, const char *version)
{
    static const char *const urls[] = {"a.xml", "b.xml", "c.xml", "d \"x\",{y}\\.xml", "e.xml"};
    struct got_validators g = {0};
    struct mo_err err = {0};
    if (store_folder_validators_get(f->s, src, version, urls, 5, on_validators, &g, &err) != MO_OK)
        fail_msg("store_folder_validators_get: %s", err.msg);
    return g;
}

static void put_validators(struct fixture *f, long long src, const struct folder_validators *v,
                           size_t n)
{
    struct mo_err err = {0};
    if (store_folder_validators_put(f->s, src, "2", v, n, &err) != MO_OK)
        fail_msg("store_folder_validators_put: %s", err.msg);
}

static void test_folder_validators(void **state)
{
    struct fixture *f = fixture_open("store_folder");
    struct mo_err err = {0};
    long long src = add_source(f, "s", 100, -1);
    long long other = add_source(f, "o", 100, -1);
    struct record recs[] = {make_rec("r1", "un", "h1", NULL), make_rec("r2", "deux", "h2", NULL)};
    put(f, src, begin_run(f, src, 1), recs, 2, NULL, 0);

    const char *odd = "d \"x\",{y}\\.xml";
    const char *lm = "Wed, 21 Oct 2015 07:28:00 GMT";
    const struct folder_validators v[] = {
        {"a.xml", "\"e1\"", NULL, "h1"},   /* ETag only */
        {"b.xml", NULL, lm, "h2"},         /* Last-Modified only */
        {"c.xml", "\"e3\"", lm, "h-none"}, /* its record is not stored */
        {odd, "W/\"e4\"", NULL, "h1"},     /* two files, one record */
        {"a.xml", "\"e1\"", NULL, "h1"},   /* twice in a page */
    };
    put_validators(f, src, v, 5);
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM folder_file"), 4);

    /* only files whose record the source still has, of this version */
    struct got_validators g = get_validators(f, src, "2");
    assert_int_equal(g.n, 3);
    int a = got_index(&g, "a.xml"), b = got_index(&g, "b.xml"), d = got_index(&g, odd);
    assert_true(a >= 0 && b >= 0 && d >= 0);
    assert_string_equal(g.etag[a], "\"e1\"");
    assert_string_equal(g.last_modified[a], "-");
    assert_string_equal(g.hash[a], "h1");
    assert_string_equal(g.etag[b], "-");
    assert_string_equal(g.last_modified[b], lm);
    assert_string_equal(g.hash[b], "h2");
    assert_string_equal(g.etag[d], "W/\"e4\"");
    assert_int_equal(get_validators(f, src, "3").n, 0); /* another stylesheet */
    assert_int_equal(get_validators(f, other, "2").n, 0);

    /* a new answer replaces; one without validators (or hash) forgets */
    const struct folder_validators next[] = {
        {"a.xml", NULL, NULL, "h1"},
        {"b.xml", "\"e2\"", NULL, NULL},
        {odd, "\"e5\"", lm, "h2"},
        {"e.xml", NULL, NULL, "h2"}, /* never had a row: none made */
    };
    put_validators(f, src, next, 4);
    g = get_validators(f, src, "2");
    assert_int_equal(g.n, 1);
    assert_string_equal(g.url[0], odd);
    assert_string_equal(g.etag[0], "\"e5\"");
    assert_string_equal(g.last_modified[0], lm);
    assert_string_equal(g.hash[0], "h2");
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM folder_file"), 2); /* c.xml, odd */

    /* nothing to do; a file without url */
    assert_int_equal(store_folder_validators_put(f->s, src, "2", v, 0, &err), MO_OK);
    assert_int_equal(store_folder_validators_get(f->s, src, "2", NULL, 0, on_validators, &g, &err),
                     MO_OK);
    const struct folder_validators nameless = {NULL, "\"e\"", NULL, "h1"};
    assert_int_equal(store_folder_validators_put(f->s, src, "2", &nameless, 1, &err), MO_EBADREQ);

    /* a source removed takes its files along */
    assert_int_equal(store_source_remove(f->s, "s", &err), MO_OK);
    assert_int_equal(sql_ll(f, "SELECT count(*) FROM folder_file"), 0);
    fixture_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_twice),
        cmocka_unit_test(test_sources),
        cmocka_unit_test(test_page_unchanged_and_updated),
        cmocka_unit_test(test_count_and_lookup_hashes),
        cmocka_unit_test(test_entry_precedence),
        cmocka_unit_test(test_retire_after_full_run),
        cmocka_unit_test(test_shrink_guard),
        cmocka_unit_test(test_failing_page_writes_nothing),
        cmocka_unit_test(test_escaping_round_trip),
        cmocka_unit_test(test_french_full_text_and_bbox),
        cmocka_unit_test(test_runs),
        cmocka_unit_test(test_folder_validators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
