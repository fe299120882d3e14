import { sql, type SQL } from "drizzle-orm";
import type { Databases } from "../db/client.ts";
import { sqlState } from "../db/errors.ts";
import type { VilleRow } from "../db/queries/ville-rows.ts";
import { highlightName } from "./highlight.ts";
import { matchedFormerName, startsWithQuery, type FormerName } from "./name-match.ts";
import {
  anyOrderSearchSql, arrondissementsSql, completeNameSql, defaultScopeSearchSql, filteredSearchSql, FUZZY_CANDIDATES, FUZZY_MIN_SIMILARITY, fuzzySearchSql,
  PRECOMPUTED_RANK_OFFSET,
} from "./postgres-sql.ts";
import { normalizeQuery, queryWords } from "./query.ts";
import {
  blendTypos, cityThenArrondissements, POSTAL_CODE_FORM, postalFormPrefix, reserveCompleteNames, typoBlendScore, wantsTypoBlend,
} from "./ranking.ts";
import { DEFAULT_TYPE_SCOPE, type AutocompleteFilters, type AutocompleteRequest, type AutocompleteResult, type SearchEngine } from "./types.ts";

/** A row as the search SQL returns it: the ville, its rank (ascending), and what some queries add. */
interface RankedRow extends VilleRow {
  rank: number;
  formerNames?: FormerName[] | null;
  similarity?: number;
}

/** Typo correction needs enough letters to mean something: "ma" has thousands of neighbours. */
const FUZZY_MIN_QUERY_LENGTH = 4;
/** No name is longer than this, so a longer query cannot be one of them with a typo. */
const FUZZY_MAX_QUERY_LENGTH = 60;
/**
 * The typo dictionary bounds the fallback's work (a few ms); this deadline only guards
 * against a stalled or overloaded database, answering "no result" past it, and that answer
 * is marked partial so that no cache keeps it. At 50 ms a
 * loaded two-core CI machine cut off answers that normally take 5 ms.
 */
export const FUZZY_TIMEOUT_MS = 100;
const QUERY_CANCELED = "57014";

/** A heavy prefix's row: its order was precomputed, so it carries no score to blend with. */
const isPrecomputed = (row: RankedRow) => row.rank < -PRECOMPUTED_RANK_OFFSET / 2;

/**
 * Autocomplete on Postgres with bounded work: a heavy prefix reads its precomputed top K,
 * any other prefix ranks at most T index terms, a complete name is one equality probe,
 * and the typo search walks at most FUZZY_CANDIDATES neighbours: alone when the prefix
 * search found nothing, blended in when its matches are few or tiny (src/lib/search/ranking.ts).
 */
export class PostgresSearchEngine implements SearchEngine {
  readonly name = "postgres" as const;

  constructor(private readonly databases: Databases) {}

  async autocomplete(request: AutocompleteRequest): Promise<AutocompleteResult> {
    const started = performance.now();
    const normalized = normalizeQuery(request.q);
    const words = queryWords(normalized);
    const { filters, limit } = request;
    const types = filters.type ? [filters.type] : DEFAULT_TYPE_SCOPE;
    const prefixSql = (prefix: string) => this.prefixSql(prefix, limit, filters, types);

    let [rows, complete] = await this.runBoth(prefixSql(normalized), completeNameSql(normalized, limit, filters, types));
    if (rows.length === 0 && POSTAL_CODE_FORM.test(normalized)) rows = await this.cityOfPostalForm(normalized, limit, prefixSql);
    if (rows.length < limit && words.length > 1) {
      const seen = new Set(rows.map((row) => row.id));
      const extra = await this.run(anyOrderSearchSql(words, limit, filters, types));
      rows = [...rows, ...extra.filter((row) => !seen.has(row.id))].slice(0, limit);
    }
    let match: AutocompleteResult["match"] = "prefix";
    const letters = normalized.replace(/ /g, "").length;
    const typosMakeSense = letters >= FUZZY_MIN_QUERY_LENGTH && letters <= FUZZY_MAX_QUERY_LENGTH && !/\d/.test(normalized);
    const typoIds = new Set<number>();
    let cut = false;
    if (rows.length === 0 && letters >= FUZZY_MIN_QUERY_LENGTH && letters <= FUZZY_MAX_QUERY_LENGTH) {
      ({ rows, cut } = await this.runWithDeadline(fuzzySearchSql(normalized, limit, filters, types)));
      match = "fuzzy";
    } else if (typosMakeSense && complete.length === 0 && !rows.some(isPrecomputed) && wantsTypoBlend(rows, limit)) {
      // Every candidate the typo search ranks, not its first page: its order favours similarity, the blend population.
      const { rows: typos, cut: typosCut } = await this.runWithDeadline(fuzzySearchSql(normalized, FUZZY_CANDIDATES, filters, types));
      cut = typosCut;
      const scored = typos.map((row) => ({ ...row, score: typoBlendScore(row.population, row.similarity ?? 0) }));
      const prefixIds = new Set(rows.map((row) => row.id));
      for (const row of typos) if (!prefixIds.has(row.id)) typoIds.add(row.id);
      rows = blendTypos(rows.map((row) => ({ ...row, score: -row.rank })), scored, limit);
    }
    rows = reserveCompleteNames(rows, complete, limit, (row) => startsWithQuery(row.nom, normalized));
    return {
      hits: rows.map((ville) => {
        const typo = match === "fuzzy" || typoIds.has(ville.id);
        return { ville, nomHighlight: highlightName(ville.nom, typo ? [] : words), ancienNom: matchedFormerName(ville, ville.formerNames, words) };
      }),
      match,
      backend: "postgres",
      engineMs: performance.now() - started,
      ...(cut ? { partial: "typo_deadline" as const } : {}),
    };
  }

  /** "13000": the largest place whose codes start "130" (Marseille), then its arrondissements, then the other matches. */
  private async cityOfPostalForm(normalized: string, limit: number, prefixSql: (prefix: string) => SQL): Promise<RankedRow[]> {
    const matches = await this.run(prefixSql(postalFormPrefix(normalized)));
    const city = matches[0];
    if (!city) return [];
    return cityThenArrondissements(city, await this.run(arrondissementsSql(city.codeInsee, limit)), matches, limit);
  }

  /** Default scope reads the heavy-prefix table first; filters rank the live range. */
  private prefixSql(prefix: string, limit: number, filters: AutocompleteFilters, types: readonly string[]): SQL {
    const isDefaultScope = !filters.type && !filters.departement && !filters.region;
    return isDefaultScope ? defaultScopeSearchSql(prefix, limit, types) : filteredSearchSql(prefix, limit, filters, types);
  }

  /** Two reads in one round trip. */
  private async runBoth(first: SQL, second: SQL): Promise<[RankedRow[], RankedRow[]]> {
    const [a, b] = await this.databases.read((db) => db.batch([db.execute(first), db.execute(second)]));
    return [a.rows as unknown as RankedRow[], b.rows as unknown as RankedRow[]];
  }

  /** The typo search within FUZZY_TIMEOUT_MS; past it, no rows and `cut`. */
  private async runWithDeadline(query: SQL): Promise<{ rows: RankedRow[]; cut: boolean }> {
    try {
      const [, , result] = await this.databases.read((db) =>
        db.batch([
          db.execute(sql.raw(`SET LOCAL statement_timeout = ${FUZZY_TIMEOUT_MS}`)),
          db.execute(sql.raw(`SET LOCAL pg_trgm.similarity_threshold = ${FUZZY_MIN_SIMILARITY}`)),
          db.execute(query),
        ]),
      );
      return { rows: result.rows as unknown as RankedRow[], cut: false };
    } catch (error) {
      if (sqlState(error) === QUERY_CANCELED) return { rows: [], cut: true };
      throw error;
    }
  }

  private async run(query: SQL): Promise<RankedRow[]> {
    const result = await this.databases.read((db) => db.execute(query));
    return result.rows as unknown as RankedRow[];
  }
}
