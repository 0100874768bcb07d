-- The verbatim and unified XML of a record are compressed with lz4 instead of
-- pglz: pglz cost more CPU than anything else in a first harvest (measured in
-- bench/README.md); lz4 compresses XML nearly as well, several times faster.
-- A server built without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE record ALTER COLUMN original SET COMPRESSION lz4,
                       ALTER COLUMN unified SET COMPRESSION lz4,
                       ALTER COLUMN abstract SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not available: record XML stays compressed with pglz';
END
$$;
