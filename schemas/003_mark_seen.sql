-- 003_mark_seen.sql — one statement for the records a run found unchanged.
--
-- A re-harvest sends, per page, the identifiers whose hash matched: they get
-- their seen stamp, and any of them retired earlier (a record that came back
-- unchanged) is live again with its entry recomputed.  Before, that took a
-- transaction of four statements per page; the stamp and the revival now
-- share one look-up of the rows, and a page of unchanged records is one
-- round trip (bench/README.md).

CREATE FUNCTION record_mark_seen(p_source bigint, p_run bigint, p_ids text[]) RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    revived text[];
BEGIN
    WITH t AS (
        SELECT r.id, r.identifier, r.retired_at IS NOT NULL AS dead
          FROM record r
         WHERE r.source_id = p_source AND r.identifier = ANY (p_ids)),
    stamp AS (
        INSERT INTO record_seen (record_id, last_run, last_seen)
        SELECT t.id, p_run, now() FROM t
        ON CONFLICT (record_id) DO UPDATE
           SET last_run = excluded.last_run, last_seen = excluded.last_seen),
    back AS (
        UPDATE record r SET retired_at = NULL
          FROM t
         WHERE r.id = t.id AND t.dead
        RETURNING r.identifier)
    SELECT array_agg(identifier) INTO revived FROM back;
    IF revived IS NOT NULL THEN
        PERFORM entry_refresh(revived);
    END IF;
    RETURN coalesce(cardinality(revived), 0);
END;
$$;
