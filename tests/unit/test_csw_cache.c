/*
 * test_csw_cache.c — the cache of rendered GetRecords pages (csw_cache.h):
 * a page is served only for its key and its generation, a new key evicts the
 * one in its slot, the byte budget and the size caps hold, a look-up that the
 * caller's buffer cannot take leaves it as it was, and threads share the
 * table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "csw_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG_BUF (1024 * 1024)
#define THREADS 4
#define ROUNDS 2000

static struct csw_cache *cache_make(size_t slots, size_t bytes)
{
    struct csw_cache *c = NULL;
    struct mo_err err = {0};
    if (csw_cache_new(slots, bytes, &c, &err) != MO_OK)
        fail_msg("csw_cache_new: %s", err.msg);
    return c;
}

static void put(struct csw_cache *c, const char *key, long long gen, long long matched,
                const char *records)
{
    struct csw_cache_page p = {.matched = matched, .returned = 1};
    csw_cache_put(c, key, strlen(key), gen, &p, records, strlen(records));
}

/* 1 and the records when key is there for gen, else 0 with out empty. */
static int get(struct csw_cache *c, const char *key, long long gen, long long *matched,
               struct buf *out)
{
    struct csw_cache_page p = {0};
    buf_reset(out);
    int found = csw_cache_get(c, key, strlen(key), gen, &p, out);
    *matched = p.matched;
    return found;
}

/* One row: what is stored, then what a look-up must find. */
struct lookup_case {
    const char *name;
    const char *key;
    long long gen;
    int found;
    const char *records;
};

static void test_lookups(void **state)
{
    (void)state;
    static const struct lookup_case cases[] = {
        {"same key, same generation", "q1", 7, 1, "<r>one</r>"},
        {"same key, newer generation", "q1", 8, 0, NULL},
        {"same key, older generation", "q1", 6, 0, NULL},
        {"a key that is a prefix", "q", 7, 0, NULL},
        {"a key that extends it", "q1x", 7, 0, NULL},
        {"another key", "q2", 7, 1, "<r>two</r>"},
        {"empty records", "q3", 7, 1, ""},
    };
    struct csw_cache *c = cache_make(64, BIG_BUF);
    struct buf out;
    buf_init(&out, BIG_BUF);
    put(c, "q1", 7, 42, "<r>one</r>");
    put(c, "q2", 7, 3, "<r>two</r>");
    put(c, "q3", 7, 0, "");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long long matched = -1;
        int found = get(c, cases[i].key, cases[i].gen, &matched, &out);
        if (found != cases[i].found)
            fail_msg("%s: found %d, expected %d", cases[i].name, found, cases[i].found);
        if (found)
            assert_string_equal(out.data ? out.data : "", cases[i].records);
        else
            assert_int_equal(out.len, 0);
    }
    long long matched = 0;
    assert_true(get(c, "q1", 7, &matched, &out));
    assert_int_equal(matched, 42);
    /* a newer generation replaces the page */
    put(c, "q1", 8, 43, "<r>one, again</r>");
    assert_false(get(c, "q1", 7, &matched, &out));
    assert_true(get(c, "q1", 8, &matched, &out));
    assert_int_equal(matched, 43);
    assert_string_equal(out.data, "<r>one, again</r>");
    /* an empty page whose records were never allocated */
    struct csw_cache_page none = {0};
    csw_cache_put(c, "q4", 2, 8, &none, NULL, 0);
    assert_true(get(c, "q4", 8, &matched, &out));
    assert_int_equal(out.len, 0);
    struct csw_cache_stats st;
    csw_cache_get_stats(c, &st);
    assert_int_equal(st.stored, 5);
    assert_true(st.hits >= 5);
    assert_true(st.misses >= 5);
    buf_free(&out);
    csw_cache_free(c);
}

/* One set of CSW_CACHE_WAYS entries: a new key evicts the one used longest
 * ago, and a look-up counts as a use. */
static void test_eviction(void **state)
{
    (void)state;
    struct csw_cache *c = cache_make(1, BIG_BUF);
    struct buf out;
    char key[16];
    long long m = 0;
    buf_init(&out, BIG_BUF);
    for (int i = 0; i < CSW_CACHE_WAYS; i++) {
        snprintf(key, sizeof key, "k%d", i);
        put(c, key, 1, i, key);
    }
    for (int i = 0; i < CSW_CACHE_WAYS; i++) { /* all kept; k0 used longest ago */
        snprintf(key, sizeof key, "k%d", i);
        assert_true(get(c, key, 1, &m, &out));
        assert_int_equal(m, i);
    }
    assert_true(get(c, "k0", 1, &m, &out)); /* now k1 is */
    put(c, "new1", 1, 100, "n1");
    assert_false(get(c, "k1", 1, &m, &out));
    assert_true(get(c, "k0", 1, &m, &out));
    assert_string_equal(out.data, "k0");
    put(c, "new2", 1, 101, "n2"); /* k2 goes */
    assert_false(get(c, "k2", 1, &m, &out));
    assert_true(get(c, "new1", 1, &m, &out));
    assert_true(get(c, "new2", 1, &m, &out));
    assert_true(get(c, "k3", 1, &m, &out));
    struct csw_cache_stats st;
    csw_cache_get_stats(c, &st);
    /* k0, k3 … k(WAYS-1) (two bytes each, twice), new1 and new2 (4 + 2 each) */
    assert_int_equal(st.bytes, (size_t)(CSW_CACHE_WAYS - 2) * 4 + 2 * 6);
    buf_free(&out);
    csw_cache_free(c);
}

/* Many keys that differ only in their middle spread over the sets: with
 * twice as few keys as slots, none is evicted. */
static void test_spread(void **state)
{
    (void)state;
    struct csw_cache *c = cache_make(1024, BIG_BUF);
    struct buf out;
    char key[128];
    long long m = 0;
    int kept = 0;
    buf_init(&out, BIG_BUF);
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key,
                 "(r.fts @@ $1)\x1f%d:'term%d':*\x1c"
                 "1 10 0 1 1",
                 i, i);
        put(c, key, 1, i, "r");
    }
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key,
                 "(r.fts @@ $1)\x1f%d:'term%d':*\x1c"
                 "1 10 0 1 1",
                 i, i);
        kept += get(c, key, 1, &m, &out);
    }
    assert_int_equal(kept, 300);
    buf_free(&out);
    csw_cache_free(c);
}

/* The caps: a page larger than CSW_CACHE_MAX_ENTRY, a key longer than
 * CSW_CACHE_MAX_KEY, or past the byte budget, is not kept. */
static void test_limits(void **state)
{
    (void)state;
    struct csw_cache *c = cache_make(64, 100);
    struct buf out;
    long long m = 0;
    buf_init(&out, BIG_BUF);
    char *big = malloc(CSW_CACHE_MAX_ENTRY + 2);
    char *long_key = malloc(CSW_CACHE_MAX_KEY + 2);
    assert_non_null(big);
    assert_non_null(long_key);
    memset(big, 'x', CSW_CACHE_MAX_ENTRY + 1);
    big[CSW_CACHE_MAX_ENTRY + 1] = '\0';
    memset(long_key, 'k', CSW_CACHE_MAX_KEY + 1);
    long_key[CSW_CACHE_MAX_KEY + 1] = '\0';
    struct csw_cache *roomy = cache_make(4, BIG_BUF);
    put(roomy, "big", 1, 1, big);
    assert_false(get(roomy, "big", 1, &m, &out));
    put(roomy, long_key, 1, 1, "r");
    assert_false(get(roomy, long_key, 1, &m, &out));
    csw_cache_free(roomy);
    /* budget of 100 bytes: 60 fit, 60 more do not, replacing in place does */
    char sixty[61];
    memset(sixty, 'y', 60);
    sixty[59] = '\0';
    put(c, "k", 1, 1, sixty); /* 1 + 59 bytes */
    put(c, "j", 1, 1, sixty);
    assert_true(get(c, "k", 1, &m, &out));
    assert_false(get(c, "j", 1, &m, &out));
    put(c, "k", 2, 1, sixty);
    assert_true(get(c, "k", 2, &m, &out));
    struct csw_cache_stats st;
    csw_cache_get_stats(c, &st);
    assert_true(st.bytes <= 100);
    /* a caller's buffer too small for the records: not found, left as it was */
    struct buf small;
    buf_init(&small, 10);
    assert_int_equal(buf_append_str(&small, "abc"), MO_OK);
    struct csw_cache_page p = {0};
    assert_false(csw_cache_get(c, "k", 1, 2, &p, &small));
    assert_int_equal(small.len, 3);
    assert_string_equal(small.data, "abc");
    buf_free(&small);
    /* no slot at all is refused */
    struct csw_cache *none = NULL;
    struct mo_err err = {0};
    assert_int_equal(csw_cache_new(0, 100, &none, &err), MO_EBADREQ);
    assert_null(none);
    free(big);
    free(long_key);
    buf_free(&out);
    csw_cache_free(c);
    csw_cache_free(NULL);
}

struct worker {
    struct csw_cache *c;
    int id;
    int wrong;
};

/* Each thread stores and reads its own keys in a table all of them share
 * (few slots: constant eviction); a page found is always the right one. */
static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct buf out;
    char key[32], rec[32];
    buf_init(&out, BIG_BUF);
    for (int i = 0; i < ROUNDS; i++) {
        snprintf(key, sizeof key, "t%d-%d", w->id, i % 50);
        snprintf(rec, sizeof rec, "<r>%d-%d</r>", w->id, i % 50);
        long long m = 0;
        if (get(w->c, key, 1, &m, &out) && (strcmp(out.data ? out.data : "", rec) || m != i % 50))
            w->wrong++;
        put(w->c, key, 1, i % 50, rec);
    }
    buf_free(&out);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct csw_cache *c = cache_make(16, BIG_BUF);
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){c, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].wrong, 0);
    }
    csw_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookups), cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_spread),  cmocka_unit_test(test_limits),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
