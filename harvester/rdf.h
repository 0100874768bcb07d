/*
 * rdf.h — RDF from a partner (RDF/XML, Turtle, N-Triples) into an in-memory
 * graph indexed by subject, through libraptor2.
 *
 * The syntax is told by the Content-Type, else by the name's extension, else
 * by sniffing the first bytes; HTML pages and JSON bodies (JSON-LD, DCAT-US)
 * are refused with the reason (raptor2 has no JSON-LD parser and Debian 12
 * has no C library for it: see harvester/README.md).  RDF/XML goes through
 * xmlsafe first (DOCTYPE with entities refused, malformed XML worded by
 * libxml2), then through raptor with network, files and external entities
 * off.  raptor's messages never reach the terminal: the first error becomes
 * the mo_err, with the syntax, the name and the line.
 *
 * Limits: RDF_MAX_TRIPLES triples and RDF_MAX_BYTES bytes of input (and as
 * many bytes of distinct terms kept) per graph; past either, MO_ELIMIT.
 *
 * One struct rdf_world per process, used by one thread at a time: raptor's
 * world teardown calls libxml2's xmlCleanupParser(), so rdf_world_free
 * belongs at exit, after every other thread that uses libxml2 has stopped
 * (like curl_global_cleanup).
 */
#ifndef MOISSON_RDF_H
#define MOISSON_RDF_H

#include "result.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RDF_MAX_TRIPLES 1000000u          /* triples in one graph (one page) */
#define RDF_MAX_BYTES (64u * 1024 * 1024) /* input bytes, and bytes of distinct terms */
#define RDF_MAX_MESSAGE 300               /* raptor's message, as quoted in mo_err */

#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RDF_TYPE RDF_NS "type"

enum rdf_syntax { RDF_SYNTAX_RDFXML, RDF_SYNTAX_TURTLE, RDF_SYNTAX_NTRIPLES };

enum rdf_kind { RDF_URI, RDF_BNODE, RDF_LITERAL };

/* A term of the graph; its strings live as long as the graph. */
struct rdf_term {
    enum rdf_kind kind;
    const char *value;    /* URI, blank node label (as parsed), or literal text (UTF-8) */
    size_t len;           /* strlen(value) */
    const char *lang;     /* literal language tag, or NULL */
    const char *datatype; /* literal datatype URI, or NULL */
};

/* Terms are numbered from 0 in order of first appearance. */
struct rdf_triple {
    uint32_t s, p, o;
};

/* Zero fields mean the defaults above. */
struct rdf_limits {
    size_t max_triples;
    size_t max_bytes;
};

struct rdf_world;
struct rdf_graph;

/* Opens raptor (network and file access off, its curl left alone).  Once
 * per process; see the banner for when to free it. */
mo_rc rdf_world_new(struct rdf_world **out, struct mo_err *err) MO_MUST_CHECK;

/* Frees w (NULL allowed).  Calls xmlCleanupParser() through raptor. */
void rdf_world_free(struct rdf_world *w);

/* Parses body (read from its start; the FILE stays the caller's) into a new
 * graph (caller frees with rdf_graph_free).  name is the URL (or path) of the
 * body: it labels messages and is the base URI of relative references.
 * content_type may be NULL; limits may be NULL (defaults).  Errors:
 * MO_EPARTNER for an HTML page or a JSON body, MO_EXML / MO_EFORBIDDEN for
 * XML that xmlsafe refuses, MO_EXML "malformed Turtle in …" for a syntax
 * error, MO_ELIMIT past a limit. */
mo_rc rdf_parse(struct rdf_world *w, FILE *body, const char *name, const char *content_type,
                const struct rdf_limits *limits, struct rdf_graph **out,
                struct mo_err *err) MO_MUST_CHECK;

/* Frees g (NULL allowed). */
void rdf_graph_free(struct rdf_graph *g);

/* The syntax the body was read as. */
enum rdf_syntax rdf_graph_syntax(const struct rdf_graph *g);

/* Short name of a syntax ("RDF/XML", "Turtle", "N-Triples"). */
const char *rdf_syntax_name(enum rdf_syntax s);

size_t rdf_graph_triple_count(const struct rdf_graph *g);
size_t rdf_graph_term_count(const struct rdf_graph *g);

/* Triple i (0 ≤ i < count) in the order the parser gave them. */
const struct rdf_triple *rdf_graph_triple(const struct rdf_graph *g, size_t i);

/* Term id (0 ≤ id < term count); borrowed. */
const struct rdf_term *rdf_graph_term(const struct rdf_graph *g, uint32_t id);

/* The id of a URI or blank node term: 1 and *id when the graph has it, else 0. */
int rdf_graph_find(const struct rdf_graph *g, enum rdf_kind kind, const char *value, uint32_t *id);

/* The triples whose subject is id, in parse order (*n = 0 when none). */
const struct rdf_triple *rdf_graph_about(const struct rdf_graph *g, uint32_t id, size_t *n);

#endif
