import type { VilleRow } from "../db/queries/ville-rows.ts";
import { highlightName, renderMarkedRanges } from "./highlight.ts";
import { DEFAULT_TYPE_SCOPE, type AutocompleteFilters } from "./types.ts";

export const HIGHLIGHT_PRE_TAG = "<mark>";
export const HIGHLIGHT_POST_TAG = "</mark>";

/**
 * A filter string literal: double-quoted, with `\` and `"` escaped (Meilisearch ≥ 1.4
 * unescapes both), so no value can close the quote and widen the expression.
 */
export const filterString = (value: string) => `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;

/** Conditions ANDed by Meilisearch's array form; the type scope is always explicit. */
export function filterExpressions(filters: AutocompleteFilters): string[] {
  const types = filters.type ? [filters.type] : DEFAULT_TYPE_SCOPE;
  const expressions = [`type IN [${types.map(filterString).join(", ")}]`];
  if (filters.departement) expressions.push(`departement_code = ${filterString(filters.departement)}`);
  if (filters.region) expressions.push(`region_code = ${filterString(filters.region)}`);
  return expressions;
}

/** The marked character ranges of `nom`, read by aligning it with Meilisearch's `_formatted` copy. */
function markedRanges(nom: string, formatted: string): Array<[number, number]> | null {
  const ranges: Array<[number, number]> = [];
  let openedAt: number | null = null;
  let i = 0;
  let j = 0;
  while (j < formatted.length) {
    if (openedAt === null && formatted.startsWith(HIGHLIGHT_PRE_TAG, j)) {
      openedAt = i;
      j += HIGHLIGHT_PRE_TAG.length;
    } else if (openedAt !== null && formatted.startsWith(HIGHLIGHT_POST_TAG, j)) {
      if (i > openedAt) ranges.push([openedAt, i]);
      openedAt = null;
      j += HIGHLIGHT_POST_TAG.length;
    } else if (formatted[j] === nom[i]) {
      i += 1;
      j += 1;
    } else {
      return null;
    }
  }
  return i === nom.length && openedAt === null ? ranges : null;
}

/**
 * `nom` as HTML with Meilisearch's marks. Only `nom`'s own characters (escaped) and our
 * own tags reach the output, so a name containing "<mark>" or "<script>" cannot inject
 * markup. Marks separated only by punctuation are merged, as the Postgres engine does.
 * Null when `_formatted` has no mark or does not align with `nom`.
 */
export function htmlFromFormatted(nom: string, formatted: string | undefined): string | null {
  if (typeof formatted !== "string") return null;
  const ranges = markedRanges(nom, formatted);
  if (!ranges || ranges.length === 0) return null;
  return renderMarkedRanges(nom, ranges);
}

/** Meilisearch's highlight when it marked the name; the project's own highlighter otherwise (a match on nom_normalise). */
export function nomHighlight(ville: VilleRow, formattedNom: string | undefined, words: readonly string[]): string {
  return htmlFromFormatted(ville.nom, formattedNom) ?? highlightName(ville.nom, words);
}
