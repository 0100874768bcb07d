/*
 * folder_file.c — one file of a folder partner, fetched or read only when
 * it changed (see folder_file.h).
 */
#include "folder_file.h"

#include "xmlsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A copy of s, or NULL for NULL; *oom set when the copy failed. */
static char *dup_or_null(const char *s, int *oom)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        *oom = 1;
    return d;
}

mo_rc folder_file_set_old(struct folder_file *ff, const char *etag, const char *last_modified,
                          const char *hash)
{
    int oom = 0;
    free(ff->old_etag);
    free(ff->old_last_modified);
    ff->old_etag = dup_or_null(etag, &oom);
    ff->old_last_modified = dup_or_null(last_modified, &oom);
    snprintf(ff->old_hash, sizeof ff->old_hash, "%s", hash ? hash : "");
    return oom ? MO_ENOMEM : MO_OK;
}

static void out_clear(struct folder_file *ff)
{
    xmlFreeDoc(ff->doc);
    free(ff->etag);
    free(ff->last_modified);
    ff->doc = NULL;
    ff->etag = NULL;
    ff->last_modified = NULL;
    ff->not_modified = 0;
}

void folder_file_clear(struct folder_file *ff)
{
    if (!ff)
        return;
    out_clear(ff);
    free(ff->old_etag);
    free(ff->old_last_modified);
    memset(ff, 0, sizeof *ff);
}

int folder_file_stat_validator(const char *path, char *out, size_t size)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    snprintf(out, size, "m%lld.%09ld-c%lld.%09ld-s%lld-i%llu", (long long)st.st_mtim.tv_sec,
             (long)st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec,
             (long long)st.st_size, (unsigned long long)st.st_ino);
    return 1;
}

/* waf: a conditional GET; a 304 leaves the file unread. */
static mo_rc load_remote(struct folder_file *ff, struct fetch *f, int whole, struct mo_err *err)
{
    struct fetch_response resp = {0};
    struct fetch_condition cond = {ff->old_etag, ff->old_last_modified};
    mo_rc rc = fetch_get_if(f, ff->name, whole ? NULL : &cond, &resp, err);
    if (rc == MO_EBADREQ && !whole) /* validators the partner sent that cannot go back */
        rc = fetch_get_if(f, ff->name, NULL, &resp, err);
    if (rc == MO_OK && resp.status == 304) {
        ff->not_modified = 1;
    } else if (rc == MO_OK) {
        rc = xmlsafe_parse_file(resp.body, ff->name, &ff->doc, err);
        ff->etag = resp.etag;
        resp.etag = NULL;
        ff->last_modified = resp.last_modified;
        resp.last_modified = NULL;
    }
    fetch_response_clear(&resp);
    return rc;
}

/* dir: the file's times, size and inode first (taken before reading, so a
 * change while it is read shows next time); equal to the old ones: unread. */
static mo_rc load_local(struct folder_file *ff, int whole, struct mo_err *err)
{
    char v[FOLDER_STAT_VALIDATOR_MAX];
    int have = folder_file_stat_validator(ff->name, v, sizeof v);
    if (have && !whole && ff->old_etag && !strcmp(ff->old_etag, v)) {
        ff->not_modified = 1;
        return MO_OK;
    }
    FILE *fp = fopen(ff->name, "rb");
    if (!fp)
        return mo_fail(err, MO_EIO, "could not open \"%s\"", ff->name);
    mo_rc rc = xmlsafe_parse_file(fp, ff->name, &ff->doc, err);
    fclose(fp);
    if (have)
        ff->etag = strdup(v); /* no memory: no validator, the file is read next time */
    return rc;
}

mo_rc folder_file_load(struct folder_file *ff, struct fetch *f, int whole, struct mo_err *err)
{
    out_clear(ff);
    mo_rc rc = f ? load_remote(ff, f, whole, err) : load_local(ff, whole, err);
    if (rc != MO_OK)
        out_clear(ff);
    return rc;
}
