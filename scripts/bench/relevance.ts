import { normalizeName } from "../../src/lib/normalize.ts";
import type { VilleSeedRow } from "../data/communes.ts";
import { log } from "./measure.ts";

/**
 * Relevance over the real communes, through the Worker's autocomplete route (so either
 * engine, whichever answered: X-Search-Backend). Two measures (issue 18):
 * - exact-name recall at 1, 5 and 10: each sampled commune's complete name typed plainly
 *   (no accents, spaces for hyphens), against its ceiling: at k, the communes with fewer
 *   than k homonyms larger than themselves, since homonyms come by population;
 * - the typing fraction: for each commune of ≥ 20,000 inhabitants, the share of its name
 *   typed before it comes first (1 when it never does), averaged.
 */
export interface RecallAt { found: number; ceiling: number; recall: number; ofCeiling: number }
export interface RelevanceFigures {
  backend: string | null;
  seed: number;
  sampled: number;
  recall: Record<"at1" | "at5" | "at10", RecallAt>;
  /** Sampled communes below the ceiling at 10 that were not in the first 10, for the report. */
  missedAt10: string[];
  /** Sampled communes with no larger homonym that did not come first. */
  missedAt1: string[];
  typing: { communes: number; meanFraction: number; neverFirst: string[] };
}

export const TYPING_MIN_POPULATION = 20_000;

/** What a user types for a name: accents dropped, hyphens as spaces, case lowered. */
export function typedPlainly(nom: string): string {
  return nom.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/-/g, " ").toLowerCase();
}

/** mulberry32: a small seeded generator, so every run samples the same communes. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sample<T>(items: readonly T[], count: number, seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, Math.min(count, copy.length));
}

const keyOf = (ville: { codeInsee: string; type: string }) => `${ville.codeInsee}/${ville.type}`;

/** For each commune, how many communes with the same normalised name are more populous (ties by code). */
export function largerHomonyms(communes: readonly VilleSeedRow[]): Map<string, number> {
  const byName = new Map<string, VilleSeedRow[]>();
  for (const commune of communes) {
    const name = normalizeName(commune.nom);
    byName.set(name, [...(byName.get(name) ?? []), commune]);
  }
  const larger = new Map<string, number>();
  for (const homonyms of byName.values()) {
    const ranked = [...homonyms].sort((a, b) => b.population - a.population || (a.codeInsee < b.codeInsee ? -1 : 1));
    ranked.forEach((commune, index) => larger.set(keyOf(commune), index));
  }
  return larger;
}

interface Page { backend: string | null; keys: string[] }

async function ask(baseUrl: string, q: string): Promise<Page> {
  const response = await fetch(`${baseUrl}/v1/villes/autocomplete?limit=10&q=${encodeURIComponent(q)}`);
  if (!response.ok) throw new Error(`autocomplete ${JSON.stringify(q)}: HTTP ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { results: Array<{ code_insee: string; type: string }> };
  return { backend: response.headers.get("X-Search-Backend"), keys: body.results.map((result) => `${result.code_insee}/${result.type}`) };
}

/** Runs `work` over `items` with a few requests in flight, in order of results. */
async function inParallel<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

const ratio = (a: number, b: number) => Math.round((a / Math.max(1, b)) * 1000) / 1000;

/** The share of the name typed when the commune first comes first; null when even the whole name does not bring it first. */
async function typingFraction(baseUrl: string, commune: VilleSeedRow): Promise<number | null> {
  const typed = typedPlainly(commune.nom);
  for (let length = 1; length <= typed.length; length++) {
    const prefix = typed.slice(0, length);
    if (normalizeName(prefix) === "" || prefix.endsWith(" ")) continue;
    if ((await ask(baseUrl, prefix)).keys[0] === keyOf(commune)) return length / typed.length;
  }
  return null;
}

/** Communes actuelles only: the default scope's arrondissements are not names people type in full. */
export async function benchRelevance(baseUrl: string, villes: readonly VilleSeedRow[], options: { sample: number; seed: number }): Promise<RelevanceFigures> {
  const communes = villes.filter((ville) => ville.type === "commune-actuelle");
  const larger = largerHomonyms(communes);
  const sampled = sample(communes, options.sample, options.seed);
  let backend: string | null = null;
  const ranks = await inParallel(sampled, 4, async (commune) => {
    const page = await ask(baseUrl, typedPlainly(commune.nom));
    backend ??= page.backend;
    return page.keys.indexOf(keyOf(commune));
  });
  const recallAt = (k: number): RecallAt => {
    const found = ranks.filter((rank) => rank >= 0 && rank < k).length;
    const ceiling = sampled.filter((commune) => larger.get(keyOf(commune))! < k).length;
    return { found, ceiling, recall: ratio(found, sampled.length), ofCeiling: ratio(found, ceiling) };
  };
  /** Communes under the ceiling at k (fewer than k larger homonyms) that were not in the first k. */
  const missedAt = (k: number) =>
    sampled
      .filter((commune, index) => larger.get(keyOf(commune))! < k && (ranks[index]! < 0 || ranks[index]! >= k))
      .map((commune) => `${commune.nom} (${commune.departementCode})`);
  const large = communes.filter((commune) => commune.population >= TYPING_MIN_POPULATION);
  const fractions = await inParallel(large, 4, (commune) => typingFraction(baseUrl, commune));
  const neverFirst = large.filter((_, index) => fractions[index] === null).map((commune) => commune.nom);
  const figures: RelevanceFigures = {
    backend,
    seed: options.seed,
    sampled: sampled.length,
    recall: { at1: recallAt(1), at5: recallAt(5), at10: recallAt(10) },
    missedAt10: missedAt(10),
    missedAt1: missedAt(1),
    typing: { communes: large.length, meanFraction: ratio(fractions.reduce((sum: number, value) => sum + (value ?? 1), 0), large.length), neverFirst },
  };
  log(`relevance (${backend}): recall@1 ${figures.recall.at1.found}/${figures.recall.at1.ceiling}, @5 ${figures.recall.at5.found}/${figures.recall.at5.ceiling}, @10 ${figures.recall.at10.found}/${figures.recall.at10.ceiling} of ${sampled.length}; typing fraction ${figures.typing.meanFraction} over ${large.length} communes`);
  return figures;
}
