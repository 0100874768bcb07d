/*
 * tsq.c — a tsquery's text read into a tree, evaluated and ranked as
 * PostgreSQL 15 does it (tsq.h); a tsvector's binary value read.
 *
 * The rank is a port of src/backend/utils/adt/tsrank.c (calc_rank,
 * calc_rank_or, calc_rank_and, word_distance, SortAndUniqItems), checked
 * against the server's own code (its LLVM bitcode,
 * lib/bitcode/postgres/utils/adt/tsrank.bc, and tests/unit/test_tsq.c,
 * which compares every value with ts_rank's).  It must be exact, not
 * close: the in-memory index orders by it, then by identifier, and must
 * give the SQL's order, ties included.  So each float operation is done in
 * the type and order the C source does it (x86-64: float stays float,
 * FLT_EVAL_METHOD 0), and no multiply-add is fused (the server's x86-64
 * build has none).  Needs no libm: the two functions ts_rank takes from it
 * are exact here without it (word_distance a table, the square root
 * computed exactly), so the values do not depend on the libm either.
 */
#include "tsq.h"

#include <stdlib.h>
#include <string.h>

struct tsq {
    struct tsq_node *nodes; /* post-order: the root last */
    size_t n_nodes;
    struct tsq_lexeme *operands; /* distinct lexemes in byte order */
    size_t n_operands;
    char *lexemes; /* the lexemes' text, each NUL-terminated */
    int has_phrase;
    int has_prefix_or_weights;
    float *pair_rank; /* calc_rank_and's term per weights and distance; NULL
                         when the query does not rank as AND */
};

/* ---- parsing ---- */

#define TSQ_QUOTED_MAX 120 /* bytes of the text quoted in a message */
#define TSQ_STR(x) #x
#define TSQ_XSTR(x) TSQ_STR(x)

struct tsq_parser {
    const char *text;
    size_t at; /* the next byte to read */
    int depth;
    size_t cap_nodes;
    struct tsq *q;
    struct tsq_lexeme *lex; /* per node: the lexeme of a LEXEME node */
    char *lex_end;          /* where the next lexeme's text goes */
    struct mo_err *err;
    mo_rc rc;
};

/* Records the first failure; returns -1 (the parse functions' "no node"). */
static int tsq_fail(struct tsq_parser *ps, mo_rc rc, const char *what)
{
    if (ps->rc == MO_OK) {
        size_t n = strlen(ps->text), shown = n;
        if (shown > TSQ_QUOTED_MAX) /* cut at a character's start */
            for (shown = TSQ_QUOTED_MAX; shown && (ps->text[shown] & 0xc0) == 0x80; shown--)
                ;
        ps->rc = mo_fail(ps->err, rc, "could not read tsquery \"%.*s%s\": %s at byte %zu",
                         (int)shown, ps->text, shown < n ? "…" : "", what, ps->at);
    }
    return -1;
}

static char tsq_peek(struct tsq_parser *ps)
{
    const char *c = ps->text + ps->at;
    while (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
        c++;
    ps->at = (size_t)(c - ps->text);
    return *c;
}

static int tsq_add_node(struct tsq_parser *ps, enum tsq_kind kind, int left, int right)
{
    struct tsq *q = ps->q;
    if (q->n_nodes >= ps->cap_nodes)
        return tsq_fail(ps, MO_ELIMIT, "more than " TSQ_XSTR(TSQ_MAX_NODES) " nodes");
    struct tsq_node *n = &q->nodes[q->n_nodes];
    *n = (struct tsq_node){.kind = kind, .left = left, .right = right, .operand = -1};
    if (kind == TSQ_PHRASE)
        q->has_phrase = 1;
    return (int)q->n_nodes++;
}

/* ':*' and ':ABCD' after a lexeme (any order and case, as tsquery_in). */
static int tsq_parse_flags(struct tsq_parser *ps, struct tsq_node *n)
{
    size_t start = ++ps->at; /* past ':' */
    for (;; ps->at++) {
        char c = ps->text[ps->at];
        if (c == '*')
            n->prefix = 1;
        else if (c == 'A' || c == 'a')
            n->weights |= TSQ_WEIGHT_A;
        else if (c == 'B' || c == 'b')
            n->weights |= TSQ_WEIGHT_B;
        else if (c == 'C' || c == 'c')
            n->weights |= TSQ_WEIGHT_C;
        else if (c == 'D' || c == 'd')
            n->weights |= TSQ_WEIGHT_D;
        else
            break;
    }
    if (ps->at == start)
        return tsq_fail(ps, MO_EBADREQ, "expected '*' or a weight after ':'");
    if (n->prefix || n->weights)
        ps->q->has_prefix_or_weights = 1;
    return 0;
}

/* A quoted lexeme: '' stands for a quote, a backslash for the byte after
 * it (tsqueryout doubles both). */
static int tsq_parse_lexeme(struct tsq_parser *ps)
{
    char *start = ps->lex_end, *out = start;
    ps->at++; /* past the opening quote */
    for (;;) {
        char c = ps->text[ps->at];
        if (c == '\'' && ps->text[ps->at + 1] != '\'')
            break;
        if (c == '\0' || (c == '\\' && ps->text[ps->at + 1] == '\0'))
            return tsq_fail(ps, MO_EBADREQ, "unterminated lexeme");
        if (c == '\'' || c == '\\')
            ps->at++;
        if (out - start >= TSQ_MAX_LEXEME)
            return tsq_fail(ps, MO_ELIMIT, "lexeme longer than " TSQ_XSTR(TSQ_MAX_LEXEME) " bytes");
        *out++ = ps->text[ps->at++];
    }
    ps->at++; /* past the closing quote */
    if (out == start)
        return tsq_fail(ps, MO_EBADREQ, "empty lexeme");
    *out = '\0';
    int i = tsq_add_node(ps, TSQ_LEXEME, -1, -1);
    if (i < 0)
        return -1;
    ps->lex[i] = (struct tsq_lexeme){start, (size_t)(out - start)};
    ps->lex_end = out + 1;
    if (ps->text[ps->at] == ':' && tsq_parse_flags(ps, &ps->q->nodes[i]) < 0)
        return -1;
    return i;
}

static int tsq_parse_or(struct tsq_parser *ps);
static int tsq_parse_unary(struct tsq_parser *ps);

/* '!' or '(' one level deeper. */
static int tsq_parse_nested(struct tsq_parser *ps, char c)
{
    if (ps->depth >= TSQ_MAX_DEPTH)
        return tsq_fail(ps, MO_ELIMIT, "more than " TSQ_XSTR(TSQ_MAX_DEPTH) " nested levels");
    ps->depth++;
    ps->at++;
    int i = c == '!' ? tsq_parse_unary(ps) : tsq_parse_or(ps);
    if (i >= 0 && c == '!')
        i = tsq_add_node(ps, TSQ_NOT, i, -1);
    else if (i >= 0 && tsq_peek(ps) != ')')
        i = tsq_fail(ps, MO_EBADREQ, "expected ')'");
    else if (i >= 0)
        ps->at++;
    ps->depth--;
    return i;
}

/* unary: '!' unary | '(' or ')' | lexeme */
static int tsq_parse_unary(struct tsq_parser *ps)
{
    char c = tsq_peek(ps);
    if (c == '!' || c == '(')
        return tsq_parse_nested(ps, c);
    if (c == '\'')
        return tsq_parse_lexeme(ps);
    return tsq_fail(ps, MO_EBADREQ,
                    c ? "expected a quoted lexeme, '!' or '('" : "unexpected end of text");
}

/* '<->' or '<N>' (ps->at on '<'): the distance, or -1. */
static long tsq_parse_distance(struct tsq_parser *ps)
{
    const char *s = ps->text + ps->at + 1;
    long d = 0;
    if (s[0] == '-' && s[1] == '>') {
        ps->at += 3;
        return 1;
    }
    size_t k = 0;
    while (s[k] >= '0' && s[k] <= '9' && k < 6)
        d = d * 10 + (s[k++] - '0');
    if (k == 0 || s[k] != '>' || d > TSQ_MAX_DISTANCE) {
        tsq_fail(ps, MO_EBADREQ,
                 "expected <-> or <N> with N from 0 to " TSQ_XSTR(TSQ_MAX_DISTANCE));
        return -1;
    }
    ps->at += k + 2;
    return d;
}

/* phrase: unary { ('<->' | '<N>') unary }, left to right as tsqueryout
 * writes it (a phrase on the right of another gets parentheses). */
static int tsq_parse_phrase(struct tsq_parser *ps)
{
    int left = tsq_parse_unary(ps);
    while (left >= 0 && tsq_peek(ps) == '<') {
        long d = tsq_parse_distance(ps);
        int right = d < 0 ? -1 : tsq_parse_unary(ps);
        left = right < 0 ? -1 : tsq_add_node(ps, TSQ_PHRASE, left, right);
        if (left >= 0)
            ps->q->nodes[left].distance = (unsigned)d;
    }
    return left;
}

/* and: phrase { '&' phrase }; or: and { '|' and }.  Priorities as
 * tsqueryout's: ! above <-> above & above |. */
static int tsq_parse_and(struct tsq_parser *ps)
{
    int left = tsq_parse_phrase(ps);
    while (left >= 0 && tsq_peek(ps) == '&') {
        ps->at++;
        int right = tsq_parse_phrase(ps);
        left = right < 0 ? -1 : tsq_add_node(ps, TSQ_AND, left, right);
    }
    return left;
}

static int tsq_parse_or(struct tsq_parser *ps)
{
    int left = tsq_parse_and(ps);
    while (left >= 0 && tsq_peek(ps) == '|') {
        ps->at++;
        int right = tsq_parse_and(ps);
        left = right < 0 ? -1 : tsq_add_node(ps, TSQ_OR, left, right);
    }
    return left;
}

/* ---- the operands ---- */

struct tsq_occurrence {
    struct tsq_lexeme lex;
    int node;
};

/* tsCompareString(a, b, prefix = false) of tsvector_op.c: memcmp over the
 * shorter length, then the shorter first — the order of SortAndUniqItems
 * and of a tsvector's lexemes. */
static int tsq_lexeme_cmp(const struct tsq_lexeme *a, const struct tsq_lexeme *b)
{
    int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int tsq_occurrence_cmp(const void *va, const void *vb)
{
    const struct tsq_occurrence *a = va, *b = vb;
    int c = tsq_lexeme_cmp(&a->lex, &b->lex);
    return c ? c : (a->node > b->node) - (a->node < b->node);
}

/* The operand list as ts_rank builds it (SortAndUniqItems): every lexeme
 * of the query, under NOT too, sorted, duplicates dropped (compared on
 * the text alone, so 'a', 'a':* and 'a':B are one operand). */
static mo_rc tsq_number_operands(struct tsq_parser *ps)
{
    struct tsq *q = ps->q;
    struct tsq_occurrence *occ = malloc((q->n_nodes ? q->n_nodes : 1) * sizeof *occ);
    size_t n = 0;
    if (!occ)
        return mo_fail(ps->err, MO_ENOMEM, "out of memory for a tsquery");
    for (size_t i = 0; i < q->n_nodes; i++)
        if (q->nodes[i].kind == TSQ_LEXEME)
            occ[n++] = (struct tsq_occurrence){ps->lex[i], (int)i};
    qsort(occ, n, sizeof *occ, tsq_occurrence_cmp);
    q->operands = malloc((n ? n : 1) * sizeof *q->operands);
    if (!q->operands) {
        free(occ);
        return mo_fail(ps->err, MO_ENOMEM, "out of memory for a tsquery");
    }
    for (size_t k = 0; k < n; k++) {
        if (k == 0 || tsq_lexeme_cmp(&occ[k].lex, &q->operands[q->n_operands - 1]) != 0)
            q->operands[q->n_operands++] = occ[k].lex;
        q->nodes[occ[k].node].operand = (int)q->n_operands - 1;
    }
    free(occ);
    return MO_OK;
}

/* ---- the rank ---- */

/* The default weights of ts_rank, indexed by a WordEntryPos's weight
 * (D, C, B, A): tsrank.c's weights[]. */
static const float tsq_weights[4] = {0.1f, 0.2f, 0.4f, 1.0f};

/* tsrank.c's word_distance(w) for w = 1 to 100, the float of
 * 1.0 / (1.005 + 0.05 * exp((float) w / 1.5 - 2)) computed in double;
 * above 100 it is 1e-30f.  A table, not exp(): no libm, and the same
 * values whatever the libm.  Made with glibc's exp and checked against the
 * server's own arithmetic (SELECT (1.0::float8 / (1.005::float8 + 0.05 *
 * exp(d::float4::float8 / 1.5 - 2)))::float4), equal for every d.  Index
 * 0 is unused: a distance is never 0 here. */
/* clang-format off */
static const float tsq_word_distance[101] = {
    0.0f,            0x1.f6dbaep-1f,  0x1.f0c38ap-1f,  0x1.e54edcp-1f,  0x1.d07262p-1f,
    0x1.ac90cp-1f,   0x1.74830ap-1f,  0x1.28e194p-1f,  0x1.a97ff8p-2f,  0x1.122b8cp-2f,
    0x1.43f0f6p-3f,  0x1.688528p-4f,  0x1.82d852p-5f,  0x1.969d8ep-6f,  0x1.a6a7fap-7f,
    0x1.b4c0aep-8f,  0x1.c1f05cp-9f,  0x1.ceca2p-10f,  0x1.db9e66p-11f, 0x1.e8992ep-12f,
    0x1.f5d2eap-13f, 0x1.01acd4p-13f, 0x1.089b04p-14f, 0x1.0fb6e4p-15f, 0x1.170294p-16f,
    0x1.1e7fdap-17f, 0x1.26304cp-18f, 0x1.2e1568p-19f, 0x1.3630aep-20f, 0x1.3e8398p-21f,
    0x1.470facp-22f, 0x1.4fd674p-23f, 0x1.58d986p-24f, 0x1.621a7ep-25f, 0x1.6b9b08p-26f,
    0x1.755cd8p-27f, 0x1.7f61aep-28f, 0x1.89ab58p-29f, 0x1.943bbp-30f,  0x1.9f1498p-31f,
    0x1.aa3804p-32f, 0x1.b5a7f4p-33f, 0x1.c16676p-34f, 0x1.cd75a4p-35f, 0x1.d9d7aap-36f,
    0x1.e68ec2p-37f, 0x1.f39d32p-38f, 0x1.0082aap-38f, 0x1.0764c8p-39f, 0x1.0e762ep-40f,
    0x1.15b822p-41f, 0x1.1d2bf2p-42f, 0x1.24d2f2p-43f, 0x1.2cae86p-44f, 0x1.34c014p-45f,
    0x1.3d090ep-46f, 0x1.458af4p-47f, 0x1.4e474ap-48f, 0x1.573fa2p-49f, 0x1.60759ap-50f,
    0x1.69ead8p-51f, 0x1.73a11p-52f,  0x1.7d99fep-53f, 0x1.87d76ep-54f, 0x1.925b36p-55f,
    0x1.9d2738p-56f, 0x1.a83d68p-57f, 0x1.b39fcp-58f,  0x1.bf504cp-59f, 0x1.cb5126p-60f,
    0x1.d7a474p-61f, 0x1.e44c6ep-62f, 0x1.f14b5ap-63f, 0x1.fea38cp-64f, 0x1.062bb6p-64f,
    0x1.0d34b4p-65f, 0x1.146e08p-66f, 0x1.1bd8fcp-67f, 0x1.2376e6p-68f, 0x1.2b4922p-69f,
    0x1.335118p-70f, 0x1.3b903ap-71f, 0x1.440802p-72f, 0x1.4cb9f6p-73f, 0x1.55a7a6p-74f,
    0x1.5ed2aap-75f, 0x1.683cacp-76f, 0x1.71e756p-77f, 0x1.7bd46ap-78f, 0x1.8605aep-79f,
    0x1.907cf6p-80f, 0x1.9b3c24p-81f, 0x1.a64526p-82f, 0x1.b199f6p-83f, 0x1.bd3c9ep-84f,
    0x1.c92f32p-85f, 0x1.d573dap-86f, 0x1.e20ccap-87f, 0x1.eefc44p-88f, 0x1.fc4498p-89f,
    0x1.04f416p-89f,
};
/* clang-format on */

#define TSQ_DISTANCES 101 /* pair_rank's distance classes: 1 to 100, 0 for above */

static uint32_t tsq_float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float tsq_bits_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The square root of x (a positive normal float) rounded to the nearest
 * float: what calc_rank_and's (float) sqrt((double) x) gives (a double
 * holds more than twice a float's bits, so rounding twice is rounding
 * once), without libm.  Newton's iteration in double from a guess within
 * a few percent comes within an ulp; then the float whose rounding
 * interval holds sqrt(x) is found exactly: a midpoint between two floats
 * has 25 significant bits and its square 50, exact in a double (no tie is
 * possible: such a square never has only 24). */
static float tsq_sqrtf(float x)
{
    double d = x;
    double y = tsq_bits_float((tsq_float_bits(x) >> 1) + 0x1fc00000u);
    for (int i = 0; i < 5; i++)
        y = 0.5 * (y + d / y);
    float r = (float)y;
    for (int i = 0; i < 4; i++) {
        uint32_t u = tsq_float_bits(r);
        double hi = ((double)r + (double)tsq_bits_float(u + 1)) * 0.5;
        double lo = ((double)r + (double)tsq_bits_float(u - 1)) * 0.5;
        if (hi * hi < d)
            r = tsq_bits_float(u + 1);
        else if (lo * lo > d)
            r = tsq_bits_float(u - 1);
        else
            break;
    }
    return r;
}

/* calc_rank_and's term for two positions of weights wa and wb at distance
 * class c: sqrt(w[wa] * w[wb] * word_distance(dist)), the products in
 * float left to right.  Only 4 x 4 x 101 values: computed once per query. */
static float *tsq_pair_table(void)
{
    float *t = malloc(4 * 4 * TSQ_DISTANCES * sizeof *t);
    if (!t)
        return NULL;
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
            for (int c = 0; c < TSQ_DISTANCES; c++) {
                float wd = c ? tsq_word_distance[c] : 1e-30f;
                float prod = tsq_weights[a] * tsq_weights[b];
                t[(a * 4 + b) * TSQ_DISTANCES + c] = tsq_sqrtf(prod * wd);
            }
    return t;
}

/* a * b rounded before anything is added to it: kept out of a fused
 * multiply-add, which the compiler may form from 1.0 - a * b on a target
 * that has one (the server's x86-64 build has none).  Where the target has
 * none either, there is nothing to keep it from (and volatile would cost
 * a third of the AND rank's time). */
static double tsq_product(double a, double b)
{
#if defined(__x86_64__) && !defined(__FMA__) && !defined(__FMA4__)
    double p = a * b;
#else
    volatile double p = a * b;
#endif
    return p;
}

/* calc_rank_or: per operand present, the sum of its weights over the
 * squares of their ranks j + 1 with the largest weight counted as first,
 * over pi^2/6; the mean over all operands (absent ones too).  Float
 * arithmetic but for the division by 1.64493406685 and the sum, in double
 * (a double constant), rounded to float at each step. */
static float tsq_rank_or(const struct tsq *q, const struct tsq_pos *pos)
{
    float res = 0.0f;
    for (size_t i = 0; i < q->n_operands; i++) {
        float resj = 0.0f, wjm = -1.0f;
        int jm = 0;
        if (!pos[i].n)
            continue;
        for (int j = 0; j < (int)pos[i].n; j++) {
            float w = tsq_weights[TSQ_POS_WEIGHT(pos[i].p[j])];
            resj = resj + w / (float)((j + 1) * (j + 1));
            if (w > wjm) {
                wjm = w;
                jm = j;
            }
        }
        float term = wjm + resj - wjm / (float)((jm + 1) * (jm + 1));
        res = (float)((double)res + (double)term / 1.64493406685);
    }
    if (q->n_operands > 0)
        res = res / (float)q->n_operands;
    return res;
}

/* calc_rank_and: every pair of positions of two distinct operands present
 * (operand i against each earlier operand k, positions of i outer, of k
 * inner), at a distance other than 0, combined as 1 - prod(1 - term), in
 * double rounded to float at each step; -1 when no pair. */
static float tsq_rank_and(const struct tsq *q, const struct tsq_pos *pos)
{
    float res = -1.0f;
    for (size_t i = 1; i < q->n_operands; i++) {
        const struct tsq_pos *pi = &pos[i];
        for (size_t k = 0; k < i && pi->n; k++) {
            const struct tsq_pos *pk = &pos[k];
            for (unsigned l = 0; l < pi->n; l++) {
                int at = (int)TSQ_POS_POS(pi->p[l]);
                const float *row = q->pair_rank + TSQ_POS_WEIGHT(pi->p[l]) * 4 * TSQ_DISTANCES;
                for (unsigned p = 0; p < pk->n; p++) {
                    int dist = abs(at - (int)TSQ_POS_POS(pk->p[p]));
                    if (dist == 0) /* two lexemes at one position: not a pair */
                        continue;
                    float curw = row[TSQ_POS_WEIGHT(pk->p[p]) * TSQ_DISTANCES +
                                     (dist < TSQ_DISTANCES ? dist : 0)];
                    res = res < 0 ? curw : (float)(1.0 - tsq_product(1.0 - res, 1.0 - curw));
                }
            }
        }
    }
    return res;
}

float tsq_rank(const struct tsq *q, const struct tsq_pos *pos)
{
    if (!q->n_nodes)
        return 0.0f;
    /* calc_rank: AND ranking when the root is & or a phrase (and there are
     * two operands at least), OR ranking else — NOT included. */
    float res = q->pair_rank ? tsq_rank_and(q, pos) : tsq_rank_or(q, pos);
    if (res < 0)
        res = 1e-20f;
    return res;
}

int tsq_matches(const struct tsq *q, const int *present)
{
    unsigned char v[TSQ_MAX_NODES];
    if (q->has_phrase)
        return -1;
    for (size_t i = 0; i < q->n_nodes; i++) { /* post-order: children first */
        const struct tsq_node *n = &q->nodes[i];
        switch (n->kind) {
        case TSQ_LEXEME:
            v[i] = present[n->operand] != 0;
            break;
        case TSQ_NOT:
            v[i] = !v[n->left];
            break;
        case TSQ_AND:
            v[i] = v[n->left] && v[n->right];
            break;
        default: /* TSQ_OR */
            v[i] = v[n->left] || v[n->right];
            break;
        }
    }
    return q->n_nodes ? v[q->n_nodes - 1] : 0;
}

/* ---- the query ---- */

mo_rc tsq_parse(const char *text, struct tsq **out, struct mo_err *err)
{
    size_t len = strlen(text);
    struct tsq_parser ps = {.text = text, .err = err};
    *out = NULL;
    if (len > TSQ_MAX_TEXT)
        return mo_fail(err, MO_ELIMIT, "tsquery longer than %d bytes", TSQ_MAX_TEXT);
    struct tsq *q = ps.q = calloc(1, sizeof *q);
    /* every node takes a byte of text at least, a lexeme's text at most
     * the bytes it is written with */
    ps.cap_nodes = len < TSQ_MAX_NODES ? len : TSQ_MAX_NODES;
    if (q) {
        q->nodes = malloc((ps.cap_nodes ? ps.cap_nodes : 1) * sizeof *q->nodes);
        ps.lex = malloc((ps.cap_nodes ? ps.cap_nodes : 1) * sizeof *ps.lex);
        q->lexemes = ps.lex_end = malloc(len + 1);
    }
    if (!q || !q->nodes || !ps.lex || !q->lexemes) {
        ps.rc = mo_fail(err, MO_ENOMEM, "out of memory for a tsquery");
    } else if (tsq_peek(&ps) != '\0') { /* else the empty query */
        if (tsq_parse_or(&ps) >= 0 && tsq_peek(&ps) != '\0')
            tsq_fail(&ps, MO_EBADREQ, "expected '&', '|', '<->' or the end");
        if (ps.rc == MO_OK)
            ps.rc = tsq_number_operands(&ps);
        enum tsq_kind root = q->n_nodes ? q->nodes[q->n_nodes - 1].kind : TSQ_LEXEME;
        if (ps.rc == MO_OK && (root == TSQ_AND || root == TSQ_PHRASE) && q->n_operands >= 2 &&
            !(q->pair_rank = tsq_pair_table()))
            ps.rc = mo_fail(err, MO_ENOMEM, "out of memory for a tsquery");
    }
    free(ps.lex);
    if (ps.rc != MO_OK) {
        tsq_free(q);
        return ps.rc;
    }
    *out = q;
    return MO_OK;
}

void tsq_free(struct tsq *q)
{
    if (!q)
        return;
    free(q->nodes);
    free(q->operands);
    free(q->lexemes);
    free(q->pair_rank);
    free(q);
}

int tsq_is_empty(const struct tsq *q)
{
    return q->n_nodes == 0;
}

int tsq_has_phrase(const struct tsq *q)
{
    return q->has_phrase;
}

int tsq_has_prefix_or_weights(const struct tsq *q)
{
    return q->has_prefix_or_weights;
}

size_t tsq_n_nodes(const struct tsq *q)
{
    return q->n_nodes;
}

const struct tsq_node *tsq_node(const struct tsq *q, int i)
{
    return &q->nodes[i];
}

int tsq_root(const struct tsq *q)
{
    return (int)q->n_nodes - 1;
}

size_t tsq_n_operands(const struct tsq *q)
{
    return q->n_operands;
}

const char *tsq_operand(const struct tsq *q, size_t i, size_t *len)
{
    if (len)
        *len = q->operands[i].len;
    return q->operands[i].p;
}

/* ---- a tsvector in binary ---- */

static unsigned tsq_be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* Walks the lexemes after the count: checks every length against the
 * bytes, counts the positions into *n_pos; with fill, stores them in v
 * (whose arrays are then large enough). */
static mo_rc tsq_vector_walk(const unsigned char *d, size_t len, size_t count, struct tsq_vector *v,
                             int fill, size_t *n_pos, struct mo_err *err)
{
    size_t at = 4, total = 0;
    for (size_t i = 0; i < count; i++) {
        const unsigned char *nul = memchr(d + at, '\0', len - at);
        if (!nul)
            return mo_fail(err, MO_EBADREQ, "tsvector lexeme %zu unterminated at byte %zu", i, at);
        size_t lex_len = (size_t)(nul - (d + at));
        if (lex_len > TSQ_MAX_LEXEME)
            return mo_fail(err, MO_EBADREQ, "tsvector lexeme %zu longer than %d bytes", i,
                           TSQ_MAX_LEXEME);
        size_t p = at + lex_len + 1;
        if (len - p < 2)
            return mo_fail(err, MO_EBADREQ, "tsvector truncated at byte %zu of %zu", p, len);
        unsigned npos = tsq_be16(d + p);
        if (npos > TSQ_MAX_POS)
            return mo_fail(err, MO_EBADREQ, "tsvector lexeme %zu has %u positions", i, npos);
        if ((len - p - 2) / 2 < npos)
            return mo_fail(err, MO_EBADREQ, "tsvector truncated at byte %zu of %zu", p + 2, len);
        if (fill) {
            v->lexemes[i] = (struct tsq_lexeme){(const char *)d + at, lex_len};
            v->positions[i] = v->pos_store + total;
            v->n_positions[i] = (uint16_t)npos;
            for (unsigned j = 0; j < npos; j++)
                v->pos_store[total + j] = (uint16_t)tsq_be16(d + p + 2 + 2 * j);
        }
        total += npos;
        at = p + 2 + 2 * (size_t)npos;
    }
    if (at != len)
        return mo_fail(err, MO_EBADREQ, "tsvector has %zu bytes after its end", len - at);
    *n_pos = total;
    return MO_OK;
}

/* Grows v's arrays to n lexemes and n_pos positions at least. */
static mo_rc tsq_vector_reserve(struct tsq_vector *v, size_t n, size_t n_pos, struct mo_err *err)
{
    if (n > v->cap_lexemes) {
        struct tsq_lexeme *l = realloc(v->lexemes, n * sizeof *l);
        if (l)
            v->lexemes = l;
        const uint16_t **p = l ? realloc(v->positions, n * sizeof *p) : NULL;
        if (p)
            v->positions = p;
        uint16_t *c = p ? realloc(v->n_positions, n * sizeof *c) : NULL;
        if (!c)
            return mo_fail(err, MO_ENOMEM, "out of memory for a tsvector");
        v->n_positions = c;
        v->cap_lexemes = n;
    }
    if (n_pos > v->cap_pos) {
        uint16_t *s = realloc(v->pos_store, n_pos * sizeof *s);
        if (!s)
            return mo_fail(err, MO_ENOMEM, "out of memory for a tsvector");
        v->pos_store = s;
        v->cap_pos = n_pos;
    }
    return MO_OK;
}

mo_rc tsq_vector_parse(const void *data, size_t len, struct tsq_vector *v, struct mo_err *err)
{
    const unsigned char *d = data;
    size_t n_pos = 0;
    v->n = 0;
    if (len < 4)
        return mo_fail(err, MO_EBADREQ, "tsvector of %zu bytes, no count", len);
    uint32_t count = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
    /* a lexeme takes 3 bytes at least (its NUL, npos) */
    if (count > (len - 4) / 3)
        return mo_fail(err, MO_EBADREQ, "tsvector count %lu past its %zu bytes",
                       (unsigned long)count, len);
    mo_rc rc = tsq_vector_walk(d, len, count, v, 0, &n_pos, err);
    if (rc == MO_OK)
        rc = tsq_vector_reserve(v, count, n_pos, err);
    if (rc == MO_OK)
        rc = tsq_vector_walk(d, len, count, v, 1, &n_pos, err);
    if (rc == MO_OK)
        v->n = count;
    return rc;
}

void tsq_vector_free(struct tsq_vector *v)
{
    if (!v)
        return;
    free(v->lexemes);
    free(v->positions);
    free(v->n_positions);
    free(v->pos_store);
    memset(v, 0, sizeof *v);
}
