/*
 * memindex_query.c — memindex_query (memindex.h): a request evaluated on a
 * snapshot.
 *
 *   the tsquery → a bit set of the matching documents (posting lists, AND,
 *   OR, NOT) → the bounding box, time and facet filters clear bits → the
 *   number of matches and every facet's counts over the set bits → the
 *   first offset + limit documents in the request's order: ts_rank
 *   (tsq_rank, from the positions met walking each word's postings) or the
 *   precomputed date and title orders.
 *
 * Every answer equals the SQL's (search_sql.c) for the same state of the
 * index: the same conditions to the bit (the bounding box through the same
 * "%.9g" text and PostgreSQL's 1e-6 tolerance of box overlap), the same
 * ranks, ties by identifier; but counts are always exact.
 */
#include "memindex_internal.h"

#include "tsq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MI_EPSILON 1.0E-06 /* PostgreSQL's tolerance of geometric comparisons */

struct mi_set {
    uint64_t *w;
    size_t words;
};

/* ---- bit sets ---- */

static int mi_set_new(struct mi_set *s, uint32_t n, int full)
{
    s->words = ((size_t)n + 63) / 64;
    s->w = calloc(s->words ? s->words : 1, sizeof *s->w);
    if (!s->w)
        return 0;
    if (full) {
        memset(s->w, 0xFF, s->words * sizeof *s->w);
        if (n % 64)
            s->w[s->words - 1] = (UINT64_C(1) << (n % 64)) - 1;
    }
    return 1;
}

static size_t mi_set_count(const struct mi_set *s)
{
    size_t c = 0;
    for (size_t i = 0; i < s->words; i++)
        c += (size_t)__builtin_popcountll(s->w[i]);
    return c;
}

/* The number of bits set in both a and b at the words listed in at[n]:
 * with the popcnt instruction where the processor has it (the default
 * x86-64 target has none and counts bits in a dozen instructions). */
__attribute__((target("popcnt"))) static uint64_t
mi_and_count_popcnt(const uint64_t *a, const uint64_t *b, const uint32_t *at, size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (uint64_t)__builtin_popcountll(a[at[i]] & b[at[i]]);
    return c;
}

static uint64_t mi_and_count_plain(const uint64_t *a, const uint64_t *b, const uint32_t *at,
                                   size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (uint64_t)__builtin_popcountll(a[at[i]] & b[at[i]]);
    return c;
}

static uint64_t mi_and_count(const uint64_t *a, const uint64_t *b, const uint32_t *at, size_t n)
{
    static int has_popcnt = -1; /* a benign race: every thread finds the same */
    if (has_popcnt < 0)
        has_popcnt = __builtin_cpu_supports("popcnt") ? 1 : 0;
    return has_popcnt ? mi_and_count_popcnt(a, b, at, n) : mi_and_count_plain(a, b, at, n);
}

/* Calls the loop body for every set bit, ascending, as doc. */
#define MI_EACH(set, doc, body)                                                                    \
    for (size_t mi_i_ = 0; mi_i_ < (set)->words; mi_i_++)                                          \
        for (uint64_t mi_b_ = (set)->w[mi_i_]; mi_b_; mi_b_ &= mi_b_ - 1) {                        \
            uint32_t doc = (uint32_t)(mi_i_ * 64 + (size_t)__builtin_ctzll(mi_b_));                \
            body                                                                                   \
        }

/* ---- the text ---- */

#define MI_MAX_CHAIN 32 /* words of a phrase evaluated in memory */

/* A phrase that is a chain of words — what websearch_to_tsquery writes for
 * quoted text and for hyphenated words ("saint-nazaire": 'saint-nazair' <->
 * 'saint' <-> 'nazair'; "aix-en-provence": … 'aix' <2> 'provenc') — as its
 * operands and their distances from the first.  0 for any other shape
 * (the SQL answers those). */
static int mi_chain(const struct tsq *q, int i, int *ops, unsigned *offs, size_t *n)
{
    const struct tsq_node *node = tsq_node(q, i);
    if (node->kind == TSQ_LEXEME) {
        if (node->prefix || node->weights)
            return 0;
        ops[0] = node->operand;
        offs[0] = 0;
        *n = 1;
        return 1;
    }
    if (node->kind != TSQ_PHRASE)
        return 0;
    const struct tsq_node *right = tsq_node(q, node->right);
    if (right->kind != TSQ_LEXEME || right->prefix || right->weights ||
        !mi_chain(q, node->left, ops, offs, n) || *n >= MI_MAX_CHAIN)
        return 0;
    ops[*n] = right->operand;
    offs[*n] = offs[*n - 1] + node->distance;
    (*n)++;
    return 1;
}

/* Whether the positions p[n] (a tsvector's, ascending by position) hold pos. */
static int mi_has_pos(const uint16_t *p, unsigned n, unsigned pos)
{
    for (unsigned k = 0; k < n && TSQ_POS_POS(p[k]) <= pos; k++)
        if (TSQ_POS_POS(p[k]) == pos)
            return 1;
    return 0;
}

/* The documents where the chain's words stand at their distances: every
 * word's postings walked together, then the positions compared.  1, 0 when
 * out of memory, -1 when the phrase is no chain. */
static int mi_eval_phrase(const struct memindex_snap *s, const struct tsq *q, int i,
                          const uint32_t *term_of, struct mi_set *out)
{
    int ops[MI_MAX_CHAIN];
    unsigned offs[MI_MAX_CHAIN];
    uint32_t k[MI_MAX_CHAIN] = {0}, at[MI_MAX_CHAIN] = {0};
    const struct mi_term *t[MI_MAX_CHAIN];
    size_t n = 0;
    if (!mi_chain(q, i, ops, offs, &n))
        return -1;
    if (!mi_set_new(out, s->n, 0))
        return 0;
    for (size_t j = 0; j < n; j++) {
        if (term_of[ops[j]] == UINT32_MAX)
            return 1; /* a word no entry has */
        t[j] = &s->terms[term_of[ops[j]]];
    }
    for (; k[0] < t[0]->n; at[0] += 1u + t[0]->pos[at[0]], k[0]++) {
        uint32_t doc = t[0]->docs[k[0]];
        int all = 1;
        for (size_t j = 1; j < n && all; j++) {
            while (k[j] < t[j]->n && t[j]->docs[k[j]] < doc) {
                at[j] += 1u + t[j]->pos[at[j]];
                k[j]++;
            }
            all = k[j] < t[j]->n && t[j]->docs[k[j]] == doc;
        }
        const uint16_t *p0 = t[0]->pos + at[0] + 1;
        for (unsigned a = 0; all && a < t[0]->pos[at[0]]; a++) {
            int here = 1;
            for (size_t j = 1; j < n && here; j++)
                here = mi_has_pos(t[j]->pos + at[j] + 1, t[j]->pos[at[j]],
                                  TSQ_POS_POS(p0[a]) + offs[j]);
            if (here) {
                out->w[doc / 64] |= UINT64_C(1) << (doc % 64);
                break;
            }
        }
    }
    return 1;
}

/* The set of the documents matching node i of q into out: 1, 0 when out of
 * memory, -1 when the snapshot cannot say (a phrase that is no chain of
 * words).  out is allocated only on 1. */
static int mi_eval(const struct memindex_snap *s, const struct tsq *q, int i,
                   const uint32_t *term_of, struct mi_set *out)
{
    const struct tsq_node *node = tsq_node(q, i);
    struct mi_set r;
    int rc;
    switch (node->kind) {
    case TSQ_LEXEME: {
        if (node->prefix || node->weights)
            return -1;
        if (!mi_set_new(out, s->n, 0))
            return 0;
        uint32_t t = term_of[node->operand];
        for (uint32_t k = 0; t != UINT32_MAX && k < s->terms[t].n; k++) {
            uint32_t d = s->terms[t].docs[k];
            out->w[d / 64] |= UINT64_C(1) << (d % 64);
        }
        return 1;
    }
    case TSQ_PHRASE:
        rc = mi_eval_phrase(s, q, i, term_of, out);
        if (rc == 0)
            free(out->w);
        return rc;
    case TSQ_NOT: {
        struct mi_set all;
        if ((rc = mi_eval(s, q, node->left, term_of, out)) != 1)
            return rc;
        if (!mi_set_new(&all, s->n, 1)) {
            free(out->w);
            return 0;
        }
        for (size_t w = 0; w < out->words; w++)
            out->w[w] = ~out->w[w] & all.w[w];
        free(all.w);
        return 1;
    }
    case TSQ_AND:
    case TSQ_OR:
        if ((rc = mi_eval(s, q, node->left, term_of, out)) != 1)
            return rc;
        if ((rc = mi_eval(s, q, node->right, term_of, &r)) != 1) {
            free(out->w);
            return rc;
        }
        for (size_t w = 0; w < out->words; w++)
            out->w[w] = node->kind == TSQ_AND ? out->w[w] & r.w[w] : out->w[w] | r.w[w];
        free(r.w);
        return 1;
    }
    return -1;
}

/* ---- the filters ---- */

/* The (global) value ids a facet filter accepts; 0 when the snapshot cannot say
 * (a year that is no integer: the SQL decides). */
static int mi_filter_ids(const struct memindex_snap *s, const struct search_request *r, int f,
                         uint32_t *ids, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < r->n_filters[f]; i++) {
        const char *v = r->filters[f][i];
        char year[32];
        if (f == SEARCH_FACET_YEAR) { /* the SQL compares as integers: int4in's syntax */
            char *end;
            while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r' || *v == '\f' || *v == '\v')
                v++;
            long long y = strtoll(v, &end, 10);
            if (end == v || y < INT32_MIN || y > INT32_MAX)
                return 0;
            while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r' || *end == '\f' ||
                   *end == '\v')
                end++;
            if (*end)
                return 0;
            snprintf(year, sizeof year, "%lld", y);
            v = year;
        }
        uint32_t id = mi_dict_find(&s->facet_dict[f], v, strlen(v));
        if (id != UINT32_MAX)
            ids[(*n)++] = s->facet_base[f] + id;
    }
    return 1;
}

static int mi_has_value(const struct memindex_snap *s, uint32_t doc, const uint32_t *ids, size_t n)
{
    const struct mi_lists *l = &s->values;
    for (uint32_t k = l->off[doc]; k < l->off[doc + 1]; k++)
        for (size_t i = 0; i < n; i++)
            if (l->ids[k] == ids[i])
                return 1;
    return 0;
}

/* The request's box as the SQL sees it: printed with %.9g, corners
 * ordered as box_in orders them. */
static void mi_query_box(const double in[4], double box[4])
{
    char text[64];
    for (int c = 0; c < 4; c++) {
        snprintf(text, sizeof text, "%.9g", in[c]);
        box[c] = strtod(text, NULL);
    }
    for (int c = 0; c < 2; c++)
        if (box[c] > box[c + 2]) {
            double t = box[c];
            box[c] = box[c + 2];
            box[c + 2] = t;
        }
}

/* box_ov: each low at most each high, within MI_EPSILON. */
static int mi_box_overlaps(const double *a, const double *b)
{
    return a[0] - b[2] <= MI_EPSILON && b[0] - a[2] <= MI_EPSILON && a[1] - b[3] <= MI_EPSILON &&
           b[1] - a[3] <= MI_EPSILON;
}

/* Clears the bits of the documents the filters refuse.  0 when the
 * snapshot cannot answer. */
static int mi_filter(const struct memindex_snap *s, const struct memindex_query *q,
                     struct mi_set *m)
{
    const struct search_request *r = q->req;
    uint32_t ids[SEARCH_FACET_COUNT][SEARCH_MAX_FILTER_VALUES];
    size_t n_ids[SEARCH_FACET_COUNT];
    int any = r->has_bbox || q->time_low != MEMINDEX_NULL || q->time_high != MEMINDEX_NULL;
    double box[4];
    for (int f = 0; f < SEARCH_FACET_COUNT; f++) {
        if (r->n_filters[f] > SEARCH_MAX_FILTER_VALUES ||
            !mi_filter_ids(s, r, f, ids[f], &n_ids[f]))
            return 0;
        any |= r->n_filters[f] > 0;
    }
    if (!any)
        return 1;
    for (int f = 0; f < SEARCH_FACET_COUNT; f++) { /* values all dense: AND their union */
        size_t dense = 0;
        for (size_t i = 0; i < n_ids[f]; i++)
            dense += s->dense_of[ids[f][i]] != 0;
        if (!r->n_filters[f] || dense < n_ids[f])
            continue;
        for (size_t w = 0; w < m->words; w++) {
            uint64_t any_of = 0;
            for (size_t i = 0; i < n_ids[f]; i++)
                any_of |= s->dense[(size_t)(s->dense_of[ids[f][i]] - 1) * s->dense_words + w];
            m->w[w] &= any_of;
        }
        n_ids[f] = SIZE_MAX; /* done */
    }
    if (r->has_bbox)
        mi_query_box(r->bbox, box);
    MI_EACH(m, doc, {
        int keep = 1;
        if (r->has_bbox)
            keep = s->has_bbox[doc] && mi_box_overlaps(s->bbox + (size_t)doc * 4, box);
        if (keep && q->time_low != MEMINDEX_NULL)
            keep = s->t_end[doc] != MEMINDEX_NULL && s->t_end[doc] >= q->time_low;
        if (keep && q->time_high != MEMINDEX_NULL)
            keep = s->t_start[doc] != MEMINDEX_NULL &&
                   (q->time_high_incl ? s->t_start[doc] <= q->time_high
                                      : s->t_start[doc] < q->time_high);
        for (int f = 0; f < SEARCH_FACET_COUNT && keep; f++)
            if (r->n_filters[f] && n_ids[f] != SIZE_MAX)
                keep = mi_has_value(s, doc, ids[f], n_ids[f]);
        if (!keep)
            m->w[mi_i_] &= ~(UINT64_C(1) << (doc % 64));
    })
    return 1;
}

/* ---- counts ---- */

struct mi_count {
    uint32_t id;
    uint32_t count;
};

/* Most frequent first, then by value (bytes, as the C collation). */
static int mi_count_before(const struct mi_dict *d, const struct mi_count *a,
                           const struct mi_count *b)
{
    if (a->count != b->count)
        return a->count > b->count;
    size_t la = d->lens[a->id], lb = d->lens[b->id];
    int c = memcmp(d->values[a->id], d->values[b->id], la < lb ? la : lb);
    return c ? c < 0 : la < lb;
}

/* The counts of every facet over m as lines of counts: the sparse values
 * counted along the matches, the dense ones by popcount, then each facet's
 * most frequent. */
static int mi_facets(const struct memindex_snap *s, const struct mi_set *m, struct buf *counts)
{
    const struct mi_lists *l = &s->sparse;
    uint32_t total = s->facet_base[SEARCH_FACET_COUNT];
    uint32_t *c = calloc(total ? total : 1, sizeof *c);
    uint32_t *live = malloc((m->words ? m->words : 1) * sizeof *live); /* words with matches */
    size_t n_live = 0;
    if (!c || !live) {
        free(c);
        free(live);
        return 0;
    }
    MI_EACH(m, doc, {
        for (uint32_t k = l->off[doc]; k < l->off[doc + 1]; k++)
            c[l->ids[k]]++;
    })
    for (size_t w = 0; w < m->words; w++)
        if (m->w[w])
            live[n_live++] = (uint32_t)w;
    for (uint32_t v = 0; v < total; v++)
        if (s->dense_of[v])
            c[v] = (uint32_t)mi_and_count(
                m->w, s->dense + (size_t)(s->dense_of[v] - 1) * s->dense_words, live, n_live);
    free(live);
    int ok = 1;
    for (int f = 0; f < SEARCH_FACET_COUNT && ok; f++) {
        const struct mi_dict *d = &s->facet_dict[f];
        const uint32_t *cf = c + s->facet_base[f];
        struct mi_count top[SEARCH_MAX_FACET_VALUES];
        size_t n_top = 0;
        for (uint32_t id = 0; id < d->n; id++) { /* insertion into the sorted top */
            struct mi_count v = {id, cf[id]};
            if (!v.count ||
                (n_top == SEARCH_MAX_FACET_VALUES && !mi_count_before(d, &v, &top[n_top - 1])))
                continue;
            size_t at = n_top < SEARCH_MAX_FACET_VALUES ? n_top++ : n_top - 1;
            while (at > 0 && mi_count_before(d, &v, &top[at - 1])) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = v;
        }
        for (size_t i = 0; i < n_top && ok; i++)
            ok = buf_printf(counts, "%d %u %u:", f, top[i].count, d->lens[top[i].id]) == MO_OK &&
                 buf_append(counts, d->values[top[i].id], d->lens[top[i].id]) == MO_OK &&
                 buf_append_str(counts, "\n") == MO_OK;
    }
    free(c);
    return ok;
}

/* ---- order ---- */

struct mi_hit {
    double rank; /* ts_rank (a float, exact as a double); else minus the place */
    uint32_t doc;
};

/* a before b: higher rank, then lower document number. */
static int mi_hit_before(const struct mi_hit *a, const struct mi_hit *b)
{
    return a->rank != b->rank ? a->rank > b->rank : a->doc < b->doc;
}

/* The best k of the hits offered, kept as a heap whose root is the worst. */
struct mi_top {
    struct mi_hit *h;
    size_t n, k;
};

static void mi_top_sift(struct mi_top *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < t->n && mi_hit_before(&t->h[w], &t->h[l]))
            w = l;
        if (r < t->n && mi_hit_before(&t->h[w], &t->h[r]))
            w = r;
        if (w == i)
            return;
        struct mi_hit x = t->h[i];
        t->h[i] = t->h[w];
        t->h[w] = x;
        i = w;
    }
}

static void mi_top_offer(struct mi_top *t, struct mi_hit hit)
{
    if (t->n < t->k) {
        size_t i = t->n++;
        t->h[i] = hit;
        while (i > 0 && mi_hit_before(&t->h[(i - 1) / 2], &t->h[i])) {
            struct mi_hit x = t->h[i];
            t->h[i] = t->h[(i - 1) / 2];
            t->h[(i - 1) / 2] = x;
            i = (i - 1) / 2;
        }
    } else if (t->k && mi_hit_before(&hit, &t->h[0])) {
        t->h[0] = hit;
        mi_top_sift(t, 0);
    }
}

static int mi_hit_cmp(const void *a, const void *b)
{
    return mi_hit_before(a, b) ? -1 : mi_hit_before(b, a) ? 1 : 0;
}

/* The ranks by ts_rank of the matches: each operand's postings walked
 * along the set bits. */
static int mi_rank_all(const struct memindex_snap *s, const struct tsq *q, const uint32_t *term_of,
                       const struct mi_set *m, struct mi_top *top)
{
    size_t n_ops = tsq_n_operands(q);
    uint32_t *k = calloc(n_ops ? n_ops : 1, sizeof *k);   /* posting reached */
    uint32_t *at = calloc(n_ops ? n_ops : 1, sizeof *at); /* its positions in the stream */
    struct tsq_pos *pos = calloc(n_ops ? n_ops : 1, sizeof *pos);
    if (!k || !at || !pos) {
        free(k);
        free(at);
        free(pos);
        return 0;
    }
    MI_EACH(m, doc, {
        for (size_t i = 0; i < n_ops; i++) {
            pos[i].n = 0;
            if (term_of[i] == UINT32_MAX)
                continue;
            const struct mi_term *t = &s->terms[term_of[i]];
            while (k[i] < t->n && t->docs[k[i]] < doc) {
                at[i] += 1u + t->pos[at[i]];
                k[i]++;
            }
            if (k[i] < t->n && t->docs[k[i]] == doc) {
                pos[i].n = t->pos[at[i]];
                pos[i].p = t->pos + at[i] + 1;
            }
        }
        /* PostgreSQL ranks an empty vector 0 before looking at the query */
        float rank = s->no_text[doc] ? 0.0f : tsq_rank(q, pos);
        mi_top_offer(top, (struct mi_hit){rank, doc});
    })
    free(k);
    free(at);
    free(pos);
    return 1;
}

/* The first hits in a precomputed order: walked along the order when the
 * matches are many, else the matches' places compared. */
static void mi_order_all(const struct memindex_snap *s, enum mi_order o, const struct mi_set *m,
                         size_t matched, struct mi_top *top)
{
    if (matched * 64 >= s->n) {
        for (uint32_t i = 0; i < s->n && top->n < top->k; i++) {
            uint32_t doc = s->order[o][i];
            if (m->w[doc / 64] >> (doc % 64) & 1)
                top->h[top->n++] = (struct mi_hit){-(double)i, doc};
        }
        return;
    }
    MI_EACH(m, doc, { mi_top_offer(top, (struct mi_hit){-(double)s->rank[o][doc], doc}); })
}

static enum mi_order mi_order_of(const struct search_request *r)
{
    if (r->sort == SEARCH_SORT_DATE)
        return r->desc ? MI_DATE_DESC : MI_DATE_ASC;
    if (r->sort == SEARCH_SORT_TITLE)
        return r->desc ? MI_TITLE_DESC : MI_TITLE_ASC;
    return MI_DATE_DESC; /* relevance without text: the most recent first */
}

/* ---- the whole ---- */

static mo_rc mi_query_text(const struct memindex_snap *s, const struct tsq *q, uint32_t **term_of,
                           struct mi_set *m)
{
    size_t n_ops = tsq_n_operands(q);
    *term_of = calloc(n_ops ? n_ops : 1, sizeof **term_of);
    if (!*term_of)
        return MO_ENOMEM;
    for (size_t i = 0; i < n_ops; i++) {
        size_t len;
        const char *lex = tsq_operand(q, i, &len);
        (*term_of)[i] = mi_dict_find(&s->lexemes, lex, len);
    }
    if (tsq_is_empty(q)) /* stop words only: nothing matches, as with @@ */
        return mi_set_new(m, s->n, 0) ? MO_OK : MO_ENOMEM;
    int rc = mi_eval(s, q, tsq_root(q), *term_of, m);
    return rc == 1 ? MO_OK : rc == 0 ? MO_ENOMEM : MO_ENOTFOUND;
}

mo_rc memindex_query(const struct memindex_snap *s, const struct memindex_query *q, long offset,
                     long limit, struct buf *counts, struct buf *ids, struct mo_err *err)
{
    const struct search_request *r = q->req;
    struct tsq *tq = NULL;
    struct mo_err ignored;
    uint32_t *term_of = NULL;
    struct mi_set m = {0};
    struct mi_top top = {0};
    mo_rc rc = MO_OK;
    if (offset < 0 || limit < 0 || offset > SEARCH_MAX_OFFSET || limit > SEARCH_MAX_OFFSET)
        return mo_fail(err, MO_EBADREQ, "page out of range");
    if (q->tsquery) {
        if (tsq_parse(q->tsquery, &tq, &ignored) != MO_OK || tsq_has_prefix_or_weights(tq)) {
            tsq_free(tq);
            return MO_ENOTFOUND;
        }
        rc = mi_query_text(s, tq, &term_of, &m);
    } else if (!mi_set_new(&m, s->n, 1)) {
        rc = MO_ENOMEM;
    }
    if (rc == MO_OK && !mi_filter(s, q, &m))
        rc = MO_ENOTFOUND;
    size_t matched = rc == MO_OK ? mi_set_count(&m) : 0;
    if (rc == MO_OK && (buf_printf(counts, "%zu 1\n", matched) != MO_OK ||
                        (r->facets && !mi_facets(s, &m, counts))))
        rc = MO_ENOMEM;
    top.k = (size_t)(offset + limit);
    if (rc == MO_OK && top.k && !(top.h = malloc(top.k * sizeof *top.h)))
        rc = MO_ENOMEM;
    if (rc == MO_OK && top.k) {
        if (tq && r->sort == SEARCH_SORT_RELEVANCE) {
            if (!mi_rank_all(s, tq, term_of, &m, &top))
                rc = MO_ENOMEM;
        } else {
            mi_order_all(s, mi_order_of(r), &m, matched, &top);
        }
    }
    if (rc == MO_OK) {
        if (top.n)
            qsort(top.h, top.n, sizeof *top.h, mi_hit_cmp);
        rc = buf_append_str(ids, "{");
        for (size_t i = (size_t)offset; i < top.n && rc == MO_OK; i++)
            rc = buf_printf(ids, "%s%lld", i > (size_t)offset ? "," : "",
                            (long long)s->record_id[top.h[i].doc]);
        if (rc == MO_OK)
            rc = buf_append_str(ids, "}");
    }
    free(top.h);
    free(m.w);
    free(term_of);
    tsq_free(tq);
    if (rc == MO_ENOMEM || rc == MO_ELIMIT)
        return mo_fail(err, MO_ENOMEM, "out of memory for a search");
    return rc;
}
