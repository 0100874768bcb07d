-- 009_folder_validators.sql — change detection by HTTP validators for the
-- files of folder sources.
--
-- One row per file of a waf (or dir) source that its partner answered with
-- validators: the ETag and Last-Modified of its last full answer (a local
-- file's modification time and size as etag), and the hash of the record
-- the file gave with the normalisation version that hash was made with.
-- The next run asks with If-None-Match / If-Modified-Since; a 304 stands for
-- that hash only while a record of the source still has it
-- (store_folder_validators_get), so a file whose record failed, was
-- replaced by another file's or was normalised by another stylesheet is
-- fetched whole.  A server that sends no validators leaves no row.
CREATE TABLE folder_file (
    source_id bigint NOT NULL REFERENCES source (id) ON DELETE CASCADE,
    url text NOT NULL,
    etag text,
    last_modified text,
    hash text NOT NULL,
    version text NOT NULL,
    checked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, url),
    CHECK (etag IS NOT NULL OR last_modified IS NOT NULL)
);
