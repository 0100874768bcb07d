/*
 * filter_cql.c — OGC CQL text (as CSW 2.0.2 clients send it) → the filter
 * tree (see filter.h): a tokenizer and a hand-written recursive descent
 * parser, bounded in length (FILTER_MAX_CQL_BYTES) and depth
 * (FILTER_MAX_DEPTH).  Keywords are case-insensitive.
 *
 *   filter    := or END
 *   or        := and { OR and }
 *   and       := unary { AND unary }
 *   unary     := NOT unary | '(' or ')' | predicate
 *   predicate := BBOX '(' prop ',' n ',' n ',' n ',' n [',' 'crs'] ')'
 *              | (INTERSECTS|WITHIN|CONTAINS|DISJOINT) '(' prop ',' geometry ')'
 *              | prop [NOT] (LIKE|ILIKE) 'pattern'
 *              | prop [NOT] BETWEEN value AND value
 *              | prop IS [NOT] NULL
 *              | prop (=|<>|!=|<|>|<=|>=) value
 *   geometry  := ENVELOPE '(' minx ',' maxx ',' maxy ',' miny ')'
 *              | POLYGON '(' '(' x y {',' x y} ')' {',' '(' … ')'} ')'
 *   prop      := [prefix ':'] name | '"' name '"'
 *   value     := 'text with '' for a quote' | number | date (2020-01-31[T10:00:00Z])
 */
#include "filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum cql_tok {
    CQL_END,
    CQL_WORD,   /* keyword or property name: letters, digits, '_', one ':' */
    CQL_QNAME,  /* "quoted property name", decoded into str */
    CQL_STRING, /* 'text', decoded into str */
    CQL_NUMBER, /* a number or a bare date as written */
    CQL_LPAREN,
    CQL_RPAREN,
    CQL_COMMA,
    CQL_CMP /* = <> != < > <= >= */
};

struct cql {
    const char *text;
    size_t len, pos;  /* input and the position after the current token */
    enum cql_tok tok; /* current token */
    size_t start, n;  /* its bytes in text */
    struct buf str;   /* decoded CQL_STRING / CQL_QNAME */
    struct filter *f;
    struct mo_err *err;
};

static mo_rc cql_or(struct cql *c, int depth, struct filter_node **out);

/* ---- tokens ---- */

/* MO_EBADREQ naming the offset and what follows it. */
static mo_rc cql_fail(struct cql *c, size_t at, const char *expected)
{
    char ex[128];
    if (at >= c->len)
        return mo_fail(c->err, MO_EBADREQ, "bad CQL at its end: %s", expected);
    return mo_fail(c->err, MO_EBADREQ, "bad CQL at offset %zu near \"%s\": %s", at,
                   filter_excerpt(c->text + at, c->len - at, ex, sizeof ex), expected);
}

static int cql_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int cql_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* A quoted string or name ending with quote, with the quote doubled inside. */
static mo_rc cql_quoted(struct cql *c, char quote)
{
    size_t i = c->pos + 1;
    buf_reset(&c->str);
    for (;; i++) {
        if (i >= c->len)
            return cql_fail(c, c->pos, "unterminated quoted text");
        if (c->text[i] == quote) {
            if (i + 1 < c->len && c->text[i + 1] == quote) {
                i++;
            } else {
                break;
            }
        }
        if (buf_append(&c->str, c->text + i, 1) != MO_OK)
            return mo_fail(c->err, MO_EBADREQ, "literal longer than %d bytes in CQL at offset %zu",
                           FILTER_MAX_LITERAL, c->pos);
    }
    if (!c->str.data && buf_append(&c->str, "", 0) != MO_OK)
        return mo_fail(c->err, MO_ENOMEM, "out of memory for a filter");
    c->tok = quote == '\'' ? CQL_STRING : CQL_QNAME;
    c->pos = i + 1;
    return MO_OK;
}

static mo_rc cql_next(struct cql *c)
{
    const char *t = c->text;
    while (c->pos < c->len && strchr(" \t\r\n", t[c->pos]))
        c->pos++;
    c->start = c->pos;
    size_t i = c->pos;
    char ch = i < c->len ? t[i] : '\0';
    char ch1 = i + 1 < c->len ? t[i + 1] : '\0';
    if (i >= c->len) {
        c->tok = CQL_END;
    } else if (ch == '\'' || ch == '"') {
        mo_rc rc = cql_quoted(c, ch);
        c->n = c->pos - c->start;
        return rc;
    } else if (cql_alpha(ch)) {
        while (i < c->len && (cql_alpha(t[i]) || cql_digit(t[i])))
            i++;
        if (i + 1 < c->len && t[i] == ':' && cql_alpha(t[i + 1]))
            for (i++; i < c->len && (cql_alpha(t[i]) || cql_digit(t[i]));)
                i++;
        c->tok = CQL_WORD;
    } else if (cql_digit(ch) || ((ch == '-' || ch == '+' || ch == '.') &&
                                 (cql_digit(ch1) || (ch1 == '.' && ch != '.')))) {
        /* numbers and bare dates: checked where they are used */
        for (i++; i < c->len && (cql_alpha(t[i]) || cql_digit(t[i]) || strchr(".:+-", t[i]));)
            i++;
        c->tok = CQL_NUMBER;
    } else if (ch == '(' || ch == ')' || ch == ',') {
        i++;
        c->tok = ch == '(' ? CQL_LPAREN : ch == ')' ? CQL_RPAREN : CQL_COMMA;
    } else if (ch == '=' || ch == '<' || ch == '>' || (ch == '!' && ch1 == '=')) {
        i += (ch == '<' && (ch1 == '>' || ch1 == '=')) || (ch == '>' && ch1 == '=') || ch == '!'
                 ? 2
                 : 1;
        c->tok = CQL_CMP;
    } else {
        return cql_fail(c, i, "unexpected character");
    }
    c->pos = i;
    c->n = i - c->start;
    return MO_OK;
}

static int cql_is_kw(const struct cql *c, const char *kw)
{
    return c->tok == CQL_WORD && c->n == strlen(kw) &&
           strncasecmp(c->text + c->start, kw, c->n) == 0;
}

/* Consumes the keyword kw when it is the current token: 1, else 0. */
static int cql_accept_kw(struct cql *c, const char *kw, mo_rc *rc)
{
    if (!cql_is_kw(c, kw))
        return 0;
    *rc = cql_next(c);
    return 1;
}

static mo_rc cql_expect(struct cql *c, enum cql_tok tok, const char *what)
{
    if (c->tok != tok)
        return cql_fail(c, c->start, what);
    return cql_next(c);
}

static int cql_is_keyword(const struct cql *c)
{
    static const char *const kws[] = {"AND",     "OR",       "NOT",      "LIKE",     "ILIKE",
                                      "BETWEEN", "IS",       "NULL",     "BBOX",     "INTERSECTS",
                                      "WITHIN",  "CONTAINS", "DISJOINT", "ENVELOPE", "POLYGON"};
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (cql_is_kw(c, kws[i]))
            return 1;
    return 0;
}

/* ---- predicates ---- */

/* A property name (current token) resolved for node; consumes it. */
static mo_rc cql_prop(struct cql *c, struct filter_node *node)
{
    mo_rc rc;
    if (c->tok == CQL_QNAME)
        rc = filter_set_prop(node, c->str.data, c->str.len, c->err);
    else if (c->tok == CQL_WORD && !cql_is_keyword(c))
        rc = filter_set_prop(node, c->text + c->start, c->n, c->err);
    else
        return cql_fail(c, c->start, "expected a property name");
    if (rc != MO_OK)
        return rc;
    return cql_next(c);
}

/* A literal (current token): a quoted string, a number or a bare date. */
static mo_rc cql_value(struct cql *c, struct filter_node *node, int which, int string_only)
{
    const char *expected =
        string_only ? "expected a quoted pattern" : "expected a quoted text, a number or a date";
    mo_rc rc;
    if (c->tok == CQL_STRING)
        rc = filter_set_value(node, which, c->str.data, c->str.len, c->err);
    else if (c->tok == CQL_NUMBER && !string_only)
        rc = filter_set_value(node, which, c->text + c->start, c->n, c->err);
    else
        return cql_fail(c, c->start, expected);
    if (rc != MO_OK)
        return rc;
    return cql_next(c);
}

static mo_rc cql_number(struct cql *c, double *v)
{
    if (c->tok != CQL_NUMBER || filter_number_parse(c->text + c->start, c->n, v))
        return cql_fail(c, c->start, "expected a number");
    return cql_next(c);
}

/* Numbers separated by commas (n of them), for BBOX and ENVELOPE. */
static mo_rc cql_numbers(struct cql *c, double *v, int n)
{
    mo_rc rc = MO_OK;
    for (int i = 0; i < n && rc == MO_OK; i++) {
        if (i > 0)
            rc = cql_expect(c, CQL_COMMA, "expected a comma");
        if (rc == MO_OK)
            rc = cql_number(c, &v[i]);
    }
    return rc;
}

/* POLYGON((x y, x y, …), (…)) after the keyword: the envelope of every
 * ring's points (longitude first, as WKT writes them). */
static mo_rc cql_polygon(struct cql *c, double lower[2], double upper[2])
{
    long points = 0;
    mo_rc rc = cql_expect(c, CQL_LPAREN, "expected ( after POLYGON");
    do {
        if (rc == MO_OK && points > 0)
            rc = cql_next(c); /* the comma between rings */
        if (rc == MO_OK)
            rc = cql_expect(c, CQL_LPAREN, "expected ( before a ring of POLYGON");
        for (int first = 1; rc == MO_OK && (first || c->tok == CQL_COMMA); first = 0) {
            double xy[2];
            if (!first)
                rc = cql_next(c);
            if (rc == MO_OK)
                rc = cql_number(c, &xy[0]);
            if (rc == MO_OK)
                rc = cql_number(c, &xy[1]);
            for (int a = 0; rc == MO_OK && a < 2; a++) {
                if (points == 0 || xy[a] < lower[a])
                    lower[a] = xy[a];
                if (points == 0 || xy[a] > upper[a])
                    upper[a] = xy[a];
            }
            points++;
        }
        if (rc == MO_OK)
            rc = cql_expect(c, CQL_RPAREN, "expected , or ) in a ring of POLYGON");
    } while (rc == MO_OK && c->tok == CQL_COMMA);
    if (rc == MO_OK)
        rc = cql_expect(c, CQL_RPAREN, "expected ) after the rings of POLYGON");
    return rc;
}

/* ENVELOPE(minx, maxx, maxy, miny) or POLYGON(…), longitude first. */
static mo_rc cql_geometry(struct cql *c, struct filter_node *node)
{
    double lower[2] = {0, 0}, upper[2] = {0, 0}, v[4] = {0, 0, 0, 0};
    mo_rc rc = MO_OK;
    if (cql_accept_kw(c, "ENVELOPE", &rc)) {
        if (rc == MO_OK)
            rc = cql_expect(c, CQL_LPAREN, "expected ( after ENVELOPE");
        if (rc == MO_OK)
            rc = cql_numbers(c, v, 4);
        if (rc == MO_OK)
            rc = cql_expect(c, CQL_RPAREN, "expected ) after the 4 numbers of ENVELOPE");
        if (rc == MO_OK)
            lower[0] = v[0], upper[0] = v[1], upper[1] = v[2], lower[1] = v[3];
    } else if (cql_accept_kw(c, "POLYGON", &rc)) {
        if (rc == MO_OK)
            rc = cql_polygon(c, lower, upper);
    } else {
        return cql_fail(c, c->start, "expected ENVELOPE(…) or POLYGON((…))");
    }
    if (rc == MO_OK)
        rc = filter_envelope_make(lower, upper, NULL, filter_op_name(node->op), &node->env, c->err);
    return rc;
}

/* BBOX(prop, minx, miny, maxx, maxy [, 'crs']) after the keyword: the
 * numbers in the axis order of the CRS (longitude first without one). */
static mo_rc cql_bbox(struct cql *c, struct filter_node *node)
{
    double v[4];
    char *crs = NULL;
    mo_rc rc = cql_expect(c, CQL_LPAREN, "expected ( after BBOX");
    if (rc == MO_OK)
        rc = cql_prop(c, node);
    if (rc == MO_OK)
        rc = cql_expect(c, CQL_COMMA, "expected a comma");
    if (rc == MO_OK)
        rc = cql_numbers(c, v, 4);
    if (rc == MO_OK && c->tok == CQL_COMMA) {
        rc = cql_next(c);
        if (rc == MO_OK && c->tok != CQL_STRING)
            rc = cql_fail(c, c->start, "expected a quoted CRS name");
        if (rc == MO_OK && !(crs = strndup(c->str.data, c->str.len)))
            rc = mo_fail(c->err, MO_ENOMEM, "out of memory for a filter");
        if (rc == MO_OK)
            rc = cql_next(c);
    }
    if (rc == MO_OK)
        rc = cql_expect(c, CQL_RPAREN, "expected ) after the numbers of BBOX");
    if (rc == MO_OK)
        rc = filter_envelope_make(v, v + 2, crs, "BBOX", &node->env, c->err);
    free(crs);
    return rc;
}

static const struct {
    const char *kw;
    enum filter_op op;
} cql_spatial_ops[] = {{"BBOX", FILTER_BBOX},
                       {"INTERSECTS", FILTER_INTERSECTS},
                       {"WITHIN", FILTER_WITHIN},
                       {"CONTAINS", FILTER_CONTAINS},
                       {"DISJOINT", FILTER_DISJOINT}};

/* A spatial predicate when the current token names one: 1 in *is. */
static mo_rc cql_spatial(struct cql *c, struct filter_node **out, int *is)
{
    size_t i = 0, n = sizeof cql_spatial_ops / sizeof cql_spatial_ops[0];
    while (i < n && !cql_is_kw(c, cql_spatial_ops[i].kw))
        i++;
    *is = i < n;
    if (i == n)
        return MO_OK;
    mo_rc rc = filter_node_new(c->f, cql_spatial_ops[i].op, out, c->err);
    if (rc == MO_OK)
        rc = cql_next(c);
    if (rc != MO_OK || (*out)->op == FILTER_BBOX)
        return rc == MO_OK ? cql_bbox(c, *out) : rc;
    rc = cql_expect(c, CQL_LPAREN, "expected ( after a spatial operator");
    if (rc == MO_OK)
        rc = cql_prop(c, *out);
    if (rc == MO_OK)
        rc = cql_expect(c, CQL_COMMA, "expected a comma");
    if (rc == MO_OK)
        rc = cql_geometry(c, *out);
    if (rc == MO_OK)
        rc = cql_expect(c, CQL_RPAREN, "expected ) after the geometry");
    return rc;
}

static enum filter_op cql_cmp_op(const struct cql *c)
{
    const char *s = c->text + c->start;
    if (c->n == 2)
        return s[0] == '<'   ? (s[1] == '>' ? FILTER_NE : FILTER_LE)
               : s[0] == '>' ? FILTER_GE
                             : FILTER_NE;
    return s[0] == '=' ? FILTER_EQ : s[0] == '<' ? FILTER_LT : FILTER_GT;
}

/* Wraps node in a Not when negated is set. */
static mo_rc cql_negate(struct cql *c, int negated, struct filter_node **node)
{
    struct filter_node *not = NULL;
    if (!negated)
        return MO_OK;
    mo_rc rc = filter_node_new(c->f, FILTER_NOT, &not, c->err);
    if (rc == MO_OK) {
        not ->child = *node;
        *node = not ;
    }
    return rc;
}

/* The operator after a property name (current token), NOT already read. */
static mo_rc cql_operator(struct cql *c, int negated, enum filter_op *op)
{
    if (cql_is_kw(c, "LIKE") || cql_is_kw(c, "ILIKE"))
        *op = FILTER_LIKE;
    else if (cql_is_kw(c, "BETWEEN"))
        *op = FILTER_BETWEEN;
    else if (cql_is_kw(c, "IS") && !negated)
        *op = FILTER_NULL;
    else if (c->tok == CQL_CMP && !negated)
        *op = cql_cmp_op(c);
    else
        return cql_fail(c, c->start,
                        negated ? "expected LIKE or BETWEEN after NOT"
                                : "expected a comparison, LIKE, BETWEEN or IS");
    return cql_next(c);
}

/* What follows the operator of node: a value, a pattern, two bounds or
 * [NOT] NULL; *negated is set by IS NOT NULL. */
static mo_rc cql_operands(struct cql *c, struct filter_node *node, int *negated)
{
    mo_rc rc = MO_OK;
    switch (node->op) {
    case FILTER_LIKE:
        return cql_value(c, node, 0, 1);
    case FILTER_BETWEEN:
        rc = cql_value(c, node, 0, 0);
        if (rc == MO_OK && !cql_accept_kw(c, "AND", &rc))
            rc = cql_fail(c, c->start, "expected AND in BETWEEN");
        if (rc == MO_OK)
            rc = cql_value(c, node, 1, 0);
        return rc;
    case FILTER_NULL:
        *negated = cql_accept_kw(c, "NOT", &rc);
        if (rc == MO_OK && !cql_accept_kw(c, "NULL", &rc))
            rc = cql_fail(c, c->start, "expected NULL after IS");
        return rc;
    default:
        return cql_value(c, node, 0, 0);
    }
}

/* prop followed by a comparison, [NOT] LIKE, [NOT] BETWEEN or IS [NOT] NULL.
 * The name is resolved once the operator is known (it decides whether the
 * operator applies), so it is kept aside meanwhile. */
static mo_rc cql_comparison(struct cql *c, struct filter_node **out)
{
    char qname[QUERYABLES_MAX_NAME + 2];
    const char *name = c->text + c->start;
    size_t name_len = c->n;
    int negated = 0;
    enum filter_op op = FILTER_EQ; /* set by cql_operator before any use */
    if (c->tok == CQL_QNAME) { /* decoded into c->str, which the next token reuses */
        name_len = c->str.len < sizeof qname ? c->str.len : sizeof qname - 1;
        memcpy(qname, c->str.data, name_len);
        name = qname;
    } else if (c->tok != CQL_WORD || cql_is_keyword(c)) {
        return cql_fail(c, c->start, "expected a property name or a spatial operator");
    }
    mo_rc rc = cql_next(c);
    if (rc == MO_OK && cql_is_kw(c, "NOT")) {
        negated = 1;
        rc = cql_next(c);
    }
    if (rc == MO_OK)
        rc = cql_operator(c, negated, &op);
    if (rc == MO_OK)
        rc = filter_node_new(c->f, op, out, c->err);
    if (rc == MO_OK)
        rc = filter_set_prop(*out, name, name_len, c->err);
    if (rc == MO_OK)
        rc = cql_operands(c, *out, &negated);
    if (rc == MO_OK)
        rc = cql_negate(c, negated, out);
    return rc;
}

static mo_rc cql_unary(struct cql *c, int depth, struct filter_node **out)
{
    mo_rc rc = MO_OK;
    int spatial = 0;
    if (depth > FILTER_MAX_DEPTH)
        return mo_fail(c->err, MO_EBADREQ, "filter nested deeper than %d", FILTER_MAX_DEPTH);
    if (cql_accept_kw(c, "NOT", &rc)) {
        struct filter_node *inner = NULL;
        if (rc == MO_OK)
            rc = cql_unary(c, depth + 1, &inner);
        if (rc == MO_OK) {
            *out = inner;
            rc = cql_negate(c, 1, out);
        }
        return rc;
    }
    if (c->tok == CQL_LPAREN) {
        rc = cql_next(c);
        if (rc == MO_OK)
            rc = cql_or(c, depth + 1, out);
        if (rc == MO_OK)
            rc = cql_expect(c, CQL_RPAREN, "expected ) or an operator");
        return rc;
    }
    rc = cql_spatial(c, out, &spatial);
    if (rc != MO_OK || spatial)
        return rc;
    return cql_comparison(c, out);
}

/* operand { kw operand } as one And or Or node (or the operand alone). */
static mo_rc cql_list(struct cql *c, int depth, const char *kw, enum filter_op op,
                      struct filter_node **out)
{
    struct filter_node *first = NULL, *list = NULL, **tail = NULL;
    mo_rc rc = op == FILTER_OR ? cql_list(c, depth, "AND", FILTER_AND, &first)
                               : cql_unary(c, depth, &first);
    while (rc == MO_OK && cql_is_kw(c, kw)) {
        if (!list) {
            if ((rc = filter_node_new(c->f, op, &list, c->err)) != MO_OK)
                return rc;
            list->child = first;
            tail = &first->next;
        }
        if ((rc = cql_next(c)) != MO_OK)
            return rc;
        rc = op == FILTER_OR ? cql_list(c, depth, "AND", FILTER_AND, tail)
                             : cql_unary(c, depth, tail);
        if (rc == MO_OK)
            tail = &(*tail)->next;
    }
    *out = list ? list : first;
    return rc;
}

static mo_rc cql_or(struct cql *c, int depth, struct filter_node **out)
{
    return cql_list(c, depth, "OR", FILTER_OR, out);
}

/* The depth of the tree below n (n at depth): MO_EBADREQ past the limit
 * (parentheses and operators nest differently from the tree). */
static mo_rc cql_check_depth(const struct filter_node *n, int depth, struct mo_err *err)
{
    if (depth > FILTER_MAX_DEPTH)
        return mo_fail(err, MO_EBADREQ, "filter nested deeper than %d", FILTER_MAX_DEPTH);
    for (const struct filter_node *k = n->child; k; k = k->next) {
        mo_rc rc = cql_check_depth(k, depth + 1, err);
        if (rc != MO_OK)
            return rc;
    }
    return MO_OK;
}

mo_rc filter_parse_cql(const char *text, struct filter **out, struct mo_err *err)
{
    struct cql c = {.text = text, .err = err};
    struct filter_node *root = NULL;
    *out = NULL;
    c.len = text ? strnlen(text, FILTER_MAX_CQL_BYTES + 1) : 0;
    if (c.len > FILTER_MAX_CQL_BYTES)
        return mo_fail(err, MO_EBADREQ, "CQL text longer than %d bytes", FILTER_MAX_CQL_BYTES);
    mo_rc rc = filter_new(&c.f, err);
    if (rc != MO_OK)
        return rc;
    buf_init(&c.str, FILTER_MAX_LITERAL);
    rc = cql_next(&c);
    if (rc == MO_OK && c.tok == CQL_END)
        rc = mo_fail(err, MO_EBADREQ, "empty CQL filter");
    if (rc == MO_OK)
        rc = cql_or(&c, 1, &root);
    if (rc == MO_OK && c.tok != CQL_END)
        rc = cql_fail(&c, c.start, "expected AND, OR or the end");
    if (rc == MO_OK)
        rc = cql_check_depth(root, 1, err);
    buf_free(&c.str);
    if (rc != MO_OK) {
        filter_free(c.f);
        return rc;
    }
    filter_set_root(c.f, root);
    *out = c.f;
    return MO_OK;
}
