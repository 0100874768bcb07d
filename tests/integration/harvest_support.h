/*
 * harvest_support.h — what the harvest integration tests share: a harvest
 * context over a test database, a source pointed at a stand-in, one call
 * that runs a harvest and returns its summary.
 */
#ifndef MOISSON_HARVEST_SUPPORT_H
#define MOISSON_HARVEST_SUPPORT_H

#include "harvest.h"
#include "standin.h"

struct hctx {
    char conninfo[1024];
    struct store *store;
    struct store *writer_store;
    struct fetch *fetch;
    struct normaliser *norm;
    char xslt_dir[1024];
    struct log log;
    struct harvest h;
};

/* A fresh database t_<name>, a store, a fetch with short test timeouts, the
 * normaliser. */
void hctx_open(struct hctx *c, const char *name);
void hctx_close(struct hctx *c);

/* Adds a csw source for url (constraint may be NULL); returns its id. */
long long hctx_add_source(struct hctx *c, const char *name, const char *url, int page_size,
                          const char *constraint);

/* The same for a source of another type (dcat, wfs…). */
long long hctx_add_source_of_type(struct hctx *c, const char *name, const char *type,
                                  const char *url, int page_size, const char *constraint);

/* Runs one harvest of the named source; returns harvest_source's result. */
mo_rc hctx_harvest(struct hctx *c, const char *name, int full, struct harvest_summary *sum,
                   struct mo_err *err);

/* Value of a one-row, one-column query as a number (for assertions). */
long long hctx_count(struct hctx *c, const char *sql);

/* $MOISSON_SOURCE_DIR/<rel> into out. */
void hctx_path(char *out, size_t size, const char *rel);

#endif
