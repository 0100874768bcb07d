/*
 * schemacheck.c — validation against the corpus schemas, offline, through the
 * corpus catalog.xml.
 *
 * xmlsafe_init's entity loader refuses every URL with a network scheme before
 * libxml2 looks at catalogs, so the first schemacheck_load puts a loader in
 * front of it that maps such URLs through the catalog to local files and
 * refuses the rest: the schemas load whether their imports are relative or
 * absolute, and nothing is fetched.
 */
#include "schemacheck.h"

#include "testdb.h"

#include <libxml/catalog.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMACHECK_MAX_PATH 4096

struct schemacheck {
    xmlSchemaParserCtxt *parser;
    xmlSchema *schema;
    xmlSchemaValidCtxt *valid;
};

/* Collected messages of one parse or validation. */
struct schemacheck_errors {
    char *buf;
    size_t size;
    size_t len;
    int count;
};

/* The loader that was in place before ours (xmlsafe's); set once, by the
 * first schemacheck_load of the process. */
static xmlExternalEntityLoader schemacheck_next_loader;

static xmlParserInputPtr schemacheck_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    if (url && strstr(url, "://") && strncmp(url, "file://", 7) != 0) {
        xmlChar *local = xmlCatalogResolveURI((const xmlChar *)url);
        if (!local)
            local = xmlCatalogResolveSystem((const xmlChar *)url);
        if (!local)
            return NULL; /* not in the catalog: the network stays off */
        xmlParserInputPtr in = schemacheck_next_loader((const char *)local, id, ctxt);
        xmlFree(local);
        return in;
    }
    return schemacheck_next_loader(url, id, ctxt);
}

static int schemacheck_setup(const char *corpus, char *errbuf, size_t size)
{
    char catalog[SCHEMACHECK_MAX_PATH];
    if (schemacheck_next_loader)
        return 0;
    snprintf(catalog, sizeof catalog, "%s/schemas/catalog.xml", corpus);
    if (xmlLoadCatalog(catalog) != 0) {
        snprintf(errbuf, size, "could not load the catalog \"%s\"", catalog);
        return -1;
    }
    schemacheck_next_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(schemacheck_loader);
    return 0;
}

static void schemacheck_collect(void *ctx, xmlErrorPtr e)
{
    struct schemacheck_errors *c = ctx;
    if (!e || e->level < XML_ERR_ERROR || c->count >= SCHEMACHECK_MAX_MESSAGES || !c->buf)
        return;
    c->count++;
    if (c->len + 1 >= c->size)
        return;
    int n = snprintf(c->buf + c->len, c->size - c->len, "%sline %d: %s", c->len ? "; " : "",
                     e->line, e->message ? e->message : "?");
    if (n > 0)
        c->len += (size_t)n < c->size - c->len ? (size_t)n : c->size - c->len - 1;
    while (c->len && (c->buf[c->len - 1] == '\n' || c->buf[c->len - 1] == ' '))
        c->buf[--c->len] = '\0';
}

struct schemacheck *schemacheck_load(const char *xsd, char *errbuf, size_t size)
{
    char path[SCHEMACHECK_MAX_PATH];
    struct schemacheck_errors errors = {.buf = errbuf, .size = size};
    const char *corpus = testdb_corpus_dir();
    if (size)
        errbuf[0] = '\0';
    if (!corpus) {
        snprintf(errbuf, size, "corpus absent ($MOISSON_CORPUS)");
        return NULL;
    }
    if (schemacheck_setup(corpus, errbuf, size) != 0)
        return NULL;
    if (strstr(xsd, "://") || xsd[0] == '/')
        snprintf(path, sizeof path, "%s", xsd);
    else
        snprintf(path, sizeof path, "%s/schemas/%s", corpus, xsd);
    struct schemacheck *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errbuf, size, "out of memory");
        return NULL;
    }
    s->parser = xmlSchemaNewParserCtxt(path);
    if (s->parser) {
        xmlSchemaSetParserStructuredErrors(s->parser, schemacheck_collect, &errors);
        s->schema = xmlSchemaParse(s->parser);
    }
    if (s->schema)
        s->valid = xmlSchemaNewValidCtxt(s->schema);
    if (!s->valid) {
        size_t len = strlen(errbuf);
        snprintf(errbuf + len, size - len, "%scould not compile the schema \"%s\"", len ? "; " : "",
                 path);
        schemacheck_free(s);
        return NULL;
    }
    return s;
}

void schemacheck_free(struct schemacheck *s)
{
    if (!s)
        return;
    xmlSchemaFreeValidCtxt(s->valid);
    xmlSchemaFree(s->schema);
    xmlSchemaFreeParserCtxt(s->parser);
    free(s);
}

int schemacheck_doc(struct schemacheck *s, xmlDoc *doc, char *errbuf, size_t size)
{
    struct schemacheck_errors errors = {.buf = errbuf, .size = size};
    if (size)
        errbuf[0] = '\0';
    xmlSchemaSetValidStructuredErrors(s->valid, schemacheck_collect, &errors);
    int rc = xmlSchemaValidateDoc(s->valid, doc);
    xmlSchemaSetValidStructuredErrors(s->valid, NULL, NULL);
    if (rc == 0)
        return 0;
    if (errors.count == 0)
        snprintf(errbuf, size, "invalid (libxml2 code %d)", rc);
    return -1;
}
