-- 008_record_lz4_more.sql — lz4 for the other columns of a record that
-- grow past PostgreSQL's compression threshold (2 kB): the links array did
-- (half of the synthetic benchmark's records, pglz being what remained of
-- PostgreSQL's compression work in a first harvest after 002), and the
-- full-text vector and the other arrays can.  As in 002, a server built
-- without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE record ALTER COLUMN links SET COMPRESSION lz4,
                       ALTER COLUMN keywords SET COMPRESSION lz4,
                       ALTER COLUMN organisations SET COMPRESSION lz4,
                       ALTER COLUMN operates_on SET COMPRESSION lz4,
                       ALTER COLUMN lineage SET COMPRESSION lz4,
                       ALTER COLUMN fts SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not available: the other columns stay compressed with pglz';
END
$$;
