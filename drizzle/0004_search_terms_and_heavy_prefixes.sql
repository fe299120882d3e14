-- Bounded-work prefix search (DESIGN.md §8). Every name is indexed as the suffixes that
-- start at each of its words ("saint jean dangely", "jean dangely", "dangely"), so a
-- prefix range scan on one B-tree finds word-start matches anywhere in a name and never
-- in the middle of a word. Elided articles are indexed both glued and dropped ("lhay…"
-- and "hay…"), postal codes and the INSEE code as terms of their own (word_position -1).
CREATE TABLE IF NOT EXISTS ville_search_terms (
  term text NOT NULL,
  ville_id bigint NOT NULL,
  word_position smallint NOT NULL,
  population integer NOT NULL,
  type text NOT NULL,
  departement_code text NOT NULL,
  region_code text NOT NULL,
  -- INCLUDE turns the prefix scan into an index-only scan: ranking needs nothing else.
  CONSTRAINT ville_search_terms_pkey PRIMARY KEY (term, ville_id) INCLUDE (word_position, population, type)
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS ville_search_terms_departement_idx
  ON ville_search_terms (departement_code, term) INCLUDE (ville_id, word_position, population, type);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS ville_search_terms_region_idx
  ON ville_search_terms (region_code, term) INCLUDE (ville_id, word_position, population, type);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS ville_search_terms_ville_idx ON ville_search_terms (ville_id);
--> statement-breakpoint
-- Every prefix matched by more than T terms, with its precomputed top-K villes, best first.
CREATE TABLE IF NOT EXISTS heavy_prefixes (
  prefix text PRIMARY KEY,
  match_count integer NOT NULL,
  ville_ids bigint[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS search_state (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
-- Typo tolerance, used only when no prefix matches. GIN rather than GiST: the `%`
-- similarity search reads posting lists (8 ms for "marseile" on the real data), while a
-- GiST nearest-neighbour walk visits most of the index when nothing is close.
CREATE INDEX IF NOT EXISTS villes_nom_normalise_trgm_idx ON villes USING gin (nom_normalise gin_trgm_ops);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lieux_search_terms(nom text, codes_postaux text[], code_insee text)
  RETURNS TABLE (term text, word_position smallint)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  WITH forms AS (
    SELECT lieux_normalize(nom) AS form
    UNION
    SELECT lieux_normalize(regexp_replace(nom, '(^|[^A-Za-z])[LlDd][''’]', '\1', 'g'))
  ), words AS (
    SELECT string_to_array(form, ' ') AS w FROM forms WHERE form <> ''
  ), suffixes AS (
    SELECT array_to_string(w[i:], ' ') AS term, (i - 1)::smallint AS word_position
    FROM words, generate_subscripts(w, 1) AS i
  )
  SELECT term, min(word_position) FROM suffixes GROUP BY term
  UNION
  SELECT DISTINCT code, (-1)::smallint FROM unnest(codes_postaux || code_insee) AS code
$$;
--> statement-breakpoint
-- The ranking, in one place for the live search and the heavy-prefix rebuild:
-- log10(population) plus a bonus for the quality of the match. One decade of
-- population is worth one point, so a large city the user is still typing ("nant" →
-- Nantes, 5.5) beats a tiny exact match (Nant, 2.95 + 1.5), while a short complete name
-- ("oz" → Oz) still outranks nearly every longer prefix match and stays reachable.
CREATE OR REPLACE FUNCTION lieux_match_score(term text, word_position smallint, query text, population integer)
  RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN log(population + 10) + CASE
  WHEN word_position < 0 THEN CASE WHEN term = query THEN 1.0 ELSE 0.5 END
  WHEN word_position = 0 AND term = query THEN 1.5
  WHEN word_position = 0 AND starts_with(term, query || ' ') THEN 1.0
  WHEN word_position = 0 THEN 0.8
  WHEN term = query OR starts_with(term, query || ' ') THEN 0.5
  ELSE 0.3
END;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lieux_sync_search_terms() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM ville_search_terms t USING old_rows o WHERE t.ville_id = o.id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO ville_search_terms (term, ville_id, word_position, population, type, departement_code, region_code)
    SELECT st.term, n.id, st.word_position, n.population, n.type, n.departement_code, n.region_code
    FROM new_rows n, lieux_search_terms(n.nom, n.codes_postaux, n.code_insee) st;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Statement-level triggers with transition tables: one set-based write per batch, not per row.
CREATE OR REPLACE TRIGGER villes_search_terms_insert AFTER INSERT ON villes
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lieux_sync_search_terms();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER villes_search_terms_update AFTER UPDATE ON villes
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lieux_sync_search_terms();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER villes_search_terms_delete AFTER DELETE ON villes
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lieux_sync_search_terms();
--> statement-breakpoint
INSERT INTO ville_search_terms (term, ville_id, word_position, population, type, departement_code, region_code)
SELECT st.term, v.id, st.word_position, v.population, v.type, v.departement_code, v.region_code
FROM villes v, lieux_search_terms(v.nom, v.codes_postaux, v.code_insee) st
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Rebuilds heavy_prefixes for the default scope (communes actuelles and arrondissements).
-- A prefix can only be heavy if its parent prefix is, so each level scans only the
-- ranges of the previous level's heavy prefixes. Runs in the caller's transaction:
-- readers see the old table until commit.
CREATE OR REPLACE FUNCTION lieux_rebuild_heavy_prefixes(threshold integer, top_k integer)
  RETURNS integer
  LANGUAGE plpgsql
AS $$
DECLARE
  scope constant text[] := ARRAY['commune-actuelle', 'arrondissement-municipal'];
  depth integer := 1;
  level_prefixes text[];
  total integer := 0;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS heavy_prefix_build (prefix text PRIMARY KEY, match_count integer) ON COMMIT DROP;
  TRUNCATE heavy_prefix_build;
  INSERT INTO heavy_prefix_build
    SELECT left(term, 1), count(*) FROM ville_search_terms
    WHERE type = ANY (scope) GROUP BY 1 HAVING count(*) > threshold;
  SELECT array_agg(prefix) INTO level_prefixes FROM heavy_prefix_build;
  WHILE level_prefixes IS NOT NULL LOOP
    depth := depth + 1;
    INSERT INTO heavy_prefix_build
      SELECT left(t.term, depth), count(*)
      FROM unnest(level_prefixes) AS parent(prefix)
      JOIN ville_search_terms t ON t.term >= parent.prefix AND t.term < parent.prefix || '{'
      WHERE length(t.term) >= depth AND t.type = ANY (scope)
      GROUP BY 1 HAVING count(*) > threshold;
    SELECT array_agg(prefix) INTO level_prefixes FROM heavy_prefix_build WHERE length(prefix) = depth;
  END LOOP;

  DELETE FROM heavy_prefixes;
  INSERT INTO heavy_prefixes (prefix, match_count, ville_ids)
  SELECT h.prefix, h.match_count, ranked.ids
  FROM heavy_prefix_build h
  CROSS JOIN LATERAL (
    SELECT array_agg(best.ville_id ORDER BY best.score DESC, best.ville_id) AS ids
    FROM (
      SELECT t.ville_id, max(lieux_match_score(t.term, t.word_position, h.prefix, t.population)) AS score
      FROM ville_search_terms t
      WHERE t.term >= h.prefix AND t.term < h.prefix || '{' AND t.type = ANY (scope)
      GROUP BY t.ville_id
      ORDER BY score DESC, t.ville_id
      LIMIT top_k
    ) best
  ) ranked;
  GET DIAGNOSTICS total = ROW_COUNT;
  INSERT INTO search_state (key, value, updated_at)
    VALUES ('heavy_prefixes', jsonb_build_object('threshold', threshold, 'top_k', top_k, 'prefixes', total,
            'watermark', (SELECT max(updated_at) FROM villes)), now())
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
  RETURN total;
END
$$;
