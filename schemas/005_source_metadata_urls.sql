-- 005_source_metadata_urls.sql — whether a WFS/WMS source follows the
-- MetadataURL of its layers to take their ISO 19139 records (issue 3: on by
-- default; `moisson source add … --no-metadata-urls` turns it off).
ALTER TABLE source ADD COLUMN metadata_urls boolean NOT NULL DEFAULT true;
