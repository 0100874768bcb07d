/*
 * harvest_folder.c — the listings of partners that publish files (see
 * harvest_internal.h, folder.h and folder_file.h): "waf", a Web Accessible
 * Folder on HTTP (autoindex pages, subfolders followed), and "dir", a local
 * directory.
 *
 * The files are listed once, sorted, then taken by pages of page_size:
 *
 *   folder_page
 *   ├─ store_folder_validators_get   the validators of the page's files whose
 *   │                                record the store still has (one statement)
 *   ├─ folder_file_load (per file)   GET with If-None-Match / If-Modified-Since
 *   │                                (dir: same times, size and inode): a 304
 *   │                                leaves the file unread, else it is parsed
 *   ├─ run_take_page_known           the parsed files walked by the core, the
 *   │                                unread ones by the hash of the record
 *   │                                their last answer gave: stamped seen
 *   ├─ store_folder_validators_put   what the 200s said, with the hashes the
 *   │                                core made (a server that sends no
 *   │                                validators leaves no row: hashes only)
 *   └─ page_again                    an unread file whose hash the store did not
 *                                    have after all: fetched whole, taken again
 *
 * A file that cannot be fetched or parsed is a per-record error named by its
 * URL or path; the run goes on and ends incomplete (nothing retired).
 * Every run is full: a folder has no "modified since".
 */
#include "folder.h"
#include "folder_file.h"
#include "harvest_internal.h"

#include <stdlib.h>
#include <string.h>

#define FOLDER_MAX_INDEX_PAGES 1000 /* autoindex pages of one WAF, subfolders included */

struct folder_listing {
    int remote; /* waf: URLs; dir: paths */
    struct folder_list files;
    long index_pages;
    long next;         /* first file of the next page */
    long not_modified; /* files taken unread (304, or the same date and size) */
};

/* A page: its files, and the parsed ones in listing order. */
struct folder_page {
    struct folder_file files[HARVEST_BATCH_MAX];
    size_t n_files;
    xmlDoc *docs[HARVEST_BATCH_MAX];    /* borrowed from files */
    size_t doc_file[HARVEST_BATCH_MAX]; /* docs[d] is files[doc_file[d]].doc */
    size_t n;
    long total; /* files listed */
};

static mo_rc walk_folder_page(void *page, struct csw_page_info *info, csw_record_fn fn, void *ud,
                              struct mo_err *err)
{
    struct folder_page *p = page;
    return run_walk_docs(p->docs, p->n, p->total, -1, info, fn, ud, err);
}

/* ---- listing ---- */

static mo_rc list_waf(struct run *run, struct folder_listing *L, struct mo_err *err)
{
    struct folder_list dirs = {0};
    mo_rc rc = MO_OK;
    const char *url = run->src->url;
    for (size_t next_dir = 0; rc == MO_OK; next_dir++) {
        if (++L->index_pages > FOLDER_MAX_INDEX_PAGES) {
            rc = mo_fail(err, MO_ELIMIT, "\"%s\": more than %d folder pages", run->src->url,
                         FOLDER_MAX_INDEX_PAGES);
            break;
        }
        struct fetch_response resp = {0};
        rc = fetch_get(run->h->fetch, url, &resp, err);
        if (rc == MO_OK)
            rc = folder_parse_index(resp.body, url, &L->files, &dirs, err);
        fetch_response_clear(&resp);
        if (next_dir >= dirs.n)
            break;
        url = dirs.items[next_dir];
    }
    folder_list_free(&dirs);
    folder_list_sort(&L->files);
    return rc;
}

static mo_rc folder_open(struct run *run, const struct harvest_options *opts, int *full,
                         struct mo_err *err)
{
    (void)opts;
    struct folder_listing *L = calloc(1, sizeof *L);
    if (!L)
        return mo_fail(err, MO_ENOMEM, "out of memory");
    run->listing = L;
    *full = 1;
    L->remote = !strcmp(run->src->type, "waf");
    const char *path = run->src->url;
    if (!L->remote && !strncmp(path, "file://", 7))
        path += 7;
    return L->remote ? list_waf(run, L, err) : folder_list_dir(path, &L->files, err);
}

/* ---- validators ---- */

struct stored {
    struct folder_page *p;
    int oom;
};

static void on_stored(void *ud, const struct folder_validators *v)
{
    struct stored *s = ud;
    for (size_t k = 0; k < s->p->n_files; k++) {
        struct folder_file *ff = &s->p->files[k];
        if (strcmp(ff->name, v->url) != 0)
            continue;
        if (folder_file_set_old(ff, v->etag, v->last_modified, v->hash) != MO_OK)
            s->oom = 1;
        return;
    }
}

static mo_rc page_validators_get(struct run *run, struct folder_page *p, struct mo_err *err)
{
    const char *names[HARVEST_BATCH_MAX];
    struct stored s = {p, 0};
    for (size_t k = 0; k < p->n_files; k++)
        names[k] = p->files[k].name;
    mo_rc rc = store_folder_validators_get(run->h->store, run->src->id, NORMALISE_VERSION, names,
                                           p->n_files, on_stored, &s, err);
    if (rc == MO_OK && s.oom)
        rc = mo_fail(err, MO_ENOMEM, "out of memory reading the files of source \"%s\"",
                     run->src->name);
    return rc;
}

/* The validators of the files parsed in the page the core just took, with
 * the hashes it made of them (none for a record too big: forgotten). */
static mo_rc page_validators_put(struct run *run, const struct folder_page *p, struct mo_err *err)
{
    struct folder_validators v[HARVEST_BATCH_MAX];
    size_t n = 0;
    for (size_t d = 0; d < p->n; d++) {
        const struct folder_file *ff = &p->files[p->doc_file[d]];
        if (!ff->etag && !ff->last_modified && !ff->old_etag && !ff->old_last_modified)
            continue; /* no validators now nor before: the hash alone, as ever */
        v[n].url = ff->name;
        v[n].etag = ff->etag;
        v[n].last_modified = ff->last_modified;
        v[n].hash = run_page_hash(run, (long)d);
        n++;
    }
    return store_folder_validators_put(run->h->store, run->src->id, NORMALISE_VERSION, v, n, err);
}

/* ---- pages ---- */

static void page_clear(struct folder_page *p)
{
    for (size_t k = 0; k < p->n_files; k++)
        folder_file_clear(&p->files[k]);
    p->n_files = 0;
    p->n = 0;
}

/* One file, unless unchanged; a file that fails is the run's per-record error. */
static mo_rc page_load(struct run *run, struct folder_listing *L, struct folder_file *ff, int whole,
                       struct mo_err *err)
{
    struct mo_err file_err = {0};
    mo_rc rc = folder_file_load(ff, L->remote ? run->h->fetch : NULL, whole, &file_err);
    if (rc == MO_OK)
        return MO_OK;
    if (rc == MO_EIO && run_stop_requested(run))
        return mo_fail(err, MO_EIO, "interrupted");
    return run_record_error(run, ff->name, file_err.msg, err);
}

/* Hands the files of the page (those flagged in only, or all) to the core:
 * the parsed ones walked, the unread ones by their last hash; missed (may
 * be NULL) flags the unread ones whose hash the store did not have. */
static mo_rc page_take(struct run *run, struct folder_listing *L, struct folder_page *p,
                       const unsigned char *only, unsigned char *missed, struct mo_err *err)
{
    char known[HARVEST_BATCH_MAX][65];
    unsigned char known_missed[HARVEST_BATCH_MAX];
    size_t known_file[HARVEST_BATCH_MAX], n_known = 0;
    p->n = 0;
    for (size_t k = 0; k < p->n_files; k++) {
        const struct folder_file *ff = &p->files[k];
        if (only && !only[k])
            continue;
        if (ff->doc) {
            p->docs[p->n] = ff->doc;
            p->doc_file[p->n++] = k;
        } else if (ff->not_modified) {
            memcpy(known[n_known], ff->old_hash, sizeof known[n_known]);
            known_file[n_known++] = k;
        }
    }
    struct page_known kn = {(const char(*)[65])known, n_known, known_missed};
    struct csw_page_info info = {0};
    struct page_walk pw = {walk_folder_page, NULL, p, 1};
    mo_rc rc = run_take_page_known(run, &pw, &kn, &info, err);
    run->c.received += info.records;
    if (rc == MO_OK)
        rc = page_validators_put(run, p, err);
    for (size_t j = 0; rc == MO_OK && j < n_known; j++) {
        if (missed)
            missed[known_file[j]] = known_missed[j];
        L->not_modified += !known_missed[j];
    }
    return rc;
}

/* The unread files whose record the store did not have after all (another
 * file of the run replaced it meanwhile): a 304 is not trusted without it,
 * so they are fetched whole and taken again. */
static mo_rc page_again(struct run *run, struct folder_listing *L, struct folder_page *p,
                        const unsigned char *missed, struct mo_err *err)
{
    size_t n = 0;
    mo_rc rc = MO_OK;
    for (size_t k = 0; k < p->n_files && rc == MO_OK; k++) {
        if (!missed[k])
            continue;
        n++;
        rc = page_load(run, L, &p->files[k], 1, err);
    }
    if (rc != MO_OK || n == 0)
        return rc;
    log_debug(run->h->log, "%zu unchanged file(s) of source \"%s\" fetched again", n,
              run->src->name);
    return page_take(run, L, p, missed, NULL, err);
}

static mo_rc folder_page(struct run *run, struct folder_listing *L, struct mo_err *err)
{
    struct folder_page p = {.total = (long)L->files.n};
    unsigned char missed[HARVEST_BATCH_MAX] = {0};
    int size = run->src->page_size > 0 ? run->src->page_size : STORE_DEFAULT_PAGE_SIZE;
    if (size > HARVEST_BATCH_MAX)
        size = HARVEST_BATCH_MAX;
    long end = L->next + size;
    if (end > (long)L->files.n)
        end = (long)L->files.n;
    for (long i = L->next; i < end; i++)
        p.files[p.n_files++].name = L->files.items[i];
    mo_rc rc = page_validators_get(run, &p, err);
    for (size_t k = 0; k < p.n_files && rc == MO_OK; k++)
        rc = page_load(run, L, &p.files[k], 0, err);
    if (rc == MO_OK)
        rc = page_take(run, L, &p, NULL, missed, err);
    if (rc == MO_OK)
        rc = page_again(run, L, &p, missed, err);
    page_clear(&p);
    run->c.pages++;
    L->next = end;
    return rc;
}

static mo_rc folder_list(struct run *run, struct mo_err *err)
{
    struct folder_listing *L = run->listing;
    mo_rc rc = buf_printf(&run->report, "full run over %s %s: ", L->remote ? "folder" : "directory",
                          run->src->url);
    run->c.announced = (long)L->files.n;
    while (rc == MO_OK && L->next < (long)L->files.n) {
        if (run_stop_requested(run))
            rc = mo_fail(err, MO_EIO, "interrupted");
        else
            rc = folder_page(run, L, err);
    }
    run->complete = rc == MO_OK && L->next == (long)L->files.n;
    run->consistent = 1;
    return rc;
}

static mo_rc folder_describe(struct run *run, struct buf *out)
{
    struct folder_listing *L = run->listing;
    if (!L)
        return MO_OK;
    if (L->remote)
        return buf_printf(out, "%zu XML files listed in %ld folder page%s, %ld not modified (304)",
                          L->files.n, L->index_pages, L->index_pages == 1 ? "" : "s",
                          L->not_modified);
    return buf_printf(out, "%zu XML files, %ld not modified (same dates and size)", L->files.n,
                      L->not_modified);
}

static void folder_close(struct run *run)
{
    struct folder_listing *L = run->listing;
    if (!L)
        return;
    folder_list_free(&L->files);
    free(L);
    run->listing = NULL;
}

const struct listing_kind listing_waf = {"waf", folder_open, folder_list, folder_describe,
                                         folder_close};
const struct listing_kind listing_dir = {"dir", folder_open, folder_list, folder_describe,
                                         folder_close};
