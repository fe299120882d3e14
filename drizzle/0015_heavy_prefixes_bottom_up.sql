-- The full rebuild of the heavy-prefix lists, bottom up. It used to rank every heavy
-- prefix over its whole range, so a term was scored once per heavy prefix above it (100 s
-- at 1M villes). A ville's score against a prefix p is its population's log plus a bonus
-- that depends on p only for terms equal to p or starting with p || ' ' (word boundary);
-- every other match takes a bonus fixed by its class (the "else" score). So:
--   * the top K of a range by else score is within the union of its children's top K
--     (each ville keeping its best term), plus the terms of non-heavy children and the
--     terms equal to the prefix, read once;
--   * the same holds for the word-boundary score (needed under prefixes ending in ' ');
--   * p's final list is the top K of its else list, the word-boundary list of p || ' ',
--     and the terms equal to p, each ville at its best score. A ville ranked only by a
--     weaker score there has k villes above it anyway, so the top K and their scores are
--     exactly those of lieux_heavy_prefix_top(p, K).
-- Each term is then scored at its deepest heavy ancestor, once or twice, and every list
-- above is built from lists of K entries.
CREATE OR REPLACE FUNCTION lieux_rebuild_heavy_prefixes(threshold integer, top_k integer)
  RETURNS integer
  LANGUAGE plpgsql
AS $$
DECLARE
  scope constant text[] := ARRAY['commune-actuelle', 'arrondissement-municipal'];
  depth integer := 1;
  max_depth integer;
  level_prefixes text[];
  total integer := 0;
BEGIN
  -- Two rebuilds at once (an import commit and the nightly job) would collide on the
  -- table's keys: the second waits for the first, then rebuilds from the newer data.
  PERFORM pg_advisory_xact_lock(hashtext('lieux_rebuild_heavy_prefixes'));
  -- Every prefix counted on the way down (heavy or not): the non-heavy children of a heavy
  -- prefix are the ranges it reads terms from.
  CREATE TEMP TABLE IF NOT EXISTS heavy_prefix_counts (prefix text PRIMARY KEY, match_count integer) ON COMMIT DROP;
  TRUNCATE heavy_prefix_counts;
  INSERT INTO heavy_prefix_counts
    SELECT left(term, 1), count(*) FROM ville_search_terms WHERE type = ANY (scope) GROUP BY 1;
  SELECT array_agg(prefix) INTO level_prefixes FROM heavy_prefix_counts WHERE match_count > threshold;
  WHILE level_prefixes IS NOT NULL LOOP
    depth := depth + 1;
    INSERT INTO heavy_prefix_counts
      SELECT left(t.term, depth), count(*)
      FROM unnest(level_prefixes) AS parent(prefix)
      JOIN ville_search_terms t ON t.term >= parent.prefix AND t.term < parent.prefix || '{'
      WHERE length(t.term) >= depth AND t.type = ANY (scope)
      GROUP BY 1;
    SELECT array_agg(prefix) INTO level_prefixes FROM heavy_prefix_counts WHERE length(prefix) = depth AND match_count > threshold;
  END LOOP;
  max_depth := depth - 1;
  ANALYZE heavy_prefix_counts;

  -- Per heavy prefix, its top K by else score ('e') and, when it holds a space (all its terms
  -- then have a word boundary), by word-boundary score ('w').
  CREATE TEMP TABLE IF NOT EXISTS heavy_prefix_lists (prefix text, kind "char", ville_id bigint, score double precision) ON COMMIT DROP;
  TRUNCATE heavy_prefix_lists;
  depth := max_depth;
  WHILE depth >= 1 LOOP
    INSERT INTO heavy_prefix_lists
    SELECT prefix, kind, ville_id, score FROM (
      SELECT prefix, kind, ville_id, score, row_number() OVER (PARTITION BY prefix, kind ORDER BY score DESC, ville_id) AS rank
      FROM (
        SELECT c.prefix, c.kind, c.ville_id, max(c.score) AS score
        FROM (
          -- The lists of the heavy children.
          SELECT left(l.prefix, depth) AS prefix, l.kind, l.ville_id, l.score
          FROM heavy_prefix_lists l
          WHERE length(l.prefix) = depth + 1 AND (l.kind = 'e' OR position(' ' IN left(l.prefix, depth)) > 0)
          UNION ALL
          -- The terms of the non-heavy children, and those equal to the prefix, read once here.
          SELECT raw.prefix, k.kind, raw.ville_id,
                 CASE k.kind WHEN 'e' THEN lieux_match_score(raw.term, raw.word_position, '', raw.population)
                   ELSE lieux_match_score(raw.term, raw.word_position, split_part(raw.term, ' ', 1), raw.population) END
          FROM (
            SELECT h.prefix, t.term, t.word_position, t.population, t.ville_id
            FROM heavy_prefix_counts h
            JOIN heavy_prefix_counts r ON length(r.prefix) = depth + 1 AND left(r.prefix, depth) = h.prefix AND r.match_count <= threshold
            JOIN ville_search_terms t ON t.term >= r.prefix AND t.term < r.prefix || '{'
            WHERE length(h.prefix) = depth AND h.match_count > threshold AND t.type = ANY (scope)
            UNION ALL
            SELECT h.prefix, t.term, t.word_position, t.population, t.ville_id
            FROM heavy_prefix_counts h JOIN ville_search_terms t ON t.term = h.prefix
            WHERE length(h.prefix) = depth AND h.match_count > threshold AND t.type = ANY (scope)
          ) raw
          CROSS JOIN LATERAL (SELECT 'e'::"char" UNION ALL SELECT 'w'::"char" WHERE position(' ' IN raw.prefix) > 0) AS k(kind)
        ) c
        GROUP BY c.prefix, c.kind, c.ville_id
      ) best
    ) ranked
    WHERE rank <= top_k;
    depth := depth - 1;
  END LOOP;

  DELETE FROM heavy_prefixes;
  INSERT INTO heavy_prefixes (prefix, match_count, ville_ids, scores)
  SELECT h.prefix, h.match_count,
         (array_agg(b.ville_id ORDER BY b.score DESC, b.ville_id))[1:top_k],
         (array_agg(b.score ORDER BY b.score DESC, b.ville_id))[1:top_k]
  FROM heavy_prefix_counts h
  JOIN (
    SELECT c.prefix, c.ville_id, max(c.score) AS score
    FROM (
      SELECT l.prefix, l.ville_id, l.score FROM heavy_prefix_lists l WHERE l.kind = 'e'
      UNION ALL
      -- The word-boundary list of prefix || ' ' when that prefix is heavy.
      SELECT rtrim(l.prefix, ' '), l.ville_id, l.score FROM heavy_prefix_lists l
      WHERE l.kind = 'w' AND right(l.prefix, 1) = ' ' AND length(l.prefix) > 1
      UNION ALL
      -- Otherwise the terms of prefix || ' ', at the prefix's own (word-boundary) score.
      SELECT h.prefix, t.ville_id, lieux_match_score(t.term, t.word_position, h.prefix, t.population)
      FROM heavy_prefix_counts h
      JOIN ville_search_terms t ON t.term >= h.prefix || ' ' AND t.term < h.prefix || ' {'
      WHERE h.match_count > threshold AND t.type = ANY (scope)
        AND NOT EXISTS (SELECT 1 FROM heavy_prefix_counts s WHERE s.prefix = h.prefix || ' ' AND s.match_count > threshold)
      UNION ALL
      -- The terms equal to the prefix, at its exact-match score.
      SELECT h.prefix, t.ville_id, lieux_match_score(t.term, t.word_position, h.prefix, t.population)
      FROM heavy_prefix_counts h JOIN ville_search_terms t ON t.term = h.prefix
      WHERE h.match_count > threshold AND t.type = ANY (scope)
    ) c
    GROUP BY c.prefix, c.ville_id
  ) b ON b.prefix = h.prefix
  WHERE h.match_count > threshold
  GROUP BY h.prefix, h.match_count;
  GET DIAGNOSTICS total = ROW_COUNT;
  INSERT INTO search_state (key, value, updated_at)
    VALUES ('heavy_prefixes', jsonb_build_object('threshold', threshold, 'top_k', top_k, 'prefixes', total,
            'watermark', (SELECT max(updated_at) FROM villes)), now())
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
  RETURN total;
END
$$;
