/*
 * store_page.c — writing one page of records (store_put_page).
 *
 * One transaction per page and no staging table: the page's records go as
 * one multi-row INSERT … ON CONFLICT whose text parameters travel in binary
 * (raw UTF-8: nothing escaped here, nothing parsed there), their dates
 * already typed by isotime.h; then record_mark_seen stamps every record of
 * the page (and revives those that came back), and entry_refresh recomputes
 * the entries of the written ones.  A page of unchanged records only is one
 * statement.  Measured against COPY into a temporary table in
 * bench/README.md.
 */
#include "isotime.h"
#include "store_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_OID 25 /* PostgreSQL's text type: binary input is the raw bytes */

/* Parameters of one record's row, in the order of the INSERT's columns
 * after source_id. */
enum {
    ROW_TEXTS = 16, /* identifier … temporal_end */
    ROW_DATES = 6,  /* created, published, revised, modified, temporal_from, temporal_to */
    ROW_ARRAYS = 10,
    ROW_PARAMS = ROW_TEXTS + ROW_DATES + ROW_ARRAYS + 4, /* + bbox, original, unified, hash */
};

#define PAGE_COLUMNS                                                                               \
    "source_id, identifier, schema, language, parent, type, title, abstract, lineage,"             \
    " service_type, thumbnail, date_creation, date_publication, date_revision, date_stamp,"        \
    " temporal_begin, temporal_end, created, published, revised, modified, temporal_from,"         \
    " temporal_to, alt_titles, keywords, topics, organisations, links, formats, crs, licences,"    \
    " resource_languages, operates_on, bbox, original, unified, hash"

static const char page_conflict_sql[] =
    " ON CONFLICT (source_id, identifier) DO UPDATE SET"
    "  schema = excluded.schema, language = excluded.language, parent = excluded.parent,"
    "  type = excluded.type, title = excluded.title, abstract = excluded.abstract,"
    "  lineage = excluded.lineage, service_type = excluded.service_type,"
    "  thumbnail = excluded.thumbnail, date_creation = excluded.date_creation,"
    "  date_publication = excluded.date_publication, date_revision = excluded.date_revision,"
    "  date_stamp = excluded.date_stamp, temporal_begin = excluded.temporal_begin,"
    "  temporal_end = excluded.temporal_end, created = excluded.created,"
    "  published = excluded.published, revised = excluded.revised,"
    "  modified = excluded.modified, temporal_from = excluded.temporal_from,"
    "  temporal_to = excluded.temporal_to, alt_titles = excluded.alt_titles,"
    "  keywords = excluded.keywords, topics = excluded.topics,"
    "  organisations = excluded.organisations, links = excluded.links,"
    "  formats = excluded.formats, crs = excluded.crs, licences = excluded.licences,"
    "  resource_languages = excluded.resource_languages, operates_on = excluded.operates_on,"
    "  bbox = excluded.bbox, original = excluded.original, unified = excluded.unified,"
    "  hash = excluded.hash, changed_at = now(), retired_at = NULL"
    " WHERE r.hash IS DISTINCT FROM excluded.hash OR r.retired_at IS NOT NULL"
    " RETURNING (xmax = 0) AS inserted)"
    " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up";

/* Seen stamps and revivals (record_mark_seen, schemas/003_mark_seen.sql). */
static const char page_seen_sql[] = "SELECT record_mark_seen($1::bigint, $2::bigint, $3::text[])";

/* The same for a page of unchanged records only: one statement, its own
 * transaction, committed without waiting for the WAL flush. */
static const char page_seen_only_sql[] = "SELECT set_config('synchronous_commit', 'off', true),"
                                         " record_mark_seen($1::bigint, $2::bigint, $3::text[])";

static const char page_refresh_sql[] = "SELECT entry_refresh($1::text[])";

/* The parameters of the INSERT: pointers into the records, and the strings
 * made here (dates, array and box literals), owned in made[]. */
struct page_params {
    int n;
    const char **values;
    int *lengths;
    int *formats;
    Oid *types;
    char **made;
    size_t n_made;
};

static void params_free(struct page_params *pp)
{
    for (size_t i = 0; i < pp->n_made; i++)
        free(pp->made[i]);
    free(pp->made);
    free(pp->values);
    free(pp->lengths);
    free(pp->formats);
    free(pp->types);
    memset(pp, 0, sizeof *pp);
}

static mo_rc params_alloc(struct page_params *pp, size_t rows)
{
    size_t n = 1 + rows * ROW_PARAMS;
    pp->values = calloc(n, sizeof *pp->values);
    pp->lengths = calloc(n, sizeof *pp->lengths);
    pp->formats = calloc(n, sizeof *pp->formats);
    pp->types = calloc(n, sizeof *pp->types);
    pp->made = calloc(rows * (ROW_DATES + ROW_ARRAYS + 1), sizeof *pp->made);
    if (!pp->values || !pp->lengths || !pp->formats || !pp->types || !pp->made)
        return MO_ENOMEM;
    return MO_OK;
}

/* A text parameter in binary: the bytes themselves. */
static void param_text(struct page_params *pp, const char *v, size_t len)
{
    int i = pp->n++;
    pp->types[i] = TEXT_OID;
    pp->formats[i] = 1;
    pp->values[i] = v;
    pp->lengths[i] = v ? (int)len : 0;
}

/* A parameter in text format made here (owned), or NULL. */
static void param_made(struct page_params *pp, char *v)
{
    int i = pp->n++;
    pp->values[i] = v;
    if (v)
        pp->made[pp->n_made++] = v;
}

static char *date_param(const char *text)
{
    char lit[ISOTIME_LITERAL_MAX];
    return isotime_literal(text, lit, sizeof lit) ? strdup(lit) : NULL;
}

static mo_rc array_param(struct page_params *pp, const struct strlist *l)
{
    struct buf b;
    char *s = NULL;
    buf_init(&b, STORE_MAX_FIELD_BYTES);
    mo_rc rc = store_array_literal(&b, (const char *const *)l->items, l->items ? l->count : 0);
    if (rc == MO_OK)
        rc = buf_steal(&b, &s);
    buf_free(&b);
    if (rc == MO_OK)
        param_made(pp, s);
    return rc;
}

static mo_rc bbox_param(struct page_params *pp, const struct record *r)
{
    char *s = NULL;
    if (r->has_bbox && isfinite(r->west) && isfinite(r->south) && isfinite(r->east) &&
        isfinite(r->north)) {
        char lit[160];
        snprintf(lit, sizeof lit, "(%.17g,%.17g),(%.17g,%.17g)", r->east, r->north, r->west,
                 r->south);
        if (!(s = strdup(lit)))
            return MO_ENOMEM;
    }
    param_made(pp, s);
    return MO_OK;
}

static size_t text_len(const char *v, size_t len)
{
    return v ? (len ? len : strlen(v)) : 0;
}

/* The 36 parameters of one record. */
static mo_rc params_add_record(struct page_params *pp, const struct record *r)
{
    const char *texts[ROW_TEXTS] = {
        r->identifier,    r->schema,     r->language,       r->parent,
        r->type,          r->title,      r->abstract,       r->lineage,
        r->service_type,  r->thumbnail,  r->date_creation,  r->date_publication,
        r->date_revision, r->date_stamp, r->temporal_begin, r->temporal_end};
    const struct strlist *arrays[ROW_ARRAYS] = {
        &r->alt_titles, &r->keywords, &r->topics,   &r->organisations,      &r->links,
        &r->formats,    &r->crs,      &r->licences, &r->resource_languages, &r->operates_on};
    for (int i = 0; i < ROW_TEXTS; i++)
        param_text(pp, texts[i], text_len(texts[i], 0));

    char *dates[ROW_DATES] = {date_param(r->date_creation),  date_param(r->date_publication),
                              date_param(r->date_revision),  date_param(r->date_stamp),
                              date_param(r->temporal_begin), date_param(r->temporal_end)};
    if (!dates[3] && r->date_revision) /* modified: the date stamp, else the revision date */
        dates[3] = date_param(r->date_revision);
    for (int i = 0; i < ROW_DATES; i++)
        param_made(pp, dates[i]);

    mo_rc rc = MO_OK;
    for (int i = 0; i < ROW_ARRAYS && rc == MO_OK; i++)
        rc = array_param(pp, arrays[i]);
    if (rc == MO_OK)
        rc = bbox_param(pp, r);
    if (rc != MO_OK)
        return rc;
    param_text(pp, r->original, text_len(r->original, r->original_len));
    param_text(pp, r->unified, text_len(r->unified, r->unified_len));
    param_text(pp, r->hash, strlen(r->hash));
    return MO_OK;
}

/* "($1, $k, …), …" for rows rows of ROW_PARAMS, with the casts. */
static mo_rc page_insert_sql(struct buf *sql, size_t rows)
{
    mo_rc rc =
        buf_append_str(sql, "WITH up AS (INSERT INTO record AS r (" PAGE_COLUMNS ") VALUES ");
    int k = 2;
    for (size_t row = 0; row < rows && rc == MO_OK; row++) {
        rc = buf_append_str(sql, row ? ", ($1::bigint" : "($1::bigint");
        for (int i = 0; i < ROW_PARAMS && rc == MO_OK; i++, k++) {
            const char *cast = "";
            if (i >= ROW_TEXTS && i < ROW_TEXTS + ROW_DATES)
                cast = "::timestamptz";
            else if (i >= ROW_TEXTS + ROW_DATES && i < ROW_TEXTS + ROW_DATES + ROW_ARRAYS)
                cast = "::text[]";
            else if (i == ROW_TEXTS + ROW_DATES + ROW_ARRAYS)
                cast = "::box";
            rc = buf_printf(sql, ", $%d%s", k, cast);
        }
        if (rc == MO_OK)
            rc = buf_append_str(sql, ")");
    }
    if (rc == MO_OK)
        rc = buf_append_str(sql, page_conflict_sql);
    return rc;
}

/* The records to write: the last of several with one identifier. */
static size_t page_pick(const struct record *recs, size_t n, const struct record **out)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        int later = 0;
        for (size_t j = i + 1; j < n && !later; j++)
            later = !strcmp(recs[i].identifier, recs[j].identifier);
        if (!later)
            out[kept++] = &recs[i];
    }
    return kept;
}

/* The name of the upsert of n rows, prepared on this connection if it is
 * not yet.  Pages have few sizes (the page size, the last page's): parsing
 * and planning a statement of 3,700 parameters for each was a tenth of
 * PostgreSQL's work in a first harvest. */
static mo_rc page_upsert_prepare(struct store *s, const struct page_params *pp, size_t n,
                                 char *name, size_t name_size, struct mo_err *err)
{
    snprintf(name, name_size, "moisson_upsert_%zu", n);
    for (size_t i = 0; i < STORE_UPSERTS_PREPARED; i++)
        if (s->upsert_rows[i] == n)
            return MO_OK;
    struct buf sql;
    buf_init(&sql, STORE_MAX_FIELD_BYTES);
    mo_rc rc = page_insert_sql(&sql, n);
    if (rc != MO_OK) {
        buf_free(&sql);
        return mo_fail(err, rc, "could not prepare a page of %zu records: out of memory", n);
    }
    size_t last = STORE_UPSERTS_PREPARED - 1;
    if (s->upsert_rows[last]) { /* forget the oldest */
        char old[64];
        snprintf(old, sizeof old, "DEALLOCATE moisson_upsert_%zu", s->upsert_rows[last]);
        rc = store_exec(s, old, 0, NULL, NULL, err, "could not drop a prepared page statement");
        s->upsert_rows[last] = 0;
    }
    PGresult *r = rc == MO_OK ? PQprepare(s->conn, name, sql.data, pp->n, pp->types) : NULL;
    if (rc == MO_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = store_fail(s, r, err, "could not prepare a page of %zu records", n);
    PQclear(r);
    buf_free(&sql);
    if (rc != MO_OK)
        return rc;
    memmove(&s->upsert_rows[1], &s->upsert_rows[0], last * sizeof *s->upsert_rows);
    s->upsert_rows[0] = n;
    return MO_OK;
}

/* The upsert of the picked records: added and updated counts into res. */
static mo_rc page_upsert(struct store *s, const char *sid, const struct record *const *recs,
                         size_t n, struct page_result *res, struct mo_err *err)
{
    struct page_params pp = {0};
    char name[64];
    mo_rc rc = params_alloc(&pp, n);
    if (rc == MO_OK) {
        pp.types[pp.n] = 0; /* source_id: as the statement says */
        pp.values[pp.n++] = sid;
        for (size_t i = 0; i < n && rc == MO_OK; i++)
            rc = params_add_record(&pp, recs[i]);
    }
    if (rc != MO_OK) {
        rc = mo_fail(err, rc, "could not write page of source %s: out of memory", sid);
        goto out;
    }
    rc = page_upsert_prepare(s, &pp, n, name, sizeof name, err);
    if (rc != MO_OK)
        goto out;
    PGresult *r = PQexecPrepared(s->conn, name, pp.n, pp.values, pp.lengths, pp.formats, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = store_fail(s, r, err, "could not write page of source %s", sid);
    } else {
        res->added = (long)store_ll(r, 0, 0);
        res->updated = (long)store_ll(r, 0, 1);
        res->unchanged += (long)n - res->added - res->updated;
    }
    PQclear(r);
out:
    params_free(&pp);
    return rc;
}

static mo_rc page_check(const struct record *recs, size_t n_recs, const char *const *unchanged_ids,
                        size_t n_unchanged, struct mo_err *err)
{
    for (size_t i = 0; i < n_recs; i++) {
        if (!recs[i].identifier || !recs[i].identifier[0])
            return mo_fail(err, MO_EBADREQ, "record %zu of the page has no identifier", i);
    }
    for (size_t i = 0; i < n_unchanged; i++) {
        if (!unchanged_ids[i])
            return mo_fail(err, MO_EBADREQ, "unchanged identifier %zu of the page is missing", i);
    }
    return MO_OK;
}

/* Array literals of the written identifiers, and of those plus the
 * unchanged ones. */
static mo_rc page_id_arrays(const struct record *const *recs, size_t n,
                            const char *const *unchanged_ids, size_t n_unchanged,
                            struct buf *written, struct buf *all)
{
    const char **ids = calloc(n + n_unchanged + 1, sizeof *ids);
    if (!ids)
        return MO_ENOMEM;
    for (size_t i = 0; i < n; i++)
        ids[i] = recs[i]->identifier;
    for (size_t i = 0; i < n_unchanged; i++)
        ids[n + i] = unchanged_ids[i];
    mo_rc rc = store_array_literal(written, ids, n);
    if (rc == MO_OK)
        rc = store_array_literal(all, ids, n + n_unchanged);
    free(ids);
    return rc;
}

/* The transaction of a page with records. */
static mo_rc page_write(struct store *s, const char *sid, const char *rid,
                        const struct record *const *recs, size_t n, const char *written,
                        const char *all, struct page_result *res, struct mo_err *err)
{
    mo_rc rc = store_exec(s, "BEGIN", 0, NULL, NULL, err, "could not write page of source %s", sid);
    /* A page need not wait for its WAL flush: a crash can only lose the last
     * pages of a run, which the database keeps consistent and the next run
     * fetches again; the run's outcome itself is committed durably. */
    if (rc == MO_OK)
        rc = store_exec(s, "SET LOCAL synchronous_commit TO off", 0, NULL, NULL, err,
                        "could not write page of source %s", sid);
    if (rc == MO_OK)
        rc = page_upsert(s, sid, recs, n, res, err);
    const char *seen[] = {sid, rid, all};
    if (rc == MO_OK)
        rc = store_exec(s, page_seen_sql, 3, seen, NULL, err, "could not write page of source %s",
                        sid);
    const char *refresh[] = {written};
    if (rc == MO_OK)
        rc = store_exec(s, page_refresh_sql, 1, refresh, NULL, err,
                        "could not write page of source %s", sid);
    if (rc == MO_OK)
        rc = store_exec(s, "COMMIT", 0, NULL, NULL, err, "could not write page of source %s", sid);
    return rc;
}

mo_rc store_put_page(struct store *s, long long source_id, long long run_id,
                     const struct record *recs, size_t n_recs, const char *const *unchanged_ids,
                     size_t n_unchanged, struct page_result *res, struct mo_err *err)
{
    char sid[24], rid[24];
    struct buf written, all;
    struct page_result local = {.unchanged = (long)n_unchanged};
    const struct record **picked = calloc(n_recs + 1, sizeof *picked);
    buf_init(&written, STORE_MAX_FIELD_BYTES);
    buf_init(&all, STORE_MAX_FIELD_BYTES);
    snprintf(sid, sizeof sid, "%lld", source_id);
    snprintf(rid, sizeof rid, "%lld", run_id);
    mo_rc rc =
        picked ? page_check(recs, n_recs, unchanged_ids, n_unchanged, err)
               : mo_fail(err, MO_ENOMEM, "could not write page of source %s: out of memory", sid);
    size_t n = rc == MO_OK ? page_pick(recs, n_recs, picked) : 0;
    if (rc == MO_OK &&
        page_id_arrays(picked, n, unchanged_ids, n_unchanged, &written, &all) != MO_OK)
        rc = mo_fail(err, MO_ENOMEM, "could not write page of source %s: identifiers too large",
                     sid);
    if (rc == MO_OK && n == 0) {
        /* unchanged records only: one round trip */
        const char *seen[] = {sid, rid, all.data};
        rc = store_exec(s, page_seen_only_sql, 3, seen, NULL, err,
                        "could not write page of source %s", sid);
    } else if (rc == MO_OK) {
        rc = page_write(s, sid, rid, picked, n, written.data, all.data, &local, err);
        if (rc == MO_OK && local.added > 0)
            rc = store_analyze_sometimes(s, err);
    }
    store_rollback(s);
    if (rc == MO_OK && res)
        *res = local;
    buf_free(&written);
    buf_free(&all);
    free(picked);
    return rc;
}
