/*
 * filter.h — a CSW query constraint as one tree, whatever its syntax, and
 * its translation to a parameterised SQL condition.
 *
 *   filter_parse_ogc / filter_parse_ogc_text   OGC Filter 1.1 XML  (filter_ogc.c)
 *   filter_parse_cql                           OGC CQL text        (filter_cql.c)
 *        └─▶ struct filter (this file, filter.c): And/Or/Not over comparisons,
 *            Like, Between, Null and spatial predicates on queryables
 *   filter_to_sql                              tree → SQL          (filter_sql.c)
 *
 * Property names are resolved through the fixed queryables table
 * (queryables.h) while parsing; literals are checked there too (dates are
 * ISO 8601, envelopes are WGS84 and in range), so a tree that parsed
 * translates.  The SQL is a boolean expression over the chosen record `r`
 * of `entry e JOIN record r ON r.id = e.record_id`; every value travels as a
 * text parameter `$n` (cast in the SQL text), numbered after the caller's own.
 *
 * Errors: every refusal of a client's constraint is MO_EBADREQ with one
 * message naming the offending thing (`unknown queryable "foo:bar"`, `bad
 * date "2020-13-45" for apiso:Modified`, `filter nested deeper than 32`);
 * the CSW module reports it as InvalidParameterValue with the locator
 * FILTER_LOCATOR.  MO_ENOMEM (and MO_ELIMIT when the caller's SQL buffer is
 * full) are the server's own failures.
 */
#ifndef MOISSON_FILTER_H
#define MOISSON_FILTER_H

#include "buf.h"
#include "queryables.h"
#include "result.h"

#include <libxml/tree.h>
#include <stddef.h>

#define FILTER_MAX_DEPTH 32          /* nesting of And/Or/Not and predicates */
#define FILTER_MAX_NODES 256         /* operators and predicates in one filter */
#define FILTER_MAX_LITERAL 4096      /* bytes of one literal */
#define FILTER_MAX_CQL_BYTES 65536   /* bytes of one CQL text */
#define FILTER_MAX_XML_BYTES 1048576 /* bytes of one Filter document given as text */
#define SQL_PARAMS_MAX 1024          /* parameters of one statement */

/* OWS exception locator of every filter error (the CSW Constraint). */
#define FILTER_LOCATOR "Constraint"

enum filter_op {
    FILTER_AND, /* child and its siblings, two or more */
    FILTER_OR,
    FILTER_NOT, /* child */
    FILTER_EQ,  /* prop, value, match_case */
    FILTER_NE,
    FILTER_LT,
    FILTER_GT,
    FILTER_LE,
    FILTER_GE,
    FILTER_LIKE,    /* prop, value (pattern), wild, single, escape, match_case */
    FILTER_BETWEEN, /* prop, value (lower), value2 (upper) */
    FILTER_NULL,    /* prop */
    FILTER_BBOX,    /* prop, env */
    FILTER_INTERSECTS,
    FILTER_WITHIN,   /* the record's box lies within env */
    FILTER_CONTAINS, /* the record's box contains env */
    FILTER_DISJOINT,
    FILTER_OP_COUNT
};

/* WGS84 degrees, longitude first, validated: -180 <= west <= east <= 180,
 * -90 <= south <= north <= 90. */
struct filter_envelope {
    double west, south, east, north;
};

/* One operator or predicate.  Nodes live in their filter and are freed
 * with it; strings are owned by the node. */
struct filter_node {
    enum filter_op op;
    const struct queryable *prop;       /* predicates; NULL for And/Or/Not */
    char *prop_name;                    /* the name as the client wrote it (for messages) */
    char *value;                        /* comparison literal, Like pattern, Between lower */
    char *value2;                       /* Between upper */
    int match_case;                     /* comparisons (default 1) and Like (default 0) */
    char wild[5], single[5], escape[5]; /* Like: one UTF-8 character each */
    struct filter_envelope env;         /* spatial predicates */
    struct filter_node *child;          /* first operand of And/Or/Not */
    struct filter_node *next;           /* next operand of the same parent */
};

struct filter;

/* ---- parsing (each returns a new filter in *out, freed with filter_free) ---- */

/* filter_el is an ogc:Filter element (http://www.opengis.net/ogc; the FE 2.0
 * namespace with ValueReference is read the same way) of a document parsed
 * by xmlsafe; it stays owned by the caller. */
mo_rc filter_parse_ogc(const xmlNode *filter_el, struct filter **out,
                       struct mo_err *err) MO_MUST_CHECK;

/* The same from the text of a Filter document (the KVP CONSTRAINT with
 * CONSTRAINTLANGUAGE=FILTER), parsed through xmlsafe; at most
 * FILTER_MAX_XML_BYTES.  Malformed XML is MO_EBADREQ too. */
mo_rc filter_parse_ogc_text(const char *xml, size_t len, struct filter **out,
                            struct mo_err *err) MO_MUST_CHECK;

/* CQL text (NUL-terminated, UTF-8, at most FILTER_MAX_CQL_BYTES). */
mo_rc filter_parse_cql(const char *text, struct filter **out, struct mo_err *err) MO_MUST_CHECK;

/* Frees the filter and every node and string in it; f may be NULL. */
void filter_free(struct filter *f);

/* ---- translation ---- */

/* Parameters of one statement: values[i] is $(i+1), owned (free with
 * sql_params_free); at most SQL_PARAMS_MAX.  Zero-initialise before use. */
struct sql_params {
    char **values;
    int n, cap;
};

/* Appends a copy of value as the next parameter; MO_ELIMIT past
 * SQL_PARAMS_MAX, MO_ENOMEM. */
mo_rc sql_params_add(struct sql_params *p, const char *value, struct mo_err *err) MO_MUST_CHECK;

/* Frees every value and the array; the struct is left empty. */
void sql_params_free(struct sql_params *p);

/* Appends one parenthesised boolean SQL expression over r to sql and its
 * values to p, numbered from p->n + 1.  All or nothing: on error sql and p
 * are left as they were.  Fails with MO_ELIMIT when sql or p is full,
 * MO_ENOMEM; a tree built by the parsers never fails otherwise. */
mo_rc filter_to_sql(const struct filter *f, struct buf *sql, struct sql_params *p,
                    struct mo_err *err) MO_MUST_CHECK;

/* ---- the tree (for the parsers and the translator) ---- */

/* The root predicate or operator (never NULL for a parsed filter). */
const struct filter_node *filter_root(const struct filter *f);

/* Name of an operator as OGC Filter writes it ("PropertyIsEqualTo"). */
const char *filter_op_name(enum filter_op op);

/* A new, empty filter (no root yet). */
mo_rc filter_new(struct filter **out, struct mo_err *err) MO_MUST_CHECK;

/* Adds a zeroed node of op to f (match_case 1, 0 for Like; Like characters
 * % _ \);
 * MO_EBADREQ "filter has more than 256 conditions" past FILTER_MAX_NODES. */
mo_rc filter_node_new(struct filter *f, enum filter_op op, struct filter_node **out,
                      struct mo_err *err) MO_MUST_CHECK;

void filter_set_root(struct filter *f, struct filter_node *root);

/* Resolves a property name as the client wrote it (len bytes) and checks
 * that n's operator applies to it: MO_EBADREQ `unknown queryable "x"` or
 * `PropertyIsLike does not apply to apiso:Modified (a date)`. */
mo_rc filter_set_prop(struct filter_node *n, const char *name, size_t len,
                      struct mo_err *err) MO_MUST_CHECK;

/* Copies a literal (len bytes) into n->value (which 0) or n->value2
 * (which 1), after filter_set_prop: refuses literals longer than
 * FILTER_MAX_LITERAL, with a NUL byte or not UTF-8, and dates that
 * filter_date_parse refuses. */
mo_rc filter_set_value(struct filter_node *n, int which, const char *s, size_t len,
                       struct mo_err *err) MO_MUST_CHECK;

/* Sets the Like characters; each NULL keeps the default.  Each must be one
 * UTF-8 character and the three must differ. */
mo_rc filter_set_like_chars(struct filter_node *n, const char *wild, const char *single,
                            const char *escape, struct mo_err *err) MO_MUST_CHECK;

/* Builds a validated envelope from two corners given in the axis order of
 * srs_name (NULL: none given): latitude first for urn:ogc:def:crs:EPSG::4326,
 * urn:x-ogc:def:crs:EPSG:4326 and http://www.opengis.net/def/crs/EPSG/0/4326;
 * longitude first for EPSG:4326, CRS84 and no srsName.  Other systems,
 * coordinates out of range and min > max are MO_EBADREQ "bad envelope in
 * <what>: …". */
mo_rc filter_envelope_make(const double lower[2], const double upper[2], const char *srs_name,
                           const char *what, struct filter_envelope *out,
                           struct mo_err *err) MO_MUST_CHECK;

/* Axis order of a CRS name: 1 latitude first, 0 longitude first, -1 not a
 * WGS84 geographic CRS that moisson reads. */
int filter_crs_lat_first(const char *srs_name);

/* Parses a number as written in GML or CQL (optional sign, digits,
 * optional fraction and exponent; no hex, inf or nan): 0 on success. */
int filter_number_parse(const char *s, size_t len, double *out);

/* An ISO 8601 date as a closed-open interval of instants, both with an
 * explicit zone: lo is the literal (a date without time is midnight UTC, a
 * date-time without zone is UTC); hi is the next day, month or year for a
 * literal of that precision, "" for a date-time (a single instant). */
struct filter_date {
    char lo[48];
    char hi[48];
};

/* Accepts YYYY, YYYY-MM, YYYY-MM-DD and YYYY-MM-DD[T ]hh:mm[:ss[.f]][Z|±hh[:mm]],
 * with every field in range; MO_EBADREQ `bad date "x" for <prop>` else. */
mo_rc filter_date_parse(const char *s, const char *prop, struct filter_date *out,
                        struct mo_err *err) MO_MUST_CHECK;

/* Copies at most 60 bytes of s (len bytes) into out for a message: control
 * characters become '?', a cut is marked "..."; returns out. */
const char *filter_excerpt(const char *s, size_t len, char *out, size_t size);

#endif
