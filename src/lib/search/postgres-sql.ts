import { sql, type SQL } from "drizzle-orm";
import { VILLE_ROW_JOINS, VILLE_ROW_SELECT } from "../db/queries/ville-rows.ts";
import { HEAVY_PREFIX_THRESHOLD } from "./heavy-prefixes.ts";
import { prefixUpperBound } from "./query.ts";
import type { AutocompleteFilters } from "./types.ts";

/** Rows ranked by the typo fallback's nearest-neighbour walk, whatever the page size. */
export const FUZZY_CANDIDATES = 50;
/** Below this trigram similarity a name is not offered as a correction (pg_trgm's `%` threshold). */
export const FUZZY_MIN_SIMILARITY = 0.3;

/** A text[] parameter list; a bare JS array in Drizzle's sql template becomes "($1, $2)", not an array. */
const textArray = (values: readonly string[]) => sql`ARRAY[${sql.join(values.map((value) => sql`${value}`), sql`, `)}]::text[]`;

/** Subtracted from a heavy prefix's precomputed order, so its rows sort first and read as precomputed. */
export const PRECOMPUTED_RANK_OFFSET = 1e9;

/**
 * A commune nouvelle's former communes (its déléguées and associées under another name),
 * for the route to say which former name matched. Read through villes_parent_code_idx
 * for the page's rows only.
 */
export const FORMER_NAMES = `(SELECT json_agg(json_build_object('code', d.code_insee, 'nom', d.nom) ORDER BY d.nom)
  FROM villes d WHERE v.type = 'commune-actuelle' AND d.parent_code = v.code_insee
    AND d.type IN ('commune-deleguee', 'commune-associee') AND d.nom_normalise <> v.nom_normalise) AS "formerNames"`;

interface RankedColumns {
  /** The former names of each commune nouvelle (prefix searches, whose terms include them). */
  formerNames?: boolean;
  /** The trigram similarity the typo search computed. */
  similarity?: boolean;
}

const selectRanked = (hits: SQL, columns: RankedColumns = {}) => sql`
  SELECT ${sql.raw(VILLE_ROW_SELECT)}, hits.rank${sql.raw(columns.formerNames ? `, ${FORMER_NAMES}` : "")}${sql.raw(columns.similarity ? ", hits.similarity" : "")}
  FROM (${hits}) hits JOIN villes v ON v.id = hits.ville_id ${sql.raw(VILLE_ROW_JOINS)}
  ORDER BY hits.rank, v.id`;

function filterClauses(filters: AutocompleteFilters, types: readonly string[]): SQL[] {
  const clauses = [sql`t.type = ANY(${textArray(types)})`];
  if (filters.departement) clauses.push(sql`t.departement_code = ${filters.departement}`);
  if (filters.region) clauses.push(sql`t.region_code = ${filters.region}`);
  return clauses;
}

/**
 * Ranks at most T index terms that start with `prefix`: an index-only range scan of
 * the terms B-tree (or of its département/région twin when filtered).
 */
function lightHits(prefix: string, limit: number, clauses: SQL[]): SQL {
  return sql`
    SELECT ville_id, -max(score) AS rank FROM (
      SELECT t.ville_id, lieux_match_score(t.term, t.word_position, ${prefix}, t.population) AS score
      FROM ville_search_terms t
      WHERE t.term >= ${prefix} AND t.term < ${prefixUpperBound(prefix)} AND ${sql.join(clauses, sql` AND `)}
      LIMIT ${HEAVY_PREFIX_THRESHOLD}
    ) candidates
    GROUP BY ville_id ORDER BY rank, ville_id LIMIT ${limit}`;
}

/**
 * Default scope, one round trip: a heavy prefix reads its precomputed top K; otherwise
 * the live ranking runs, gated by a one-time filter so it never starts for a heavy one.
 */
export function defaultScopeSearchSql(prefix: string, limit: number, types: readonly string[]): SQL {
  return selectRanked(sql`
    WITH heavy AS MATERIALIZED (SELECT ville_ids FROM heavy_prefixes WHERE prefix = ${prefix})
    SELECT u.id AS ville_id, u.ord::float8 - ${PRECOMPUTED_RANK_OFFSET} AS rank
    FROM heavy, unnest(heavy.ville_ids) WITH ORDINALITY AS u(id, ord)
    WHERE u.ord <= ${limit}
    UNION ALL
    SELECT * FROM (${lightHits(prefix, limit, filterClauses({}, types))}) light
    WHERE NOT EXISTS (SELECT 1 FROM heavy)`, { formerNames: true });
}

export function filteredSearchSql(prefix: string, limit: number, filters: AutocompleteFilters, types: readonly string[]): SQL {
  return selectRanked(lightHits(prefix, limit, filterClauses(filters, types)), { formerNames: true });
}

/**
 * The villes whose complete current name is the query ("celle", "le temple", "y"), most
 * populous first: an equality probe of the terms B-tree at word 0, bounded by the number
 * of homonyms (at most T read).
 */
export function completeNameSql(normalized: string, limit: number, filters: AutocompleteFilters, types: readonly string[]): SQL {
  return selectRanked(sql`
    SELECT ville_id, -lieux_match_score(term, word_position, ${normalized}, population) AS rank FROM (
      SELECT t.ville_id, t.term, t.word_position, t.population FROM ville_search_terms t
      WHERE t.term = ${normalized} AND t.word_position = 0 AND ${sql.join(filterClauses(filters, types), sql` AND `)}
      LIMIT ${HEAVY_PREFIX_THRESHOLD}
    ) homonyms
    ORDER BY population DESC, ville_id LIMIT ${limit}`);
}

/** A city's arrondissements municipaux in code order (1er, 2e…), through villes_parent_code_idx. */
export function arrondissementsSql(codeInsee: string, limit: number): SQL {
  return selectRanked(sql`
    SELECT a.id AS ville_id, row_number() OVER (ORDER BY a.code_insee)::float8 AS rank
    FROM villes a WHERE a.parent_code = ${codeInsee} AND a.type = 'arrondissement-municipal'
    ORDER BY a.code_insee LIMIT ${limit}`);
}

/**
 * Multi-word queries whose words are not contiguous in the name ("jean angely"):
 * candidates come from the longest word's prefix range (bounded by T), then every
 * word must start a word of the name.
 */
export function anyOrderSearchSql(words: string[], limit: number, filters: AutocompleteFilters, types: readonly string[]): SQL {
  const wordPatterns = words.map((word) => `(^| )${word}`);
  // The anchor is a word whose prefix is light when there is one ("sai rem de pro" → "rem"),
  // the longest first: a heavy anchor's first T terms in index order may all miss the name.
  return selectRanked(sql`
    WITH anchor AS MATERIALIZED (
      SELECT w.word FROM unnest(${textArray(words)}) WITH ORDINALITY AS w(word, position)
      ORDER BY EXISTS (SELECT 1 FROM heavy_prefixes h WHERE h.prefix = w.word), length(w.word) DESC, w.position
      LIMIT 1
    )
    SELECT candidates.ville_id, -(log(max(candidates.population) + 10) + 0.2) AS rank FROM (
      SELECT t.ville_id, t.population FROM anchor, ville_search_terms t
      WHERE t.term >= anchor.word AND t.term < anchor.word || '{' AND ${sql.join(filterClauses(filters, types), sql` AND `)}
      LIMIT ${HEAVY_PREFIX_THRESHOLD}
    ) candidates
    JOIN villes cv ON cv.id = candidates.ville_id
    WHERE cv.nom_normalise ~ ALL(${textArray(wordPatterns)})
    GROUP BY candidates.ville_id ORDER BY rank, candidates.ville_id LIMIT ${limit}`);
}

/**
 * Typo tolerance: names sharing enough trigrams with the query (GIN `%`), best similarity
 * first, searched in the typo dictionary (the most populous villes, drizzle/0010) so the
 * work does not grow with the table. Both sides are compared as typo keys ("1 remy
 * monts"), which the planner computes once for the query.
 */
export function fuzzySearchSql(normalized: string, limit: number, filters: AutocompleteFilters, types: readonly string[]): SQL {
  const key = sql`lieux_typo_key(${normalized})`;
  const clauses = [sql`td.typo_key % ${key}`, sql`td.type = ANY(${textArray(types)})`];
  if (filters.departement) clauses.push(sql`td.departement_code = ${filters.departement}`);
  if (filters.region) clauses.push(sql`td.region_code = ${filters.region}`);
  return selectRanked(sql`
    SELECT ville_id, -(similarity + log(population + 10) / 20) AS rank, similarity FROM (
      SELECT td.ville_id, td.population, similarity(td.typo_key, ${key}) AS similarity
      FROM typo_dictionary td WHERE ${sql.join(clauses, sql` AND `)}
      ORDER BY similarity DESC
      LIMIT ${FUZZY_CANDIDATES}
    ) nearest
    ORDER BY rank LIMIT ${limit}`, { similarity: true });
}
