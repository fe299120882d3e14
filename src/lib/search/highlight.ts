import { normalizeName } from "../normalize.ts";

interface Token {
  start: number;
  /** Normalised text of the token. */
  norm: string;
  /** ends[i] = index in the original name just after the character that produced norm[i]. */
  ends: number[];
}

const ABBREVIATIONS: Record<string, string> = { st: "saint", ste: "sainte" };

/** Splits a name into words, remembering where each normalised character came from. */
function tokenize(nom: string): Token[] {
  const tokens: Token[] = [];
  let current: Token | null = null;
  let index = 0;
  for (const char of nom) {
    const next = index + char.length;
    const normalized = normalizeName(char).replace(/ /g, "");
    if (normalized === "") {
      current = null;
    } else {
      current ??= tokens[tokens.push({ start: index, norm: "", ends: [] }) - 1]!;
      current.norm += normalized;
      for (let i = 0; i < normalized.length; i++) current.ends.push(next);
    }
    index = next;
  }
  for (const token of tokens) {
    const expanded = ABBREVIATIONS[token.norm];
    if (expanded) token.ends = Array.from(expanded, () => token.ends.at(-1)!), (token.norm = expanded);
  }
  return tokens;
}

/** An elided article (l', d') and its word, read as the one glued word the index holds. */
function glue(article: Token, word: Token): Token {
  return { start: article.start, norm: article.norm + word.norm, ends: [...article.ends, ...word.ends] };
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);

/** Wraps the part of `nom` each query word matched (the start of a word) in <mark>, escaping everything else. */
export function highlightName(nom: string, queryWords: readonly string[]): string {
  const tokens = tokenize(nom);
  const used = new Set<number>();
  const ranges: Array<[number, number]> = [];
  for (const word of queryWords) {
    for (let i = 0; i < tokens.length; i++) {
      if (used.has(i)) continue;
      const token = tokens[i]!;
      const glued = /^[ld]$/.test(token.norm) && tokens[i + 1] && !used.has(i + 1) ? glue(token, tokens[i + 1]!) : null;
      const candidate = glued?.norm.startsWith(word) ? glued : token.norm.startsWith(word) ? token : null;
      if (!candidate || word.length === 0) continue;
      ranges.push([candidate.start, candidate.ends[word.length - 1]!]);
      used.add(i);
      if (candidate === glued) used.add(i + 1);
      break;
    }
  }
  return renderMarkedRanges(nom, ranges);
}

/**
 * `nom` HTML-escaped with each [start, end) range in <mark>. Ranges separated only by
 * punctuation are merged, so "saint e" on Saint-Étienne gives <mark>Saint-É</mark>tienne.
 * Both engines render highlights here.
 */
export function renderMarkedRanges(nom: string, ranges: ReadonlyArray<readonly [number, number]>): string {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && normalizeName(nom.slice(last[1], range[0])) === "") last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  let html = "";
  let cursor = 0;
  for (const [start, end] of merged) {
    html += `${escapeHtml(nom.slice(cursor, start))}<mark>${escapeHtml(nom.slice(start, end))}</mark>`;
    cursor = end;
  }
  return html + escapeHtml(nom.slice(cursor));
}
