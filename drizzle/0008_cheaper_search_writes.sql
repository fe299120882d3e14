-- Write and rank cost, measured on the real data (2 cores): the old match score took 6 µs
-- a call (log() of an integer resolves to numeric log, and STRICT kept the function from
-- being inlined) — 6 ms to rank a light prefix's 1,000 terms; it now takes 0.4 µs. Terms
-- were 38 µs a row, mostly re-normalising the name twice; they now reuse nom_normalise
-- and only normalise again for names with an elided article (about 8 µs a row). The slug
-- is derived from nom_normalise when read, instead of a third normalisation per write.
ALTER TABLE "villes" DROP COLUMN IF EXISTS "slug";
--> statement-breakpoint
DROP FUNCTION IF EXISTS lieux_slug(text, text);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lieux_match_score(term text, word_position smallint, query text, population integer)
  RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN log((population + 10)::double precision) + CASE
  WHEN word_position < 0 THEN CASE WHEN term = query THEN 1.0 ELSE 0.5 END
  WHEN word_position = 0 AND term = query THEN 1.5
  WHEN word_position = 0 AND starts_with(term, query || ' ') THEN 1.0
  WHEN word_position = 0 THEN 0.8
  WHEN term = query OR starts_with(term, query || ' ') THEN 0.5
  ELSE 0.3
END;
--> statement-breakpoint
-- A single SELECT, not STRICT: the planner inlines it into the trigger's INSERT … SELECT.
CREATE OR REPLACE FUNCTION lieux_search_terms(nom text, nom_normalise text, codes_postaux text[], code_insee text)
  RETURNS TABLE (term text, word_position smallint)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT DISTINCT ON (t.term) t.term, t.word_position FROM (
    SELECT array_to_string(w.words[i:], ' ') AS term, (i - 1)::smallint AS word_position
    FROM (SELECT string_to_array(nom_normalise, ' ')
          UNION ALL
          SELECT string_to_array(lieux_normalize(regexp_replace(nom, '(^|[^A-Za-z])[LlDd][''’]', '\1', 'g')), ' ')
          WHERE nom ~ '(^|[^A-Za-z])[LlDd][''’]') AS w(words),
         generate_subscripts(w.words, 1) AS i
    WHERE w.words <> '{}'
    UNION ALL
    SELECT code, (-1)::smallint FROM unnest(codes_postaux || code_insee) AS code
  ) t
  ORDER BY t.term, t.word_position
$$;
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
    FROM new_rows n, lieux_search_terms(n.nom, n.nom_normalise, n.codes_postaux, n.code_insee) st;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP FUNCTION IF EXISTS lieux_search_terms(text, text[], text);
--> statement-breakpoint
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
  -- Two rebuilds at once (an import commit and the nightly job) would collide on the
  -- table's keys: the second waits for the first, then rebuilds from the newer data.
  PERFORM pg_advisory_xact_lock(hashtext('lieux_rebuild_heavy_prefixes'));
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
