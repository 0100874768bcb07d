-- search-data.sql — synthetic records for bench/search-bench, loaded straight
-- into record and entry with SQL (not through the harvester: 1,000,000 records
-- harvested take 10+ minutes; the search only reads these tables).
--
-- psql -v n=1000000 -f search-data.sql
--
-- Each record draws every word of the vocabulary below independently with the
-- word's probability (log-spaced from 20% down to 0.1%), so a one-word query
-- has a known selectivity; the drawn words go to the title (40%), the
-- keywords (20%) or the abstract (40%).  Accented and plural forms on
-- purpose ("églises", "forêts"): the benchmark queries type them without
-- accents, in the singular.  Facets: 6 partners (skewed), 40 organisations,
-- 12 ISO topic categories, 5 resource types, 8 formats, years 2005-2026;
-- 5% of the records are carried by a second partner (entry.sources).
\set ON_ERROR_STOP on
SET synchronous_commit = off;

CREATE TEMP TABLE vocab (i int, w text, p float8);
INSERT INTO vocab
SELECT i - 1, w, 0.2 * power(0.001 / 0.2, (i - 1) / 59.0)
  FROM unnest(ARRAY[
    'réseaux', 'routes', 'bâtiments', 'eau', 'parcelles', 'urbanisme', 'forêts', 'rivières',
    'écoles', 'transports', 'déchets', 'logements', 'patrimoine', 'inondations', 'sols',
    'agriculture', 'haies', 'biodiversité', 'littoral', 'gares', 'électricité', 'éclairage',
    'stationnement', 'commerces', 'hôpitaux', 'stades', 'bibliothèques', 'musées', 'cimetières',
    'fontaines', 'ponts', 'églises', 'vignes', 'prairies', 'dunes', 'ports', 'aéroports',
    'pistes', 'cyclables', 'bruit', 'énergie', 'solaire', 'éoliennes', 'collecte', 'recensement',
    'monuments', 'risques', 'espèces', 'zones', 'humides', 'marchés', 'pharmacies', 'piscines',
    'théâtres', 'canaux', 'écluses', 'châteaux', 'moulins', 'lavoirs', 'phares'])
       WITH ORDINALITY AS t(w, i);

INSERT INTO source (name, type, url, priority)
SELECT 'partenaire-' || g, 'csw', 'http://127.0.0.1:1/csw' || g, 100
  FROM generate_series(1, 6) g
ON CONFLICT (name) DO NOTHING;

CREATE TEMP TABLE src AS
SELECT row_number() OVER (ORDER BY id) AS k, id FROM source WHERE name LIKE 'partenaire-%';

-- The drawn words of each record, then the record itself.
CREATE TEMP TABLE draw AS
SELECT g,
       array(SELECT w FROM vocab v WHERE random() < v.p + 0 * g ORDER BY v.i) AS words,
       random() AS r1, random() AS r2, random() AS r3
  FROM generate_series(1, :n) g;

INSERT INTO record (source_id, identifier, type, title, abstract, keywords, topics,
                    organisations, formats, date_stamp, modified, bbox, hash)
SELECT (SELECT id FROM src WHERE k = 1 + least(5, floor(power(d.r1, 2) * 6)::int)),
       'urn:bench:' || d.g,
       (ARRAY['dataset', 'dataset', 'dataset', 'series', 'service'])[1 + (d.g % 5)],
       coalesce(array_to_string(array(SELECT x FROM unnest(d.words) WITH ORDINALITY u(x, o)
                                       WHERE (hashint4(d.g + o::int) & 7) < 3), ' '), '')
           || ' ' || (ARRAY['Carte', 'Inventaire', 'Plan', 'Relevé', 'Atlas'])[1 + (d.g % 5)]
           || ' de la commune ' || (d.g % 997),
       'Données produites par le service ' || (d.g % 41) || '. '
           || coalesce(array_to_string(array(SELECT x FROM unnest(d.words) WITH ORDINALITY u(x, o)
                                              WHERE (hashint4(d.g + o::int) & 7) >= 5), ' '), '')
           || ' Mise à jour annuelle, précision métrique.',
       array(SELECT x FROM unnest(d.words) WITH ORDINALITY u(x, o)
              WHERE (hashint4(d.g + o::int) & 7) IN (3, 4))
           || ARRAY['thème ' || (d.g % 23)],
       ARRAY[(ARRAY['environment', 'transportation', 'planningCadastre', 'inlandWaters',
                    'society', 'structure', 'utilitiesCommunication', 'farming',
                    'biota', 'elevation', 'boundaries', 'health'])[1 + floor(d.r2 * 12)::int]],
       ARRAY['Organisation ' || (1 + floor(power(d.r3, 1.5) * 40)::int)],
       ARRAY[(ARRAY['ESRI Shapefile', 'GeoPackage', 'GeoJSON', 'CSV', 'GML', 'PDF', 'WMS',
                    'KML'])[1 + (d.g % 8)]],
       to_char(make_date(2005 + (d.g % 22), 1 + (d.g % 12), 1 + (d.g % 28)), 'YYYY-MM-DD'),
       make_date(2005 + (d.g % 22), 1 + (d.g % 12), 1 + (d.g % 28))::timestamptz,
       box(point(-1.5 + d.r2 * 3 + 0.05, 47 + d.r3 * 2 + 0.05), point(-1.5 + d.r2 * 3, 47 + d.r3 * 2)),
       md5(d.g::text)
  FROM draw d;

-- 5% of the records have a twin at another partner: the entry keeps the
-- first, and lists both sources.
INSERT INTO entry (identifier, record_id, sources)
SELECT r.identifier, r.id,
       CASE WHEN r.id % 20 = 0
            THEN ARRAY[r.source_id, (SELECT id FROM src WHERE k = 1 + (r.id / 20) % 6 AND id <> r.source_id
                                      UNION ALL SELECT min(id) FROM src WHERE id <> r.source_id
                                      LIMIT 1)]
            ELSE ARRAY[r.source_id] END
  FROM record r WHERE r.identifier LIKE 'urn:bench:%'
ON CONFLICT (identifier) DO NOTHING;

ANALYZE record;
ANALYZE entry;
