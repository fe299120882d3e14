import type { VilleRow } from "../db/queries/ville-rows.ts";
import { normalizeName } from "../normalize.ts";

/** A former commune of a commune nouvelle: one of its communes déléguées or associées under another name. */
export interface FormerName {
  code: string;
  nom: string;
}

/** The name's words, with elided articles both glued (lhay) and dropped (hay), as the Postgres terms index them. */
function nameWords(nom: string): Set<string> {
  const glued = normalizeName(nom);
  const dropped = normalizeName(nom.replace(/(^|[^A-Za-z])[LlDd]['’]/g, "$1"));
  return new Set(`${glued} ${dropped}`.split(" ").filter(Boolean));
}

/** The name normalised with its elided articles glued ("lhay les roses"), then dropped ("hay les roses"). */
const nameForms = (nom: string) => [normalizeName(nom), normalizeName(nom.replace(/(^|[^A-Za-z])[LlDd]['’]/g, "$1"))];

/** Longest word start a document lists: users abbreviate words to a few letters ("sai rem de pro"). */
const WORD_START_MAX_LENGTH = 7;

/**
 * Every start of every word of the name shorter than the word (and than 8 letters): "saint
 * remy" → s, sa, sai, sain, r, re, rem. Meilisearch matches only a query's last word as a
 * prefix; listed as words of their own, the earlier ones match too, as in the Postgres engine.
 */
export function wordStarts(nom: string): string[] {
  const starts = new Set<string>();
  for (const word of nameWords(nom)) {
    for (let length = 1; length < word.length && length <= WORD_START_MAX_LENGTH; length++) starts.add(word.slice(0, length));
  }
  return [...starts];
}

/** The distinct complete forms of a name, as the Meilisearch documents carry them. */
export const completeNameForms = (nom: string) => [...new Set(nameForms(nom))];

/** Whether `normalized` is the whole name, with its elided articles glued or dropped. */
export const isCompleteName = (nom: string, normalized: string) => nameForms(nom).includes(normalized);

/** Whether the name starts with `normalized` ("nant" → Nantes), rather than matching a later word or a code. */
export const startsWithQuery = (nom: string, normalized: string) => nameForms(nom).some((form) => form.startsWith(normalized));

const everyWordStarts = (words: readonly string[], candidates: readonly string[]) =>
  words.every((word) => candidates.some((candidate) => candidate.startsWith(word)));

/** Whether every query word starts a word of the name or a code: the Postgres engine's "prefix" match. */
export function isPrefixMatch(ville: VilleRow, words: readonly string[]): boolean {
  return everyWordStarts(words, [...nameWords(ville.nom), ...ville.codesPostaux, ville.codeInsee.toLowerCase()]);
}

/**
 * The former name through which a commune nouvelle matched ("seynod" → Annecy, "74011" →
 * Annecy-le-Vieux), or undefined when its own name or codes match the query.
 */
export function matchedFormerName(ville: VilleRow, formerNames: readonly FormerName[] | null | undefined, words: readonly string[]): string | undefined {
  if (!formerNames?.length || isPrefixMatch(ville, words)) return undefined;
  return formerNames.find((former) => everyWordStarts(words, [...nameWords(former.nom), former.code.toLowerCase()]))?.nom;
}
