-- 006_search.sql — what the territory-wide search (aggregator/search.c,
-- issue 5) needs from the index.  Figures in bench/README.md, "Search".
--
-- * Fixed samples of the records by a hash of the id (a hash, not
--   id % 16, which would alias with anything periodic in the harvest
--   order): 1 in 64 and 1 in 16.  Slices 0 with partial full-text indexes
--   (searches with text), slices 1 with partial indexes on id (searches
--   without; slices of their own so that the planner never takes them for a
--   text search).  Past SEARCH_EXACT_MAX matches, the number of matches and
--   the facet counts are estimated from a sample (64 or 16 times fewer
--   rows read), and said to be estimates.
-- * The title's sort key (lower case, accents folded: "Écoles" between
--   "Dunes" and "Forêts", not after "Zones"), indexed for sorting by title.
--   unaccent is only STABLE (its dictionary could change); the wrapper is
--   declared IMMUTABLE so that it can be indexed, as is usual with it.
-- * Not the RUM index (ranking inside the index, `ORDER BY fts <=> query`):
--   measured, it makes every record written cost ~0.3 ms more (5,000 records
--   in pages of 100: 0.3 s without, 1.8 s with), a third of the harvest's
--   throughput, for the first request of a frequent word only (answers are
--   cached).  It is opt-in (aggregator/README.md, "Search"): the search uses
--   record_fts_rum whenever it exists, else ts_rank.

CREATE INDEX record_fts_sample ON record USING gin (fts) WHERE (hashint8(id) & 15) = 0;
CREATE INDEX record_sample ON record (id) WHERE (hashint8(id) & 15) = 1;
CREATE INDEX record_fts_sample64 ON record USING gin (fts) WHERE (hashint8(id) & 63) = 0;
CREATE INDEX record_sample64 ON record (id) WHERE (hashint8(id) & 63) = 1;
CREATE FUNCTION moisson_sort_key(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, t));
CREATE INDEX record_title_key ON record (moisson_sort_key(title));
