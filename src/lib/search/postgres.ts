import type { SQL } from "drizzle-orm";
import type { Databases } from "../db/client.ts";
import type { VilleRow } from "../db/queries/ville-rows.ts";
import { highlightName } from "./highlight.ts";
import { anyOrderSearchSql, defaultScopeSearchSql, filteredSearchSql, fuzzySearchSql } from "./postgres-sql.ts";
import { normalizeQuery, queryWords } from "./query.ts";
import { DEFAULT_TYPE_SCOPE, type AutocompleteRequest, type AutocompleteResult, type SearchEngine } from "./types.ts";

/** Typo correction needs enough letters to mean something: "ma" has thousands of neighbours. */
const FUZZY_MIN_QUERY_LENGTH = 4;

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
    if (rows.length === 0 && normalized.replace(/ /g, "").length >= FUZZY_MIN_QUERY_LENGTH) {
      rows = await this.run(fuzzySearchSql(normalized, limit, filters, types));
      match = "fuzzy";
    }
    return {
      hits: rows.map((ville) => ({ ville, nomHighlight: highlightName(ville.nom, match === "fuzzy" ? [] : words) })),
      match,
      backend: "postgres",
      engineMs: performance.now() - started,
    };
  }

  private async run(query: SQL): Promise<VilleRow[]> {
    const result = await this.databases.read((db) => db.execute(query));
    return result.rows as unknown as VilleRow[];
  }
}
