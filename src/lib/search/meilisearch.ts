import { Meilisearch, type Hit, type MultiSearchParams, type MultiSearchQuery, type SearchResponse } from "meilisearch";
import { HIGHLIGHT_POST_TAG, HIGHLIGHT_PRE_TAG, filterExpressions, filterString, nomHighlight } from "./meilisearch-query.ts";
import { matchScore } from "./match-score.ts";
import { isPrefixMatch, matchedFormerName, startsWithQuery } from "./name-match.ts";
import {
  cityThenArrondissements, largeTypos, POSTAL_CODE_FORM, postalFormPrefix, reserveCompleteNames, TYPO_BLEND_MAX, TYPO_BLEND_POPULATION_RATIO, wantsTypoBlend,
} from "./ranking.ts";
import { VILLES_INDEX } from "./meilisearch-settings.ts";
import { toVilleRow, type VilleDocument } from "./meilisearch-sync.ts";
import { normalizeQuery, queryWords } from "./query.ts";
import type { AutocompleteRequest, AutocompleteResult, SearchEngine } from "./types.ts";

/** The autocomplete's whole time budget in Meilisearch; past it, the Postgres engine answers. */
export const MEILISEARCH_SEARCH_TIMEOUT_MS = 150;
/** Per-request budget for everything else (settings, document batches, task polls). */
const ADMIN_REQUEST_TIMEOUT_MS = 30_000;
/** Same threshold as `minWordSizeForTypos.oneTypo`: below it no typo match was even tried. */
const TYPO_MIN_QUERY_LENGTH = 4;
/** The name marked as the project's highlighter expects it. */
const HIGHLIGHTED = { attributesToHighlight: ["nom"], highlightPreTag: HIGHLIGHT_PRE_TAG, highlightPostTag: HIGHLIGHT_POST_TAG };

type DocumentHit = Hit<VilleDocument>;

const typoCount = (hit: DocumentHit) => hit._rankingScoreDetails?.typo?.typoCount ?? 0;

/** Hits asked for whatever the limit, so that the re-ranking below sees the Postgres engine's candidates too. */
const RERANK_WINDOW = 20;

/**
 * The typo-free hits Meilisearch returned, in the Postgres engine's order (its score, then
 * id): those whose name, code or former name the query starts; then those matched word by
 * word (any order), as the Postgres engine appends them; then the typo hits, in Meilisearch's order.
 */
function inPostgresOrder(hits: readonly DocumentHit[], normalized: string): DocumentHit[] {
  const scored = hits
    .filter((hit) => typoCount(hit) === 0)
    .map((hit) => ({
      hit,
      score: matchScore({ nom: hit.nom, population: hit.population, codesPostaux: hit.codes_postaux, codeInsee: hit.code_insee, formerNames: hit.anciens }, normalized),
    }));
  const prefix = scored.filter((entry) => entry.score !== null).sort((a, b) => b.score! - a.score! || a.hit.id - b.hit.id);
  return [...prefix, ...scored.filter((entry) => entry.score === null)].map((entry) => entry.hit).concat(hits.filter((hit) => typoCount(hit) > 0));
}

/** Meilisearch tries typos from four letters, and never on numbers. */
const typosMakeSense = (normalized: string) => normalized.replace(/ /g, "").length >= TYPO_MIN_QUERY_LENGTH && !/\d/.test(normalized);

export interface MeilisearchConnection {
  host: string;
  apiKey?: string | undefined;
}

// One client per isolate and server, kept across requests on purpose.
const clients = new Map<string, Meilisearch>();

export function meilisearchClient({ host, apiKey }: MeilisearchConnection): Meilisearch {
  const key = `${host}\u0000${apiKey ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    client = new Meilisearch({ host, apiKey, timeout: ADMIN_REQUEST_TIMEOUT_MS });
    clients.set(key, client);
  }
  return client;
}

/** GET /health through the same client as searches. */
export async function pingMeilisearch(connection: MeilisearchConnection, signal: AbortSignal): Promise<void> {
  await meilisearchClient(connection).httpRequest.get({ path: "health", extraRequestInit: { signal } });
}

export class MeilisearchTimeoutError extends Error {
  override name = "MeilisearchTimeoutError";
}

/** Runs `run` with an abort signal and rejects at the deadline even if `run` ignores the signal. */
async function withDeadline<T>(timeoutMs: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new MeilisearchTimeoutError(`Meilisearch did not answer within ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([run(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface MeilisearchEngineOptions {
  /** @default "villes" */
  indexUid?: string;
  /** @default 150 */
  timeoutMs?: number;
}

/**
 * Autocomplete on Meilisearch. The query is the project's normalised query, not the raw
 * text: Meilisearch would fold case and accents itself, but normalizeQuery also expands
 * a completed "st"/"ste" to saint/sainte while leaving a trailing one as typed (the
 * user may be typing Strasbourg), and glues elided articles ("l'hay" → "lhay") so they
 * match `nom_normalise` exactly as the Postgres terms do.
 */
export class MeilisearchSearchEngine implements SearchEngine {
  readonly name = "meilisearch" as const;
  readonly #indexUid: string;
  readonly #timeoutMs: number;

  constructor(
    private readonly client: Meilisearch,
    options: MeilisearchEngineOptions = {},
  ) {
    this.#indexUid = options.indexUid ?? VILLES_INDEX;
    this.#timeoutMs = options.timeoutMs ?? MEILISEARCH_SEARCH_TIMEOUT_MS;
  }

  async autocomplete(request: AutocompleteRequest): Promise<AutocompleteResult> {
    const started = performance.now();
    const normalized = normalizeQuery(request.q);
    const words = queryWords(normalized);
    const { limit, filters } = request;
    const filter = filterExpressions(filters);
    const [main, homonyms] = await this.#multiSearch([
      { q: normalized, filter, limit: Math.max(limit, RERANK_WINDOW), ...HIGHLIGHTED, matchingStrategy: "all", showRankingScoreDetails: true },
      // Ranking rules cannot reserve places: every commune whose complete name is the query, most populous first, is asked for beside the page.
      { q: "", filter: [...filter, `noms_complets = ${filterString(normalized)}`], sort: ["population:desc"], limit },
    ]);
    let hits = inPostgresOrder(main!.hits, normalized);
    if (hits.length === 0 && POSTAL_CODE_FORM.test(normalized)) hits = await this.#cityOfPostalForm(normalized, limit, filter);
    // Meilisearch ranks typo matches after every match without one, then fills the page
    // with them ("saint" in 2A: Sainte-Lucie, then Santa-Maria…). Like the Postgres engine,
    // typos count only when nothing matched without one, or when they are large places
    // beside a few or tiny prefix matches ("lile": Lille), and never beside a complete name.
    const typoFree = hits.filter((hit) => typoCount(hit) === 0).slice(0, limit);
    const complete = homonyms!.hits.map((hit) => this.#toHit(hit, words));
    let typos = hits.filter((hit) => typoCount(hit) > 0);
    // A full page of tiny prefix matches leaves no room for the typo hits ranked after them: ask for the large ones alone.
    if (complete.length === 0 && typos.length === 0 && typoFree.length >= limit && wantsTypoBlend(typoFree, limit) && typosMakeSense(normalized)) {
      typos = await this.#largeTypoHits(normalized, filter, typoFree);
    }
    const blended = complete.length > 0 ? [] : largeTypos(typoFree, typos, limit);
    const ranked = (typoFree.length > 0 ? [...blended, ...typoFree].slice(0, limit) : hits.slice(0, limit)).map((hit) => this.#toHit(hit, words));
    const page = reserveCompleteNames(ranked, complete, limit, (hit) => startsWithQuery(hit.ville.nom, normalized)).map(({ ville, nomHighlight, ancienNom }) => ({ ville, nomHighlight, ancienNom }));
    const anyPrefixMatch = page.some((hit) => isPrefixMatch(hit.ville, words) || hit.ancienNom !== undefined);
    const typoTried = normalized.replace(/ /g, "").length >= TYPO_MIN_QUERY_LENGTH;
    return {
      hits: page,
      match: anyPrefixMatch || (page.length === 0 && !typoTried) ? "prefix" : "fuzzy",
      backend: "meilisearch",
      engineMs: performance.now() - started,
    };
  }

  /** "13000": the largest place whose codes start "130" (Marseille), then its arrondissements, then the other matches, as the Postgres engine does. */
  async #cityOfPostalForm(normalized: string, limit: number, filter: string[]): Promise<DocumentHit[]> {
    const prefix = postalFormPrefix(normalized);
    const [matches, arrondissements] = await this.#multiSearch([
      { q: prefix, filter, limit, ...HIGHLIGHTED, sort: ["population:desc"] },
      { q: prefix, filter: [`type = "arrondissement-municipal"`], sort: ["code_insee:asc"], limit },
    ]);
    const city = matches!.hits[0];
    if (!city) return [];
    const own = arrondissements!.hits.filter((hit) => hit.parent_code === city.code_insee);
    return cityThenArrondissements(city, own, matches!.hits, limit);
  }

  /** The typo hits large enough to join a page of tiny prefix matches (largeTypos' bar), found by a population filter. */
  async #largeTypoHits(normalized: string, filter: string[], prefixHits: readonly DocumentHit[]): Promise<DocumentHit[]> {
    const bar = TYPO_BLEND_POPULATION_RATIO * (Math.max(0, ...prefixHits.map((hit) => hit.population)) + 10) - 10;
    const [large] = await this.#multiSearch([
      { q: normalized, filter: [...filter, `population > ${Math.floor(bar)}`], limit: TYPO_BLEND_MAX, ...HIGHLIGHTED, matchingStrategy: "all", showRankingScoreDetails: true },
    ]);
    return large!.hits.filter((hit) => typoCount(hit) > 0);
  }

  /** Several searches in one round trip, within the engine's deadline. */
  async #multiSearch(queries: Array<Omit<MultiSearchQuery, "indexUid">>): Promise<Array<SearchResponse<VilleDocument>>> {
    const response = await withDeadline(this.#timeoutMs, (signal) =>
      this.client.multiSearch<MultiSearchParams, VilleDocument>({ queries: queries.map((query) => ({ indexUid: this.#indexUid, ...query })) }, { signal }),
    );
    return response.results;
  }

  #toHit(hit: DocumentHit, words: readonly string[]) {
    const ville = toVilleRow(hit);
    return { id: ville.id, ville, nomHighlight: nomHighlight(ville, hit._formatted?.nom, words), ancienNom: matchedFormerName(ville, hit.anciens, words) };
  }
}
