/*
 * tsq.h — a PostgreSQL text-search query in memory: read from its text
 * output, evaluated on a document, and ranked exactly as PostgreSQL 15's
 * ts_rank ranks it; and a tsvector read from its binary output.  Knows no
 * libpq and no SQL: the caller asks PostgreSQL for
 * `websearch_to_tsquery('moisson_fr', $1)::text` and for the fts column in
 * binary, and hands the bytes here.
 *
 * Parsing (tsq_parse): the text tsqueryout writes — lexemes in single
 * quotes ('' for a quote, \\ for a backslash), `!`, `&`, `|`, `<->`, `<N>`,
 * parentheses, `:*` and `:ABCD` after a lexeme — becomes a tree of nodes
 * and the list of its distinct lexemes, the operands, in the order ts_rank
 * walks them (byte order of the lexemes: tsrank.c, SortAndUniqItems).  ""
 * (a query of stop words only) is the empty query: it matches nothing.
 *
 *   "'eglis' <-> 'roman' | 'chateau' & !'moulin'"
 *   operands: 0 'chateau', 1 'eglis', 2 'moulin', 3 'roman'
 *   root: OR(PHRASE<1>('eglis', 'roman'), AND('chateau', NOT('moulin')))
 *
 * Ranking (tsq_rank): ts_rank(fts, q) with the default weights {0.1, 0.2,
 * 0.4, 1.0} and normalisation 0, the same float bit for bit, given the
 * positions of each operand in the document as the tsvector stores them
 * (so that an in-memory ORDER BY rank DESC, identifier is the SQL's, ties
 * included).  Exact for every query without a prefix operand: ts_rank
 * ignores weight restrictions and ranks a phrase as an AND of its lexemes,
 * and so does tsq_rank.  Not for prefix operands (`:*`), which ts_rank
 * ranks over every lexeme they match: use SQL.
 *
 * Limits: TSQ_MAX_TEXT bytes of text, TSQ_MAX_NODES nodes, TSQ_MAX_DEPTH
 * nested parentheses and `!`; a document's lexeme holds at most
 * TSQ_MAX_POS positions (PostgreSQL's own limit).  Everything read-only
 * after tsq_parse: one struct tsq may serve several threads.
 */
#ifndef MOISSON_TSQ_H
#define MOISSON_TSQ_H

#include "result.h"

#include <stddef.h>
#include <stdint.h>

#define TSQ_MAX_TEXT (64 * 1024) /* bytes of a query's text */
#define TSQ_MAX_NODES 1024       /* lexemes and operators of a query */
#define TSQ_MAX_DEPTH 256        /* nested parentheses and '!' */
#define TSQ_MAX_LEXEME 2047      /* bytes of a lexeme (PostgreSQL's MAXSTRLEN) */
#define TSQ_MAX_DISTANCE 16384   /* of <N> (PostgreSQL's MAXENTRYPOS) */
#define TSQ_MAX_POS 256          /* positions of a lexeme in a tsvector (MAXNUMPOS) */

/* A WordEntryPos, as the tsvector stores it: the weight in the top 2 bits
 * (3 = A, 2 = B, 1 = C, 0 = D), the position (1 to 16383) below. */
#define TSQ_POS_WEIGHT(wep) ((unsigned)(wep) >> 14)
#define TSQ_POS_POS(wep) (0x3fffu & (unsigned)(wep))

/* A lexeme's weight restriction (struct tsq_node.weights): one bit per
 * weight, bit w for the weight w of TSQ_POS_WEIGHT (as PostgreSQL has it). */
#define TSQ_WEIGHT_A (1u << 3)
#define TSQ_WEIGHT_B (1u << 2)
#define TSQ_WEIGHT_C (1u << 1)
#define TSQ_WEIGHT_D (1u << 0)

enum tsq_kind { TSQ_LEXEME, TSQ_NOT, TSQ_AND, TSQ_OR, TSQ_PHRASE };

/* One node of the tree; children are indexes of other nodes, always below
 * the node's own (the nodes are in post-order, the root last). */
struct tsq_node {
    enum tsq_kind kind;
    int left;              /* NOT: its operand; AND, OR, PHRASE: the left one; else -1 */
    int right;             /* AND, OR, PHRASE: the right operand; else -1 */
    int operand;           /* LEXEME: index in the operand list; else -1 */
    unsigned distance;     /* PHRASE: 1 for <->, N for <N> (0 to TSQ_MAX_DISTANCE) */
    unsigned char prefix;  /* LEXEME: 1 for ':*' */
    unsigned char weights; /* LEXEME: TSQ_WEIGHT_* bits of ':ABCD'; 0 for none (any weight) */
};

/* Positions of one operand in one document: WordEntryPos values in the
 * tsvector's order (ascending), n at most TSQ_MAX_POS; n = 0 when the
 * document lacks it. */
struct tsq_pos {
    const uint16_t *p;
    unsigned n;
};

struct tsq;

/* Reads text (tsqueryout's output; NUL-terminated) into *out, to be freed
 * with tsq_free.  MO_EBADREQ with a message quoting the text and saying
 * where for text that is no such output; MO_ELIMIT past TSQ_MAX_TEXT,
 * TSQ_MAX_NODES or TSQ_MAX_DEPTH; MO_ENOMEM.  *out is NULL on error. */
mo_rc tsq_parse(const char *text, struct tsq **out, struct mo_err *err) MO_MUST_CHECK;

/* Frees q; q may be NULL. */
void tsq_free(struct tsq *q);

/* 1 for the empty query (no node: it matches nothing, ranks 0). */
int tsq_is_empty(const struct tsq *q);

/* 1 when some node is a PHRASE. */
int tsq_has_phrase(const struct tsq *q);

/* 1 when some lexeme has ':*' or a weight restriction. */
int tsq_has_prefix_or_weights(const struct tsq *q);

/* The number of nodes, node i (0 <= i < tsq_n_nodes), the root's index
 * (-1 for the empty query, which has no node).  Pointers borrowed from q. */
size_t tsq_n_nodes(const struct tsq *q);
const struct tsq_node *tsq_node(const struct tsq *q, int i);
int tsq_root(const struct tsq *q);

/* The number of operands, and operand i (i below tsq_n_operands): its
 * lexeme, NUL-terminated, with its length in *len (len may be NULL).
 * Operands are distinct lexemes in byte order; a lexeme that occurs twice
 * in the query, or with and without ':*' or weights, is one operand. */
size_t tsq_n_operands(const struct tsq *q);
const char *tsq_operand(const struct tsq *q, size_t i, size_t *len);

/* Whether a document matches q (the value of `fts @@ q`), given present[i]
 * nonzero when operand i is in it: 1 or 0 (0 for the empty query); -1 when
 * q has a phrase, which needs the positions (the caller's job).  Exact for
 * queries without phrase, prefix or weights; with those present[i] is what
 * the caller decides an operand's presence is. */
int tsq_matches(const struct tsq *q, const int *present);

/* ts_rank(fts, q) of a document, given pos[i], the positions of operand i
 * in it (tsq_n_operands entries; every operand, those under '!' too:
 * ts_rank counts them).  Bit for bit PostgreSQL 15's value (its x86-64
 * build) for queries without prefix operands (see the top of this file),
 * with one exception the caller handles: a document whose tsvector is empty ranks 0
 * in PostgreSQL whatever the query, which tsq_rank cannot see (such a
 * document matches only queries like '!a & !b', which tsq_rank ranks
 * 1e-20 as PostgreSQL does for a non-empty document without a nor b). */
float tsq_rank(const struct tsq *q, const struct tsq_pos *pos);

/* ---- a tsvector in binary (tsvectorsend) ---- */

/* One lexeme of a vector: p points into the value, NUL-terminated there. */
struct tsq_lexeme {
    const char *p;
    size_t len;
};

/* A tsvector read by tsq_vector_parse.  Zero it before the first parse;
 * each parse reuses its storage; free it with tsq_vector_free. */
struct tsq_vector {
    size_t n;                   /* lexemes, in the value's order (sorted by PostgreSQL) */
    struct tsq_lexeme *lexemes; /* n; borrowed from the value parsed */
    const uint16_t **positions; /* n; positions[i]: n_positions[i] WordEntryPos, host order */
    uint16_t *n_positions;      /* n; 0 for a lexeme stored without positions (never
                                   by to_tsvector; tsq_rank would take it for absent) */
    /* owned storage */
    uint16_t *pos_store;
    size_t cap_lexemes, cap_pos;
};

/* Reads the binary value data (len bytes, as PQgetvalue gives it with
 * resultFormat 1: int32 count, then per lexeme its bytes, a NUL, uint16
 * npos and npos uint16 WordEntryPos, network order) into v.  Every read is
 * bounds-checked: a truncated or malformed value (count or npos past the
 * bytes, no NUL, npos above TSQ_MAX_POS, a lexeme above TSQ_MAX_LEXEME,
 * bytes left over) is MO_EBADREQ, with v->n = 0; MO_ENOMEM.  The lexemes
 * point into data: keep it while using them. */
mo_rc tsq_vector_parse(const void *data, size_t len, struct tsq_vector *v,
                       struct mo_err *err) MO_MUST_CHECK;

/* Frees what v holds and zeroes it; v may be NULL. */
void tsq_vector_free(struct tsq_vector *v);

#endif
