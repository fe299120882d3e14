import { expect } from "vitest";
import { parseVille, type RelevanceCase } from "./cases.ts";

/** The fields of an autocomplete result a relevance case reads. */
export interface RankedVille {
  code_insee: string;
  nom: string;
  type: string;
  parent_code: string | null;
  ancien_nom?: string | null;
}

const label = (ville: RankedVille) => `${ville.nom} ${ville.code_insee}`;

/** Position of a commune by its INSEE code and name, -1 when absent. */
function positionOf(results: readonly RankedVille[], ref: string): number {
  const { nom, code } = parseVille(ref);
  return results.findIndex((result) => result.code_insee === code && result.nom === nom);
}

/** Asserts one case against the results an engine gave; the message names the rule and the page. */
export function expectRelevant(testCase: RelevanceCase, results: readonly RankedVille[]): void {
  const page = `${testCase.rule}\n  q=${JSON.stringify(testCase.q)} gave: ${results.map(label).join(", ")}`;
  const expected = testCase.expect;
  if ("inseePrefix" in expected) {
    expect(results.length, page).toBeGreaterThanOrEqual(expected.count);
    expect(results.filter((result) => !result.code_insee.toUpperCase().startsWith(expected.inseePrefix.toUpperCase())).map(label), page).toEqual([]);
  } else if ("arrondissements" in expected) {
    expect(positionOf(results, expected.first), page).toBe(0);
    const city = parseVille(expected.first).code;
    const next = results.slice(1, 1 + expected.arrondissements);
    expect(next.map((result) => [result.type, result.parent_code]), page).toEqual(Array(expected.arrondissements).fill(["arrondissement-municipal", city]));
  } else if ("first" in expected) {
    expect(positionOf(results, expected.first), page).toBe(0);
  } else if ("before" in expected) {
    const ville = positionOf(results, expected.ville);
    const other = positionOf(results, expected.before);
    expect(ville, page).toBeGreaterThanOrEqual(0);
    expect(other, page).toBeGreaterThan(ville);
  } else {
    const position = positionOf(results, expected.ville);
    expect(position, page).toBeGreaterThanOrEqual(0);
    expect(position, page).toBeLessThan(expected.within);
    if ("ancienNom" in expected) expect(results[position]!.ancien_nom, page).toBe(expected.ancienNom);
  }
}
