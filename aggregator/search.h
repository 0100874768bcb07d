/*
 * search.h — the territory-wide search: one request (French text, bounding
 * box, time interval, facet filters, sort, paging) → a page of entries
 * ranked by relevance with the matching words located, the number of
 * matches, and the counts of every facet.  Shared by the OGC API Records
 * JSON API (api.c) and the HTML pages; knows no HTTP and no JSON.
 *
 * Text: `q` goes through websearch_to_tsquery('moisson_fr', q): words are
 * folded (accents, case) and stemmed in French, so "eglise" finds
 * "Églises"; "a phrase" in quotes, `or` and `-word` work as on web search
 * engines, and no input is an error; a query of stop words only ("le la")
 * matches nothing.  Relevance: the record's weighted text (title A,
 * keywords B, abstract C) scored by ts_rank (every match ranked), or by
 * the opt-in RUM index's `<=>` when record_fts_rum exists (ranking inside
 * the index, best matches read first; aggregator/README.md); hits report
 * ts_rank.  Ties keep the identifier's order, or the index's with RUM.
 *
 * Time: a record's time is its temporal extent [temporal_from, temporal_to]
 * when it has one, else the instant of its metadata date (`modified`); it
 * matches an interval when the two intersect (ends included; an end given
 * as a date, month or year stands for the whole day, month or year).
 *
 * Counts: below SEARCH_EXACT_MAX matches, the number of matches and every
 * facet count are exact.  Past it they are estimates from a fixed sample
 * of the records by a hash of their id (partial indexes in schemas/
 * 006_search.sql): 1/64 when that holds over SEARCH_EXACT_MAX / 16 matches
 * (so at least 312 sampled: ±6%), else 1/16, multiplied back: the result says so
 * (matched_exact = 0), and the pages show "about N".  The page itself is
 * always exact: the real best entries in the real order.
 *
 * Highlighting: for each entry of the page, the title and an abstract
 * excerpt as plain text (unescaped: the caller escapes for its output) with
 * the byte offsets of the matching words (struct search_text).
 *
 * A struct search is shared by the server threads: a cache keyed by the
 * normalised request and the index generation (schemas/004_csw.sql) holds
 * the counts and facets, and the first SEARCH_CACHED_IDS ranked record ids
 * (the pages within them are then read by id), so a state of the index
 * never serves another's answers.  Fixed number of slots; memory bounded.
 */
#ifndef MOISSON_SEARCH_H
#define MOISSON_SEARCH_H

#include "log.h"
#include "result.h"

#include <libpq-fe.h>
#include <stddef.h>

#define SEARCH_DEFAULT_LIMIT 10
#define SEARCH_MAX_LIMIT 100        /* entries of one page */
#define SEARCH_MAX_OFFSET 10000     /* deepest first entry of a page */
#define SEARCH_MAX_Q 512            /* bytes of the text query */
#define SEARCH_MAX_FILTER_VALUES 16 /* values of one facet filter */
#define SEARCH_MAX_FILTER_VALUE 256 /* bytes of one facet filter value */
#define SEARCH_MAX_FACET_VALUES 20  /* values listed per facet, most frequent first */
#define SEARCH_EXACT_MAX 5000       /* matches counted exactly; estimates past it */
#define SEARCH_SAMPLE_MODULUS 16    /* the estimate's sample: (hashint8(record.id) & 15) = 0 */
#define SEARCH_SAMPLE_SMALL 64      /* the first, smaller sample: (hashint8(record.id) & 63) = 0 */
#define SEARCH_CACHE_SLOTS 2048     /* cached counts and facets, ranked ids */
#define SEARCH_MAX_KEY 2048         /* a normalised request longer is not cached */
#define SEARCH_MAX_CACHED (32 * 1024) /* one cached count + facets, as text */
#define SEARCH_MAX_MATCHES 64         /* highlighted words of one text */
#define SEARCH_MAX_SQL (64 * 1024)    /* one statement's text */
#define SEARCH_MAX_TIME 64            /* one end of a datetime interval */
#define SEARCH_CACHED_IDS 100         /* the first ranked entries kept per request */

enum search_facet {
    SEARCH_FACET_PARTNER,      /* source name; an entry counts for every partner carrying it */
    SEARCH_FACET_ORGANISATION, /* record.organisations */
    SEARCH_FACET_KEYWORD,      /* record.keywords (INSPIRE themes come as keywords) */
    SEARCH_FACET_THEME,        /* record.topics: ISO 19115 topic categories */
    SEARCH_FACET_TYPE,         /* record.type: dataset, series, service… */
    SEARCH_FACET_FORMAT,       /* record.formats */
    SEARCH_FACET_YEAR,         /* year (UTC) of record.modified, the metadata date */
    SEARCH_FACET_COUNT
};

enum search_sort {
    SEARCH_SORT_RELEVANCE, /* best first (without q: most recent first) */
    SEARCH_SORT_DATE,      /* metadata date, oldest first (desc: most recent first) */
    SEARCH_SORT_TITLE      /* title A→Z (desc: Z→A) */
};

/* A request.  Every string is borrowed for the duration of the call. */
struct search_request {
    const char *q; /* NULL or "": no text condition */
    int has_bbox;
    double bbox[4];                  /* west, south, east, north in WGS84 degrees */
    char time_from[SEARCH_MAX_TIME]; /* ISO 8601 (isotime.h) or "": open */
    char time_to[SEARCH_MAX_TIME];   /* idem; both "": no time condition */
    const char *filters[SEARCH_FACET_COUNT][SEARCH_MAX_FILTER_VALUES];
    size_t n_filters[SEARCH_FACET_COUNT]; /* values of one facet: OR; facets: AND */
    enum search_sort sort;
    int desc;    /* date and title: descending (relevance is always best first) */
    long limit;  /* 0 to SEARCH_MAX_LIMIT (0: counts only) */
    long offset; /* 0 to SEARCH_MAX_OFFSET */
    int facets;  /* compute the facet counts */
};

/* A text with the byte ranges of the matching words (start, length),
 * sorted, not overlapping. */
struct search_text {
    const char *text; /* plain text, as harvested (may be "") */
    size_t n_matches;
    size_t match_start[SEARCH_MAX_MATCHES];
    size_t match_len[SEARCH_MAX_MATCHES];
};

/* One entry of the page; pointers borrowed from the result. */
struct search_hit {
    long long record_id;
    const char *identifier;
    const char *type;     /* may be "" */
    const char *modified; /* ISO 8601 UTC date-time, "" when none */
    const char *sources;  /* partner names, precedence order, ", " between */
    double rank;          /* ts_rank, 0 without q */
    int has_bbox;
    double bbox[4]; /* west, south, east, north */
    struct search_text title;
    struct search_text excerpt; /* of the abstract: the words around the matches */
    const char *time_from;      /* temporal extent, ISO 8601 UTC; "" when none */
    const char *time_to;
};

struct search_facet_value {
    const char *value;
    long long count;
};

struct search_facet_counts {
    struct search_facet_value *values; /* most frequent first, then by value */
    size_t n;                          /* at most SEARCH_MAX_FACET_VALUES */
};

struct search_result {
    struct search_hit *hits;
    size_t n;
    long long matched;
    int matched_exact;  /* 0: matched and the facet counts are estimates */
    int cached;         /* the counts came from the cache */
    unsigned behind_ms; /* 0: answered at the current state of the index; else from
                           the in-memory snapshot read that long ago (search_start_index) */
    long long generation;
    struct search_facet_counts facets[SEARCH_FACET_COUNT]; /* when asked */
    /* owned storage */
    PGresult *page;
    char *texts;                            /* the hits' titles and excerpts */
    char *facet_text;                       /* the facet values */
    struct search_facet_value *facet_store; /* every facet's values */
};

struct search_stats {
    unsigned long cache_hits;
    unsigned long cache_misses;
    unsigned long estimates;   /* counts answered from the sample */
    unsigned long from_memory; /* answered by the in-memory index (memindex.h) */
};

struct search;
struct memindex;

/* Name of a facet as used in URLs and JSON ("partner", "organisation",
 * "keyword", "theme", "type", "format", "year"). */
const char *search_facet_name(enum search_facet f);

/* The facet named name (case-sensitive); -1 when none. */
int search_facet_find(const char *name);

/* A request with the defaults: no condition, relevance, limit
 * SEARCH_DEFAULT_LIMIT, offset 0, no facets. */
void search_request_init(struct search_request *r);

/* Sets one request parameter from its text, as URLs carry them: q, bbox
 * ("west,south,east,north"), datetime ("instant", "start/end", "../end",
 * "start/.."), sortby ("relevance", "date", "title", with "-" before for
 * descending, "+" or nothing for ascending; "updated" is "date"),
 * limit, offset, facets ("true"/"false"), and one facet filter per facet
 * name (a comma-free value; repeat the parameter for several).  The value
 * is borrowed.  MO_EBADREQ with a message that names the parameter and
 * quotes the value; MO_ENOTFOUND (no message) for a name that is none of
 * these, so the caller decides. */
mo_rc search_request_set(struct search_request *r, const char *name, const char *value,
                         struct mo_err *err) MO_MUST_CHECK;

/* A new shared state (MO_ENOMEM). */
mo_rc search_new(struct search **out, struct mo_err *err) MO_MUST_CHECK;

/* Frees s; s may be NULL. */
void search_free(struct search *s);

void search_get_stats(struct search *s, struct search_stats *out);

/* Starts the in-memory index (memindex.h) on its own connection (conninfo):
 * from its first snapshot on, requests it can answer at the snapshot's
 * generation are answered from memory, the others from SQL as before.
 * lag_s > 0 lets a snapshot read at most lag_s seconds ago answer after the
 * index moved on while a harvest is running (answers then say how far
 * behind they are and are not cached).  Idempotent; stopped by search_free.
 * MO_ENOMEM, MO_EIO. */
#define SEARCH_MAX_LAG_S 3600
#define SEARCH_DEFAULT_LAG_S 60 /* serve's default */
mo_rc search_start_index(struct search *s, const char *conninfo, unsigned lag_s,
                         const struct log *log, struct mo_err *err) MO_MUST_CHECK;

/* The in-memory index of s, NULL when not started (borrowed). */
struct memindex *search_memindex_of(struct search *s);

/* Runs the request on conn (the caller's, one thread).  out is filled only
 * on MO_OK; free it with search_result_clear.  MO_EBADREQ for a request out
 * of its limits (names the parameter); MO_EDB with the server's message
 * (for the log, never for a client); MO_ENOMEM. */
mo_rc search_run(struct search *s, PGconn *conn, const struct search_request *req,
                 struct search_result *out, struct mo_err *err) MO_MUST_CHECK;

/* Frees what a result holds and zeroes it; r may be NULL. */
void search_result_clear(struct search_result *r);

/* ---- one entry in full (the API's record, the HTML record page) ---- */

#define SEARCH_LIST_SEP '\x1f' /* between the elements of a list field */

enum search_record_col {
    REC_IDENTIFIER,
    REC_TITLE,
    REC_ABSTRACT,
    REC_TYPE,
    REC_LANGUAGE,
    REC_MODIFIED, /* ISO 8601 UTC date-times, or NULL */
    REC_CREATED,
    REC_PUBLISHED,
    REC_REVISED,
    REC_TEMPORAL_FROM,
    REC_TEMPORAL_TO,
    REC_KEYWORDS, /* lists: elements joined by SEARCH_LIST_SEP (removed from the elements) */
    REC_TOPICS,
    REC_ORGANISATIONS,
    REC_LINKS,
    REC_FORMATS,
    REC_LICENCES,
    REC_CRS,
    REC_SOURCES, /* partner names, precedence order */
    REC_WEST,    /* the bounding box, or NULL */
    REC_SOUTH,
    REC_EAST,
    REC_NORTH,
    REC_HARVESTED, /* when this content was harvested */
    REC_COLS
};

struct search_record {
    PGresult *res;
};

/* The entry of identifier (its chosen record).  MO_ENOTFOUND (with a
 * message naming it) when there is none; MO_EDB. */
mo_rc search_record_get(PGconn *conn, const char *identifier, struct search_record *out,
                        struct mo_err *err) MO_MUST_CHECK;

/* A field ("" when NULL; borrowed from r) and whether it is NULL. */
const char *search_record_field(const struct search_record *r, enum search_record_col c);
int search_record_null(const struct search_record *r, enum search_record_col c);

/* Frees and zeroes r; r may be NULL. */
void search_record_clear(struct search_record *r);

#endif
