/*
 * store_folder.c — the validators of the files of folder sources (see
 * store.h and schemas/009_folder_validators.sql): what a waf's server said
 * about each file (ETag, Last-Modified) or a dir's file's date and size,
 * and the hash of the record the file gave.  The harvester asks for a
 * page's files before fetching them, and stores what the 200s said after
 * the page is taken; a page is one statement each way.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* Only files whose record is still in the store: a 304 stands for it. */
static const char validators_get_sql[] =
    "SELECT f.url, f.etag, f.last_modified, f.hash FROM folder_file f"
    " WHERE f.source_id = $1::bigint AND f.url = ANY ($2::text[]) AND f.version = $3"
    "   AND EXISTS (SELECT 1 FROM record r WHERE r.source_id = f.source_id AND r.hash = f.hash)";

/* Forgets the entries without validators or hash, replaces the others; its
 * own transaction, committed without waiting for the WAL flush. */
static const char validators_put_sql[] =
    "WITH v AS ("
    "  SELECT DISTINCT ON (u.url) u.url, u.etag, u.last_modified, u.hash"
    "    FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])"
    "         AS u (url, etag, last_modified, hash)"
    "   ORDER BY u.url),"
    " gone AS ("
    "  DELETE FROM folder_file f USING v"
    "   WHERE f.source_id = $1::bigint AND f.url = v.url"
    "     AND (v.hash IS NULL OR (v.etag IS NULL AND v.last_modified IS NULL))),"
    " kept AS ("
    "  INSERT INTO folder_file AS f (source_id, url, etag, last_modified, hash, version,"
    "                                checked_at)"
    "  SELECT $1::bigint, v.url, v.etag, v.last_modified, v.hash, $6, now() FROM v"
    "   WHERE v.hash IS NOT NULL AND (v.etag IS NOT NULL OR v.last_modified IS NOT NULL)"
    "  ON CONFLICT (source_id, url) DO UPDATE"
    "     SET etag = excluded.etag, last_modified = excluded.last_modified,"
    "         hash = excluded.hash, version = excluded.version, checked_at = excluded.checked_at"
    "  RETURNING 1)"
    " SELECT set_config('synchronous_commit', 'off', true), (SELECT count(*) FROM kept)";

mo_rc store_folder_validators_get(struct store *s, long long source_id, const char *version,
                                  const char *const *urls, size_t n,
                                  void (*cb)(void *ud, const struct folder_validators *v), void *ud,
                                  struct mo_err *err)
{
    char sid[24];
    struct buf arr;
    PGresult *res = NULL;
    if (n == 0)
        return MO_OK;
    buf_init(&arr, STORE_MAX_FIELD_BYTES);
    if (store_array_literal(&arr, urls, n) != MO_OK) {
        buf_free(&arr);
        return mo_fail(err, MO_ENOMEM, "could not read the files of source %lld: out of memory",
                       source_id);
    }
    snprintf(sid, sizeof sid, "%lld", source_id);
    const char *params[] = {sid, arr.data, version};
    mo_rc rc = store_exec(s, validators_get_sql, 3, params, &res, err,
                          "could not read the files of source %lld", source_id);
    buf_free(&arr);
    if (rc != MO_OK)
        return rc;
    for (int i = 0; i < PQntuples(res); i++) {
        struct folder_validators v = {
            .url = PQgetvalue(res, i, 0),
            .etag = PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1),
            .last_modified = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2),
            .hash = PQgetvalue(res, i, 3),
        };
        cb(ud, &v);
    }
    PQclear(res);
    return MO_OK;
}

/* Column c (url, etag, last_modified, hash) of one entry. */
static const char *validators_column(const struct folder_validators *v, int c)
{
    switch (c) {
    case 0:
        return v->url;
    case 1:
        return v->etag;
    case 2:
        return v->last_modified;
    default:
        return v->hash;
    }
}

/* The four columns of v as array literals into cols. */
static mo_rc validators_arrays(const struct folder_validators *v, size_t n, struct buf cols[4])
{
    const char **items = calloc(n, sizeof *items);
    if (!items)
        return MO_ENOMEM;
    mo_rc rc = MO_OK;
    for (int c = 0; c < 4 && rc == MO_OK; c++) {
        for (size_t i = 0; i < n; i++)
            items[i] = validators_column(&v[i], c);
        rc = store_array_literal(&cols[c], items, n);
    }
    free(items);
    return rc;
}

mo_rc store_folder_validators_put(struct store *s, long long source_id, const char *version,
                                  const struct folder_validators *v, size_t n, struct mo_err *err)
{
    char sid[24];
    struct buf cols[4];
    if (n == 0)
        return MO_OK;
    for (size_t i = 0; i < n; i++)
        if (!v[i].url)
            return mo_fail(err, MO_EBADREQ, "file %zu of the page has no url", i);
    for (int c = 0; c < 4; c++)
        buf_init(&cols[c], STORE_MAX_FIELD_BYTES);
    mo_rc rc = validators_arrays(v, n, cols);
    if (rc != MO_OK) {
        rc = mo_fail(err, rc, "could not store the files of source %lld: out of memory", source_id);
    } else {
        snprintf(sid, sizeof sid, "%lld", source_id);
        const char *params[] = {sid,          cols[0].data, cols[1].data,
                                cols[2].data, cols[3].data, version};
        rc = store_exec(s, validators_put_sql, 6, params, NULL, err,
                        "could not store the files of source %lld", source_id);
    }
    for (int c = 0; c < 4; c++)
        buf_free(&cols[c]);
    return rc;
}
