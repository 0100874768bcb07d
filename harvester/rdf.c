/*
 * rdf.c — RDF bodies into an in-memory graph, through libraptor2.
 *
 * rdf_parse: body_classify (Content-Type, extension, sniffing) → for RDF/XML
 * an xmlsafe pass (the project's XML policy) → raptor in chunks, each triple
 * interned (term_intern: one hash table of terms) and appended → the subject
 * index (a counting sort of the triples by subject).
 */
#include "rdf.h"

#include "xmlsafe.h"

#include <ctype.h>
#include <stdarg.h>
#include <raptor2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RDF_SNIFF_BYTES 4096 /* start of the body looked at to tell its syntax */
#define RDF_CHUNK_BYTES 65536

struct rdf_world {
    raptor_world *rw;
    struct parse_state *current; /* the parse under way, for the log handler */
};

struct rdf_graph {
    enum rdf_syntax syntax;
    struct rdf_term *terms;
    char **term_mem; /* one allocation per term: value, lang, datatype */
    size_t nterms, cap_terms;
    uint32_t *slots; /* open addressing: term id + 1, 0 = empty */
    size_t nslots;
    struct rdf_triple *triples;
    size_t ntriples, cap_triples;
    uint32_t *tslots; /* open addressing over triples (index + 1): duplicates dropped */
    size_t ntslots;
    struct rdf_triple *by_subject; /* triples grouped by subject, parse order within */
    size_t *subject_start;         /* nterms + 1 offsets into by_subject */
    size_t term_bytes;
};

/* What the handlers of one parse share. */
struct parse_state {
    struct rdf_graph *g;
    raptor_parser *parser;
    const char *name;
    size_t max_triples, max_bytes;
    mo_rc rc; /* first failure */
    struct mo_err *err;
    int log_failed;
    int line;
    char message[RDF_MAX_MESSAGE];
};

enum body_kind {
    BODY_UNKNOWN,
    BODY_RDFXML,
    BODY_TURTLE,
    BODY_NTRIPLES,
    BODY_HTML,
    BODY_JSONLD,
    BODY_DCATUS,
    BODY_JSON,
    BODY_EMPTY
};

/* ---- the world ---- */

static void on_log(void *ud, raptor_log_message *m)
{
    struct rdf_world *w = ud;
    struct parse_state *st = w->current;
    if (!st || m->level < RAPTOR_LOG_LEVEL_ERROR || st->log_failed)
        return;
    st->log_failed = 1;
    raptor_locator *loc = m->locator;
    if ((!loc || loc->line < 0) && st->parser)
        loc = raptor_parser_get_locator(st->parser);
    st->line = loc ? loc->line : -1;
    snprintf(st->message, sizeof st->message, "%s", m->text ? m->text : "unknown error");
    for (char *p = st->message; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    if (st->parser)
        raptor_parser_parse_abort(st->parser);
}

mo_rc rdf_world_new(struct rdf_world **out, struct mo_err *err)
{
    *out = NULL;
    struct rdf_world *w = calloc(1, sizeof *w);
    if (!w)
        return mo_fail(err, MO_ENOMEM, "could not allocate the rdf world");
    w->rw = raptor_new_world();
    if (!w->rw) {
        free(w);
        return mo_fail(err, MO_ENOMEM, "could not start raptor");
    }
    /* libcurl is main's: raptor must neither init nor clean it up */
    raptor_world_set_flag(w->rw, RAPTOR_WORLD_FLAG_WWW_SKIP_INIT_FINISH, 1);
    raptor_world_set_log_handler(w->rw, w, on_log);
    if (raptor_world_open(w->rw) != 0) {
        raptor_free_world(w->rw);
        free(w);
        return mo_fail(err, MO_ENOMEM, "could not open raptor");
    }
    /* raptor put its own libxml2 error handler in place: ours again */
    xmlsafe_init();
    *out = w;
    return MO_OK;
}

void rdf_world_free(struct rdf_world *w)
{
    if (!w)
        return;
    raptor_free_world(w->rw);
    free(w);
}

/* ---- the graph ---- */

const char *rdf_syntax_name(enum rdf_syntax s)
{
    switch (s) {
    case RDF_SYNTAX_RDFXML:
        return "RDF/XML";
    case RDF_SYNTAX_TURTLE:
        return "Turtle";
    case RDF_SYNTAX_NTRIPLES:
        return "N-Triples";
    }
    return "RDF";
}

void rdf_graph_free(struct rdf_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nterms; i++)
        free(g->term_mem[i]);
    free(g->term_mem);
    free(g->terms);
    free(g->slots);
    free(g->triples);
    free(g->tslots);
    free(g->by_subject);
    free(g->subject_start);
    free(g);
}

enum rdf_syntax rdf_graph_syntax(const struct rdf_graph *g)
{
    return g->syntax;
}

size_t rdf_graph_triple_count(const struct rdf_graph *g)
{
    return g->ntriples;
}

size_t rdf_graph_term_count(const struct rdf_graph *g)
{
    return g->nterms;
}

const struct rdf_triple *rdf_graph_triple(const struct rdf_graph *g, size_t i)
{
    return &g->triples[i];
}

const struct rdf_term *rdf_graph_term(const struct rdf_graph *g, uint32_t id)
{
    return &g->terms[id];
}

const struct rdf_triple *rdf_graph_about(const struct rdf_graph *g, uint32_t id, size_t *n)
{
    *n = 0;
    if (!g->subject_start || id >= g->nterms)
        return NULL;
    *n = g->subject_start[id + 1] - g->subject_start[id];
    return g->by_subject + g->subject_start[id];
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t term_hash(enum rdf_kind kind, const char *v, size_t len, const char *lang,
                          const char *dt)
{
    uint64_t h = 14695981039346656037ULL ^ (uint64_t)kind;
    h = hash_bytes(h, v, len);
    if (lang)
        h = hash_bytes(h ^ 1, lang, strlen(lang));
    if (dt)
        h = hash_bytes(h ^ 2, dt, strlen(dt));
    return h;
}

static int same_opt(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int term_equal(const struct rdf_term *t, enum rdf_kind kind, const char *v, size_t len,
                      const char *lang, const char *dt)
{
    return t->kind == kind && t->len == len && memcmp(t->value, v, len) == 0 &&
           same_opt(t->lang, lang) && same_opt(t->datatype, dt);
}

/* Slot of the term, or of the empty place where it would go. */
static size_t slot_of(const struct rdf_graph *g, enum rdf_kind kind, const char *v, size_t len,
                      const char *lang, const char *dt)
{
    size_t mask = g->nslots - 1;
    size_t i = (size_t)term_hash(kind, v, len, lang, dt) & mask;
    while (g->slots[i] && !term_equal(&g->terms[g->slots[i] - 1], kind, v, len, lang, dt))
        i = (i + 1) & mask;
    return i;
}

static mo_rc grow_slots(struct rdf_graph *g)
{
    size_t n = g->nslots ? g->nslots * 2 : 1024;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return MO_ENOMEM;
    free(g->slots);
    g->slots = slots;
    g->nslots = n;
    for (size_t id = 0; id < g->nterms; id++) {
        const struct rdf_term *t = &g->terms[id];
        g->slots[slot_of(g, t->kind, t->value, t->len, t->lang, t->datatype)] = (uint32_t)id + 1;
    }
    return MO_OK;
}

static mo_rc grow_terms(struct rdf_graph *g)
{
    size_t n = g->cap_terms ? g->cap_terms * 2 : 256;
    struct rdf_term *terms = realloc(g->terms, n * sizeof *terms);
    if (!terms)
        return MO_ENOMEM;
    g->terms = terms;
    char **mem = realloc(g->term_mem, n * sizeof *mem);
    if (!mem)
        return MO_ENOMEM;
    g->term_mem = mem;
    g->cap_terms = n;
    return MO_OK;
}

/* Adds a new term (not yet in the graph) at slot; its strings are copied. */
static mo_rc term_add(struct rdf_graph *g, size_t slot, enum rdf_kind kind, const char *v,
                      size_t len, const char *lang, const char *dt, uint32_t *id)
{
    size_t lang_len = lang ? strlen(lang) + 1 : 0, dt_len = dt ? strlen(dt) + 1 : 0;
    if (g->nterms == g->cap_terms && grow_terms(g) != MO_OK)
        return MO_ENOMEM;
    char *mem = malloc(len + 1 + lang_len + dt_len);
    if (!mem)
        return MO_ENOMEM;
    memcpy(mem, v, len);
    mem[len] = '\0';
    struct rdf_term *t = &g->terms[g->nterms];
    t->kind = kind;
    t->value = mem;
    t->len = len;
    t->lang = lang ? memcpy(mem + len + 1, lang, lang_len) : NULL;
    t->datatype = dt ? memcpy(mem + len + 1 + lang_len, dt, dt_len) : NULL;
    g->term_mem[g->nterms] = mem;
    g->term_bytes += len + 1 + lang_len + dt_len;
    *id = (uint32_t)g->nterms;
    g->slots[slot] = (uint32_t)++g->nterms;
    return MO_OK;
}

int rdf_graph_find(const struct rdf_graph *g, enum rdf_kind kind, const char *value, uint32_t *id)
{
    if (!g->nslots)
        return 0;
    size_t slot = slot_of(g, kind, value, strlen(value), NULL, NULL);
    if (!g->slots[slot])
        return 0;
    *id = g->slots[slot] - 1;
    return 1;
}

/* ---- the handlers of a parse ---- */

static void parse_fail(struct parse_state *st, mo_rc rc, const char *fmt, ...) MO_PRINTF(3, 4);

static void parse_fail(struct parse_state *st, mo_rc rc, const char *fmt, ...)
{
    if (st->rc == MO_OK) {
        va_list ap;
        va_start(ap, fmt);
        char msg[MO_ERR_MAX];
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        st->rc = mo_fail(st->err, rc, "%s", msg);
    }
    raptor_parser_parse_abort(st->parser);
}

static mo_rc term_intern(struct parse_state *st, raptor_term *rt, uint32_t *id)
{
    struct rdf_graph *g = st->g;
    enum rdf_kind kind;
    const char *v, *lang = NULL, *dt = NULL;
    size_t len = 0;
    switch (rt->type) {
    case RAPTOR_TERM_TYPE_URI:
        kind = RDF_URI;
        v = (const char *)raptor_uri_as_counted_string(rt->value.uri, &len);
        break;
    case RAPTOR_TERM_TYPE_BLANK:
        kind = RDF_BNODE;
        v = (const char *)rt->value.blank.string;
        len = rt->value.blank.string_len;
        break;
    case RAPTOR_TERM_TYPE_LITERAL:
        kind = RDF_LITERAL;
        v = (const char *)rt->value.literal.string;
        len = rt->value.literal.string_len;
        lang = rt->value.literal.language && rt->value.literal.language_len
                   ? (const char *)rt->value.literal.language
                   : NULL;
        dt = rt->value.literal.datatype
                 ? (const char *)raptor_uri_as_string(rt->value.literal.datatype)
                 : NULL;
        break;
    default:
        return mo_fail(st->err, MO_EPARTNER, "unknown RDF term in \"%s\"", st->name);
    }
    if (!v)
        v = "";
    if ((g->nterms + 1) * 2 > g->nslots && grow_slots(g) != MO_OK)
        return mo_fail(st->err, MO_ENOMEM, "out of memory reading \"%s\"", st->name);
    size_t slot = slot_of(g, kind, v, len, lang, dt);
    if (g->slots[slot]) {
        *id = g->slots[slot] - 1;
        return MO_OK;
    }
    if (g->term_bytes + len > st->max_bytes)
        return mo_fail(st->err, MO_ELIMIT, "\"%s\" holds more than %zu bytes of RDF terms",
                       st->name, st->max_bytes);
    if (g->nterms >= UINT32_MAX - 1 || term_add(g, slot, kind, v, len, lang, dt, id) != MO_OK)
        return mo_fail(st->err, MO_ENOMEM, "out of memory reading \"%s\"", st->name);
    return MO_OK;
}

static size_t triple_slot(const struct rdf_graph *g, const struct rdf_triple *t)
{
    size_t mask = g->ntslots - 1;
    uint64_t h = ((uint64_t)t->s * 0x9E3779B97F4A7C15ULL) ^
                 ((uint64_t)t->p * 0xC2B2AE3D27D4EB4FULL) ^
                 ((uint64_t)t->o * 0x165667B19E3779F9ULL);
    size_t i = (size_t)(h ^ (h >> 29)) & mask;
    while (g->tslots[i]) {
        const struct rdf_triple *u = &g->triples[g->tslots[i] - 1];
        if (u->s == t->s && u->p == t->p && u->o == t->o)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

static mo_rc grow_tslots(struct rdf_graph *g)
{
    size_t n = g->ntslots ? g->ntslots * 2 : 2048;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return MO_ENOMEM;
    free(g->tslots);
    g->tslots = slots;
    g->ntslots = n;
    for (size_t i = 0; i < g->ntriples; i++)
        g->tslots[triple_slot(g, &g->triples[i])] = (uint32_t)i + 1;
    return MO_OK;
}

/* Appends t unless the graph has it already (a graph is a set). */
static mo_rc triple_add(struct rdf_graph *g, const struct rdf_triple *t)
{
    if ((g->ntriples + 1) * 2 > g->ntslots && grow_tslots(g) != MO_OK)
        return MO_ENOMEM;
    size_t slot = triple_slot(g, t);
    if (g->tslots[slot])
        return MO_OK;
    if (g->ntriples == g->cap_triples) {
        size_t n = g->cap_triples ? g->cap_triples * 2 : 1024;
        struct rdf_triple *a = realloc(g->triples, n * sizeof *a);
        if (!a)
            return MO_ENOMEM;
        g->triples = a;
        g->cap_triples = n;
    }
    g->triples[g->ntriples++] = *t;
    g->tslots[slot] = (uint32_t)g->ntriples;
    return MO_OK;
}

static void on_statement(void *ud, raptor_statement *t)
{
    struct parse_state *st = ud;
    struct rdf_graph *g = st->g;
    struct rdf_triple tr;
    if (st->rc != MO_OK)
        return;
    if (g->ntriples >= st->max_triples) {
        parse_fail(st, MO_ELIMIT, "\"%s\" has more than %zu triples", st->name, st->max_triples);
        return;
    }
    mo_rc rc = term_intern(st, t->subject, &tr.s);
    if (rc == MO_OK)
        rc = term_intern(st, t->predicate, &tr.p);
    if (rc == MO_OK)
        rc = term_intern(st, t->object, &tr.o);
    if (rc != MO_OK) {
        st->rc = rc;
        raptor_parser_parse_abort(st->parser);
        return;
    }
    if (triple_add(g, &tr) != MO_OK)
        parse_fail(st, MO_ENOMEM, "out of memory reading \"%s\"", st->name);
}

/* Groups the triples by subject (stable counting sort). */
static mo_rc index_subjects(struct rdf_graph *g)
{
    g->subject_start = calloc(g->nterms + 1, sizeof *g->subject_start);
    g->by_subject = malloc((g->ntriples ? g->ntriples : 1) * sizeof *g->by_subject);
    if (!g->subject_start || !g->by_subject)
        return MO_ENOMEM;
    for (size_t i = 0; i < g->ntriples; i++)
        g->subject_start[g->triples[i].s + 1]++;
    for (size_t id = 0; id < g->nterms; id++)
        g->subject_start[id + 1] += g->subject_start[id];
    size_t *next = malloc((g->nterms ? g->nterms : 1) * sizeof *next);
    if (!next)
        return MO_ENOMEM;
    memcpy(next, g->subject_start, g->nterms * sizeof *next);
    for (size_t i = 0; i < g->ntriples; i++)
        g->by_subject[next[g->triples[i].s]++] = g->triples[i];
    free(next);
    return MO_OK;
}

/* ---- telling the syntax ---- */

static const char *skip_blank(const char *s, const char *end)
{
    if (end - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    while (s < end && isspace((unsigned char)*s))
        s++;
    return s;
}

static int starts_nocase(const char *s, const char *end, const char *prefix)
{
    size_t n = strlen(prefix);
    return (size_t)(end - s) >= n && strncasecmp(s, prefix, n) == 0;
}

static int contains(const char *s, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; (size_t)(end - s) >= n; s++)
        if (memcmp(s, needle, n) == 0)
            return 1;
    return 0;
}

static int contains_nocase(const char *s, const char *end, const char *needle)
{
    for (; s < end; s++)
        if (starts_nocase(s, end, needle))
            return 1;
    return 0;
}

/* What the bytes alone say for sure: an HTML page or a JSON body. */
static enum body_kind sniff_sure(const char *head, size_t len)
{
    const char *end = head + len, *s = skip_blank(head, end);
    if (s == end)
        return BODY_EMPTY;
    if (starts_nocase(s, end, "<!doctype html") || starts_nocase(s, end, "<html"))
        return BODY_HTML;
    if (*s == '<' && !contains(s, end, "22-rdf-syntax-ns#") &&
        (contains_nocase(s, end, "<!doctype html") || contains_nocase(s, end, "<html")))
        return BODY_HTML; /* XHTML after an XML declaration or a comment */
    if (*s == '{' || *s == '[') {
        if (contains(s, end, "project-open-data"))
            return BODY_DCATUS;
        if (contains(s, end, "\"@context\"") || contains(s, end, "\"@id\"") ||
            contains(s, end, "\"@graph\"") || contains(s, end, "\"@type\""))
            return BODY_JSONLD;
        return BODY_JSON;
    }
    return BODY_UNKNOWN;
}

/* A guess from the bytes when nothing else told. */
static enum body_kind sniff_guess(const char *head, size_t len)
{
    const char *end = head + len, *s = skip_blank(head, end);
    if (s < end && *s == '<') {
        /* "<http://…>" opens N-Triples or Turtle; "<rdf:RDF …" or "<?xml" is XML */
        const char *p = s + 1;
        while (p < end && *p != '>' && !isspace((unsigned char)*p))
            p++;
        if (p < end && *p == '>' && memchr(s, ':', (size_t)(p - s)) && s[1] != '?' && s[1] != '!')
            return BODY_TURTLE;
        return BODY_RDFXML;
    }
    return BODY_TURTLE; /* @prefix, PREFIX, @base, _:, comments: Turtle tells its own errors */
}

static enum body_kind from_content_type(const char *ct)
{
    static const struct {
        const char *type;
        enum body_kind kind;
    } types[] = {
        {"application/rdf+xml", BODY_RDFXML},
        {"application/xml", BODY_RDFXML},
        {"text/xml", BODY_RDFXML},
        {"text/turtle", BODY_TURTLE},
        {"application/x-turtle", BODY_TURTLE},
        {"application/turtle", BODY_TURTLE},
        {"text/n3", BODY_TURTLE},
        {"text/rdf+n3", BODY_TURTLE},
        {"application/n-triples", BODY_NTRIPLES},
        {"application/ld+json", BODY_JSONLD},
        {"application/json", BODY_JSON},
        {"text/html", BODY_HTML},
        {"application/xhtml+xml", BODY_HTML},
    };
    if (!ct)
        return BODY_UNKNOWN;
    while (isspace((unsigned char)*ct))
        ct++;
    size_t n = strcspn(ct, "; \t");
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strlen(types[i].type) == n && strncasecmp(ct, types[i].type, n) == 0)
            return types[i].kind;
    return BODY_UNKNOWN;
}

static enum body_kind from_extension(const char *name)
{
    static const struct {
        const char *ext;
        enum body_kind kind;
    } exts[] = {
        {".rdf", BODY_RDFXML}, {".xml", BODY_RDFXML},  {".owl", BODY_RDFXML},
        {".ttl", BODY_TURTLE}, {".nt", BODY_NTRIPLES}, {".jsonld", BODY_JSONLD},
        {".json", BODY_JSON},  {".html", BODY_HTML},   {".htm", BODY_HTML},
    };
    size_t n = strcspn(name, "?#");
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
        size_t m = strlen(exts[i].ext);
        if (n > m && strncasecmp(name + n - m, exts[i].ext, m) == 0)
            return exts[i].kind;
    }
    return BODY_UNKNOWN;
}

/* The bytes first (HTML and JSON are certain), then the Content-Type, then
 * the extension, then a guess from the bytes.  A Content-Type or extension
 * that names JSON or HTML while the bytes are neither is not believed. */
static enum body_kind body_classify(const char *head, size_t len, const char *name,
                                    const char *content_type)
{
    enum body_kind k = sniff_sure(head, len);
    if (k != BODY_UNKNOWN)
        return k;
    k = from_content_type(content_type);
    if (k == BODY_RDFXML || k == BODY_TURTLE || k == BODY_NTRIPLES)
        return k;
    k = from_extension(name);
    if (k == BODY_RDFXML || k == BODY_TURTLE || k == BODY_NTRIPLES)
        return k;
    return sniff_guess(head, len);
}

/* The reason a body that is no RDF moisson reads is refused. */
static mo_rc refuse_kind(enum body_kind k, const char *name, struct mo_err *err)
{
    switch (k) {
    case BODY_EMPTY:
        return mo_fail(err, MO_EPARTNER, "\"%s\" is empty", name);
    case BODY_HTML:
        return mo_fail(err, MO_EPARTNER, "\"%s\" is an HTML page, not RDF", name);
    case BODY_JSONLD:
        return mo_fail(err, MO_EPARTNER,
                       "\"%s\" is JSON-LD, which moisson cannot read (raptor2 has no JSON-LD "
                       "parser): ask the partner for RDF/XML or Turtle",
                       name);
    case BODY_DCATUS:
        return mo_fail(err, MO_EPARTNER,
                       "\"%s\" is DCAT-US (Project Open Data) JSON, not RDF: not supported, ask "
                       "the partner for DCAT-AP in RDF/XML or Turtle",
                       name);
    case BODY_JSON:
        return mo_fail(err, MO_EPARTNER, "\"%s\" is JSON, not RDF (RDF/XML or Turtle expected)",
                       name);
    default:
        return MO_OK;
    }
}

/* ---- the parse ---- */

static mo_rc check_xml(FILE *body, const char *name, struct mo_err *err)
{
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    return xmlsafe_sax_file(body, name, NULL, &sax, NULL, err);
}

static raptor_uri *base_uri_of(raptor_world *rw, const char *name)
{
    if (strstr(name, "://") || strncmp(name, "urn:", 4) == 0)
        return raptor_new_uri(rw, (const unsigned char *)name);
    unsigned char *s = raptor_uri_filename_to_uri_string(name);
    if (!s)
        return NULL;
    raptor_uri *u = raptor_new_uri(rw, s);
    raptor_free_memory(s);
    return u;
}

static void set_options(raptor_parser *p)
{
    raptor_parser_set_option(p, RAPTOR_OPTION_NO_NET, NULL, 1);
    raptor_parser_set_option(p, RAPTOR_OPTION_NO_FILE, NULL, 1);
    raptor_parser_set_option(p, RAPTOR_OPTION_LOAD_EXTERNAL_ENTITIES, NULL, 0);
    raptor_parser_set_option(p, RAPTOR_OPTION_WWW_TIMEOUT, NULL, 1);
}

/* Feeds body to the parser in chunks, counting bytes. */
static void feed(struct parse_state *st, FILE *body, raptor_uri *base)
{
    static const size_t chunk = RDF_CHUNK_BYTES;
    unsigned char *buf = malloc(chunk);
    size_t total = 0, n;
    if (!buf) {
        st->rc = mo_fail(st->err, MO_ENOMEM, "out of memory reading \"%s\"", st->name);
        return;
    }
    rewind(body);
    if (raptor_parser_parse_start(st->parser, base) != 0) {
        st->rc = mo_fail(st->err, MO_EPARTNER, "could not start parsing \"%s\"", st->name);
        free(buf);
        return;
    }
    while (st->rc == MO_OK && !st->log_failed && (n = fread(buf, 1, chunk, body)) > 0) {
        total += n;
        if (total > st->max_bytes) {
            st->rc = mo_fail(st->err, MO_ELIMIT, "\"%s\" is larger than %zu bytes", st->name,
                             st->max_bytes);
            break;
        }
        raptor_parser_parse_chunk(st->parser, buf, n, 0);
    }
    if (st->rc == MO_OK && !st->log_failed && ferror(body))
        st->rc = mo_fail(st->err, MO_EIO, "could not read \"%s\"", st->name);
    if (st->rc == MO_OK && !st->log_failed)
        raptor_parser_parse_chunk(st->parser, NULL, 0, 1);
    free(buf);
}

static mo_rc run_raptor(struct rdf_world *w, struct parse_state *st, FILE *body)
{
    /* N-Triples is a subset of Turtle: the turtle parser reads it (raptor
     * 2.0.15's ntriples parser leaks a term on a syntax error) */
    static const char *const parser_names[] = {"rdfxml", "turtle", "turtle"};
    raptor_uri *base = base_uri_of(w->rw, st->name);
    st->parser = raptor_new_parser(w->rw, parser_names[st->g->syntax]);
    if (!st->parser) {
        raptor_free_uri(base);
        return mo_fail(st->err, MO_ENOMEM, "could not create a raptor parser");
    }
    set_options(st->parser);
    raptor_parser_set_statement_handler(st->parser, st, on_statement);
    w->current = st;
    feed(st, body, base);
    w->current = NULL;
    raptor_free_parser(st->parser);
    st->parser = NULL;
    raptor_free_uri(base);
    if (st->rc != MO_OK)
        return st->rc;
    if (st->log_failed)
        return mo_fail(st->err, MO_EXML, "malformed %s in \"%s\" at line %d: %s",
                       rdf_syntax_name(st->g->syntax), st->name, st->line, st->message);
    return MO_OK;
}

static mo_rc read_head(FILE *body, const char *name, char *head, size_t *len, struct mo_err *err)
{
    rewind(body);
    *len = fread(head, 1, RDF_SNIFF_BYTES, body);
    if (ferror(body))
        return mo_fail(err, MO_EIO, "could not read \"%s\"", name);
    rewind(body);
    return MO_OK;
}

mo_rc rdf_parse(struct rdf_world *w, FILE *body, const char *name, const char *content_type,
                const struct rdf_limits *limits, struct rdf_graph **out, struct mo_err *err)
{
    char head[RDF_SNIFF_BYTES];
    size_t head_len = 0;
    struct parse_state st = {0};
    mo_rc rc;
    *out = NULL;
    if ((rc = read_head(body, name, head, &head_len, err)) != MO_OK)
        return rc;
    enum body_kind kind = body_classify(head, head_len, name, content_type);
    if ((rc = refuse_kind(kind, name, err)) != MO_OK)
        return rc;
    if (kind == BODY_RDFXML && (rc = check_xml(body, name, err)) != MO_OK)
        return rc;
    st.g = calloc(1, sizeof *st.g);
    if (!st.g)
        return mo_fail(err, MO_ENOMEM, "could not allocate a graph");
    st.g->syntax = kind == BODY_RDFXML     ? RDF_SYNTAX_RDFXML
                   : kind == BODY_NTRIPLES ? RDF_SYNTAX_NTRIPLES
                                           : RDF_SYNTAX_TURTLE;
    st.name = name;
    st.err = err;
    st.max_triples = limits && limits->max_triples ? limits->max_triples : RDF_MAX_TRIPLES;
    st.max_bytes = limits && limits->max_bytes ? limits->max_bytes : RDF_MAX_BYTES;
    rc = run_raptor(w, &st, body);
    if (rc == MO_OK && index_subjects(st.g) != MO_OK)
        rc = mo_fail(err, MO_ENOMEM, "out of memory indexing \"%s\"", name);
    if (rc != MO_OK) {
        rdf_graph_free(st.g);
        return rc;
    }
    *out = st.g;
    return MO_OK;
}
