-- 001_init.sql — the index: sources, runs, per-record errors, records, the
-- narrow "seen" rows, and the aggregated entries.  Applied by store_migrate
-- inside one transaction (see aggregator/README.md).

CREATE EXTENSION IF NOT EXISTS unaccent;

-- French full text with accents folded: "Étienne" and "etienne" match.
CREATE TEXT SEARCH CONFIGURATION moisson_fr (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION moisson_fr
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;

-- array_to_string is only STABLE (array output functions); joining text[]
-- is immutable, which a generated column needs.
CREATE FUNCTION moisson_join(a text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(array_to_string(a, ' '), '');

-- ISO 8601 text (date, date-time, with or without zone; UTC when none) to
-- timestamptz; NULL for anything else, never an error.
CREATE FUNCTION moisson_parse_ts(t text) RETURNS timestamptz
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET timezone = 'UTC'
AS $$
BEGIN
    IF t IS NULL OR t !~ '^\s*\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?\s*$' THEN
        RETURN NULL;
    END IF;
    t := btrim(t);
    IF length(t) = 4 THEN
        t := t || '-01-01';
    ELSIF length(t) = 7 THEN
        t := t || '-01';
    END IF;
    RETURN t::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END;
$$;

CREATE FUNCTION moisson_iso(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');

CREATE TABLE source (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.-]+$'),
    type text NOT NULL,
    url text NOT NULL,
    constraint_text text,
    page_size integer NOT NULL DEFAULT 100 CHECK (page_size > 0),
    every_s bigint NOT NULL DEFAULT 0 CHECK (every_s >= 0),
    full_every_s bigint NOT NULL DEFAULT 604800 CHECK (full_every_s >= 0),
    max_shrink double precision NOT NULL DEFAULT 0.2 CHECK (max_shrink >= 0 AND max_shrink <= 1),
    priority integer NOT NULL DEFAULT 100,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE harvest_run (
    id bigserial PRIMARY KEY,
    source_id bigint NOT NULL REFERENCES source (id) ON DELETE CASCADE,
    "full" boolean NOT NULL, -- quoted: FULL is a reserved word
    status text NOT NULL CHECK (status IN ('running', 'success', 'incomplete', 'failed')),
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    announced bigint NOT NULL DEFAULT -1,
    received bigint NOT NULL DEFAULT 0,
    added bigint NOT NULL DEFAULT 0,
    updated bigint NOT NULL DEFAULT 0,
    unchanged bigint NOT NULL DEFAULT 0,
    failed bigint NOT NULL DEFAULT 0,
    retired bigint NOT NULL DEFAULT 0,
    pages bigint NOT NULL DEFAULT 0,
    report text
);
CREATE INDEX harvest_run_source ON harvest_run (source_id, id DESC);
CREATE INDEX harvest_run_running ON harvest_run (source_id) WHERE status = 'running';

CREATE TABLE run_error (
    run_id bigint NOT NULL REFERENCES harvest_run (id) ON DELETE CASCADE,
    seq bigserial,
    identifier text,
    reason text NOT NULL,
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE record (
    id bigserial PRIMARY KEY,
    source_id bigint NOT NULL REFERENCES source (id) ON DELETE CASCADE,
    identifier text NOT NULL,
    schema text,
    language text,
    parent text,
    type text,
    title text,
    abstract text,
    lineage text,
    service_type text,
    thumbnail text,
    -- dates as the stylesheet wrote them, and typed where ISO (else NULL)
    date_creation text,
    date_publication text,
    date_revision text,
    date_stamp text,
    temporal_begin text,
    temporal_end text,
    created timestamptz,
    published timestamptz,
    revised timestamptz,
    modified timestamptz, -- metadata date stamp, else revision date
    temporal_from timestamptz,
    temporal_to timestamptz,
    alt_titles text[] NOT NULL DEFAULT '{}',
    keywords text[] NOT NULL DEFAULT '{}',
    topics text[] NOT NULL DEFAULT '{}',
    organisations text[] NOT NULL DEFAULT '{}',
    links text[] NOT NULL DEFAULT '{}',
    formats text[] NOT NULL DEFAULT '{}',
    crs text[] NOT NULL DEFAULT '{}',
    licences text[] NOT NULL DEFAULT '{}',
    resource_languages text[] NOT NULL DEFAULT '{}',
    operates_on text[] NOT NULL DEFAULT '{}',
    bbox box, -- WGS84 degrees, (east,north),(west,south); NULL when none
    original text,
    unified text,
    hash text NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    changed_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz, -- NULL: live
    fts tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('moisson_fr'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('moisson_fr'::regconfig, moisson_join(keywords)), 'B') ||
        setweight(to_tsvector('moisson_fr'::regconfig, coalesce(abstract, '')), 'C')) STORED,
    UNIQUE (source_id, identifier)
);
CREATE INDEX record_identifier ON record (identifier);
CREATE INDEX record_source_hash ON record (source_id, hash);
CREATE INDEX record_fts ON record USING gin (fts);
CREATE INDEX record_bbox ON record USING gist (bbox);
CREATE INDEX record_modified ON record (modified);

-- Updated for every record a run sees, so an unchanged record's wide row is
-- never rewritten.
CREATE TABLE record_seen (
    record_id bigint PRIMARY KEY REFERENCES record (id) ON DELETE CASCADE,
    last_run bigint NOT NULL,
    last_seen timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX record_seen_run ON record_seen (last_run);

-- One row per metadata identifier among live records: the chosen record and
-- every source that carries it, in precedence order.
CREATE TABLE entry (
    identifier text PRIMARY KEY,
    record_id bigint NOT NULL REFERENCES record (id) ON DELETE CASCADE,
    sources bigint[] NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entry_record ON entry (record_id);

-- Recomputes the entries of the given identifiers.  Precedence: lower
-- source.priority, then the most recent metadata date stamp (ISO text),
-- then the earliest first_seen, then the lowest source id.
CREATE FUNCTION entry_refresh(ids text[]) RETURNS void
    LANGUAGE sql
BEGIN ATOMIC
    DELETE FROM entry e
     WHERE e.identifier = ANY (ids)
       AND NOT EXISTS (SELECT 1 FROM record r
                        WHERE r.identifier = e.identifier AND r.retired_at IS NULL);
    INSERT INTO entry (identifier, record_id, sources, updated_at)
    SELECT r.identifier,
           (array_agg(r.id ORDER BY s.priority, r.date_stamp DESC NULLS LAST,
                      r.first_seen, r.source_id))[1],
           array_agg(r.source_id ORDER BY s.priority, r.date_stamp DESC NULLS LAST,
                     r.first_seen, r.source_id),
           now()
      FROM record r JOIN source s ON s.id = r.source_id
     WHERE r.identifier = ANY (ids) AND r.retired_at IS NULL
     GROUP BY r.identifier
    ON CONFLICT (identifier) DO UPDATE
       SET record_id = excluded.record_id, sources = excluded.sources, updated_at = now()
     WHERE entry.record_id <> excluded.record_id
        OR entry.sources <> excluded.sources
        OR entry.updated_at < (SELECT w.changed_at FROM record w WHERE w.id = excluded.record_id);
END;

-- Removes a source with its runs and records, and recomputes the entries
-- that listed it.
CREATE FUNCTION source_remove(p_id bigint) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    ids text[];
BEGIN
    SELECT coalesce(array_agg(DISTINCT identifier), '{}') INTO ids
      FROM record WHERE source_id = p_id;
    DELETE FROM source WHERE id = p_id;
    PERFORM entry_refresh(ids);
END;
$$;

-- Retires the live records of a source that run p_run did not see, and
-- recomputes their entries; returns how many.
CREATE FUNCTION record_retire_unseen(p_source bigint, p_run bigint) RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    ids text[];
BEGIN
    WITH gone AS (
        UPDATE record r SET retired_at = now()
         WHERE r.source_id = p_source AND r.retired_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM record_seen s
                            WHERE s.record_id = r.id AND s.last_run = p_run)
        RETURNING r.identifier)
    SELECT coalesce(array_agg(identifier), '{}') INTO ids FROM gone;
    PERFORM entry_refresh(ids);
    RETURN cardinality(ids);
END;
$$;
