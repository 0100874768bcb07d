/*
 * test_tsq.c — aggregator/tsq.h against PostgreSQL itself, on a test
 * database: query texts made by websearch_to_tsquery, to_tsquery and the
 * tsquery cast read into the expected trees and operand lists (a table);
 * malformed texts and limits refused (a table); ts_rank's value for every
 * pair of weights at every distance; then a few hundred documents weighted
 * as record.fts is (title A, keywords B, abstract C; short and long, with
 * repeated words and more than 256 occurrences or 16383 positions) read
 * in binary, and for every (document, query) pair tsq_rank equal bit for
 * bit to ts_rank(fts, q) and tsq_matches to fts @@ q — also with the
 * server's JIT forced on; the binary reader against unnest(fts), every
 * truncation of a value refused, corrupted values refused or read within
 * their bytes (ASan watches).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testdb.h"
#include "tsq.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_DOCS 320

struct doc {
    int id;
    struct tsq_vector vec; /* lexemes borrowed from fixture.docs_res */
};

struct fixture {
    char conninfo[1024];
    PGconn *conn;
    PGresult *docs_res; /* the fts values in binary */
    struct doc docs[N_DOCS];
    size_t n_docs;
};

/* One statement with text parameters, text or binary results. */
static PGresult *query(PGconn *conn, const char *sql, int n, const char *const *params, int binary)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, binary);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("sql failed: %s\n%.300s", PQresultErrorMessage(res), sql);
    return res;
}

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* ---- the documents ---- */

/* Words drawn by a hash: accents and case (one lexeme for église,
 * Églises…), stop words, hyphenated words (a compound and its parts),
 * apostrophes, numbers. */
static const char *const docs_sql[] = {
    "CREATE FUNCTION tsq_words(seed int, n int) RETURNS text LANGUAGE sql IMMUTABLE "
    "RETURN (SELECT coalesce(string_agg(v[1 + (hashint4(seed * 7919 + j) & 2147483647) % "
    "array_length(v, 1)], ' ' ORDER BY j), '') FROM generate_series(1, n) j, "
    "(SELECT ARRAY[$$église$$, $$Églises$$, $$château$$, $$châteaux$$, $$moulin$$, $$rivière$$, "
    "$$eau$$, $$l'eau$$, $$d'eau$$, $$cours$$, $$pont$$, $$ponts$$, $$forêt$$, $$route$$, "
    "$$carte$$, $$zone$$, $$zones$$, $$humide$$, $$naturelle$$, $$inventaire$$, "
    "$$patrimoine$$, $$données$$, $$donnée$$, $$brutes$$, $$Ardèche$$, $$porte-monnaie$$, "
    "$$Saint-Étienne$$, $$le$$, $$la$$, $$de$$, $$des$$, $$et$$, $$été$$, $$2020$$, "
    "$$lidar$$, $$réseau$$, $$canal$$, $$barrage$$, $$sol$$, $$roman$$, $$romanes$$, "
    "$$eau$$, $$pont$$, $$zone$$]) a(v))",
    "CREATE TABLE tsq_doc (id int PRIMARY KEY, title text, keywords text[], abstract text, "
    "fts tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('moisson_fr'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('moisson_fr'::regconfig, moisson_join(keywords)), 'B') || "
    "setweight(to_tsvector('moisson_fr'::regconfig, coalesce(abstract, '')), 'C')) STORED)",
    /* lengths: titles 1 to 9 words, 0 to 5 keywords, abstracts up to 120
     * words, 700 every 10th, 20000 every 50th (more than 256 occurrences,
     * and words only past position 16383: two lexemes at 16383); every
     * 97th document empty */
    "INSERT INTO tsq_doc (id, title, keywords, abstract) "
    "SELECT i, CASE WHEN i % 97 <> 0 THEN tsq_words(i, 1 + i % 9) END, "
    "CASE WHEN i % 97 <> 0 THEN ARRAY(SELECT tsq_words(i * 13 + k, 1 + k % 2) "
    "FROM generate_series(1, i % 6) k) END, "
    "CASE WHEN i % 97 = 0 THEN NULL "
    "WHEN i % 50 = 0 THEN tsq_words(i + 100000, 20000) || ' lavoir fontaine lavoirs' "
    "WHEN i % 10 = 0 THEN tsq_words(i + 100000, 700) "
    "ELSE tsq_words(i + 100000, (i * 37) % 121) END "
    "FROM generate_series(1, 320) i", /* N_DOCS */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    testdb_create("tsq", f->conninfo, sizeof f->conninfo);
    f->conn = testdb_connect(f->conninfo);
    testdb_exec(f->conn, "SET jit = off");
    for (size_t i = 0; i < sizeof docs_sql / sizeof docs_sql[0]; i++)
        testdb_exec(f->conn, docs_sql[i]);
    f->docs_res = query(f->conn, "SELECT id, fts FROM tsq_doc ORDER BY id", 0, NULL, 1);
    f->n_docs = (size_t)PQntuples(f->docs_res);
    assert_int_equal(f->n_docs, N_DOCS);
    for (size_t i = 0; i < f->n_docs; i++) {
        struct mo_err err = {0};
        const unsigned char *id = (const unsigned char *)PQgetvalue(f->docs_res, (int)i, 0);
        f->docs[i].id = (int)((uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | id[2] << 8 | id[3]);
        if (tsq_vector_parse(PQgetvalue(f->docs_res, (int)i, 1),
                             (size_t)PQgetlength(f->docs_res, (int)i, 1), &f->docs[i].vec,
                             &err) != MO_OK)
            fail_msg("document %d: %s", f->docs[i].id, err.msg);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < f->n_docs; i++)
        tsq_vector_free(&f->docs[i].vec);
    PQclear(f->docs_res);
    PQfinish(f->conn);
    free(f);
    return 0;
}

/* ---- the trees ---- */

/* n as text: 'lexeme'#operand[:*ABCD], !x, (l & r), (l | r), (l <N> r). */
static void render(const struct tsq *q, int i, char *out, size_t size)
{
    const struct tsq_node *n = tsq_node(q, i);
    size_t len = strlen(out);
    char *o = out + len;
    size_t room = size - len;
    static const char *const ops[] = {[TSQ_AND] = "&", [TSQ_OR] = "|"};
    switch (n->kind) {
    case TSQ_LEXEME:
        snprintf(o, room, "'%s'#%d%s%s%s%s%s%s", tsq_operand(q, (size_t)n->operand, NULL),
                 n->operand, n->prefix || n->weights ? ":" : "", n->prefix ? "*" : "",
                 n->weights & TSQ_WEIGHT_A ? "A" : "", n->weights & TSQ_WEIGHT_B ? "B" : "",
                 n->weights & TSQ_WEIGHT_C ? "C" : "", n->weights & TSQ_WEIGHT_D ? "D" : "");
        break;
    case TSQ_NOT:
        snprintf(o, room, "!");
        render(q, n->left, out, size);
        break;
    default:
        snprintf(o, room, "(");
        render(q, n->left, out, size);
        len = strlen(out);
        if (n->kind == TSQ_PHRASE)
            snprintf(out + len, size - len, " <%u> ", n->distance);
        else
            snprintf(out + len, size - len, " %s ", ops[n->kind]);
        render(q, n->right, out, size);
        len = strlen(out);
        snprintf(out + len, size - len, ")");
    }
}

struct case_parse {
    char how;          /* w: websearch_to_tsquery, t: to_tsquery, c: ::tsquery */
    const char *input; /* what PostgreSQL is given */
    const char *text;  /* the tsquery's text, as PostgreSQL writes it */
    const char *tree;  /* render() of the parse */
    const char *operands;
    int phrase, prefix_or_weights;
};

static const struct case_parse parse_cases[] = {
    {'w', "église", "'eglis'", "'eglis'#0", "eglis", 0, 0},
    {'w', "Églises romanes", "'eglis' & 'roman'", "('eglis'#0 & 'roman'#1)", "eglis,roman", 0, 0},
    {'w', "l'église d'Ardèche", "'eglis' & 'ardech'", "('eglis'#1 & 'ardech'#0)", "ardech,eglis", 0,
     0},
    {'w', "château OR moulin", "'chateau' | 'moulin'", "('chateau'#0 | 'moulin'#1)",
     "chateau,moulin", 0, 0},
    {'w', "moulin -rivière", "'moulin' & !'rivier'", "('moulin'#0 & !'rivier'#1)", "moulin,rivier",
     0, 0},
    {'w', "-moulin", "!'moulin'", "!'moulin'#0", "moulin", 0, 0},
    {'w', "eau eau", "'eau' & 'eau'", "('eau'#0 & 'eau'#0)", "eau", 0, 0},
    {'w', "eau or eau", "'eau' | 'eau'", "('eau'#0 | 'eau'#0)", "eau", 0, 0},
    {'w', "eau -eau", "'eau' & !'eau'", "('eau'#0 & !'eau'#0)", "eau", 0, 0},
    {'w', "chat OR", "'chat' & 'or'", "('chat'#0 & 'or'#1)", "chat,or", 0, 0},
    {'w', "pont & route | !carte", "'pont' & 'rout' & 'cart'", "(('pont'#1 & 'rout'#2) & 'cart'#0)",
     "cart,pont,rout", 0, 0},
    {'w', "\"zone humide\"", "'zon' <-> 'humid'", "('zon'#1 <1> 'humid'#0)", "humid,zon", 1, 0},
    {'w', "le la de", "", "", "", 0, 0}, /* stop words only ("les" is none) */
    {'w', "", "", "", "", 0, 0},
    {'w', "porte-monnaie", "'porte-monnai' <-> 'port' <-> 'monnai'",
     "(('porte-monnai'#2 <1> 'port'#1) <1> 'monnai'#0)", "monnai,port,porte-monnai", 1, 0},
    {'w', "Saint-Étienne", "'saint-etien' <-> 'saint' <-> 'etien'",
     "(('saint-etien'#2 <1> 'saint'#1) <1> 'etien'#0)", "etien,saint,saint-etien", 1, 0},
    {'w', "pont \"cours d'eau\" -barrage or canal",
     "'pont' & 'cour' <2> 'eau' & !'barrag' | 'canal'",
     "((('pont'#4 & ('cour'#2 <2> 'eau'#3)) & !'barrag'#0) | 'canal'#1)",
     "barrag,canal,cour,eau,pont", 1, 0},
    {'w', "données -\"données brutes\"", "'donne' & !( 'donne' <-> 'brut' )",
     "('donne'#1 & !('donne'#1 <1> 'brut'#0))", "brut,donne", 1, 0},
    {'t', "(eau | pont) & !forêt", "( 'eau' | 'pont' ) & !'foret'",
     "(('eau'#0 | 'pont'#2) & !'foret'#1)", "eau,foret,pont", 0, 0},
    {'t', "!(eau & pont)", "!( 'eau' & 'pont' )", "!('eau'#0 & 'pont'#1)", "eau,pont", 0, 0},
    {'t', "eau & (pont | !route)", "'eau' & ( 'pont' | !'rout' )",
     "('eau'#0 & ('pont'#1 | !'rout'#2))", "eau,pont,rout", 0, 0},
    {'t', "!!eau", "!!'eau'", "!!'eau'#0", "eau", 0, 0},
    {'t', "eau:A & pont:*BC", "'eau':A & 'pont':*BC", "('eau'#0:A & 'pont'#1:*BC)", "eau,pont", 0,
     1},
    {'t', "eau <-> pont <3> route", "'eau' <-> 'pont' <3> 'rout'",
     "(('eau'#0 <1> 'pont'#1) <3> 'rout'#2)", "eau,pont,rout", 1, 0},
    {'t', "eau <-> (pont <-> route)", "'eau' <-> ( 'pont' <-> 'rout' )",
     "('eau'#0 <1> ('pont'#1 <1> 'rout'#2))", "eau,pont,rout", 1, 0},
    {'t', "eau <0> pont", "'eau' <0> 'pont'", "('eau'#0 <0> 'pont'#1)", "eau,pont", 1, 0},
    {'t', "(eau <-> pont) & route", "'eau' <-> 'pont' & 'rout'",
     "(('eau'#0 <1> 'pont'#1) & 'rout'#2)", "eau,pont,rout", 1, 0},
    /* quotes and backslashes doubled; operands in byte order, shorter
     * first; a lexeme with and without ':*' is one operand */
    {'c', "'a''b' & 'c\\\\d'", "'a''b' & 'c\\\\d'", "('a'b'#0 & 'c\\d'#1)", "a'b,c\\d", 0, 0},
    {'c', "'x y' | 'é'", "'x y' | 'é'", "('x y'#0 | 'é'#1)", "x y,é", 0, 0},
    {'c', "'a':*DCBA", "'a':*ABCD", "'a'#0:*ABCD", "a", 0, 1},
    {'c', "'a' <16384> 'b'", "'a' <16384> 'b'", "('a'#0 <16384> 'b'#1)", "a,b", 1, 0},
    {'c', "'b' & 'a' & 'b':*", "'b' & 'a' & 'b':*", "(('b'#1 & 'a'#0) & 'b'#1:*)", "a,b", 0, 1},
    {'c', "'ab' | 'a' | 'abc' | 'b' | 'aa'", "'ab' | 'a' | 'abc' | 'b' | 'aa'",
     "(((('ab'#2 | 'a'#0) | 'abc'#3) | 'b'#4) | 'aa'#1)", "a,aa,ab,abc,b", 0, 0},
};

/* The tsquery's text as PostgreSQL writes it: how = w, t or c. */
static char *pg_tsquery_text(PGconn *conn, char how, const char *input)
{
    const char *sql = how == 'w'   ? "SELECT websearch_to_tsquery('moisson_fr', $1)::text"
                      : how == 't' ? "SELECT to_tsquery('moisson_fr', $1)::text"
                                   : "SELECT $1::tsquery::text";
    PGresult *res = query(conn, sql, 1, &input, 0);
    char *text = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return text;
}

static void test_parse(void **state)
{
    struct fixture *f = *state;
    for (size_t c = 0; c < sizeof parse_cases / sizeof parse_cases[0]; c++) {
        const struct case_parse *pc = &parse_cases[c];
        char *text = pg_tsquery_text(f->conn, pc->how, pc->input);
        struct tsq *q = NULL;
        struct mo_err err = {0};
        char tree[1024] = "", ops[1024] = "";
        if (strcmp(text, pc->text) != 0)
            fail_msg("%s: PostgreSQL writes \"%s\", the table says \"%s\"", pc->input, text,
                     pc->text);
        if (tsq_parse(text, &q, &err) != MO_OK)
            fail_msg("%s: %s", text, err.msg);
        if (!tsq_is_empty(q))
            render(q, tsq_root(q), tree, sizeof tree);
        for (size_t i = 0; i < tsq_n_operands(q); i++) {
            size_t len, at = strlen(ops);
            const char *lex = tsq_operand(q, i, &len);
            assert_int_equal(len, strlen(lex));
            snprintf(ops + at, sizeof ops - at, "%s%s", i ? "," : "", lex);
        }
        if (strcmp(tree, pc->tree) != 0 || strcmp(ops, pc->operands) != 0)
            fail_msg("%s: tree %s operands %s; expected %s and %s", text, tree, ops, pc->tree,
                     pc->operands);
        assert_int_equal(tsq_is_empty(q), pc->text[0] == '\0');
        assert_int_equal(tsq_root(q), (int)tsq_n_nodes(q) - 1);
        assert_int_equal(tsq_has_phrase(q), pc->phrase);
        assert_int_equal(tsq_has_prefix_or_weights(q), pc->prefix_or_weights);
        tsq_free(q);
        free(text);
    }
}

/* ---- refusals ---- */

struct case_refuse {
    const char *text;
    mo_rc rc;
};

static const struct case_refuse refuse_cases[] = {
    {"'a", MO_EBADREQ},
    {"'a\\", MO_EBADREQ},
    {"'a''", MO_EBADREQ},
    {"''", MO_EBADREQ},
    {"a", MO_EBADREQ},
    {"'a' &", MO_EBADREQ},
    {"& 'a'", MO_EBADREQ},
    {"'a' 'b'", MO_EBADREQ},
    {"'a' | | 'b'", MO_EBADREQ},
    {"('a'", MO_EBADREQ},
    {"'a')", MO_EBADREQ},
    {"()", MO_EBADREQ},
    {"!", MO_EBADREQ},
    {"'a' & !", MO_EBADREQ},
    {"'a':", MO_EBADREQ},
    {"'a':x", MO_EBADREQ},
    {"'a' <- 'b'", MO_EBADREQ},
    {"'a' <> 'b'", MO_EBADREQ},
    {"'a' <-1> 'b'", MO_EBADREQ},
    {"'a' <16385> 'b'", MO_EBADREQ},
    {"'a' <99999999999999999999> 'b'", MO_EBADREQ},
    {"'a' <3 'b'", MO_EBADREQ},
    {"'a' & 'b' extra", MO_EBADREQ},
};

/* Text of n times s, then tail. */
static char *repeat(const char *s, size_t n, const char *tail)
{
    size_t len = strlen(s);
    char *out = malloc(len * n + strlen(tail) + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * len, s, len);
    strcpy(out + len * n, tail);
    return out;
}

static void expect_parse(const char *text, mo_rc want)
{
    struct tsq *q = (struct tsq *)&q; /* set to NULL on error */
    struct mo_err err = {0};
    mo_rc rc = tsq_parse(text, &q, &err);
    if (rc != want)
        fail_msg("\"%.80s\": %s (%s), expected %s", text, mo_rc_str(rc), err.msg, mo_rc_str(want));
    if (rc != MO_OK) {
        assert_null(q);
        assert_true(strstr(err.msg, "could not read tsquery") || strstr(err.msg, "longer than"));
    }
    tsq_free(q);
}

static void test_refuse(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof refuse_cases / sizeof refuse_cases[0]; c++)
        expect_parse(refuse_cases[c].text, refuse_cases[c].rc);
    /* the limits, at and past them */
    char *t = repeat("!", TSQ_MAX_DEPTH, "'a'");
    expect_parse(t, MO_OK);
    free(t);
    t = repeat("!", TSQ_MAX_DEPTH + 1, "'a'");
    expect_parse(t, MO_ELIMIT);
    free(t);
    t = repeat("(", 100000 / 2, "'a'"); /* a deep text is refused, not recursed into */
    expect_parse(t, MO_ELIMIT);
    free(t);
    t = repeat("'a' & ", TSQ_MAX_NODES / 2 - 1, "'b'"); /* 1023 nodes */
    expect_parse(t, MO_OK);
    free(t);
    t = repeat("'a' & ", TSQ_MAX_NODES / 2, "'b'");
    expect_parse(t, MO_ELIMIT);
    free(t);
    t = repeat(" ", TSQ_MAX_TEXT, "'a'");
    expect_parse(t, MO_ELIMIT);
    free(t);
    char *lex = repeat("x", TSQ_MAX_LEXEME, "'");
    t = malloc(strlen(lex) + 3);
    sprintf(t, "'%s", lex);
    expect_parse(t, MO_OK);
    free(t);
    t = malloc(strlen(lex) + 4);
    sprintf(t, "'x%s", lex);
    expect_parse(t, MO_ELIMIT);
    free(t);
    free(lex);
    /* spaces anywhere between tokens, as tsquery_in reads them */
    expect_parse("  (\t'a'&!'b' )|'c'<->'d'\n", MO_OK);
}

/* ---- the rank ---- */

/* positions[] of each operand of q in vector v. */
static void doc_positions(const struct tsq *q, const struct tsq_vector *v, struct tsq_pos *pos,
                          int *present)
{
    for (size_t i = 0; i < tsq_n_operands(q); i++) {
        size_t len;
        const char *lex = tsq_operand(q, i, &len);
        pos[i] = (struct tsq_pos){NULL, 0};
        for (size_t k = 0; k < v->n; k++)
            if (v->lexemes[k].len == len && memcmp(v->lexemes[k].p, lex, len) == 0)
                pos[i] = (struct tsq_pos){v->positions[k], v->n_positions[k]};
        present[i] = pos[i].n > 0;
    }
}

struct case_rank {
    char how; /* w: websearch_to_tsquery, t: to_tsquery */
    const char *input;
};

/* 1, 2, 3 words; AND, OR, NOT; repeated words; words no document has;
 * stop words only; phrases and weights (ts_rank ignores both but for the
 * root); a prefix (parsed, not ranked here). */
static const struct case_rank rank_cases[] = {
    {'w', "église"},
    {'w', "eau"},
    {'w', "xyzzy"},
    {'w', "Églises romanes"},
    {'w', "eau pont"},
    {'w', "château moulin rivière"},
    {'w', "eau pont zone route"},
    {'w', "église OR château"},
    {'w', "eau or pont or forêt"},
    {'w', "moulin -rivière"},
    {'w', "-moulin"},
    {'w', "-moulin -eau"},
    {'w', "eau eau"},
    {'w', "eau or eau"},
    {'w', "église église château"},
    {'w', "eau -eau"},
    {'w', "eglise xyzzy"},
    {'w', "xyzzy or pont"},
    {'w', "xyzzy -pont"},
    {'w', "patrimoine naturel inventaire données"},
    {'w', "ardèche -lidar"},
    {'w', "2020 été"},
    {'w', "la les de"},
    {'w', "le"},
    {'w', "lavoir fontaine"}, /* both at 16383 only: no pair, 1e-20 */
    {'w', "lavoir église"},
    {'w', "fontaine or lavoir"},
    {'w', "porte-monnaie"},
    {'w', "\"zone humide\""},
    {'w', "\"cours d'eau\""},
    {'w', "pont \"cours d'eau\" -barrage or canal"},
    {'w', "Saint-Étienne or réseau"},
    {'w', "données -\"données brutes\""},
    {'t', "(eau | pont) & !forêt"},
    {'t', "!(eau & pont)"},
    {'t', "eau & (pont | !route)"},
    {'t', "!eau"},
    {'t', "!!eau & sol"},
    {'t', "!eau & !pont"},
    {'t', "!xyzzy & !plugh"},
    {'t', "(eau & pont) | (zone & sol)"},
    {'t', "eau:A & pont"},
    {'t', "eau:BC | pont:A"},
    {'t', "eau <-> pont"},
    {'t', "eau <3> pont & zone"},
    {'t', "eau:*"},
};

struct tally {
    long ranks, matches, skipped;
};

/* Every document against one query: tsq_rank against ts_rank(fts, q),
 * tsq_matches against fts @@ q. */
static void compare_query(struct fixture *f, char how, const char *input, struct tally *t)
{
    static const char *const sql[] = {
        "SELECT ts_rank(fts, q)::text, (fts @@ q)::int FROM tsq_doc, "
        "websearch_to_tsquery('moisson_fr', $1) q ORDER BY id",
        "SELECT ts_rank(fts, q)::text, (fts @@ q)::int FROM tsq_doc, "
        "to_tsquery('moisson_fr', $1) q ORDER BY id",
    };
    char *text = pg_tsquery_text(f->conn, how, input);
    struct tsq *q = NULL;
    struct mo_err err = {0};
    if (tsq_parse(text, &q, &err) != MO_OK)
        fail_msg("%s: %s", text, err.msg);
    PGresult *res = query(f->conn, sql[how == 't'], 1, &input, 0);
    size_t n_ops = tsq_n_operands(q);
    struct tsq_pos *pos = calloc(n_ops + 1, sizeof *pos);
    int *present = calloc(n_ops + 1, sizeof *present);
    int check_match = !tsq_has_phrase(q) && !tsq_has_prefix_or_weights(q);
    int check_rank = 1;
    for (size_t k = 0; k < tsq_n_nodes(q); k++) /* prefix operands: not ranked (tsq.h) */
        if (tsq_node(q, (int)k)->prefix)
            check_rank = 0;
    assert_int_equal(PQntuples(res), (int)f->n_docs);
    for (size_t d = 0; d < f->n_docs; d++) {
        const struct tsq_vector *v = &f->docs[d].vec;
        doc_positions(q, v, pos, present);
        /* tsq.h: an empty vector ranks 0, which the caller applies */
        float mine = v->n ? tsq_rank(q, pos) : 0.0f;
        float theirs = strtof(PQgetvalue(res, (int)d, 0), NULL);
        if (check_rank && bits(mine) != bits(theirs))
            fail_msg("document %d, query %s: tsq_rank %a (%.9g), ts_rank %s (%a)", f->docs[d].id,
                     text, (double)mine, (double)mine, PQgetvalue(res, (int)d, 0), (double)theirs);
        int match = tsq_matches(q, present);
        if (check_match && match != atoi(PQgetvalue(res, (int)d, 1)))
            fail_msg("document %d, query %s: tsq_matches %d, @@ %s", f->docs[d].id, text, match,
                     PQgetvalue(res, (int)d, 1));
        if (!check_match)
            assert_int_equal(match, tsq_has_phrase(q) ? -1 : match);
        t->ranks += check_rank;
        t->matches += check_match;
        t->skipped += !check_rank;
    }
    PQclear(res);
    free(pos);
    free(present);
    tsq_free(q);
    free(text);
}

static void test_rank_documents(void **state)
{
    struct fixture *f = *state;
    struct tally t = {0};
    for (size_t c = 0; c < sizeof rank_cases / sizeof rank_cases[0]; c++)
        compare_query(f, rank_cases[c].how, rank_cases[c].input, &t);
    print_message("%ld (document, query) ranks equal bit for bit, %ld matches equal, %ld "
                  "prefix pairs not ranked\n",
                  t.ranks, t.matches, t.skipped);
    assert_true(t.ranks >= 12000);
}

/* The same with the server's JIT forced on (inlining, optimisation):
 * ts_rank's value must not depend on the plan's cost. */
static void test_rank_under_jit(void **state)
{
    struct fixture *f = *state;
    struct tally t = {0};
    char *jit = testdb_query_value(f->conninfo, "SELECT pg_jit_available()");
    if (strcmp(jit, "t") != 0) {
        print_message("no JIT in this server: skipped\n");
        free(jit);
        return;
    }
    free(jit);
    testdb_exec(f->conn, "SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0; "
                         "SET jit_optimize_above_cost = 0");
    compare_query(f, 'w', "eau pont zone route", &t);
    compare_query(f, 'w', "église OR château", &t);
    compare_query(f, 't', "(eau & pont) | (zone & sol)", &t);
    testdb_exec(f->conn, "SET jit = off");
    print_message("%ld ranks equal with JIT\n", t.ranks);
}

/* Two lexemes, x at 1 with weight a and y at 1 + d with weight b: 'x & y'
 * ranks sqrt(w[a] * w[b] * word_distance(d)) — every value calc_rank_and
 * combines, and 'x | y' the OR rank of single positions. */
static void test_rank_pairs(void **state)
{
    struct fixture *f = *state;
    PGresult *res =
        query(f->conn,
              "SELECT a, b, d, ts_rank(v, 'x & y')::text, ts_rank(v, 'x | y')::text, "
              "ts_rank(v, 'y & x & !z')::text FROM unnest(ARRAY[0, 1, 2, 3]) a, "
              "unnest(ARRAY[0, 1, 2, 3]) b, (SELECT generate_series(1, 101) UNION ALL "
              "SELECT unnest(ARRAY[102, 150, 1000, 16382])) s(d), LATERAL (SELECT format('x:1%s "
              "y:%s%s', substr('DCBA', a + 1, 1), 1 + d, substr('DCBA', b + 1, 1))::tsvector) t(v)",
              0, NULL, 0);
    struct tsq *and_q = NULL, *or_q = NULL, *and_not_q = NULL;
    struct mo_err err = {0};
    assert_int_equal(tsq_parse("'x' & 'y'", &and_q, &err), MO_OK);
    assert_int_equal(tsq_parse("'x' | 'y'", &or_q, &err), MO_OK);
    assert_int_equal(tsq_parse("'y' & 'x' & !'z'", &and_not_q, &err), MO_OK);
    for (int r = 0; r < PQntuples(res); r++) {
        unsigned a = (unsigned)atoi(PQgetvalue(res, r, 0)),
                 b = (unsigned)atoi(PQgetvalue(res, r, 1));
        unsigned d = (unsigned)atoi(PQgetvalue(res, r, 2));
        uint16_t px = (uint16_t)(a << 14 | 1), py = (uint16_t)(b << 14 | (1 + d));
        struct tsq_pos pos[3] = {{&px, 1}, {&py, 1}, {NULL, 0}};
        float got[3] = {tsq_rank(and_q, pos), tsq_rank(or_q, pos), tsq_rank(and_not_q, pos)};
        for (int k = 0; k < 3; k++) {
            float want = strtof(PQgetvalue(res, r, 3 + k), NULL);
            if (bits(got[k]) != bits(want))
                fail_msg("weights %u %u distance %u, query %d: %a, ts_rank %s", a, b, d, k,
                         (double)got[k], PQgetvalue(res, r, 3 + k));
        }
    }
    print_message("%d pairs of positions ranked equal\n", PQntuples(res));
    assert_int_equal(PQntuples(res), 4 * 4 * 105);
    PQclear(res);
    tsq_free(and_q);
    tsq_free(or_q);
    tsq_free(and_not_q);
}

/* The empty query and the empty document. */
static void test_rank_empty(void **state)
{
    struct fixture *f = *state;
    struct tsq *q = NULL;
    struct mo_err err = {0};
    int present[2] = {0, 0};
    struct tsq_pos pos[2] = {{NULL, 0}, {NULL, 0}};
    assert_int_equal(tsq_parse("", &q, &err), MO_OK);
    assert_true(tsq_is_empty(q));
    assert_int_equal(tsq_root(q), -1);
    assert_int_equal(tsq_n_operands(q), 0);
    assert_int_equal(tsq_matches(q, present), 0);
    assert_true(tsq_rank(q, pos) == 0.0f);
    tsq_free(q);
    /* '!a & !b' on an empty vector: PostgreSQL says 0, tsq_rank 1e-20 as
     * for a vector without a nor b (the caller's rule, tsq.h) */
    char *pg = testdb_query_value(f->conninfo, "SELECT ts_rank(''::tsvector, '!a & !b')::text || "
                                               "' ' || ts_rank('c'::tsvector, '!a & !b')::text");
    assert_string_equal(pg, "0 1e-20");
    free(pg);
    assert_int_equal(tsq_parse("!'a' & !'b'", &q, &err), MO_OK);
    assert_int_equal(tsq_matches(q, present), 1);
    assert_true(bits(tsq_rank(q, pos)) == bits(1e-20f));
    tsq_free(q);
}

/* ---- the binary vector ---- */

/* Every document's lexemes and positions as unnest(fts) gives them. */
static void test_vector_unnest(void **state)
{
    struct fixture *f = *state;
    PGresult *res = query(f->conn,
                          "SELECT id, u.lexeme, array_to_string(u.positions, ','), "
                          "array_to_string(u.weights, '') FROM tsq_doc, unnest(fts) "
                          "WITH ORDINALITY u(lexeme, positions, weights, o) ORDER BY id, o",
                          0, NULL, 0);
    size_t d = 0, k = 0;
    long n_pos = 0, full = 0, clamped = 0;
    for (int r = 0; r < PQntuples(res); r++) {
        int id = atoi(PQgetvalue(res, r, 0));
        while (d < f->n_docs && f->docs[d].id != id) {
            assert_int_equal(k, f->docs[d].vec.n);
            d++, k = 0;
        }
        assert_true(d < f->n_docs);
        const struct tsq_vector *v = &f->docs[d].vec;
        assert_true(k < v->n);
        assert_string_equal(v->lexemes[k].p, PQgetvalue(res, r, 1));
        assert_int_equal(v->lexemes[k].len, strlen(PQgetvalue(res, r, 1)));
        char list[8192] = "", weights[512] = "";
        for (unsigned j = 0; j < v->n_positions[k]; j++) {
            size_t at = strlen(list);
            snprintf(list + at, sizeof list - at, "%s%u", j ? "," : "",
                     TSQ_POS_POS(v->positions[k][j]));
            weights[j] = "DCBA"[TSQ_POS_WEIGHT(v->positions[k][j])];
            weights[j + 1] = '\0';
        }
        assert_string_equal(list, PQgetvalue(res, r, 2));
        assert_string_equal(weights, PQgetvalue(res, r, 3));
        n_pos += v->n_positions[k];
        full += v->n_positions[k] == TSQ_MAX_POS;
        clamped += TSQ_POS_POS(v->positions[k][v->n_positions[k] - 1]) == 16383;
        k++;
    }
    for (; d < f->n_docs; d++, k = 0)
        assert_int_equal(k, f->docs[d].vec.n);
    PQclear(res);
    print_message("%ld positions read as unnest gives them (%ld lexemes with %d, %ld at 16383)\n",
                  n_pos, full, TSQ_MAX_POS, clamped);
    assert_true(full > 0 && clamped > 0); /* the long documents reach both limits */
}

static mo_rc parse_copy(const unsigned char *data, size_t len, struct tsq_vector *v)
{
    struct mo_err err = {0};
    unsigned char *copy = malloc(len ? len : 1); /* exact size: ASan sees an overread */
    memcpy(copy, data, len);
    mo_rc rc = tsq_vector_parse(copy, len, v, &err);
    if (rc != MO_OK) {
        assert_int_equal(v->n, 0);
        assert_true(err.msg[0] != '\0');
    }
    free(copy);
    return rc;
}

/* Every truncation of a valid value refused; bytes added, counts and
 * lengths corrupted refused or read within the bytes. */
static void test_vector_hostile(void **state)
{
    struct fixture *f = *state;
    struct tsq_vector v = {0};
    int row = 9; /* id 10: a 700-word abstract, lexemes with many positions */
    const unsigned char *val = (const unsigned char *)PQgetvalue(f->docs_res, row, 1);
    size_t len = (size_t)PQgetlength(f->docs_res, row, 1);
    assert_int_equal(f->docs[row].id, 10);
    assert_true(len > 200);
    assert_int_equal(parse_copy(val, len, &v), MO_OK);
    assert_int_equal(v.n, f->docs[row].vec.n);
    for (size_t cut = 0; cut < len; cut++)
        if (parse_copy(val, cut, &v) != MO_EBADREQ)
            fail_msg("a value cut to %zu of %zu bytes was read", cut, len);
    unsigned char *more = malloc(len + 1);
    memcpy(more, val, len);
    more[len] = 0;
    assert_int_equal(parse_copy(more, len + 1, &v), MO_EBADREQ);
    size_t corrupted = 0;
    for (size_t at = 0; at < len; at++)
        for (int b = 0; b < 3; b++) {
            static const unsigned char bytes[] = {0x00, 0xff, 0x7f};
            memcpy(more, val, len);
            more[at] = bytes[b];
            corrupted += parse_copy(more, len, &v) != MO_OK;
        }
    print_message("%zu of %zu corrupted values refused, the others read in bounds\n", corrupted,
                  len * 3);
    /* counts and position counts past the bytes, above the limits */
    static const unsigned char huge_count[] = {0x7f, 0xff, 0xff, 0xff, 'a', 0, 0, 0};
    static const unsigned char neg_count[] = {0xff, 0xff, 0xff, 0xff, 'a', 0, 0, 0};
    static const unsigned char no_nul[] = {0, 0, 0, 1, 'a', 'b', 'c'};
    static const unsigned char npos_past[] = {0, 0, 0, 1, 'a', 0, 0, 2, 0x40, 1};
    static const unsigned char npos_limit[] = {0, 0, 0, 1, 'a', 0, 1, 1};
    static const unsigned char empty[] = {0, 0, 0, 0};
    static const unsigned char one[] = {0, 0, 0, 1, 'a', 0, 0, 2, 0xc0, 1, 0x40, 3};
    assert_int_equal(parse_copy(huge_count, sizeof huge_count, &v), MO_EBADREQ);
    assert_int_equal(parse_copy(neg_count, sizeof neg_count, &v), MO_EBADREQ);
    assert_int_equal(parse_copy(no_nul, sizeof no_nul, &v), MO_EBADREQ);
    assert_int_equal(parse_copy(npos_past, sizeof npos_past, &v), MO_EBADREQ);
    assert_int_equal(parse_copy(npos_limit, sizeof npos_limit, &v), MO_EBADREQ);
    assert_int_equal(parse_copy(empty, sizeof empty, &v), MO_OK);
    assert_int_equal(v.n, 0);
    struct mo_err err = {0};
    assert_int_equal(tsq_vector_parse(one, sizeof one, &v, &err), MO_OK);
    assert_int_equal(v.n, 1);
    assert_string_equal(v.lexemes[0].p, "a");
    assert_int_equal(v.n_positions[0], 2);
    assert_int_equal(v.positions[0][0], 0xc001); /* 1A */
    assert_int_equal(v.positions[0][1], 0x4003); /* 3C */
    free(more);
    tsq_vector_free(&v);
    tsq_vector_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),          cmocka_unit_test(test_refuse),
        cmocka_unit_test(test_rank_pairs),     cmocka_unit_test(test_rank_documents),
        cmocka_unit_test(test_rank_under_jit), cmocka_unit_test(test_rank_empty),
        cmocka_unit_test(test_vector_unnest),  cmocka_unit_test(test_vector_hostile),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
