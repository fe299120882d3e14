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
