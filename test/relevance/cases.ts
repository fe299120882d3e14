import { codeCases } from "./cases-codes.ts";
import { nameCases } from "./cases-names.ts";
import { queryCases } from "./cases-queries.ts";

/**
 * The relevance suite's cases (issue 18): each states the rule it checks, on real
 * communes named by "Nom INSEE" (the code decides, the name keeps the case readable).
 * One list, run by every engine: test/relevance.postgres.test.ts through the route on
 * Postgres, test/relevance.meilisearch.test.ts on a real Meilisearch when MEILISEARCH_HOST is set.
 */
export type Expectation =
  /** This commune comes first. */
  | { first: string }
  /** This commune is among the first `rank` results. */
  | { within: number; ville: string }
  /** Both are present, `ville` before `other`. */
  | { ville: string; before: string }
  /** This commune is among the first `rank`, and the route names the former name that matched. */
  | { within: number; ville: string; ancienNom: string }
  /** This commune comes first, then `count` of its arrondissements municipaux. */
  | { first: string; arrondissements: number }
  /** At least `count` results, every one with an INSEE code starting with `inseePrefix` (any case). */
  | { inseePrefix: string; count: number };

export interface RelevanceCase {
  rule: string;
  q: string;
  limit?: number;
  expect: Expectation;
  /** Why Meilisearch cannot pass it yet (docs/meilisearch.md): its runner lists the case as skipped with this reason. */
  postgresOnly?: string;
}

export const RELEVANCE_CASES: readonly RelevanceCase[] = [...nameCases, ...codeCases, ...queryCases];

/** "Saint-Denis 93066" → { nom: "Saint-Denis", code: "93066" }. */
export function parseVille(ref: string): { nom: string; code: string } {
  const at = ref.lastIndexOf(" ");
  return { nom: ref.slice(0, at), code: ref.slice(at + 1) };
}
