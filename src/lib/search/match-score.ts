import { completeNameForms } from "./name-match.ts";

/**
 * The TypeScript twin of the Postgres engine's ranking (drizzle/0012: lieux_search_terms and
 * lieux_match_score), so that the Meilisearch adapter can order the page Meilisearch returns
 * exactly as the Postgres engine orders the same communes: log10(population + 10) plus a
 * match bonus from the best term the query starts. Meilisearch's own rules can only bucket
 * population by decade, which put a different commune first near a bucket edge.
 */
export interface ScoredPlace {
  nom: string;
  population: number;
  codesPostaux: readonly string[];
  codeInsee: string;
  /** A commune nouvelle's former communes (word positions 100+ and -2 in Postgres). */
  formerNames?: ReadonlyArray<{ code: string; nom: string }> | undefined;
}

interface Term {
  term: string;
  position: number;
}

/** lieux_search_terms: every suffix starting at a word, of the name and of its elision-dropped form (when it differs). */
function nameTerms(nom: string, offset: number): Term[] {
  const terms: Term[] = [];
  for (const form of completeNameForms(nom)) {
    const words = form.split(" ").filter(Boolean);
    words.forEach((_, i) => terms.push({ term: words.slice(i).join(" "), position: offset + i }));
  }
  return terms;
}

/** lieux_match_score's bonus for one term the query starts. */
function bonus({ term, position }: Term, query: string): number {
  const exact = term === query;
  const wordPrefix = term.startsWith(`${query} `);
  if (position === -1) return exact ? 1.0 : 0.5;
  if (position < -1) return exact ? 0.5 : 0.0;
  const ownName = (first: boolean) => (first ? (exact ? 1.5 : wordPrefix ? 1.0 : 0.8) : exact || wordPrefix ? 0.5 : 0.3);
  if (position >= 100) return -2.0 + ownName(position === 100);
  return ownName(position === 0);
}

/** The place's best score for `query` (normalised), or null when no term starts with it (an any-order or typo match). */
export function matchScore(place: ScoredPlace, query: string): number | null {
  const terms: Term[] = [
    ...nameTerms(place.nom, 0),
    ...[...place.codesPostaux, place.codeInsee.toLowerCase()].map((term) => ({ term, position: -1 })),
    ...(place.formerNames ?? []).flatMap((former) => [...nameTerms(former.nom, 100), { term: former.code.toLowerCase(), position: -2 }]),
  ];
  let best: number | null = null;
  for (const term of terms) {
    if (!term.term.startsWith(query)) continue;
    const score = bonus(term, query);
    if (best === null || score > best) best = score;
  }
  return best === null ? null : Math.log10(place.population + 10) + best;
}
