/*
 * harvest_folder.c — the listings of partners that publish files (see
 * harvest_internal.h and folder.h): "waf", a Web Accessible Folder on HTTP
 * (autoindex pages, subfolders followed), and "dir", a local directory.
 *
 * The files are listed once, sorted, then taken by pages of page_size:
 * each file of a page is fetched (or read) and parsed, and the page's
 * documents are walked by the core like any page.  A file that cannot be
 * fetched or parsed is a per-record error named by its URL or path; the run
 * goes on and ends incomplete (nothing retired).  Every run is full: a
 * folder has no "modified since".
 */
#include "folder.h"
#include "harvest_internal.h"
#include "xmlsafe.h"

#include <stdlib.h>
#include <string.h>

#define FOLDER_MAX_INDEX_PAGES 1000 /* autoindex pages of one WAF, subfolders included */

struct folder_listing {
    int remote; /* waf: URLs; dir: paths */
    struct folder_list files;
    long index_pages;
    long next; /* first file of the next page */
};

/* A page: the parsed files, in listing order. */
struct folder_page {
    xmlDoc *docs[HARVEST_BATCH_MAX];
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

/* ---- pages ---- */

static void page_clear(struct folder_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        xmlFreeDoc(p->docs[i]);
    p->n = 0;
}

/* One file into the page; a file that fails is the run's per-record error. */
static mo_rc load_file(struct run *run, struct folder_listing *L, const char *name,
                       struct folder_page *p, struct mo_err *err)
{
    struct mo_err file_err = {0};
    xmlDoc *doc = NULL;
    mo_rc rc;
    if (L->remote) {
        struct fetch_response resp = {0};
        rc = fetch_get(run->h->fetch, name, &resp, &file_err);
        if (rc == MO_OK)
            rc = xmlsafe_parse_file(resp.body, name, &doc, &file_err);
        fetch_response_clear(&resp);
    } else {
        FILE *fp = fopen(name, "rb");
        rc = fp ? xmlsafe_parse_file(fp, name, &doc, &file_err)
                : mo_fail(&file_err, MO_EIO, "could not open \"%s\"", name);
        if (fp)
            fclose(fp);
    }
    if (rc == MO_OK) {
        p->docs[p->n++] = doc;
        return MO_OK;
    }
    if (rc == MO_EIO && run_stop_requested(run))
        return mo_fail(err, MO_EIO, "interrupted");
    return run_record_error(run, name, file_err.msg, err);
}

static mo_rc folder_page(struct run *run, struct folder_listing *L, struct mo_err *err)
{
    struct folder_page p = {.total = (long)L->files.n};
    int size = run->src->page_size > 0 ? run->src->page_size : STORE_DEFAULT_PAGE_SIZE;
    if (size > HARVEST_BATCH_MAX)
        size = HARVEST_BATCH_MAX;
    mo_rc rc = MO_OK;
    long end = L->next + size;
    if (end > (long)L->files.n)
        end = (long)L->files.n;
    for (long i = L->next; i < end && rc == MO_OK; i++)
        rc = load_file(run, L, L->files.items[i], &p, err);
    struct csw_page_info info = {0};
    struct page_walk pw = {walk_folder_page, NULL, &p, 1};
    if (rc == MO_OK)
        rc = run_take_page(run, &pw, &info, err);
    page_clear(&p);
    run->c.received += info.records;
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
        return buf_printf(out, "%zu XML files listed in %ld folder page%s", L->files.n,
                          L->index_pages, L->index_pages == 1 ? "" : "s");
    return buf_printf(out, "%zu XML files", L->files.n);
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
