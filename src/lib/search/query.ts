import { normalizeName } from "../normalize.ts";

/**
 * The normalised query a search runs on. Same as a name's normalisation, except that a
 * trailing "st"/"ste" the user is still typing stays as typed: "st" is as likely the
 * start of Strasbourg as an abbreviation of Saint, and only becomes "saint" once a
 * separator or another word follows it.
 */
export function normalizeQuery(raw: string): string {
  const normalized = normalizeName(raw);
  const typedTail = raw.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().match(/(?:^|[^a-z0-9])(ste?)$/);
  if (!typedTail) return normalized;
  return normalized.replace(/(?:^|(?<= ))saint(e?)$/, (_, e: string) => (e ? "ste" : "st"));
}

/**
 * The exclusive upper bound of the range holding every string that starts with
 * `prefix`. Normalised text only contains [a-z0-9 ], all below "{" in byte order, and
 * the database collation is C, so [prefix, prefix + "{") is exactly the prefix range.
 */
export function prefixUpperBound(prefix: string): string {
  return `${prefix}{`;
}

export function queryWords(normalized: string): string[] {
  return normalized.split(" ").filter(Boolean);
}
