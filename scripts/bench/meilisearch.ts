import { drizzle } from "drizzle-orm/node-postgres";
import { Meilisearch } from "meilisearch";
import type pg from "pg";
import { normalizeName } from "../../src/lib/normalize.ts";
import { reindexVilles } from "../../src/lib/search/meilisearch-reindex.ts";
import { VILLES_INDEX } from "../../src/lib/search/meilisearch-settings.ts";
import { syncVilles } from "../../src/lib/search/meilisearch-sync.ts";
import { MeilisearchSearchEngine } from "../../src/lib/search/meilisearch.ts";
import { DEFAULT_TYPE_SCOPE } from "../../src/lib/search/types.ts";
import { villesForIndexSql, type IndexedVilleRow } from "../../src/lib/search/villes-for-index.ts";
import { boundedSql } from "./autocomplete.ts";
import { loopbackFetch } from "./loopback-fetch.ts";
import { log, percentiles, type Percentiles } from "./measure.ts";
import type { Typo } from "./typo.ts";

export interface MeilisearchFigures {
  version: string;
  indexing: { documents: number; seconds: number; documentsPerSecond: number; indexSizeMb: number; databaseSizeMb: number; requests: RequestCounts };
  /** The same prefixes and typos, each engine timed from this process over loopback. */
  prefixes: { meilisearch: Percentiles; meilisearchProcessing: Percentiles; postgres: Percentiles; meilisearchViaNodeFetch: Percentiles };
  typos: { meilisearch: Percentiles; found: number; total: number };
  /** A 1,000-row import's sync: what one Worker invocation would send. */
  importSync: { rows: number; seconds: number } & RequestCounts;
}

interface RequestCounts {
  requests: number;
  documentBatches: number;
  taskPolls: number;
}

/** Counts every request the Meilisearch client makes, by kind, without changing them. */
function countingFetch(counts: RequestCounts, realFetch: typeof fetch): typeof fetch {
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    counts.requests++;
    if (/\/documents(\?|$)/.test(url) && (init?.method ?? "GET") !== "GET") counts.documentBatches++;
    if (/\/tasks(\/\d+|\?)/.test(url)) counts.taskPolls++;
    return realFetch(input, init);
  };
}

async function timeEach<T>(items: readonly T[], run: (item: T) => Promise<number | void>): Promise<{ wall: number[]; reported: number[] }> {
  const wall: number[] = [];
  const reported: number[] = [];
  for (const item of items) {
    const started = performance.now();
    const own = await run(item);
    wall.push(performance.now() - started);
    if (typeof own === "number") reported.push(own);
  }
  return { wall, reported };
}

/**
 * `--only meilisearch` (needs MEILISEARCH_HOST and an admin MEILISEARCH_API_KEY): rebuilds
 * the index from this run's Postgres rows through the project's own reindex, then times
 * the engine on the prefixes and typos the Postgres sections use.
 */
export function benchMeilisearch(client: pg.Client, host: string, apiKey: string | undefined, prefixes: readonly string[], typos: readonly Typo[]): Promise<MeilisearchFigures> {
  return withGlobalFetch(loopbackFetch, () => measure(client, host, apiKey, prefixes, typos));
}

/**
 * The Meilisearch client calls the global fetch at request time, so swapping it changes (or
 * counts) every request `run` makes; the previous one is back afterwards, so swaps nest.
 */
async function withGlobalFetch<T>(replacement: typeof fetch, run: () => Promise<T>): Promise<T> {
  const previous = globalThis.fetch;
  globalThis.fetch = replacement;
  try {
    return await run();
  } finally {
    globalThis.fetch = previous;
  }
}

/** Node's own fetch, kept before any swap: one pass times it beside loopbackFetch. */
const nodeFetch = globalThis.fetch;

async function measure(client: pg.Client, host: string, apiKey: string | undefined, prefixes: readonly string[], typos: readonly Typo[]): Promise<MeilisearchFigures> {
  const meili = new Meilisearch({ host, apiKey });
  const { pkgVersion } = await meili.getVersion();
  const db = drizzle(client);
  const readPage = async (afterId: number, limit: number) => (await db.execute(villesForIndexSql({ afterId, limit }))).rows as unknown as IndexedVilleRow[];

  const started = performance.now();
  let lastLogged = 0;
  const reindexRequests: RequestCounts = { requests: 0, documentBatches: 0, taskPolls: 0 };
  const { documents } = await withGlobalFetch(countingFetch(reindexRequests, loopbackFetch), () =>
    reindexVilles(meili, readPage, {
      onProgress: (sent) => {
        if (sent - lastLogged >= 250_000) log(`meilisearch: ${(lastLogged = sent)} documents sent`);
      },
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const indexStats = await meili.index(VILLES_INDEX).getStats();
  const globalStats = await meili.getStats();
  const indexing = {
    documents,
    seconds: Math.round(seconds * 10) / 10,
    documentsPerSecond: Math.round(documents / seconds),
    indexSizeMb: Math.round(((indexStats as { rawDocumentDbSize?: number }).rawDocumentDbSize ?? 0) / 2 ** 20),
    databaseSizeMb: Math.round(globalStats.databaseSize / 2 ** 20),
    requests: reindexRequests,
  };
  log(`meilisearch indexing: ${JSON.stringify(indexing)}`);

  // A generous deadline: the bench measures the engine, not the Worker's 150 ms fallback budget.
  const engine = new MeilisearchSearchEngine(meili, { timeoutMs: 10_000 });
  const search = (q: string) => engine.autocomplete({ q, limit: 10, filters: {} });
  for (const q of prefixes.slice(0, 20)) await search(q);
  const viaMeili = await timeEach(prefixes, async (q) => {
    const response = await meili.index(VILLES_INDEX).search(q, { limit: 10, filter: [`type IN [${DEFAULT_TYPE_SCOPE.map((t) => `"${t}"`).join(", ")}]`] });
    return response.processingTimeMs;
  });
  const viaEngine = await timeEach(prefixes, (q) => search(q).then(() => undefined));
  const viaPostgres = await timeEach(prefixes, (q) => client.query(boundedSql(q)).then(() => undefined));
  // The same searches through Node's own fetch, to show what its reused connections cost on loopback.
  const throughNodeFetch = new MeilisearchSearchEngine(new Meilisearch({ host, apiKey }), { timeoutMs: 10_000 });
  const viaNodeFetch = await withGlobalFetch(nodeFetch, () => timeEach(prefixes, (q) => throughNodeFetch.autocomplete({ q, limit: 10, filters: {} }).then(() => undefined)));
  let found = 0;
  const typoTimes = await timeEach(typos, async (typo) => {
    const result = await search(typo.query);
    if (result.hits.some((hit) => normalizeName(hit.ville.nom) === typo.intended)) found++;
  });

  // An import's sync as the commit sends it: one batch of changed rows, waited for with bounded polls.
  const counts: RequestCounts = { requests: 0, documentBatches: 0, taskPolls: 0 };
  const changed = await readPage(0, 1_000);
  const syncStarted = performance.now();
  await withGlobalFetch(countingFetch(counts, loopbackFetch), () => syncVilles(meili, changed, { indexUid: VILLES_INDEX }));
  const importSync = { rows: changed.length, ...counts, seconds: Math.round((performance.now() - syncStarted) / 100) / 10 };

  return {
    version: pkgVersion,
    indexing,
    prefixes: {
      meilisearch: percentiles(viaEngine.wall),
      meilisearchProcessing: percentiles(viaMeili.reported),
      postgres: percentiles(viaPostgres.wall),
      meilisearchViaNodeFetch: percentiles(viaNodeFetch.wall),
    },
    typos: { meilisearch: percentiles(typoTimes.wall), found, total: typos.length },
    importSync,
  };
}
