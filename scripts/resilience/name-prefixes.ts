import { loadReferenceData } from "../data/communes.ts";

/**
 * Distinct prefixes (4 to 7 characters) of the real communes' names, in a fixed order: each
 * one, sent once as an autocomplete, is a query nobody asked before, so a cache miss that
 * reaches the search engine.
 */
export function realNamePrefixes(villes: ReadonlyArray<{ type: string; nom: string }> = loadReferenceData().villes): string[] {
  const names = villes.filter((ville) => ville.type === "commune-actuelle").map((ville) => ville.nom.toLowerCase());
  const prefixes = names.flatMap((name) => [4, 5, 6, 7].map((length) => name.slice(0, length)));
  return [...new Set(prefixes.filter((prefix) => /^[a-zà-ÿ][a-zà-ÿ' -]{3,}$/.test(prefix) && !prefix.endsWith(" ")))];
}
