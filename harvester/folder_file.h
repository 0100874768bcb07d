/*
 * folder_file.h — one file of a folder partner, taken only when it changed
 * since its last full answer.
 *
 *   waf  GET with If-None-Match / If-Modified-Since built from the
 *        validators of the last full answer (fetch_get_if): a 304 means
 *        not modified, nothing downloaded or parsed; a 200 is parsed and
 *        its ETag and Last-Modified kept for next time.
 *   dir  the file's modification and change times, size and inode
 *        (folder_file_stat_validator) compared with the last ones: equal
 *        means not modified, nothing read; else the file is read and parsed.
 *
 * A file with no validators is fetched or read whole, as is one loaded
 * with whole set.  What "not modified" stands for (the hash of the record
 * the last answer gave) is the caller's to check: this module knows files,
 * not records.
 */
#ifndef MOISSON_FOLDER_FILE_H
#define MOISSON_FOLDER_FILE_H

#include "fetch.h"
#include "result.h"

#include <libxml/tree.h>
#include <stddef.h>

#define FOLDER_STAT_VALIDATOR_MAX 96 /* bytes of a local file's validator */

struct folder_file {
    const char *name; /* URL (waf) or path (dir); borrowed */
    /* in: the validators of the last full answer (owned, NULL when none),
     * and the hash of the record it gave */
    char *old_etag;
    char *old_last_modified;
    char old_hash[65];
    /* out, after folder_file_load */
    int not_modified; /* the old validators hold: nothing was read */
    xmlDoc *doc;      /* else the parsed file (owned) */
    char *etag;       /* and the validators that came with it (owned, NULL when none) */
    char *last_modified;
};

/* Keeps copies of the validators of the last full answer and its hash
 * (etag, last_modified may be NULL).  MO_ENOMEM. */
mo_rc folder_file_set_old(struct folder_file *ff, const char *etag, const char *last_modified,
                          const char *hash) MO_MUST_CHECK;

/* Fetches (f set: waf) or reads (f NULL: dir) the file, conditionally
 * unless whole is set; what was there before of the out part is dropped.
 * A file that cannot be fetched, read or parsed fails with the message
 * naming it (a per-record error for the caller). */
mo_rc folder_file_load(struct folder_file *ff, struct fetch *f, int whole,
                       struct mo_err *err) MO_MUST_CHECK;

/* Frees what ff owns and zeroes it (name too); ff may be NULL. */
void folder_file_clear(struct folder_file *ff);

/* A local file's validator: "m<mtime>-c<ctime>-s<size>-i<inode>" with the
 * times in nanoseconds, into out (FOLDER_STAT_VALIDATOR_MAX bytes).  0
 * when the file cannot be stat'ed. */
int folder_file_stat_validator(const char *path, char *out, size_t size);

#endif
