#include "paging.h"

#include <string.h>

static const char *const note_text[PAGING_NOTE_COUNT] = {
    [PAGING_NEXT_ZERO_EARLY] = "nextRecord=0 before the end",
    [PAGING_NEXT_BEYOND] = "nextRecord beyond numberOfRecordsMatched",
    [PAGING_NEXT_STUCK] = "nextRecord not advancing",
    [PAGING_NEXT_SKIPS] = "nextRecord skipping records",
    [PAGING_REPEATED_PAGE] = "repeated page",
    [PAGING_EMPTY_PAGE] = "empty page before the end",
    [PAGING_CAPPED] = "fewer records per page than asked (server cap)",
    [PAGING_IGNORED_MAX] = "more records per page than asked (maxRecords ignored)",
    [PAGING_MATCHED_CHANGED] = "numberOfRecordsMatched changed during the run",
};

void paging_init(struct paging *p, int page_size)
{
    memset(p, 0, sizeof *p);
    p->page_size = page_size > 0 ? page_size : 1;
    p->next_start = 1;
    p->first_announced = -1;
    p->announced = -1;
    p->min_announced = -1;
}

static void note(struct paging *p, enum paging_note n)
{
    if (p->notes[n]++ == 0)
        p->note_first_page[n] = p->pages;
}

static void take_matched(struct paging *p, long matched)
{
    if (matched < 0)
        return;
    if (p->first_announced < 0)
        p->first_announced = matched;
    else if (matched != p->announced)
        note(p, PAGING_MATCHED_CHANGED);
    p->announced = matched;
    if (p->min_announced < 0 || matched < p->min_announced)
        p->min_announced = matched;
}

/* Everything announced has arrived (an unknown count never is reached). */
static int all_arrived(const struct paging *p)
{
    return p->announced >= 0 && p->received >= p->announced;
}

static void stop(struct paging *p, int exhausted)
{
    p->done = 1;
    p->exhausted = exhausted;
}

/* A page that brought nothing new: retry once, step over it when nextRecord
 * advances, give up after PAGING_MAX_FRUITLESS. */
static void after_fruitless(struct paging *p, long start, const struct paging_page *pg)
{
    note(p, pg->records == 0 ? PAGING_EMPTY_PAGE : PAGING_REPEATED_PAGE);
    if (++p->fruitless >= PAGING_MAX_FRUITLESS) {
        stop(p, 0);
        return;
    }
    if (p->retried_start != start) {
        p->retried_start = start;
        return; /* same position once more */
    }
    if (pg->next > start && (p->announced < 0 || pg->next <= p->announced)) {
        p->next_start = pg->next;
        return;
    }
    stop(p, 0);
}

static void after_fresh(struct paging *p, long start, const struct paging_page *pg)
{
    long reached = start + pg->records;
    p->fruitless = 0;
    if (pg->records > p->page_size)
        note(p, PAGING_IGNORED_MAX);
    if (pg->next == 0) {
        if (!all_arrived(p))
            note(p, PAGING_NEXT_ZERO_EARLY);
    } else if (pg->next > 0) {
        if (p->announced >= 0 && pg->next > p->announced + 1)
            note(p, PAGING_NEXT_BEYOND);
        else if (pg->next <= start)
            note(p, PAGING_NEXT_STUCK);
        else if (pg->next > reached)
            note(p, PAGING_NEXT_SKIPS);
    }
    if (pg->records < p->page_size && pg->next != 0 && p->announced >= 0 && !all_arrived(p))
        note(p, PAGING_CAPPED);
    p->next_start = reached;
    /* all there, and nextRecord does not point at more within the count */
    if (all_arrived(p) && !(pg->next >= reached && pg->next <= p->announced))
        stop(p, 1);
}

void paging_after_page(struct paging *p, const struct paging_page *pg)
{
    long start = p->next_start;
    p->pages++;
    take_matched(p, pg->matched);
    p->received += pg->fresh;

    if (pg->fresh > 0)
        after_fresh(p, start, pg);
    else if (pg->records == 0 && (all_arrived(p) || pg->next == 0 || p->announced < 0))
        stop(p, 1); /* the end: nothing announced is missing, or nothing more offered */
    else
        after_fruitless(p, start, pg);

    if (!p->done && p->pages >= PAGING_MAX_PAGES)
        stop(p, 0);
}

int paging_complete(const struct paging *p)
{
    if (!p->done || !p->exhausted)
        return 0;
    if (p->announced < 0)
        return 1;
    /* a count that changed during the run: the smallest one must be met */
    return p->received >= p->announced || p->received >= p->min_announced;
}

int paging_consistent(const struct paging *p)
{
    return paging_complete(p) && p->notes[PAGING_MATCHED_CHANGED] == 0 &&
           (p->announced < 0 || p->received == p->announced);
}

mo_rc paging_describe(const struct paging *p, struct buf *out)
{
    mo_rc rc;
    if (p->announced >= 0)
        rc = buf_printf(out, "%ld page%s, %ld of %ld announced records", p->pages,
                        p->pages == 1 ? "" : "s", p->received, p->announced);
    else
        rc = buf_printf(out, "%ld page%s, %ld records (no count announced)", p->pages,
                        p->pages == 1 ? "" : "s", p->received);
    if (rc == MO_OK && p->notes[PAGING_MATCHED_CHANGED])
        rc = buf_printf(out, " (first announced %ld)", p->first_announced);
    if (rc == MO_OK && !paging_complete(p))
        rc = buf_append_str(out, p->exhausted ? "; stopped short of the announced count"
                                              : "; listing abandoned");
    for (int i = 0; rc == MO_OK && i < PAGING_NOTE_COUNT; i++) {
        if (!p->notes[i])
            continue;
        rc = buf_printf(out, "; partner sent %s (%ld time%s, first on page %ld)", note_text[i],
                        p->notes[i], p->notes[i] == 1 ? "" : "s", p->note_first_page[i]);
    }
    return rc;
}
