-- 007_seen_without_run_index.sql — retiring a source's unseen records in
-- time linear in the source, whatever the statistics say.
--
-- Right after a run, the statistics of record_seen still say that no row
-- carries the new run number, and the anti-join of record_retire_unseen
-- (001) became a nested loop over every seen stamp of the run for each
-- record of the source: 3.5 s for 10,000 records where 30 ms suffice.  The
-- stamp of each record is now looked up by its primary key, one probe per
-- record.
--
-- The index on last_run goes: that anti-join was its one user, and without
-- it the stamp of an unchanged record (last_run, last_seen) touches no
-- index, so PostgreSQL can rewrite it in place (a HOT update).
DROP INDEX record_seen_run;

CREATE OR REPLACE FUNCTION record_retire_unseen(p_source bigint, p_run bigint) RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    ids text[];
BEGIN
    WITH gone AS (
        UPDATE record r SET retired_at = now()
         WHERE r.source_id = p_source AND r.retired_at IS NULL
           AND (SELECT s.last_run FROM record_seen s WHERE s.record_id = r.id)
               IS DISTINCT FROM p_run
        RETURNING r.identifier)
    SELECT coalesce(array_agg(identifier), '{}') INTO ids FROM gone;
    PERFORM entry_refresh(ids);
    RETURN cardinality(ids);
END;
$$;
