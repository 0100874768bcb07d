/*
 * memindex_build.c — a snapshot put together one document at a time
 * (memindex_internal.h): dictionaries of facet values and lexemes, per
 * document value lists, posting lists with their positions, then the date
 * and title orders sorted once at the end.
 */
#include "memindex_internal.h"

#include <stdlib.h>
#include <string.h>

#define MI_DICT_MIN 64 /* slots of a new dictionary */

struct mi_builder {
    struct memindex_snap *s;
    uint32_t cap_docs;
    uint32_t cap_terms;
    char **title_keys; /* by document, NULL when NULL; freed at the end */
};

/* ---- growing arrays ---- */

/* Makes *p hold at least need elements of size each (doubling). */
static int mi_grow(void **p, uint32_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 1;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    if (n > UINT32_MAX || n > SIZE_MAX / size)
        return 0;
    void *q = realloc(*p, n * size);
    if (!q)
        return 0;
    *p = q;
    *cap = (uint32_t)n;
    return 1;
}

static int mi_grow_size(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 1;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / size)
        return 0;
    void *q = realloc(*p, n * size);
    if (!q)
        return 0;
    *p = q;
    *cap = n;
    return 1;
}

/* ---- dictionaries ---- */

static uint32_t mi_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

uint32_t mi_dict_find(const struct mi_dict *d, const char *value, size_t len)
{
    if (!d->slots)
        return UINT32_MAX;
    for (uint32_t i = mi_hash(value, len) & d->mask;; i = (i + 1) & d->mask) {
        uint32_t id = d->slots[i];
        if (!id)
            return UINT32_MAX;
        if (d->lens[id - 1] == len && !memcmp(d->values[id - 1], value, len))
            return id - 1;
    }
}

static int mi_dict_rehash(struct mi_dict *d, uint32_t slots)
{
    uint32_t *t = calloc(slots, sizeof *t);
    if (!t)
        return 0;
    free(d->slots);
    d->slots = t;
    d->mask = slots - 1;
    for (uint32_t id = 0; id < d->n; id++) {
        uint32_t i = mi_hash(d->values[id], d->lens[id]) & d->mask;
        while (t[i])
            i = (i + 1) & d->mask;
        t[i] = id + 1;
    }
    return 1;
}

/* The id of value, added when new; UINT32_MAX when out of memory. */
static uint32_t mi_dict_add(struct mi_dict *d, const char *value, size_t len)
{
    uint32_t id = mi_dict_find(d, value, len);
    if (id != UINT32_MAX)
        return id;
    if (len > UINT32_MAX || d->n >= UINT32_MAX / 4)
        return UINT32_MAX;
    if (!d->slots || (d->n + 1) * 2 > d->mask + 1) { /* at most half full */
        uint32_t slots = d->slots ? (d->mask + 1) * 2 : MI_DICT_MIN;
        if (!mi_dict_rehash(d, slots))
            return UINT32_MAX;
    }
    uint32_t cap = d->cap;
    if (!mi_grow((void **)&d->values, &cap, d->n + 1, sizeof *d->values) ||
        !mi_grow((void **)&d->lens, &d->cap, d->n + 1, sizeof *d->lens))
        return UINT32_MAX;
    char *copy = malloc(len + 1);
    if (!copy)
        return UINT32_MAX;
    memcpy(copy, value, len);
    copy[len] = '\0';
    id = d->n++;
    d->values[id] = copy;
    d->lens[id] = (uint32_t)len;
    d->bytes += len + 1 + sizeof(char *) + sizeof(uint32_t) + 2 * sizeof(uint32_t);
    uint32_t i = mi_hash(value, len) & d->mask;
    while (d->slots[i])
        i = (i + 1) & d->mask;
    d->slots[i] = id + 1;
    return id;
}

static void mi_dict_free(struct mi_dict *d)
{
    for (uint32_t i = 0; i < d->n; i++)
        free(d->values[i]);
    free(d->values);
    free(d->lens);
    free(d->slots);
    memset(d, 0, sizeof *d);
}

/* ---- the snapshot ---- */

void memindex_snap_free(struct memindex_snap *s)
{
    if (!s)
        return;
    free(s->record_id);
    free(s->modified);
    free(s->t_end);
    free(s->t_start);
    free(s->bbox);
    free(s->has_bbox);
    free(s->no_text);
    for (int f = 0; f < SEARCH_FACET_COUNT; f++)
        mi_dict_free(&s->facet_dict[f]);
    free(s->values.off);
    free(s->values.ids);
    free(s->dense_of);
    free(s->dense);
    free(s->sparse.off);
    free(s->sparse.ids);
    for (uint32_t i = 0; i < s->lexemes.n; i++) {
        free(s->terms[i].docs);
        free(s->terms[i].pos);
    }
    free(s->terms);
    mi_dict_free(&s->lexemes);
    for (int o = 0; o < MI_ORDERS; o++) {
        free(s->order[o]);
        free(s->rank[o]);
    }
    free(s);
}

size_t memindex_snap_docs(const struct memindex_snap *s)
{
    return s->n;
}

void mi_builder_free(struct mi_builder *b)
{
    if (!b)
        return;
    for (uint32_t i = 0; b->title_keys && i < b->s->n; i++)
        free(b->title_keys[i]);
    free(b->title_keys);
    memindex_snap_free(b->s);
    free(b);
}

mo_rc mi_builder_new(struct mi_builder **out, struct mo_err *err)
{
    struct mi_builder *b = calloc(1, sizeof *b);
    if (b)
        b->s = calloc(1, sizeof *b->s);
    if (!b || !b->s) {
        free(b);
        return mo_fail(err, MO_ENOMEM, "out of memory for the search index");
    }
    if (!(b->s->values.off = calloc(1, sizeof(uint32_t)))) {
        mi_builder_free(b);
        return mo_fail(err, MO_ENOMEM, "out of memory for the search index");
    }
    *out = b;
    return MO_OK;
}

/* Room for one more document in every per-document array. */
static int mi_builder_room(struct mi_builder *b)
{
    struct memindex_snap *s = b->s;
    size_t need = (size_t)s->n + 1;
    if (need <= b->cap_docs)
        return 1;
    uint32_t n = b->cap_docs ? b->cap_docs * 2 : 1024;
    if (n < b->cap_docs)
        return 0;
    void *p;
#define MI_REALLOC(field, count)                                                                   \
    do {                                                                                           \
        p = realloc(field, (size_t)(count) * sizeof *(field));                                     \
        if (!p)                                                                                    \
            return 0;                                                                              \
        field = p;                                                                                 \
    } while (0)
    MI_REALLOC(s->record_id, n);
    MI_REALLOC(s->modified, n);
    MI_REALLOC(s->t_end, n);
    MI_REALLOC(s->t_start, n);
    MI_REALLOC(s->bbox, (size_t)n * 4);
    MI_REALLOC(s->has_bbox, n);
    MI_REALLOC(s->no_text, n);
    MI_REALLOC(b->title_keys, n);
    MI_REALLOC(s->values.off, (size_t)n + 1);
#undef MI_REALLOC
    b->cap_docs = n;
    return 1;
}

static int64_t mi_coalesce(int64_t a, int64_t b, int64_t c)
{
    return a != MEMINDEX_NULL ? a : b != MEMINDEX_NULL ? b : c;
}

/* Adds the postings of d (document number doc). */
static int mi_builder_text(struct mi_builder *b, uint32_t doc, const struct mi_doc *d)
{
    struct memindex_snap *s = b->s;
    for (size_t i = 0; i < d->n_lexemes; i++) {
        /* room for a new lexeme's term first: the snapshot's free walks
         * every lexeme of the dictionary */
        if (!mi_grow((void **)&s->terms, &b->cap_terms, (size_t)s->lexemes.n + 1, sizeof *s->terms))
            return 0;
        memset(&s->terms[s->lexemes.n], 0, sizeof *s->terms);
        uint32_t id = mi_dict_add(&s->lexemes, d->lexemes[i].p, d->lexemes[i].len);
        if (id == UINT32_MAX)
            return 0;
        struct mi_term *t = &s->terms[id];
        uint16_t n = d->n_positions[i];
        if (!mi_grow((void **)&t->docs, &t->cap, (size_t)t->n + 1, sizeof *t->docs) ||
            !mi_grow((void **)&t->pos, &t->cap_pos, (size_t)t->npos + 1 + n, sizeof *t->pos))
            return 0;
        t->docs[t->n++] = doc;
        t->pos[t->npos++] = n;
        memcpy(t->pos + t->npos, d->positions[i], (size_t)n * sizeof *t->pos);
        t->npos += n;
        s->postings++;
    }
    return 1;
}

mo_rc mi_builder_add(struct mi_builder *b, const struct mi_doc *d, struct mo_err *err)
{
    struct memindex_snap *s = b->s;
    if (s->n == UINT32_MAX - 1 || !mi_builder_room(b))
        return mo_fail(err, MO_ENOMEM, "out of memory for the search index (%u entries)", s->n);
    uint32_t doc = s->n;
    s->record_id[doc] = d->record_id;
    s->modified[doc] = d->modified;
    s->t_end[doc] = mi_coalesce(d->temporal_to, d->temporal_from, d->modified);
    s->t_start[doc] = mi_coalesce(d->temporal_from, d->modified, MEMINDEX_NULL);
    s->has_bbox[doc] = (uint8_t)(d->has_bbox != 0);
    s->no_text[doc] = (uint8_t)(d->n_lexemes == 0);
    memcpy(s->bbox + (size_t)doc * 4, d->bbox, sizeof d->bbox);
    b->title_keys[doc] = NULL;
    s->n++; /* from here, mi_builder_free frees the title key */
    if (d->title_key && !(b->title_keys[doc] = strndup(d->title_key, d->title_key_len)))
        return mo_fail(err, MO_ENOMEM, "out of memory for the search index");
    struct mi_lists *l = &s->values;
    for (int f = 0; f < SEARCH_FACET_COUNT; f++) {
        if (!mi_grow_size((void **)&l->ids, &l->cap, l->n + d->n_values[f], sizeof *l->ids))
            return mo_fail(err, MO_ENOMEM, "out of memory for the search index");
        for (size_t i = 0; i < d->n_values[f]; i++) {
            uint32_t id = mi_dict_add(&s->facet_dict[f], d->values[f][i].p, d->values[f][i].len);
            if (id == UINT32_MAX)
                return mo_fail(err, MO_ENOMEM, "out of memory for the search index");
            if (id >> MI_TAG_SHIFT)
                return mo_fail(err, MO_ELIMIT, "too many %s values for the search index",
                               search_facet_name(f));
            l->ids[l->n++] = MI_TAG(f, id);
        }
    }
    if (l->n > UINT32_MAX)
        return mo_fail(err, MO_ELIMIT, "too many facet values for the search index");
    l->off[doc + 1] = (uint32_t)l->n;
    if (!mi_builder_text(b, doc, d))
        return mo_fail(err, MO_ENOMEM, "out of memory for the search index");
    return MO_OK;
}

/* ---- the orders ---- */

/* qsort has no context argument: the keys being sorted, per thread. */
static _Thread_local const struct mi_builder *mi_sorting;

/* Dates ascending, NULLS LAST, then the document's number (its
 * identifier). */
static int mi_sort_date_asc(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    int64_t x = mi_sorting->s->modified[a], y = mi_sorting->s->modified[b];
    if (x != y) {
        if (x == MEMINDEX_NULL || y == MEMINDEX_NULL)
            return x == MEMINDEX_NULL ? 1 : -1;
        return x < y ? -1 : 1;
    }
    return a < b ? -1 : a > b;
}

/* Title keys ascending (bytes: the C.UTF-8 collation), NULLS LAST, then the
 * document's number. */
static int mi_sort_title_asc(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    const char *x = mi_sorting->title_keys[a], *y = mi_sorting->title_keys[b];
    if (x != y && (!x || !y))
        return !x ? 1 : -1;
    int c = x ? strcmp(x, y) : 0;
    if (c)
        return c;
    return a < b ? -1 : a > b;
}

/* Whether documents a and b have the same key (both NULL included). */
static int mi_same_key(const struct mi_builder *b, int title, uint32_t x, uint32_t y)
{
    if (!title)
        return b->s->modified[x] == b->s->modified[y];
    const char *p = b->title_keys[x], *q = b->title_keys[y];
    return p == q || (p && q && !strcmp(p, q));
}

/* The descending order from the ascending one (sorting again would double
 * the build's longest step, the title sort): the keys reversed, NULLs
 * still last, and within equal keys the identifiers still ascending. */
static void mi_order_desc(const struct mi_builder *b, int title, const uint32_t *asc,
                          uint32_t *desc)
{
    uint32_t n = b->s->n, nonnull = n;
    while (nonnull > 0 && (title ? b->title_keys[asc[nonnull - 1]] == NULL
                                 : b->s->modified[asc[nonnull - 1]] == MEMINDEX_NULL))
        nonnull--;
    uint32_t at = 0;
    for (uint32_t end = nonnull; end > 0;) { /* runs of equal keys, from the greatest */
        uint32_t start = end - 1;
        while (start > 0 && mi_same_key(b, title, asc[start - 1], asc[end - 1]))
            start--;
        for (uint32_t i = start; i < end; i++)
            desc[at++] = asc[i];
        end = start;
    }
    for (uint32_t i = nonnull; i < n; i++)
        desc[at++] = asc[i];
}

static int mi_builder_orders(struct mi_builder *b)
{
    struct memindex_snap *s = b->s;
    size_t n = s->n ? s->n : 1;
    for (int o = 0; o < MI_ORDERS; o++) {
        s->order[o] = malloc(n * sizeof *s->order[o]);
        s->rank[o] = malloc(n * sizeof *s->rank[o]);
        if (!s->order[o] || !s->rank[o])
            return 0;
    }
    mi_sorting = b;
    for (uint32_t i = 0; i < s->n; i++)
        s->order[MI_DATE_ASC][i] = s->order[MI_TITLE_ASC][i] = i;
    qsort(s->order[MI_DATE_ASC], s->n, sizeof(uint32_t), mi_sort_date_asc);
    qsort(s->order[MI_TITLE_ASC], s->n, sizeof(uint32_t), mi_sort_title_asc);
    mi_sorting = NULL;
    mi_order_desc(b, 0, s->order[MI_DATE_ASC], s->order[MI_DATE_DESC]);
    mi_order_desc(b, 1, s->order[MI_TITLE_ASC], s->order[MI_TITLE_DESC]);
    for (int o = 0; o < MI_ORDERS; o++)
        for (uint32_t i = 0; i < s->n; i++)
            s->rank[o][s->order[o][i]] = i;
    return 1;
}

/* The bit sets of the frequent values and the per-document lists of the
 * others (memindex_internal.h). */
static int mi_builder_dense(struct memindex_snap *s)
{
    size_t total = s->facet_base[SEARCH_FACET_COUNT];
    uint32_t *docs = calloc(total + 1, sizeof *docs);
    uint8_t *twice = calloc(total + 1, 1);
    int ok = docs && twice && (s->dense_of = calloc(total + 1, sizeof *s->dense_of)) &&
             (s->sparse.off = calloc((size_t)s->n + 1, sizeof *s->sparse.off));
    const struct mi_lists *l = &s->values;
    for (uint32_t doc = 0; ok && doc < s->n; doc++)
        for (uint32_t k = l->off[doc]; k < l->off[doc + 1]; k++) {
            docs[l->ids[k]]++;
            for (uint32_t j = l->off[doc]; j < k; j++) /* a run is a few values */
                if (l->ids[j] == l->ids[k])
                    twice[l->ids[k]] = 1;
        }
    for (size_t v = 0; ok && v < total; v++)
        if (!twice[v] && docs[v] && (uint64_t)docs[v] * MI_DENSE_SHARE >= s->n)
            s->dense_of[v] = ++s->n_dense;
    s->dense_words = ((size_t)s->n + 63) / 64;
    if (ok && s->n_dense)
        ok = (s->dense = calloc(s->n_dense * s->dense_words, sizeof *s->dense)) != NULL;
    size_t n_sparse = 0;
    for (size_t i = 0; ok && i < l->n; i++)
        n_sparse += !s->dense_of[l->ids[i]];
    if (ok)
        ok = (s->sparse.ids = malloc((n_sparse ? n_sparse : 1) * sizeof *s->sparse.ids)) != NULL;
    for (uint32_t doc = 0; ok && doc < s->n; doc++) {
        for (uint32_t k = l->off[doc]; k < l->off[doc + 1]; k++) {
            uint32_t v = l->ids[k], d = s->dense_of[v];
            if (d)
                s->dense[(size_t)(d - 1) * s->dense_words + doc / 64] |= UINT64_C(1) << (doc % 64);
            else
                s->sparse.ids[s->sparse.n++] = v;
        }
        s->sparse.off[doc + 1] = (uint32_t)s->sparse.n;
    }
    free(docs);
    free(twice);
    return ok;
}

static size_t mi_snap_bytes(const struct memindex_snap *s)
{
    size_t n = s->n, bytes = sizeof *s + n * (4 * sizeof(int64_t) + 4 * sizeof(double) + 2);
    bytes += n * MI_ORDERS * 2 * sizeof(uint32_t);
    for (int f = 0; f < SEARCH_FACET_COUNT; f++)
        bytes += s->facet_dict[f].bytes;
    bytes += (n + 1 + s->values.n) * sizeof(uint32_t);
    bytes += (n + 1 + s->sparse.n + s->facet_base[SEARCH_FACET_COUNT]) * sizeof(uint32_t);
    bytes += (size_t)s->n_dense * s->dense_words * sizeof(uint64_t);
    bytes += s->lexemes.bytes + (size_t)s->lexemes.n * sizeof(struct mi_term);
    for (uint32_t i = 0; i < s->lexemes.n; i++)
        bytes +=
            (size_t)s->terms[i].n * sizeof(uint32_t) + (size_t)s->terms[i].npos * sizeof(uint16_t);
    return bytes;
}

mo_rc mi_builder_end(struct mi_builder *b, long long generation, struct memindex_snap **out,
                     struct mo_err *err)
{
    if (!mi_builder_orders(b)) {
        mi_builder_free(b);
        return mo_fail(err, MO_ENOMEM, "out of memory for the search index's orders");
    }
    struct memindex_snap *s = b->s;
    uint64_t total = 0;
    for (int f = 0; f < SEARCH_FACET_COUNT; f++) {
        s->facet_base[f] = (uint32_t)total;
        total += s->facet_dict[f].n;
    }
    if (total > UINT32_MAX) {
        mi_builder_free(b);
        return mo_fail(err, MO_ELIMIT, "too many facet values for the search index");
    }
    s->facet_base[SEARCH_FACET_COUNT] = (uint32_t)total;
    for (size_t i = 0; i < s->values.n; i++) {
        uint32_t v = s->values.ids[i];
        s->values.ids[i] = s->facet_base[v >> MI_TAG_SHIFT] + (v & ((1u << MI_TAG_SHIFT) - 1));
    }
    if (!mi_builder_dense(s)) {
        mi_builder_free(b);
        return mo_fail(err, MO_ENOMEM, "out of memory for the search index's facets");
    }
    s->generation = generation;
    s->bytes = mi_snap_bytes(s);
    atomic_init(&s->refs, 1);
    b->s = NULL;
    for (uint32_t i = 0; i < s->n; i++)
        free(b->title_keys[i]);
    free(b->title_keys);
    free(b);
    *out = s;
    return MO_OK;
}
