import { Meilisearch } from "meilisearch";
import { HIGHLIGHT_POST_TAG, HIGHLIGHT_PRE_TAG, filterExpressions, nomHighlight } from "./meilisearch-query.ts";
import { isCompleteName, isPrefixMatch, startsWithQuery } from "./name-match.ts";
import { largeTypos, reserveCompleteNames } from "./ranking.ts";
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
    const response = await withDeadline(this.#timeoutMs, (signal) =>
      this.client.index<VilleDocument>(this.#indexUid).search(
        normalized,
        {
          filter: filterExpressions(request.filters),
          limit: request.limit,
          attributesToHighlight: ["nom"],
          highlightPreTag: HIGHLIGHT_PRE_TAG,
          highlightPostTag: HIGHLIGHT_POST_TAG,
          matchingStrategy: "all",
          showRankingScoreDetails: true,
        },
        { signal },
      ),
    );
    // Meilisearch ranks typo matches after every match without one, then fills the page
    // with them ("saint" in 2A: Sainte-Lucie, then Santa-Maria…). Like the Postgres engine,
    // typos count only when nothing matched without one, or when they are large places
    // beside a few or tiny prefix matches ("lile": Lille). Synonyms are not typos.
    const typoCount = (hit: (typeof response.hits)[number]) => hit._rankingScoreDetails?.typo?.typoCount ?? 0;
    const typoFree = response.hits.filter((hit) => typoCount(hit) === 0);
    const anyComplete = typoFree.some((hit) => isCompleteName(hit.nom, normalized));
    const blended = anyComplete ? [] : largeTypos(typoFree, response.hits.filter((hit) => typoCount(hit) > 0), request.limit);
    const ranked = (typoFree.length > 0 ? [...blended, ...typoFree].slice(0, request.limit) : response.hits).map((hit) => {
      const ville = toVilleRow(hit);
      return { id: ville.id, ville, nomHighlight: nomHighlight(ville, hit._formatted?.nom, words) };
    });
    // Lexicographic rules cannot reserve places: complete-name matches on the page move up as the Postgres engine places them.
    const complete = ranked.filter((hit) => isCompleteName(hit.ville.nom, normalized)).sort((a, b) => b.ville.population - a.ville.population);
    const hits = reserveCompleteNames(ranked, complete, request.limit, (hit) => startsWithQuery(hit.ville.nom, normalized)).map(({ ville, nomHighlight }) => ({ ville, nomHighlight }));
    const anyPrefixMatch = hits.some((hit) => isPrefixMatch(hit.ville, words));
    const typoTried = normalized.replace(/ /g, "").length >= TYPO_MIN_QUERY_LENGTH;
    return {
      hits,
      match: anyPrefixMatch || (hits.length === 0 && !typoTried) ? "prefix" : "fuzzy",
      backend: "meilisearch",
      engineMs: performance.now() - started,
    };
  }
}
