import { sql, type SQL } from "drizzle-orm";
import type { Databases } from "../db/client.ts";
import { sqlState } from "../db/errors.ts";
import type { VilleRow } from "../db/queries/ville-rows.ts";
import { highlightName } from "./highlight.ts";
import { anyOrderSearchSql, defaultScopeSearchSql, filteredSearchSql, FUZZY_MIN_SIMILARITY, fuzzySearchSql } from "./postgres-sql.ts";
import { normalizeQuery, queryWords } from "./query.ts";
import { DEFAULT_TYPE_SCOPE, type AutocompleteRequest, type AutocompleteResult, type SearchEngine } from "./types.ts";

/** Typo correction needs enough letters to mean something: "ma" has thousands of neighbours. */
const FUZZY_MIN_QUERY_LENGTH = 4;
/** No name is longer than this, so a longer query cannot be one of them with a typo. */
const FUZZY_MAX_QUERY_LENGTH = 60;
/**
 * The typo dictionary bounds the fallback's work (a few ms); this deadline only guards
 * against a stalled or overloaded database, answering "no result" past it. At 50 ms a
 * loaded two-core CI machine cut off answers that normally take 5 ms.
 */
export const FUZZY_TIMEOUT_MS = 100;
const QUERY_CANCELED = "57014";

/**
 * Autocomplete on Postgres with bounded work: a heavy prefix reads its precomputed top K,
 * any other prefix ranks at most T index terms, and the typo fallback walks at most
 * FUZZY_CANDIDATES neighbours, and only when the prefix search found nothing.
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
    const isDefaultScope = !filters.type && !filters.departement && !filters.region;

    let rows = await this.run(
      isDefaultScope ? defaultScopeSearchSql(normalized, limit, types) : filteredSearchSql(normalized, limit, filters, types),
    );
    if (rows.length < limit && words.length > 1) {
      const seen = new Set(rows.map((row) => row.id));
      const extra = await this.run(anyOrderSearchSql(words, limit, filters, types));
      rows = [...rows, ...extra.filter((row) => !seen.has(row.id))].slice(0, limit);
    }
    let match: AutocompleteResult["match"] = "prefix";
    const letters = normalized.replace(/ /g, "").length;
    if (rows.length === 0 && letters >= FUZZY_MIN_QUERY_LENGTH && letters <= FUZZY_MAX_QUERY_LENGTH) {
      rows = await this.runWithDeadline(fuzzySearchSql(normalized, limit, filters, types));
      match = "fuzzy";
    }
    return {
      hits: rows.map((ville) => ({ ville, nomHighlight: highlightName(ville.nom, match === "fuzzy" ? [] : words) })),
      match,
      backend: "postgres",
      engineMs: performance.now() - started,
    };
  }

  private async runWithDeadline(query: SQL): Promise<VilleRow[]> {
    try {
      const [, , result] = await this.databases.read((db) =>
        db.batch([
          db.execute(sql.raw(`SET LOCAL statement_timeout = ${FUZZY_TIMEOUT_MS}`)),
          db.execute(sql.raw(`SET LOCAL pg_trgm.similarity_threshold = ${FUZZY_MIN_SIMILARITY}`)),
          db.execute(query),
        ]),
      );
      return result.rows as unknown as VilleRow[];
    } catch (error) {
      if (sqlState(error) === QUERY_CANCELED) return [];
      throw error;
    }
  }

  private async run(query: SQL): Promise<VilleRow[]> {
    const result = await this.databases.read((db) => db.execute(query));
    return result.rows as unknown as VilleRow[];
  }
}
