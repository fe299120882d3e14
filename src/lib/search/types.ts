import type { VilleType } from "../db/schema.ts";
import type { VilleRow } from "../db/queries/ville-rows.ts";

export interface AutocompleteFilters {
  departement?: string;
  region?: string;
  /** Absent means the default scope: communes actuelles and arrondissements municipaux. */
  type?: VilleType;
}

export interface AutocompleteRequest {
  /** The user's text as typed; every engine normalises it with the same function. */
  q: string;
  limit: number;
  filters: AutocompleteFilters;
}

/** How the results matched: word-start prefixes, or the typo-tolerant fallback. */
export type MatchKind = "prefix" | "fuzzy";

export interface AutocompleteHit {
  ville: VilleRow;
  /** `nom` with the matched part wrapped in <mark>, HTML-escaped. */
  nomHighlight: string;
  /** The former commune's name the query matched, when a commune nouvelle matched through it. */
  ancienNom?: string | undefined;
}

export interface AutocompleteResult {
  hits: AutocompleteHit[];
  match: MatchKind;
  backend: "postgres" | "meilisearch";
  /** Time spent in the engine's own I/O, for Server-Timing. */
  engineMs: number;
  /**
   * Set when part of the search could not run: the typo search gave up at its statement
   * timeout, or near's nearby candidates were unavailable. The hits are what was found
   * without it, an answer no cache may keep.
   */
  partial?: "typo_deadline" | "near_candidates";
}

/** One method, two implementations (Postgres, Meilisearch), identical result shape. */
export interface SearchEngine {
  readonly name: "postgres" | "meilisearch";
  autocomplete(request: AutocompleteRequest): Promise<AutocompleteResult>;
}

export const DEFAULT_TYPE_SCOPE: readonly VilleType[] = ["commune-actuelle", "arrondissement-municipal"];
