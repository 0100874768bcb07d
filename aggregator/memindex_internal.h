/*
 * memindex_internal.h — a snapshot's layout, shared by the files of the
 * in-memory index (memindex_build.c, memindex_load.c, memindex_query.c).
 * Not for other modules.
 *
 * Documents are numbered 0..n-1 in the order of their identifiers (bytes,
 * the cluster's C.UTF-8 collation), so "ties by identifier" is "ties by
 * number" everywhere.  Each facet is a dictionary of its values and, per
 * document, the list of the ids of its values, occurrences kept as the SQL
 * counts them (an array holding a value twice counts twice); type and year
 * are lists of zero or one value.
 */
#ifndef MOISSON_MEMINDEX_INTERNAL_H
#define MOISSON_MEMINDEX_INTERNAL_H

#include "memindex.h"
#include "tsq.h"

#include <stdatomic.h>

#define MI_TAG_SHIFT 28   /* a facet's value ids stay below 2^28 */
#define MI_DENSE_SHARE 64 /* a value in 1/64 of the documents has a bit set */
#define MI_TAG(f, id) ((uint32_t)(f) << MI_TAG_SHIFT | (id))

/* Strings → ids, open addressing. */
struct mi_dict {
    char **values; /* by id, NUL-terminated (may hold no other NUL) */
    uint32_t *lens;
    uint32_t n, cap;
    uint32_t *slots; /* id + 1, 0: empty */
    uint32_t mask;
    size_t bytes;
};

/* Per document, a list of ids (compressed row storage): the document's
 * ids are ids[off[doc]] to ids[off[doc + 1]]. */
struct mi_lists {
    uint32_t *off; /* n_docs + 1 */
    uint32_t *ids;
    size_t n, cap;
};

/* One lexeme: the documents holding it (ascending) and, in the same order,
 * their positions as a stream [count, WordEntryPos…]. */
struct mi_term {
    uint32_t *docs;
    uint32_t n, cap;
    uint16_t *pos;
    uint32_t npos, cap_pos;
};

enum mi_order { MI_DATE_ASC, MI_DATE_DESC, MI_TITLE_ASC, MI_TITLE_DESC, MI_ORDERS };

struct memindex_snap {
    long long generation;
    atomic_int refs; /* the holder's and the searches' */
    double build_ms;
    double read_ms; /* CLOCK_MONOTONIC when the read began, in ms */
    uint32_t n;
    int64_t *record_id;
    int64_t *modified; /* µs since 1970 or MEMINDEX_NULL */
    int64_t *t_end;    /* coalesce(temporal_to, temporal_from, modified) */
    int64_t *t_start;  /* coalesce(temporal_from, modified) */
    double *bbox;      /* 4 per document: west, south, east, north */
    uint8_t *has_bbox;
    uint8_t *no_text; /* an empty tsvector: ts_rank says 0 whatever the query */
    struct mi_dict facet_dict[SEARCH_FACET_COUNT];
    /* every facet value of a document in one run, as a global id: value id
     * + facet_base[facet] (facet_base[SEARCH_FACET_COUNT]: all values), so
     * that counting reads one or two cache lines per document, not two per
     * facet; tagged MI_TAG(facet, id) until the build ends */
    struct mi_lists values;
    uint32_t facet_base[SEARCH_FACET_COUNT + 1];
    /* Frequent values (held by at least 1/MI_DENSE_SHARE of the documents,
     * never twice by one) also as bit sets over the documents: their counts
     * are popcounts of (matches AND set), their filters ANDs; the others
     * stay in sparse, per document, for counting. */
    uint32_t *dense_of; /* per global value: 1 + its bit set's number, 0: sparse */
    uint64_t *dense;    /* n_dense sets of dense_words words */
    uint32_t n_dense;
    size_t dense_words;
    struct mi_lists sparse;
    struct mi_dict lexemes;
    struct mi_term *terms;      /* by lexeme id */
    uint32_t *order[MI_ORDERS]; /* documents in that order */
    uint32_t *rank[MI_ORDERS];  /* a document's place in it */
    size_t postings;
    size_t bytes;
};

/* ---- building (memindex_build.c) ---- */

struct mi_str {
    const char *p;
    size_t len;
};

/* One document as the loader read it; every pointer borrowed for the call. */
struct mi_doc {
    int64_t record_id;
    const struct mi_str *values[SEARCH_FACET_COUNT]; /* partner names, organisations… */
    size_t n_values[SEARCH_FACET_COUNT];
    int64_t modified, temporal_from, temporal_to; /* MEMINDEX_NULL when NULL */
    int has_bbox;
    double bbox[4];
    const char *title_key; /* moisson_sort_key(title); NULL when NULL */
    size_t title_key_len;
    /* the lexemes of the text and their positions (tsq_vector_parse) */
    const struct tsq_lexeme *lexemes;
    const uint16_t *const *positions; /* positions[i]: n_positions[i] WordEntryPos */
    const uint16_t *n_positions;
    size_t n_lexemes;
};

struct mi_builder;

mo_rc mi_builder_new(struct mi_builder **out, struct mo_err *err) MO_MUST_CHECK;
/* Adds the next document (in identifier order). */
mo_rc mi_builder_add(struct mi_builder *b, const struct mi_doc *d,
                     struct mo_err *err) MO_MUST_CHECK;
/* The snapshot (b is freed, also on error). */
mo_rc mi_builder_end(struct mi_builder *b, long long generation, struct memindex_snap **out,
                     struct mo_err *err) MO_MUST_CHECK;
void mi_builder_free(struct mi_builder *b);

/* The id of value in d, or UINT32_MAX. */
uint32_t mi_dict_find(const struct mi_dict *d, const char *value, size_t len);

#endif
