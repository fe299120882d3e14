/**
 * The one normalisation of French place names, shared by the SQL column
 * (`lieux_normalize()` in drizzle/0000_extensions_and_normalize.sql), the search
 * queries, the search-index sync and the cache keys.
 *
 * Every step uses only operations whose result is identical in V8 and in
 * PostgreSQL (NFD tables, ASCII lower-casing, regex with look-arounds), because
 * the two implementations must agree byte for byte; a test checks this on every
 * seeded name and on generated strings.
 */

/** Combining diacritical marks left over by NFD: é → e + U+0301. */
const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** Ligatures that NFD does not decompose. */
const LIGATURES: ReadonlyArray<readonly [string, string]> = [
  ["œ", "oe"],
  ["Œ", "OE"],
  ["æ", "ae"],
  ["Æ", "AE"],
  ["ß", "ss"],
];

/** Anything but an ASCII letter or digit separates words: hyphens, apostrophes (' and ’), spaces, parentheses. */
const SEPARATORS = /[^A-Za-z0-9]+/g;

/** "St"/"Ste" as whole words are the abbreviations of Saint/Sainte. */
const SAINT = /(?<![a-z0-9])st(?![a-z0-9])/g;
const SAINTE = /(?<![a-z0-9])ste(?![a-z0-9])/g;

/**
 * An elided article (l', d') is glued to the next word so that `l'hay`, `lhay`
 * and `l hay` all become `lhay`.
 */
const ELIDED_ARTICLE = /(?<![a-z0-9])([ld]) (?=[a-z])/g;

/** Lower-case, unaccented, punctuation as single spaces, st/ste expanded, elided articles glued. */
export function normalizeName(input: string): string {
  let text = input.normalize("NFD").replace(COMBINING_MARKS, "");
  for (const [ligature, replacement] of LIGATURES) text = text.replaceAll(ligature, replacement);
  text = text.replace(SEPARATORS, " ").trim().toLowerCase();
  return text.replace(SAINT, "saint").replace(SAINTE, "sainte").replace(ELIDED_ARTICLE, "$1");
}

/** URL-safe and unique per commune: the SQL twin is SLUG_SQL in src/lib/db/queries/ville-rows.ts. */
export function slugify(nom: string, codeInsee: string): string {
  return `${normalizeName(nom).replaceAll(" ", "-")}-${codeInsee.toLowerCase()}`;
}
