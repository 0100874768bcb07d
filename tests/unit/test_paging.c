/*
 * Paging against simulated partners: each row is a partner's behaviour and
 * what the listing must end with.  The simulator serves records 1..total
 * from startPosition, then lies as the row says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "paging.h"

#include <stdlib.h>
#include <string.h>

enum lie {
    HONEST,
    NEXT_ZERO_AT_2, /* nextRecord=0 on the second page */
    NEXT_BEYOND,    /* nextRecord = total + 100 on every page */
    NEXT_STUCK,     /* nextRecord = startPosition */
    REPEAT_3,       /* the third request answers the second page again */
    IGNORE_START,   /* every page is the first page */
    EMPTY_3,        /* the third request answers no records, nextRecord advancing */
    FEWER_10,       /* announces 10 more than it has */
    DRIFT_5,        /* numberOfRecordsMatched grows by 5 on each page */
    NO_COUNTS,      /* no numberOfRecordsMatched, no nextRecord */
};

struct scenario {
    const char *name;
    long total;
    int page_size;
    int cap; /* server's own page cap, 0 = none */
    enum lie lie;
    /* expected */
    long received;
    int complete;
    int consistent;
    enum paging_note note; /* a note that must be set, or PAGING_NOTE_COUNT */
    long max_pages;        /* the listing must stop within this many pages */
};

static const struct scenario scenarios[] = {
    {"honest 250 by 100", 250, 100, 0, HONEST, 250, 1, 1, PAGING_NOTE_COUNT, 3},
    {"exact multiple", 200, 100, 0, HONEST, 200, 1, 1, PAGING_NOTE_COUNT, 2},
    {"empty catalog", 0, 100, 0, HONEST, 0, 1, 1, PAGING_NOTE_COUNT, 1},
    {"server caps at 10", 95, 100, 10, HONEST, 95, 1, 1, PAGING_CAPPED, 10},
    {"nextRecord=0 early", 250, 50, 0, NEXT_ZERO_AT_2, 250, 1, 1, PAGING_NEXT_ZERO_EARLY, 6},
    {"nextRecord beyond", 250, 100, 0, NEXT_BEYOND, 250, 1, 1, PAGING_NEXT_BEYOND, 3},
    {"nextRecord stuck", 250, 100, 0, NEXT_STUCK, 250, 1, 1, PAGING_NEXT_STUCK, 3},
    {"repeated page", 300, 100, 0, REPEAT_3, 300, 1, 1, PAGING_REPEATED_PAGE, 5},
    {"startPosition ignored", 300, 100, 0, IGNORE_START, 100, 0, 0, PAGING_REPEATED_PAGE, 4},
    {"empty page in the middle", 300, 100, 0, EMPTY_3, 300, 1, 1, PAGING_EMPTY_PAGE, 5},
    {"fewer than announced", 95, 50, 0, FEWER_10, 95, 0, 0, PAGING_NEXT_ZERO_EARLY, 4},
    {"count drifting", 250, 100, 0, DRIFT_5, 250, 1, 0, PAGING_MATCHED_CHANGED, 5},
    {"no counts at all", 250, 100, 0, NO_COUNTS, 250, 1, 1, PAGING_NOTE_COUNT, 4},
    {"maxRecords ignored", 250, 10, 100, HONEST, 250, 1, 1, PAGING_IGNORED_MAX, 3},
};

/* The simulated partner answers one request. */
static void serve(const struct scenario *s, long request_no, long start, char *seen,
                  struct paging_page *pg)
{
    long per_page = s->page_size;
    if (s->cap)
        per_page = s->cap; /* a cap smaller or larger than asked */
    if (s->lie == IGNORE_START)
        start = 1;
    if (s->lie == REPEAT_3 && request_no == 3)
        start -= per_page;
    long first = start, last = start + per_page - 1;
    if (last > s->total)
        last = s->total;
    if (s->lie == EMPTY_3 && request_no == 3)
        last = first - 1;
    pg->records = last >= first ? last - first + 1 : 0;
    pg->fresh = 0;
    for (long i = first; i <= last; i++)
        if (!seen[i]) {
            seen[i] = 1;
            pg->fresh++;
        }
    pg->matched = s->total;
    if (s->lie == FEWER_10)
        pg->matched = s->total + 10;
    if (s->lie == DRIFT_5)
        pg->matched = s->total + 5 * (request_no - 1);
    pg->returned = pg->records;
    pg->next = last >= s->total ? 0 : start + per_page;
    switch (s->lie) {
    case NEXT_ZERO_AT_2:
        if (request_no == 2)
            pg->next = 0;
        break;
    case NEXT_BEYOND:
        pg->next = s->total + 100;
        break;
    case NEXT_STUCK:
        pg->next = start;
        break;
    case EMPTY_3:
        if (request_no == 3)
            pg->next = start + per_page;
        break;
    case NO_COUNTS:
        pg->matched = pg->returned = pg->next = -1;
        break;
    default:
        break;
    }
}

static void test_scenarios(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const struct scenario *s = &scenarios[i];
        char *seen = calloc((size_t)s->total + 2, 1);
        struct paging p;
        paging_init(&p, s->page_size);
        for (long req = 1; !p.done && req < 1000; req++) {
            struct paging_page pg;
            serve(s, req, p.next_start, seen, &pg);
            paging_after_page(&p, &pg);
        }
        print_message("%-26s pages=%ld received=%ld complete=%d\n", s->name, p.pages, p.received,
                      paging_complete(&p));
        assert_true(p.done);
        assert_int_equal(p.received, s->received);
        assert_int_equal(paging_complete(&p), s->complete);
        assert_int_equal(paging_consistent(&p), s->consistent);
        assert_true(p.pages <= s->max_pages);
        if (s->note != PAGING_NOTE_COUNT)
            assert_true(p.notes[s->note] > 0);
        else
            for (int n = 0; n < PAGING_NOTE_COUNT; n++)
                assert_int_equal(p.notes[n], 0);
        free(seen);
    }
}

static void test_describe_names_the_lies(void **state)
{
    (void)state;
    struct paging p;
    struct buf b;
    paging_init(&p, 10);
    paging_after_page(&p, &(struct paging_page){30, 10, 0, 10, 10});
    paging_after_page(&p, &(struct paging_page){30, 10, 31, 10, 10});
    paging_after_page(&p, &(struct paging_page){30, 10, 0, 10, 10});
    assert_true(p.done);
    buf_init(&b, 4096);
    assert_int_equal(paging_describe(&p, &b), MO_OK);
    assert_non_null(strstr(b.data, "3 pages, 30 of 30 announced records"));
    assert_non_null(strstr(b.data, "nextRecord=0 before the end (1 time, first on page 1)"));
    buf_free(&b);
}

static void test_endless_new_records_stop(void **state)
{
    (void)state;
    /* a partner that invents new records forever stops at the page limit */
    struct paging p;
    paging_init(&p, 10);
    long n = 0;
    while (!p.done && n++ < PAGING_MAX_PAGES + 5)
        paging_after_page(&p, &(struct paging_page){-1, 10, -1, 10, 10});
    assert_true(p.done);
    assert_int_equal(p.pages, PAGING_MAX_PAGES);
    assert_false(paging_complete(&p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenarios),
        cmocka_unit_test(test_describe_names_the_lies),
        cmocka_unit_test(test_endless_new_records_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
