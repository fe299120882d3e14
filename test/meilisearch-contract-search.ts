/**
 * Search for the recorded-contract double: the documented filter syntax (parsed
 * strictly, so an unescaped quote is a syntax error, not a wider filter), word and
 * last-word-prefix matching with synonyms, and `_formatted` highlighting. Ranking is
 * population order only: relevance is what the real-server suite checks.
 */
import { problem, type ApiProblem } from "./meilisearch-contract-rules.ts";

type Document = Record<string, unknown>;
interface Condition {
  attribute: string;
  values: string[];
  negate: boolean;
}
type FilterTree = { all: FilterTree[] } | { any: FilterTree[] } | Condition;

class FilterSyntaxError extends Error {}

/** `attr = value`, `attr != value`, `attr IN [v, …]`, joined by AND; values bare or quoted with \-escapes. */
function parseExpression(text: string): FilterTree {
  let i = 0;
  const fail = (what: string): never => {
    throw new FilterSyntaxError(`${what} at position ${i} of \`${text}\``);
  };
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
  };
  const read = (pattern: RegExp) => {
    const match = pattern.exec(text.slice(i));
    if (!match) return null;
    i += match[0].length;
    return match[0];
  };
  const value = (): string => {
    skip();
    const quote = text[i];
    if (quote !== '"' && quote !== "'") return read(/^[^\s[\],"'()]+/) ?? fail("expected a value");
    let result = "";
    for (i += 1; i < text.length; i += 1) {
      if (text[i] === "\\" && i + 1 < text.length) result += text[++i];
      else if (text[i] === quote) return (i += 1), result;
      else result += text[i];
    }
    return fail("unterminated string");
  };
  const condition = (): Condition => {
    skip();
    const attribute = read(/^[A-Za-z0-9_.-]+/) ?? fail("expected an attribute");
    skip();
    const operator = read(/^(!=|=|NOT\s+IN\b|IN\b)/i) ?? fail("expected `=`, `!=` or `IN`");
    if (!/IN$/i.test(operator)) return { attribute, values: [value()], negate: operator === "!=" };
    skip();
    if (!read(/^\[/)) fail("expected `[`");
    const values = [value()];
    for (skip(); read(/^,/); skip()) values.push(value());
    if (!read(/^\]/)) fail("expected `]`");
    return { attribute, values, negate: /^NOT/i.test(operator) };
  };
  const all = [condition()];
  for (skip(); read(/^AND\b/i); skip()) all.push(condition());
  if (i < text.length) fail("unexpected text");
  return { all };
}

export function parseFilter(filter: unknown, filterable: readonly string[]): FilterTree | ApiProblem {
  try {
    const tree: FilterTree =
      typeof filter === "string"
        ? parseExpression(filter)
        : {
            all: (filter as unknown[]).map((item) =>
              typeof item === "string" ? parseExpression(item) : Array.isArray(item) ? { any: item.map((inner) => parseExpression(String(inner))) } : fail(item),
            ),
          };
    const unfilterable = conditions(tree).find((condition) => !filterable.includes(condition.attribute));
    if (unfilterable) {
      return problem("invalid_search_filter", `Attribute \`${unfilterable.attribute}\` is not filterable. Available filterable attributes are: \`${filterable.join(", ")}\`.`);
    }
    return tree;
  } catch (error) {
    return problem("invalid_search_filter", error instanceof Error ? error.message : String(error));
  }
}

const fail = (item: unknown): never => {
  throw new FilterSyntaxError(`Invalid filter element: ${JSON.stringify(item)}`);
};

export function conditions(tree: FilterTree): Condition[] {
  if ("all" in tree) return tree.all.flatMap(conditions);
  if ("any" in tree) return tree.any.flatMap(conditions);
  return [tree];
}

const fieldValues = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).map((item) => String(item).toLowerCase());

function matchesFilter(document: Document, tree: FilterTree): boolean {
  if ("all" in tree) return tree.all.every((inner) => matchesFilter(document, inner));
  if ("any" in tree) return tree.any.some((inner) => matchesFilter(document, inner));
  const present = fieldValues(document[tree.attribute]);
  const hit = tree.values.some((value) => present.includes(value.toLowerCase()));
  return tree.negate ? !hit : hit;
}

/** Folds one character as Meilisearch's normaliser does for Latin text: no accents, lower case. */
const fold = (text: string) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/œ/gi, "oe").replace(/æ/gi, "ae").toLowerCase();

/** Words of a text with their [start, end) in the original string and folded form. */
function words(text: string): Array<{ start: number; end: number; folded: string; ends: number[] }> {
  const result: Array<{ start: number; end: number; folded: string; ends: number[] }> = [];
  let current: (typeof result)[number] | null = null;
  for (let index = 0; index < text.length; index += 1) {
    const folded = fold(text[index]!).replace(/[^a-z0-9]/g, "");
    if (!folded) {
      current = null;
      continue;
    }
    current ??= result[result.push({ start: index, end: index, folded: "", ends: [] }) - 1]!;
    current.folded += folded;
    current.end = index + 1;
    for (const _ of folded) current.ends.push(index + 1);
  }
  return result;
}

export interface SearchContext {
  documents: Document[];
  settings: Record<string, unknown>;
}

/** The documented search response: hits (projected, with `_formatted`), query, limit, offset, estimatedTotalHits. */
export function runSearch({ documents, settings }: SearchContext, body: Record<string, unknown>, filter: FilterTree | null) {
  const query = typeof body.q === "string" ? body.q : "";
  const queryWords = words(query).map((word) => word.folded);
  const synonyms = (settings.synonyms ?? {}) as Record<string, string[]>;
  const searchable = (settings.searchableAttributes as string[] | undefined) ?? Object.keys(documents[0] ?? {});
  const matchLength = (folded: string, wordIndex: number): number => {
    const queryWord = queryWords[wordIndex]!;
    if (folded === queryWord || synonyms[queryWord]?.includes(folded)) return folded.length;
    return wordIndex === queryWords.length - 1 && folded.startsWith(queryWord) ? queryWord.length : 0;
  };
  const matching = documents.filter((document) => {
    if (filter && !matchesFilter(document, filter)) return false;
    const tokens = searchable.flatMap((attribute) => fieldValues(document[attribute]).flatMap((value) => words(value).map((word) => word.folded)));
    return queryWords.every((_, wordIndex) => tokens.some((token) => matchLength(token, wordIndex) > 0));
  });
  matching.sort((a, b) => Number(b.population ?? 0) - Number(a.population ?? 0) || Number(a.id) - Number(b.id));
  const offset = (body.offset as number | undefined) ?? 0;
  const limit = (body.limit as number | undefined) ?? 20;
  const retrieve = (body.attributesToRetrieve as string[] | undefined) ?? (settings.displayedAttributes as string[] | undefined);
  const highlight = new Set((body.attributesToHighlight as string[] | undefined) ?? []);
  const [pre, post] = [(body.highlightPreTag as string | undefined) ?? "<em>", (body.highlightPostTag as string | undefined) ?? "</em>"];
  const hits = matching.slice(offset, offset + limit).map((document) => {
    const hit = Object.fromEntries(Object.entries(document).filter(([key]) => !retrieve || retrieve.includes(key) || retrieve.includes("*")));
    if (highlight.size === 0) return hit;
    const formatted: Document = { ...hit };
    for (const [key, value] of Object.entries(hit)) {
      if (typeof value !== "string" || !(highlight.has(key) || highlight.has("*"))) continue;
      let marked = "";
      let cursor = 0;
      for (const word of words(value)) {
        const length = Math.max(0, ...queryWords.map((_, wordIndex) => matchLength(word.folded, wordIndex)));
        if (length === 0) continue;
        const end = word.ends[length - 1]!;
        marked += `${value.slice(cursor, word.start)}${pre}${value.slice(word.start, end)}${post}`;
        cursor = end;
      }
      formatted[key] = marked + value.slice(cursor);
    }
    return { ...hit, _formatted: formatted };
  });
  const maxTotalHits = ((settings.pagination as { maxTotalHits?: number } | undefined)?.maxTotalHits ?? 1000) as number;
  return { hits, query, processingTimeMs: 0, limit, offset, estimatedTotalHits: Math.min(matching.length, maxTotalHits) };
}
