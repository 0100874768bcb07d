/*
 * dcat_client.h — one page of a partner's DCAT feed (DCAT, DCAT-AP,
 * GeoDCAT-AP in RDF/XML, Turtle or N-Triples) → one standalone RDF/XML
 * record per dataset, and the page's Hydra paging.
 *
 * The page is parsed into a graph (rdf.h).  Every subject typed
 * dcat:Dataset, dcat:DataService or dcat:DatasetSeries becomes one record:
 * an rdf:RDF document holding its concise bounded description — its own
 * triples, then (breadth first) those of the blank nodes it references and
 * of the URI nodes described in the page that it references as
 * distributions, contact points, publishers and other agents, spatial and
 * temporal coverage, themes, licences, rights, formats, standards, access
 * services, and the dcat:CatalogRecord whose foaf:primaryTopic it is.  Other
 * datasets, series and catalogs are never pulled in.  Each node is written
 * once (an RDF loop cannot hang), and a record past max_record_triples fails
 * the page.  The document is flat, as raptor's "rdfxml" serializer writes it:
 * one rdf:Description per node (rdf:about, or rdf:nodeID for blank nodes,
 * renumbered b1, b2… in the record so that its content hash does not depend
 * on the page), rdf:type and references as rdf:resource / rdf:nodeID,
 * literals with xml:lang / rdf:datatype; well-known namespaces keep their
 * usual prefixes.  xslt/dcat-rdf-to-unified.xsl reads it.
 *
 * Paging (Hydra, as udata and ckanext-dcat serve it): hydra:next or
 * hydra:nextPage (of a hydra:PartialCollectionView or hydra:PagedCollection;
 * the one whose subject is the page itself wins), hydra:totalItems,
 * hydra:first / firstPage and hydra:last / lastPage, as absolute URLs
 * (relative references are resolved against name by the parser).  Loops and
 * lies are the caller's to judge (paging.h).
 */
#ifndef MOISSON_DCAT_CLIENT_H
#define MOISSON_DCAT_CLIENT_H

#include "rdf.h"
#include "result.h"

#include <libxml/tree.h>
#include <stdio.h>

#define DCAT_MAX_RECORD_TRIPLES 20000u /* triples in one record's description */
#define DCAT_MAX_URL 4096              /* longest paging URL kept */

#define DCAT_NS "http://www.w3.org/ns/dcat#"
#define HYDRA_NS "http://www.w3.org/ns/hydra/core#"

/* What a page says about paging; URLs are owned (dcat_page_info_clear). */
struct dcat_page_info {
    long total;      /* hydra:totalItems, -1 when absent or not an integer */
    char *next_url;  /* hydra:next / nextPage, NULL on the last page */
    long datasets;   /* records handed to the callback */
    char *first_url; /* hydra:first / firstPage, or NULL */
    char *last_url;  /* hydra:last / lastPage, or NULL */
    long triples;    /* triples in the page */
};

/* Zero fields mean the defaults (RDF_MAX_TRIPLES, RDF_MAX_BYTES,
 * DCAT_MAX_RECORD_TRIPLES). */
struct dcat_limits {
    size_t max_triples;
    size_t max_bytes;
    size_t max_record_triples;
};

/* Called for each record, in the order the datasets appear in the page;
 * index counts from 0.  record is the rdf:RDF root of a document that lives
 * until the callback returns (borrowed).  A non-OK return stops the walk
 * with that result. */
typedef mo_rc (*dcat_record_fn)(void *ud, xmlNode *record, long index, struct mo_err *err);

/* Parses one page (body read from its start; stays the caller's) and calls
 * fn for each record.  name is the page URL: it labels messages and is the
 * base URI.  content_type (may be NULL) picks the syntax (rdf.h); limits may
 * be NULL.  info is cleared first and filled even when the page fails after
 * parsing.  Errors, each naming the page: those of rdf_parse; MO_EPARTNER
 * "no dcat:Dataset, dcat:DataService or dcat:DatasetSeries in …" for a page
 * without records that is no page of a Hydra collection (a page that gives
 * hydra:totalItems, or a next, first or last link, is not an error without
 * datasets: MO_OK with datasets = 0, an empty collection or an empty page
 * whose paging the caller judges); MO_ELIMIT for a record past its triple
 * cap.  No record is handed on before the whole page has parsed. */
mo_rc dcat_parse_page(struct rdf_world *w, FILE *body, const char *name, const char *content_type,
                      const struct dcat_limits *limits, struct dcat_page_info *info,
                      dcat_record_fn fn, void *ud, struct mo_err *err) MO_MUST_CHECK;

/* Frees the URLs of info and resets it (total = -1); info may be NULL. */
void dcat_page_info_clear(struct dcat_page_info *info);

#endif
