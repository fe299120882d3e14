/**
 * The parts of the ranking that combine several candidate lists (issue 18); each engine
 * ranks its own candidates, these decide the page. Pure functions over rows with an id.
 */

interface Identified {
  id: number;
}

/** Positions (0-based) by which the complete-name matches must appear: the first five, then the first ten. */
const COMPLETE_NAME_DEADLINES = [4, 9] as const;
const deadlineOf = (index: number) => (index < 5 ? COMPLETE_NAME_DEADLINES[0] : index < 10 ? COMPLETE_NAME_DEADLINES[1] : Infinity);

/**
 * The blended page, with the communes whose complete name is the query (`complete`,
 * most populous first) guaranteed a place: the five most populous among the first five,
 * the next five among the first ten. The blend keeps its order among names that start
 * with the query, so "nant" still gives Nantes first with Nant close behind; a name that
 * only matches further in ("celle": La Celle-Saint-Cloud) or by a code comes after the
 * complete names. Homonyms come in population order.
 */
export function reserveCompleteNames<T extends Identified>(
  ranked: readonly T[],
  complete: readonly T[],
  limit: number,
  startsWithQuery: (row: T) => boolean,
): T[] {
  const completeIds = new Set(complete.map((row) => row.id));
  const others = ranked.filter((row) => !completeIds.has(row.id));
  const page: T[] = [];
  let nextComplete = 0;
  let nextOther = 0;
  let cursor = 0;
  while (page.length < limit && (nextComplete < complete.length || nextOther < others.length)) {
    const position = page.length;
    const deadline = deadlineOf(nextComplete);
    const due = complete.slice(nextComplete).filter((_, offset) => deadlineOf(nextComplete + offset) <= deadline).length;
    while (cursor < ranked.length && page.some((row) => row.id === ranked[cursor]!.id)) cursor += 1;
    const blendWantsComplete = cursor < ranked.length && (completeIds.has(ranked[cursor]!.id) || !startsWithQuery(ranked[cursor]!));
    const mustPlace = nextComplete < complete.length && due >= deadline - position + 1;
    if (nextComplete < complete.length && (mustPlace || blendWantsComplete || nextOther >= others.length)) {
      page.push(complete[nextComplete++]!);
    } else {
      page.push(others[nextOther++]!);
    }
    if (cursor < ranked.length && completeIds.has(ranked[cursor]!.id)) cursor += 1;
  }
  return page;
}

/** A typo candidate's score on the prefix scale (log10 population + match bonus): a close typo of a big city beats tiny prefix matches. */
export function typoBlendScore(population: number, similarity: number): number {
  return Math.log10(population + 10) + 2 * similarity - TYPO_BLEND_PENALTY;
}

/** What a typo costs against a prefix match, in decades of population. */
const TYPO_BLEND_PENALTY = 1.5;
/** Prefix pages whose largest commune is below this are "tiny": a typo of a big city may be what was meant. */
export const TYPO_BLEND_MAX_POPULATION = 20_000;
/** At most this many typo candidates join a page of prefix matches. */
export const TYPO_BLEND_MAX = 3;

/** Prefix results are few (the page is not full) or tiny (no commune of TYPO_BLEND_MAX_POPULATION): typo candidates may join. */
export function wantsTypoBlend(prefix: ReadonlyArray<{ population: number }>, limit: number): boolean {
  return prefix.length < limit || prefix.every((row) => row.population < TYPO_BLEND_MAX_POPULATION);
}

/**
 * Prefix rows (by score) and typo candidates merged by score. A typo joins only when it
 * beats every prefix match ("lile": Lille before L'Île-Saint-Denis), so weak neighbours
 * never pad a short page.
 */
export function blendTypos<T extends Identified>(prefix: ReadonlyArray<T & { score: number }>, typos: ReadonlyArray<T & { score: number }>, limit: number): T[] {
  const seen = new Set(prefix.map((row) => row.id));
  const best = Math.max(-Infinity, ...prefix.map((row) => row.score));
  const joining = typos.filter((row) => !seen.has(row.id) && row.score > best).sort((a, b) => b.score - a.score).slice(0, TYPO_BLEND_MAX);
  return [...joining, ...prefix].slice(0, limit);
}

/**
 * For an engine that counts typos instead of measuring similarity (Meilisearch): a typo
 * joins when its commune is this many times larger than every prefix match, the bar
 * typoBlendScore sets at a similarity of 0.5 against a word-start prefix (10^(0.8 + 0.5)).
 */
export const TYPO_BLEND_POPULATION_RATIO = 20;

/** The typo hits that come before a few or tiny page of prefix matches, at most TYPO_BLEND_MAX. */
export function largeTypos<T extends { population: number }>(prefix: readonly T[], typos: readonly T[], limit: number): T[] {
  if (!wantsTypoBlend(prefix, limit)) return [];
  const largest = Math.max(0, ...prefix.map((row) => row.population));
  return typos.filter((row) => row.population + 10 > TYPO_BLEND_POPULATION_RATIO * (largest + 10)).slice(0, TYPO_BLEND_MAX);
}

/** "13000", "75000": shaped like a city's postal code, though no commune has it. */
export const POSTAL_CODE_FORM = /^\d{2}000$/;

/** The code prefix such a form stands for: "130" covers Marseille's 13001…13016. */
export const postalFormPrefix = (query: string) => query.slice(0, 3);

/** The city, its arrondissements, then the other matches; `limit` rows. */
export function cityThenArrondissements<T extends Identified>(city: T, arrondissements: readonly T[], others: readonly T[], limit: number): T[] {
  const placed = new Set([city.id, ...arrondissements.map((row) => row.id)]);
  return [city, ...arrondissements, ...others.filter((row) => !placed.has(row.id))].slice(0, limit);
}
