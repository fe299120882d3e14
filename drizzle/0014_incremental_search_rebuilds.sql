-- Rebuilds that follow the changes, not the table (issue 17): after a small import the
-- heavy prefixes and the typo dictionary are refreshed from the villes changed since
-- `since` (the job's start), so 1,000 rows into 5M no longer pay two full rebuilds. The
-- full rebuilds stay for large imports, the seed and the nightly safety net; both take
-- the same advisory locks, so a refresh and a rebuild never interleave.
--
-- Heavy prefixes. Invariant kept: for every heavy prefix, ville_ids is the exact top K by
-- max(lieux_match_score) then ville_id, as the full rebuild computes it, and scores holds
-- their scores in the same order. Unchanged villes
-- keep their scores, so for a prefix whose old top K holds no changed ville the new top K
-- is the top K of (old top K ∪ changed villes matching it): a merge of the stored K
-- (id, score) pairs with the changed villes' terms, no member's terms read again. A prefix whose old top K holds a changed ville is recomputed in full (a member may
-- have dropped out, letting an unlisted ville in). Prefixes that became heavy are among the
-- prefixes of the changed villes' terms, found level by level with counts capped at
-- threshold + 1. match_count is exact for prefixes recomputed or added here and left as the
-- last full rebuild counted it otherwise; a prefix that only lost matches stays heavy with
-- a still-exact list until the next full rebuild. Returns how many prefixes it rewrote.
-- A prefix's top K, best first, with their scores: the one ranking of rebuilds and refreshes.
CREATE OR REPLACE FUNCTION lieux_heavy_prefix_top(prefix text, top_k integer, OUT ids bigint[], OUT scores double precision[])
  LANGUAGE sql STABLE
AS $$
  SELECT array_agg(best.ville_id ORDER BY best.score DESC, best.ville_id), array_agg(best.score ORDER BY best.score DESC, best.ville_id)
  FROM (
    SELECT t.ville_id, max(lieux_match_score(t.term, t.word_position, prefix, t.population)) AS score
    FROM ville_search_terms t
    WHERE t.term >= prefix AND t.term < prefix || '{' AND t.type IN ('commune-actuelle', 'arrondissement-municipal')
    GROUP BY t.ville_id ORDER BY score DESC, t.ville_id LIMIT top_k
  ) best
$$;
--> statement-breakpoint
-- Each list keeps its members' scores beside their ids, so a refresh merges lists
-- without reading the members' terms again.
ALTER TABLE heavy_prefixes ADD COLUMN IF NOT EXISTS scores double precision[];
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
  INSERT INTO heavy_prefixes (prefix, match_count, ville_ids, scores)
  SELECT h.prefix, h.match_count, ranked.ids, ranked.scores
  FROM heavy_prefix_build h
  CROSS JOIN LATERAL lieux_heavy_prefix_top(h.prefix, top_k) ranked;
  GET DIAGNOSTICS total = ROW_COUNT;
  INSERT INTO search_state (key, value, updated_at)
    VALUES ('heavy_prefixes', jsonb_build_object('threshold', threshold, 'top_k', top_k, 'prefixes', total,
            'watermark', (SELECT max(updated_at) FROM villes)), now())
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
  RETURN total;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lieux_refresh_heavy_prefixes(since timestamptz, threshold integer, top_k integer)
  RETURNS integer
  LANGUAGE plpgsql
AS $$
DECLARE
  scope constant text[] := ARRAY['commune-actuelle', 'arrondissement-municipal'];
  changed_ids bigint[];
  depth integer := 0;
  max_depth integer;
  rewritten integer := 0;
  step_count integer;
  watermark_now timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('lieux_rebuild_heavy_prefixes'));
  SELECT array_agg(id), max(updated_at) INTO changed_ids, watermark_now FROM villes WHERE updated_at >= since;
  IF changed_ids IS NULL THEN
    RETURN 0;
  END IF;

  CREATE TEMP TABLE IF NOT EXISTS heavy_refresh_terms (term text, ville_id bigint, word_position smallint, population integer) ON COMMIT DROP;
  TRUNCATE heavy_refresh_terms;
  INSERT INTO heavy_refresh_terms
    SELECT t.term, t.ville_id, t.word_position, t.population FROM ville_search_terms t
    WHERE t.ville_id = ANY (changed_ids) AND t.type = ANY (scope);
  CREATE INDEX IF NOT EXISTS heavy_refresh_terms_term_idx ON heavy_refresh_terms (term);
  CREATE TEMP TABLE IF NOT EXISTS heavy_refresh_prefixes (prefix text PRIMARY KEY) ON COMMIT DROP;
  TRUNCATE heavy_refresh_prefixes;
  INSERT INTO heavy_refresh_prefixes
    SELECT DISTINCT left(term, n) FROM heavy_refresh_terms, generate_series(1, length(term)) AS n;
  -- Temporary tables have no statistics until analyzed: without them every join below is planned blind.
  ANALYZE heavy_refresh_terms, heavy_refresh_prefixes;

  -- 1. Lists holding a changed ville (or no scores yet): recomputed in full.
  CREATE TEMP TABLE IF NOT EXISTS heavy_refresh_full (prefix text PRIMARY KEY) ON COMMIT DROP;
  TRUNCATE heavy_refresh_full;
  INSERT INTO heavy_refresh_full SELECT prefix FROM heavy_prefixes WHERE ville_ids && changed_ids OR scores IS NULL;
  DELETE FROM heavy_prefixes h USING heavy_refresh_full f WHERE h.prefix = f.prefix;
  INSERT INTO heavy_prefixes (prefix, match_count, ville_ids, scores)
  SELECT f.prefix, counted.n, ranked.ids, ranked.scores
  FROM heavy_refresh_full f
  CROSS JOIN LATERAL (
    SELECT count(*)::integer AS n FROM ville_search_terms t
    WHERE t.term >= f.prefix AND t.term < f.prefix || '{' AND t.type = ANY (scope)
  ) counted
  CROSS JOIN LATERAL lieux_heavy_prefix_top(f.prefix, top_k) ranked
  WHERE counted.n > threshold;
  GET DIAGNOSTICS rewritten = ROW_COUNT;
  -- A prefix no longer heavy takes its longer prefixes with it (they match no more terms than it does).
  DELETE FROM heavy_prefixes h USING heavy_refresh_full f
  WHERE starts_with(h.prefix, f.prefix) AND NOT EXISTS (SELECT 1 FROM heavy_prefixes p WHERE p.prefix = f.prefix);

  -- 2. Heavy prefixes the changed villes match, their lists untouched by the changes: merged.
  UPDATE heavy_prefixes h SET ville_ids = merged.ids, scores = merged.scores
  FROM (
    SELECT c.prefix,
           (array_agg(c.ville_id ORDER BY c.score DESC, c.ville_id))[1:top_k] AS ids,
           (array_agg(c.score ORDER BY c.score DESC, c.ville_id))[1:top_k] AS scores
    FROM (
      SELECT p.prefix, kept.ville_id, kept.score
      FROM heavy_prefixes p JOIN heavy_refresh_prefixes r ON r.prefix = p.prefix
      CROSS JOIN LATERAL unnest(p.ville_ids, p.scores) AS kept(ville_id, score)
      WHERE NOT EXISTS (SELECT 1 FROM heavy_refresh_full f WHERE f.prefix = p.prefix)
      UNION ALL
      SELECT p.prefix, n.ville_id, max(lieux_match_score(n.term, n.word_position, p.prefix, n.population))
      FROM heavy_prefixes p JOIN heavy_refresh_prefixes r ON r.prefix = p.prefix
      JOIN heavy_refresh_terms n ON n.term >= p.prefix AND n.term < p.prefix || '{'
      WHERE NOT EXISTS (SELECT 1 FROM heavy_refresh_full f WHERE f.prefix = p.prefix)
      GROUP BY p.prefix, n.ville_id
    ) c
    GROUP BY c.prefix
  ) merged
  WHERE h.prefix = merged.prefix AND h.ville_ids IS DISTINCT FROM merged.ids;
  GET DIAGNOSTICS step_count = ROW_COUNT;
  rewritten := rewritten + step_count;

  -- 3. Prefixes that became heavy, shortest first: a prefix can only be heavy under a heavy parent.
  SELECT max(length(prefix)) INTO max_depth FROM heavy_refresh_prefixes;
  WHILE depth < max_depth LOOP
    depth := depth + 1;
    -- Counted first (capped, at most threshold + 1 index entries each), ranked only when heavy.
    WITH became_heavy AS MATERIALIZED (
      SELECT r.prefix, counted.n
      FROM heavy_refresh_prefixes r
      CROSS JOIN LATERAL (
        SELECT count(*)::integer AS n FROM (
          SELECT 1 FROM ville_search_terms t
          WHERE t.term >= r.prefix AND t.term < r.prefix || '{' AND t.type = ANY (scope) LIMIT threshold + 1
        ) capped
      ) counted
      WHERE length(r.prefix) = depth
        AND NOT EXISTS (SELECT 1 FROM heavy_prefixes h WHERE h.prefix = r.prefix)
        AND (depth = 1 OR EXISTS (SELECT 1 FROM heavy_prefixes h WHERE h.prefix = left(r.prefix, depth - 1)))
        AND counted.n > threshold
    )
    INSERT INTO heavy_prefixes (prefix, match_count, ville_ids, scores)
    SELECT b.prefix, b.n, ranked.ids, ranked.scores
    FROM became_heavy b CROSS JOIN LATERAL lieux_heavy_prefix_top(b.prefix, top_k) ranked;
    GET DIAGNOSTICS step_count = ROW_COUNT;
    rewritten := rewritten + step_count;
  END LOOP;

  -- The count of a prefix just made heavy was capped: count it once in full.
  UPDATE heavy_prefixes h SET match_count = (
    SELECT count(*) FROM ville_search_terms t WHERE t.term >= h.prefix AND t.term < h.prefix || '{' AND t.type = ANY (scope))
  WHERE h.match_count = threshold + 1;

  UPDATE search_state SET
    value = value || jsonb_build_object('prefixes', (SELECT count(*) FROM heavy_prefixes),
      'watermark', greatest((value->>'watermark')::timestamptz, watermark_now)),
    updated_at = now()
  WHERE key = 'heavy_prefixes';
  RETURN rewritten;
END
$$;
--> statement-breakpoint
-- The typo dictionary, refreshed from the villes changed since `since`. Invariant kept:
-- it holds exactly the top `size` villes by (population DESC, id DESC), as the full
-- rebuild fills it. Villes outside it all rank below its last entry (the cutoff), so only
-- changed villes can enter: those above the cutoff go in, changed members that fell below
-- it go out, then the table is trimmed to `size` or filled from just below its new last
-- entry through villes_population_id_idx. Returns how many entries it wrote or removed.
CREATE OR REPLACE FUNCTION lieux_refresh_typo_dictionary(since timestamptz, size integer)
  RETURNS integer
  LANGUAGE plpgsql
AS $$
DECLARE
  cutoff_population integer;
  cutoff_id bigint;
  entries integer;
  touched integer := 0;
  step_count integer;
  last_population integer;
  last_id bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('lieux_rebuild_typo_dictionary'));
  SELECT count(*) INTO entries FROM typo_dictionary;
  SELECT population, ville_id INTO cutoff_population, cutoff_id FROM typo_dictionary ORDER BY population, ville_id LIMIT 1;

  CREATE TEMP TABLE IF NOT EXISTS typo_refresh_changed (LIKE typo_dictionary) ON COMMIT DROP;
  TRUNCATE typo_refresh_changed;
  INSERT INTO typo_refresh_changed (ville_id, typo_key, type, departement_code, region_code, population)
    SELECT id, lieux_typo_key(nom_normalise), type, departement_code, region_code, population
    FROM villes WHERE updated_at >= since;

  -- Members that fell below the cutoff leave; the fill below brings them back if they still rank.
  DELETE FROM typo_dictionary d USING typo_refresh_changed c
  WHERE d.ville_id = c.ville_id AND entries >= size AND (c.population, c.ville_id) < (cutoff_population, cutoff_id);
  GET DIAGNOSTICS touched = ROW_COUNT;

  INSERT INTO typo_dictionary
    SELECT c.* FROM typo_refresh_changed c
    WHERE entries < size OR cutoff_id IS NULL OR (c.population, c.ville_id) >= (cutoff_population, cutoff_id)
  ON CONFLICT (ville_id) DO UPDATE SET typo_key = excluded.typo_key, type = excluded.type,
    departement_code = excluded.departement_code, region_code = excluded.region_code, population = excluded.population
  WHERE (typo_dictionary.typo_key, typo_dictionary.type, typo_dictionary.departement_code, typo_dictionary.region_code, typo_dictionary.population)
    IS DISTINCT FROM (excluded.typo_key, excluded.type, excluded.departement_code, excluded.region_code, excluded.population);
  GET DIAGNOSTICS step_count = ROW_COUNT;
  touched := touched + step_count;

  SELECT count(*) INTO entries FROM typo_dictionary;
  IF entries > size THEN
    DELETE FROM typo_dictionary WHERE ville_id IN (
      SELECT ville_id FROM typo_dictionary ORDER BY population, ville_id LIMIT entries - size);
    GET DIAGNOSTICS step_count = ROW_COUNT;
    touched := touched + step_count;
  ELSIF entries < size THEN
    SELECT population, ville_id INTO last_population, last_id FROM typo_dictionary ORDER BY population, ville_id LIMIT 1;
    INSERT INTO typo_dictionary (ville_id, typo_key, type, departement_code, region_code, population)
      SELECT v.id, lieux_typo_key(v.nom_normalise), v.type, v.departement_code, v.region_code, v.population
      FROM villes v
      WHERE last_id IS NULL OR (v.population, v.id) < (last_population, last_id)
      ORDER BY v.population DESC NULLS LAST, v.id DESC LIMIT size - entries
    ON CONFLICT (ville_id) DO NOTHING;
    GET DIAGNOSTICS step_count = ROW_COUNT;
    touched := touched + step_count;
  END IF;
  IF touched > 0 THEN
    PERFORM gin_clean_pending_list('typo_dictionary_key_trgm_idx'::regclass);
  END IF;
  RETURN touched;
END
$$;

--> statement-breakpoint
-- Fills the new scores column where an earlier rebuild set the table's bounds.
SELECT lieux_rebuild_heavy_prefixes((value->>'threshold')::int, (value->>'top_k')::int) FROM search_state WHERE key = 'heavy_prefixes';
