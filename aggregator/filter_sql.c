/*
 * filter_sql.c — the filter tree → one boolean SQL expression over r with
 * $n text parameters (see filter.h and "The query filter" in
 * aggregator/README.md).
 *
 * SQL text comes from constant templates and the queryables table only;
 * every literal is a parameter.  csw:AnyText becomes a full-text match on
 * r.fts with a tsquery built here from the words of the literal.
 */
#include "filter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tsquery text built from one literal: each byte may become a quoted
 * lexeme with its separators. */
#define FILTER_SQL_MAX_TSQUERY (FILTER_MAX_LITERAL * 4 + 64)

struct sql_ctx {
    struct buf *sql;
    struct sql_params *p;
    struct mo_err *err;
};

mo_rc sql_params_add(struct sql_params *p, const char *value, struct mo_err *err)
{
    if (p->n >= SQL_PARAMS_MAX)
        return mo_fail(err, MO_ELIMIT, "more than %d SQL parameters", SQL_PARAMS_MAX);
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 16;
        if (cap > SQL_PARAMS_MAX)
            cap = SQL_PARAMS_MAX;
        char **v = realloc(p->values, (size_t)cap * sizeof *v);
        if (!v)
            return mo_fail(err, MO_ENOMEM, "out of memory for SQL parameters");
        p->values = v;
        p->cap = cap;
    }
    p->values[p->n] = strdup(value);
    if (!p->values[p->n])
        return mo_fail(err, MO_ENOMEM, "out of memory for SQL parameters");
    p->n++;
    return MO_OK;
}

void sql_params_free(struct sql_params *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->values[i]);
    free(p->values);
    p->values = NULL;
    p->n = 0;
    p->cap = 0;
}

/* Appends formatted SQL text; a full buffer is MO_ELIMIT. */
static mo_rc sql_emit(struct sql_ctx *c, const char *fmt, ...) MO_PRINTF(2, 3);
static mo_rc sql_emit(struct sql_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mo_rc rc = buf_vprintf(c->sql, fmt, ap);
    va_end(ap);
    if (rc == MO_ELIMIT)
        return mo_fail(c->err, rc, "SQL text of the filter longer than %zu bytes", c->sql->max);
    if (rc != MO_OK)
        return mo_fail(c->err, rc, "out of memory for the SQL text of the filter");
    return MO_OK;
}

/* Adds value as the next parameter; its number goes to *num. */
static mo_rc sql_param(struct sql_ctx *c, const char *value, int *num)
{
    mo_rc rc = sql_params_add(c->p, value, c->err);
    *num = c->p->n;
    return rc;
}

static const char *sql_cmp_op(enum filter_op op)
{
    switch (op) {
    case FILTER_EQ:
        return "=";
    case FILTER_NE:
        return "<>";
    case FILTER_LT:
        return "<";
    case FILTER_GT:
        return ">";
    case FILTER_LE:
        return "<=";
    default:
        return ">=";
    }
}

/* ---- literals: Like patterns and full-text words ---- */

/* Length of the UTF-8 character at s (1 for a stray byte, never past NUL). */
static size_t sql_char_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if (!s[i])
            return i;
    return n;
}

static int sql_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The request's wildCard, singleChar and escapeChar → SQL LIKE syntax with
 * backslash as the escape, every SQL metacharacter of the literal escaped. */
static mo_rc sql_like_pattern(const struct filter_node *n, struct buf *out)
{
    mo_rc rc = MO_OK;
    for (const char *s = n->value; *s && rc == MO_OK;) {
        size_t len;
        if (sql_starts(s, n->wild)) {
            rc = buf_append_str(out, "%");
            s += strlen(n->wild);
            continue;
        }
        if (sql_starts(s, n->single)) {
            rc = buf_append_str(out, "_");
            s += strlen(n->single);
            continue;
        }
        if (sql_starts(s, n->escape) && s[strlen(n->escape)])
            s += strlen(n->escape); /* the next character is taken as written */
        len = sql_char_len(s);
        if (*s == '%' || *s == '_' || *s == '\\')
            rc = buf_append_str(out, "\\");
        if (rc == MO_OK)
            rc = buf_append(out, s, len);
        s += len;
    }
    return rc;
}

/* Unicode code point of the character at s (len bytes). */
static unsigned sql_code_point(const unsigned char *s, size_t len)
{
    if (len == 1)
        return s[0];
    unsigned cp = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    return cp;
}

/* 1 for a character of a word: ASCII letters and digits, and letters past
 * U+00BF (spaces, punctuation and symbols of the Latin-1, general
 * punctuation, supplemental punctuation and CJK punctuation blocks are
 * separators). */
static int sql_word_char(const char *s, size_t len)
{
    unsigned cp = sql_code_point((const unsigned char *)s, len);
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
        return 0;
    if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2E00 && cp <= 0x2E7F) ||
        (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
        (cp >= 0xFF00 && cp <= 0xFF0F))
        return 0;
    return 1;
}

/* Appends one quoted lexeme ('word' or 'word':*) to the tsquery text; words
 * hold no quote or backslash, so the quoting cannot be escaped. */
static mo_rc sql_ts_word(struct buf *q, const char *word, size_t len, int prefix)
{
    mo_rc rc = buf_append_str(q, q->len ? " & '" : "'");
    if (rc == MO_OK)
        rc = buf_append(q, word, len);
    if (rc == MO_OK)
        rc = buf_append_str(q, prefix ? "':*" : "'");
    return rc;
}

/* Ends the word being read (if any) as a lexeme of q. */
static mo_rc sql_ts_flush(struct buf *q, struct buf *word, int prefix)
{
    if (word->len == 0)
        return MO_OK;
    mo_rc rc = sql_ts_word(q, word->data, word->len, prefix);
    buf_reset(word);
    return rc;
}

/* The words of a csw:AnyText literal as a tsquery text ("" when none);
 * with wildcards (Like), a word followed by a wildcard becomes a prefix and
 * an escaped character is taken as written.  *wild tells whether the
 * literal held a wildcard. */
static mo_rc sql_ts_query(const struct filter_node *n, struct buf *q, int *wild)
{
    const int like = n->op == FILTER_LIKE;
    const char *s = n->value;
    struct buf word;
    mo_rc rc = MO_OK;
    buf_init(&word, FILTER_MAX_LITERAL);
    *wild = 0;
    while (rc == MO_OK && *s) {
        if (like && (sql_starts(s, n->wild) || sql_starts(s, n->single))) {
            rc = sql_ts_flush(q, &word, 1);
            *wild = 1;
            s += strlen(sql_starts(s, n->wild) ? n->wild : n->single);
            continue;
        }
        if (like && sql_starts(s, n->escape) && s[strlen(n->escape)])
            s += strlen(n->escape);
        size_t len = sql_char_len(s);
        if (sql_word_char(s, len))
            rc = buf_append(&word, s, len);
        else
            rc = sql_ts_flush(q, &word, 0);
        s += len;
    }
    if (rc == MO_OK)
        rc = sql_ts_flush(q, &word, 0);
    buf_free(&word);
    return rc;
}

/* ---- predicates ---- */

static mo_rc sql_fulltext(struct sql_ctx *c, const struct filter_node *n)
{
    struct buf q;
    int wild = 0, num = 0;
    buf_init(&q, FILTER_SQL_MAX_TSQUERY);
    mo_rc rc = sql_ts_query(n, &q, &wild);
    if (rc != MO_OK) {
        buf_free(&q);
        return mo_fail(c->err, rc, "out of memory for the full-text query of %s", n->prop_name);
    }
    const char *neg = n->op == FILTER_NE ? "NOT " : "";
    if (q.len == 0) /* no word: Like '%' matches every record, anything else none */
        rc = sql_emit(c, "(%s%s)", neg, n->op == FILTER_LIKE && wild ? "TRUE" : "FALSE");
    else if ((rc = sql_param(c, q.data, &num)) == MO_OK)
        rc = sql_emit(c, "(%s%s @@ to_tsquery('moisson_fr', $%d))", neg, n->prop->sql, num);
    buf_free(&q);
    return rc;
}

/* "v <op> $n" for a text value or list element v, with or without case. */
static mo_rc sql_text_cond(struct sql_ctx *c, const struct filter_node *n, const char *v)
{
    int a = 0, b = 0;
    mo_rc rc;
    if (n->op == FILTER_LIKE) {
        struct buf pat;
        buf_init(&pat, FILTER_MAX_LITERAL * 2 + 1);
        rc = sql_like_pattern(n, &pat);
        if (rc != MO_OK) {
            buf_free(&pat);
            return mo_fail(c->err, rc, "out of memory for the pattern of %s", n->prop_name);
        }
        rc = sql_param(c, pat.data ? pat.data : "", &a);
        buf_free(&pat);
        if (rc == MO_OK)
            rc = sql_emit(c, "%s %s $%d", v, n->match_case ? "LIKE" : "ILIKE", a);
        return rc;
    }
    if (n->op == FILTER_BETWEEN) {
        if ((rc = sql_param(c, n->value, &a)) != MO_OK ||
            (rc = sql_param(c, n->value2, &b)) != MO_OK)
            return rc;
        return sql_emit(c, "%s BETWEEN $%d AND $%d", v, a, b);
    }
    if ((rc = sql_param(c, n->value, &a)) != MO_OK)
        return rc;
    if (n->match_case)
        return sql_emit(c, "%s %s $%d", v, sql_cmp_op(n->op), a);
    return sql_emit(c, "lower(%s) %s lower($%d)", v, sql_cmp_op(n->op), a);
}

static mo_rc sql_text(struct sql_ctx *c, const struct filter_node *n)
{
    mo_rc rc;
    if (n->prop->type == QUERYABLE_TEXT) {
        if ((rc = sql_emit(c, "(")) != MO_OK || (rc = sql_text_cond(c, n, n->prop->sql)))
            return rc;
        return sql_emit(c, ")");
    }
    /* a list: some element satisfies the condition; NotEqualTo: none equals */
    const struct filter_node *cond = n;
    struct filter_node eq;
    if (n->op == FILTER_NE) {
        eq = *n;
        eq.op = FILTER_EQ;
        cond = &eq;
    }
    rc = sql_emit(c, "(%sEXISTS (SELECT 1 FROM unnest(%s) AS q(v) WHERE ",
                  n->op == FILTER_NE ? "NOT " : "", n->prop->sql);
    if (rc == MO_OK)
        rc = sql_text_cond(c, cond, "v");
    if (rc == MO_OK)
        rc = sql_emit(c, "))");
    return rc;
}

/* A date compared with a literal of day (month, year) precision compares
 * with that whole day: [lo, hi); a date-time literal is one instant. */
static mo_rc sql_date(struct sql_ctx *c, const struct filter_node *n)
{
    const char *col = n->prop->sql;
    struct filter_date a, b;
    int lo = 0, hi = 0;
    mo_rc rc = filter_date_parse(n->value, n->prop_name, &a, c->err);
    if (rc == MO_OK && n->op == FILTER_BETWEEN)
        rc = filter_date_parse(n->value2, n->prop_name, &b, c->err);
    if (rc != MO_OK)
        return rc;
    if (n->op == FILTER_BETWEEN) {
        if ((rc = sql_param(c, a.lo, &lo)) != MO_OK ||
            (rc = sql_param(c, b.hi[0] ? b.hi : b.lo, &hi)) != MO_OK)
            return rc;
        return sql_emit(c, "(%s >= $%d::timestamptz AND %s %s $%d::timestamptz)", col, lo, col,
                        b.hi[0] ? "<" : "<=", hi);
    }
    if (!a.hi[0]) {
        if ((rc = sql_param(c, a.lo, &lo)) != MO_OK)
            return rc;
        return sql_emit(c, "(%s %s $%d::timestamptz)", col, sql_cmp_op(n->op), lo);
    }
    switch (n->op) {
    case FILTER_EQ:
    case FILTER_NE:
        if ((rc = sql_param(c, a.lo, &lo)) != MO_OK || (rc = sql_param(c, a.hi, &hi)) != MO_OK)
            return rc;
        if (n->op == FILTER_EQ)
            return sql_emit(c, "(%s >= $%d::timestamptz AND %s < $%d::timestamptz)", col, lo, col,
                            hi);
        return sql_emit(c, "(%s < $%d::timestamptz OR %s >= $%d::timestamptz)", col, lo, col, hi);
    case FILTER_LT: /* before the day */
    case FILTER_GE: /* from the day on */
        if ((rc = sql_param(c, a.lo, &lo)) != MO_OK)
            return rc;
        return sql_emit(c, "(%s %s $%d::timestamptz)", col, n->op == FILTER_LT ? "<" : ">=", lo);
    default: /* LE: up to the end of the day; GT: after the day */
        if ((rc = sql_param(c, a.hi, &hi)) != MO_OK)
            return rc;
        return sql_emit(c, "(%s %s $%d::timestamptz)", col, n->op == FILTER_LE ? "<" : ">=", hi);
    }
}

static mo_rc sql_spatial(struct sql_ctx *c, const struct filter_node *n)
{
    char box[160];
    int num = 0;
    const char *col = n->prop->sql;
    /* the box literal as record.bbox stores it: (east,north),(west,south) */
    snprintf(box, sizeof box, "(%.17g,%.17g),(%.17g,%.17g)", n->env.east, n->env.north, n->env.west,
             n->env.south);
    mo_rc rc = sql_param(c, box, &num);
    if (rc != MO_OK)
        return rc;
    switch (n->op) {
    case FILTER_WITHIN:
        return sql_emit(c, "(%s <@ $%d::box)", col, num);
    case FILTER_CONTAINS:
        return sql_emit(c, "(%s @> $%d::box)", col, num);
    case FILTER_DISJOINT:
        return sql_emit(c, "(%s IS NOT NULL AND NOT (%s && $%d::box))", col, col, num);
    default: /* BBOX, Intersects */
        return sql_emit(c, "(%s && $%d::box)", col, num);
    }
}

static mo_rc sql_null(struct sql_ctx *c, const struct filter_node *n)
{
    if (n->prop->type == QUERYABLE_TEXT_LIST)
        return sql_emit(c, "(cardinality(%s) = 0)", n->prop->sql);
    return sql_emit(c, "(%s IS NULL)", n->prop->sql);
}

static mo_rc sql_node(struct sql_ctx *c, const struct filter_node *n, int depth);

/* And, Or: the operands joined; Not: true when the operand is not (a NULL
 * operand, e.g. a record without that property, counts as not matching). */
static mo_rc sql_logic(struct sql_ctx *c, const struct filter_node *n, int depth)
{
    mo_rc rc;
    if (n->op == FILTER_NOT) {
        if ((rc = sql_emit(c, "(NOT coalesce(")) != MO_OK ||
            (rc = sql_node(c, n->child, depth + 1)) != MO_OK)
            return rc;
        return sql_emit(c, ", false))");
    }
    if ((rc = sql_emit(c, "(")) != MO_OK)
        return rc;
    for (const struct filter_node *k = n->child; k; k = k->next) {
        if (k != n->child && (rc = sql_emit(c, n->op == FILTER_AND ? " AND " : " OR ")) != MO_OK)
            return rc;
        if ((rc = sql_node(c, k, depth + 1)) != MO_OK)
            return rc;
    }
    return sql_emit(c, ")");
}

static mo_rc sql_node(struct sql_ctx *c, const struct filter_node *n, int depth)
{
    if (!n)
        return mo_fail(c->err, MO_EBADREQ, "empty filter");
    if (depth > FILTER_MAX_DEPTH)
        return mo_fail(c->err, MO_EBADREQ, "filter nested deeper than %d", FILTER_MAX_DEPTH);
    if (n->op == FILTER_AND || n->op == FILTER_OR || n->op == FILTER_NOT) {
        if (!n->child || (n->op == FILTER_NOT && n->child->next))
            return mo_fail(c->err, MO_EBADREQ, "%s without its operands", filter_op_name(n->op));
        return sql_logic(c, n, depth);
    }
    if (!n->prop)
        return mo_fail(c->err, MO_EBADREQ, "%s without a property", filter_op_name(n->op));
    if (n->op == FILTER_NULL)
        return sql_null(c, n);
    if (n->op >= FILTER_BBOX)
        return sql_spatial(c, n);
    if (!n->value || (n->op == FILTER_BETWEEN && !n->value2))
        return mo_fail(c->err, MO_EBADREQ, "%s on %s without its literal", filter_op_name(n->op),
                       n->prop_name);
    switch (n->prop->type) {
    case QUERYABLE_FULLTEXT:
        return sql_fulltext(c, n);
    case QUERYABLE_DATE:
        return sql_date(c, n);
    default:
        return sql_text(c, n);
    }
}

mo_rc filter_to_sql(const struct filter *f, struct buf *sql, struct sql_params *p,
                    struct mo_err *err)
{
    struct sql_ctx c = {.sql = sql, .p = p, .err = err};
    size_t len0 = sql->len;
    int n0 = p->n;
    mo_rc rc = sql_node(&c, f ? filter_root(f) : NULL, 1);
    if (rc == MO_OK)
        return MO_OK;
    sql->len = len0; /* all or nothing */
    if (sql->data)
        sql->data[len0] = '\0';
    while (p->n > n0)
        free(p->values[--p->n]);
    return rc;
}
