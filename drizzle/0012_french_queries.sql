-- Issue 18, French queries. Three changes to the search terms and their score:
-- 1. INSEE codes are indexed lower-case, as every query arrives: "2a004" and "2A004" both
--    find Ajaccio, exactly like a numeric code.
-- 2. A commune nouvelle is also indexed under its former names: those of its communes
--    déléguées and associées (the communes it absorbed; their codes are the data
--    package's anciensCodes), at word_position 100 + i, and under their INSEE codes at
--    -2. "annecy le vieux" or "74011" finds Annecy; the route says which name matched.
-- 3. A former name scores two decades of population below the same match on a current
--    name, so a commune still called that comes before the one that absorbed it.
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
    SELECT code, (-1)::smallint FROM unnest(codes_postaux || lower(code_insee)) AS code
  ) t
  ORDER BY t.term, t.word_position
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lieux_match_score(term text, word_position smallint, query text, population integer)
  RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN log((population + 10)::double precision) + CASE
  WHEN word_position = -1 THEN CASE WHEN term = query THEN 1.0 ELSE 0.5 END
  WHEN word_position < -1 THEN CASE WHEN term = query THEN 0.5 ELSE 0.0 END
  WHEN word_position >= 100 THEN -2.0 + CASE
    WHEN word_position = 100 AND term = query THEN 1.5
    WHEN word_position = 100 AND starts_with(term, query || ' ') THEN 1.0
    WHEN word_position = 100 THEN 0.8
    WHEN term = query OR starts_with(term, query || ' ') THEN 0.5
    ELSE 0.3
  END
  WHEN word_position = 0 AND term = query THEN 1.5
  WHEN word_position = 0 AND starts_with(term, query || ' ') THEN 1.0
  WHEN word_position = 0 THEN 0.8
  WHEN term = query OR starts_with(term, query || ' ') THEN 0.5
  ELSE 0.3
END;
--> statement-breakpoint
-- Finds the children of a commune nouvelle, for its former-name terms and for the route.
CREATE INDEX IF NOT EXISTS villes_parent_code_idx ON villes (parent_code) WHERE parent_code IS NOT NULL;
--> statement-breakpoint
-- Rewrites the former-name terms of the given communes actuelles from their children.
CREATE OR REPLACE FUNCTION lieux_sync_former_name_terms(parent_codes text[]) RETURNS void
  LANGUAGE sql
AS $$
  DELETE FROM ville_search_terms t USING villes p
  WHERE p.code_insee = ANY (parent_codes) AND p.type = 'commune-actuelle' AND t.ville_id = p.id
    AND (t.word_position >= 100 OR t.word_position < -1);
  INSERT INTO ville_search_terms (term, ville_id, word_position, population, type, departement_code, region_code)
  SELECT DISTINCT ON (f.term, p.id) f.term, p.id, f.word_position, p.population, p.type, p.departement_code, p.region_code
  FROM villes p
  JOIN villes d ON d.parent_code = p.code_insee AND d.type IN ('commune-deleguee', 'commune-associee')
    AND d.nom_normalise <> p.nom_normalise
  CROSS JOIN LATERAL (
    SELECT st.term, (CASE WHEN st.word_position < 0 THEN -2 ELSE 100 + st.word_position END)::smallint AS word_position
    FROM lieux_search_terms(d.nom, d.nom_normalise, ARRAY[]::text[], d.code_insee) st
    WHERE st.word_position >= 0 OR d.code_insee <> p.code_insee
  ) f
  WHERE p.code_insee = ANY (parent_codes) AND p.type = 'commune-actuelle'
  ORDER BY f.term, p.id, f.word_position
  ON CONFLICT (term, ville_id) DO NOTHING;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lieux_sync_search_terms() RETURNS trigger
  LANGUAGE plpgsql
AS $$
DECLARE
  parent_codes text[] := ARRAY[]::text[];
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM ville_search_terms t USING old_rows o WHERE t.ville_id = o.id;
    parent_codes := parent_codes || ARRAY(SELECT DISTINCT o.parent_code FROM old_rows o
      WHERE o.type IN ('commune-deleguee', 'commune-associee') AND o.parent_code IS NOT NULL);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO ville_search_terms (term, ville_id, word_position, population, type, departement_code, region_code)
    SELECT st.term, n.id, st.word_position, n.population, n.type, n.departement_code, n.region_code
    FROM new_rows n, lieux_search_terms(n.nom, n.nom_normalise, n.codes_postaux, n.code_insee) st;
    -- A changed child changes its parent's former names; a changed parent lost them above.
    parent_codes := parent_codes || ARRAY(
      SELECT n.parent_code FROM new_rows n WHERE n.type IN ('commune-deleguee', 'commune-associee') AND n.parent_code IS NOT NULL
      UNION
      SELECT d.parent_code FROM villes d JOIN new_rows n ON n.code_insee = d.parent_code AND n.type = 'commune-actuelle'
      WHERE d.parent_code IS NOT NULL AND d.type IN ('commune-deleguee', 'commune-associee'));
  END IF;
  IF cardinality(parent_codes) > 0 THEN
    PERFORM lieux_sync_former_name_terms(parent_codes);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
UPDATE ville_search_terms SET term = lower(term) WHERE word_position = -1 AND term <> lower(term);
--> statement-breakpoint
SELECT lieux_sync_former_name_terms(ARRAY(
  SELECT DISTINCT parent_code FROM villes WHERE parent_code IS NOT NULL AND type IN ('commune-deleguee', 'commune-associee')));
--> statement-breakpoint
-- The score changed: rebuild the heavy prefixes' top K where a previous rebuild set their size.
SELECT lieux_rebuild_heavy_prefixes((value->>'threshold')::int, (value->>'top_k')::int) FROM search_state WHERE key = 'heavy_prefixes';
