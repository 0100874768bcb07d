#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "harvest_support.h"

#include "testdb.h"
#include "xmlsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hctx_path(char *out, size_t size, const char *rel)
{
    const char *top = getenv("MOISSON_SOURCE_DIR");
    snprintf(out, size, "%s/%s", top ? top : ".", rel);
}

void hctx_open(struct hctx *c, const char *name)
{
    struct mo_err err = {0};
    memset(c, 0, sizeof *c);
    c->log.level = getenv("MOISSON_TEST_VERBOSE") ? LOG_DEBUG : LOG_ERROR;
    testdb_create(name, c->conninfo, sizeof c->conninfo);
    if (store_open(c->conninfo, &c->store, &err) != MO_OK ||
        store_open(c->conninfo, &c->writer_store, &err) != MO_OK)
        fail_msg("store_open: %s", err.msg);
    struct fetch_options fo = {
        .connect_timeout_ms = 2000,
        .low_speed_time_s = 15, /* a stand-in on a loaded machine can pause that long */
        .total_timeout_s = 60,
        .max_retries = 2,
        .retry_base_ms = 50,
        .retry_max_ms = 200,
        .max_bytes = 64L * 1024 * 1024,
    };
    if (fetch_new(&fo, &c->fetch) != MO_OK)
        fail_msg("fetch_new failed");
    hctx_path(c->xslt_dir, sizeof c->xslt_dir, "xslt");
    if (normalise_new(c->xslt_dir, &c->norm, &err) != MO_OK)
        fail_msg("normalise_new: %s", err.msg);
    c->h = (struct harvest){.store = c->store,
                            .writer_store = c->writer_store,
                            .fetch = c->fetch,
                            .norm = c->norm,
                            .xslt_dir = c->xslt_dir,
                            .log = &c->log,
                            .norm_threads = 1}; /* the pool's path, as on any multi-core machine */
}

void hctx_close(struct hctx *c)
{
    normalise_free(c->norm);
    fetch_free(c->fetch);
    store_close(c->writer_store);
    store_close(c->store);
    memset(c, 0, sizeof *c);
}

long long hctx_add_source(struct hctx *c, const char *name, const char *url, int page_size,
                          const char *constraint)
{
    return hctx_add_source_of_type(c, name, "csw", url, page_size, constraint);
}

long long hctx_add_source_of_type(struct hctx *c, const char *name, const char *type,
                                  const char *url, int page_size, const char *constraint)
{
    struct source src = {
        .name = (char *)name,
        .type = (char *)type,
        .url = (char *)url,
        .constraint_text = (char *)constraint,
        .page_size = page_size,
        .full_every_s = 7 * 86400,
        .max_shrink = 0.2,
        .priority = 100,
    };
    long long id = 0;
    struct mo_err err = {0};
    if (store_source_add(c->store, &src, &id, &err) != MO_OK)
        fail_msg("store_source_add: %s", err.msg);
    return id;
}

mo_rc hctx_harvest(struct hctx *c, const char *name, int full, struct harvest_summary *sum,
                   struct mo_err *err)
{
    struct source src = {0};
    if (store_source_get(c->store, name, &src, err) != MO_OK)
        fail_msg("store_source_get: %s", err->msg);
    struct harvest_options opts = {.force_full = full};
    mo_rc rc = harvest_source(&c->h, &src, &opts, sum, err);
    print_message("  run %lld %s: received %ld/%ld added %ld updated %ld unchanged %ld failed %ld "
                  "retired %ld | %s%s%s\n",
                  sum->run_id, sum->status, sum->c.received, sum->c.announced, sum->c.added,
                  sum->c.updated, sum->c.unchanged, sum->c.failed, sum->c.retired,
                  sum->report ? sum->report : "", rc != MO_OK ? " | error: " : "",
                  rc != MO_OK ? err->msg : "");
    source_clear(&src);
    return rc;
}

long long hctx_count(struct hctx *c, const char *sql)
{
    char *v = testdb_query_value(c->conninfo, sql);
    long long n = v ? atoll(v) : -1;
    free(v);
    return n;
}
