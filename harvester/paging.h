/*
 * paging.h — where to ask next, and when to stop, for any paged listing
 * (CSW GetRecords now, Hydra later).  Pure logic: no I/O, no XML.
 *
 * Partners lie about paging.  The rule: while fewer records than announced
 * have arrived and pages still bring new ones, go on from the position
 * actually reached (start + records received on the page), whatever
 * nextRecord says; follow nextRecord alone only to step over an empty page.
 * A page that brings nothing new (empty, or all records already seen in
 * this run) is retried once at the same position, then stepped over when
 * nextRecord advances, and the listing stops after PAGING_MAX_FRUITLESS such
 * pages in a row.  Every lie seen is counted for the run report.
 */
#ifndef MOISSON_PAGING_H
#define MOISSON_PAGING_H

#include "buf.h"
#include "result.h"

#define PAGING_MAX_FRUITLESS 3
#define PAGING_MAX_PAGES 200000L

/* Lies and oddities a partner showed; counted per run. */
enum paging_note {
    PAGING_NEXT_ZERO_EARLY, /* nextRecord=0 before everything announced arrived */
    PAGING_NEXT_BEYOND,     /* nextRecord past numberOfRecordsMatched */
    PAGING_NEXT_STUCK,      /* nextRecord not advancing */
    PAGING_NEXT_SKIPS,      /* nextRecord jumping past records not received */
    PAGING_REPEATED_PAGE,   /* a page of records already received */
    PAGING_EMPTY_PAGE,      /* a page with no records before the end */
    PAGING_CAPPED,          /* fewer records than maxRecords before the end */
    PAGING_IGNORED_MAX,     /* more records than maxRecords */
    PAGING_MATCHED_CHANGED, /* numberOfRecordsMatched changed during the run */
    PAGING_NOTE_COUNT
};

struct paging {
    int page_size;        /* maxRecords asked for */
    long next_start;      /* startPosition of the next request (1-based) */
    long first_announced; /* numberOfRecordsMatched of the first page, -1 unknown */
    long announced;       /* latest numberOfRecordsMatched, -1 unknown */
    long min_announced;
    long received; /* distinct records received in this run */
    long pages;
    int fruitless;      /* pages in a row that brought nothing new */
    long retried_start; /* position already retried once, 0 none */
    int done;
    int exhausted; /* the end of the listing was seen (not a limit) */
    long notes[PAGING_NOTE_COUNT];
    long note_first_page[PAGING_NOTE_COUNT];
};

/* What one page said and brought. -1 for an attribute that was absent. */
struct paging_page {
    long matched;  /* numberOfRecordsMatched */
    long returned; /* numberOfRecordsReturned as announced */
    long next;     /* nextRecord */
    long records;  /* records actually in the page */
    long fresh;    /* of those, not received before in this run */
};

void paging_init(struct paging *p, int page_size);

/* Takes one page's outcome; afterwards p->done tells whether to stop and
 * p->next_start where to ask next. */
void paging_after_page(struct paging *p, const struct paging_page *pg);

/* True when everything announced arrived and the end was seen. */
int paging_complete(const struct paging *p);

/* True when complete and the partner told one consistent story (no changing
 * count, no missing records): only then may a full run retire records. */
int paging_consistent(const struct paging *p);

/* Appends a one-paragraph account of the listing ("3 pages, 250 of 250
 * records; nextRecord=0 before the end (page 2) ...") to out. */
mo_rc paging_describe(const struct paging *p, struct buf *out) MO_MUST_CHECK;

#endif
