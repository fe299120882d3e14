import { describe, expect, it } from "vitest";
import { normalizeName } from "../src/lib/normalize.ts";
import { meilisearchClient, MeilisearchSearchEngine } from "../src/lib/search/meilisearch.ts";
import { reindexVilles } from "../src/lib/search/meilisearch-reindex.ts";
import { VILLES_SETTINGS } from "../src/lib/search/meilisearch-settings.ts";
import { villesForIndexSql, type IndexedVilleRow } from "../src/lib/search/villes-for-index.ts";
import { servicesWith } from "./helpers/meilisearch.ts";
import { callWorker, testEnv } from "./helpers/worker.ts";

/**
 * The adapter against a real server: `MEILISEARCH_HOST=http://127.0.0.1:7700
 * MEILISEARCH_API_KEY=… npm test` (docs/meilisearch.md). The global setup rebuilds that
 * server's `villes` index from the test database before any test, so use a throwaway server.
 * Without MEILISEARCH_HOST these tests are skipped, and say so: the recorded traffic
 * (meilisearch*.contract, meilisearch.fallback) is then the adapter's only proof.
 */
const connection = () => ({ host: testEnv.MEILISEARCH_HOST!, apiKey: testEnv.MEILISEARCH_API_KEY || undefined });
const engine = () => new MeilisearchSearchEngine(meilisearchClient(connection()), { timeoutMs: 2_000 });
const names = async (q: string, filters = {}, limit = 10) => (await engine().autocomplete({ q, limit, filters })).hits.map((hit) => hit.ville);

async function reindexFromPostgres() {
  const primary = servicesWith({}).databases.primary;
  return reindexVilles(meilisearchClient(connection()), async (afterId, limit) => {
    return (await primary.execute(villesForIndexSql({ afterId, limit }))).rows as unknown as IndexedVilleRow[];
  });
}

if (!testEnv.MEILISEARCH_HOST) console.warn("[meilisearch.integration] SKIPPED, not passed: MEILISEARCH_HOST is not set, so no real Meilisearch server was tested");

describe.skipIf(!testEnv.MEILISEARCH_HOST)("Meilisearch adapter against the real server at MEILISEARCH_HOST", () => {
  it("has every setting applied", async () => {
    const settings = await meilisearchClient(connection()).index("villes").getSettings();
    expect(settings.searchableAttributes).toEqual(VILLES_SETTINGS.searchableAttributes);
    expect(settings.rankingRules).toEqual(VILLES_SETTINGS.rankingRules);
    expect(new Set(settings.filterableAttributes as string[])).toEqual(new Set(VILLES_SETTINGS.filterableAttributes));
    expect(new Set(settings.sortableAttributes)).toEqual(new Set(VILLES_SETTINGS.sortableAttributes));
    expect(new Set(settings.displayedAttributes)).toEqual(new Set(VILLES_SETTINGS.displayedAttributes));
    expect(settings.synonyms).toEqual(VILLES_SETTINGS.synonyms);
    expect(settings.typoTolerance?.minWordSizeForTypos).toEqual({ oneTypo: 4, twoTypos: 8 });
    expect(settings.pagination).toEqual({ maxTotalHits: 100 });
  });

  it("puts the large city the user is still typing before a tiny exact match", async () => {
    const nant = (await names("nant")).map((ville) => ville.nom);
    expect(nant[0]).toBe("Nantes");
    expect(nant).toContain("Nant");
  });

  it("tolerates typos from four letters, and says the match is fuzzy", async () => {
    const result = await engine().autocomplete({ q: "marseile", limit: 5, filters: {} });
    expect(result.hits[0]?.ville.nom).toBe("Marseille");
    expect(result.match).toBe("fuzzy");
  });

  it("keeps a trailing st as typed, and finds Saint once the st is complete", async () => {
    // "st" is a prefix, maybe of Strasbourg: no Saint… name answers it (Postgres does the same)
    const typing = await names("st", {}, 20);
    expect(typing[0]?.nom).toBe("Strasbourg");
    expect(typing.map((ville) => ville.nom).filter((nom) => !nom.toLowerCase().startsWith("st"))).toEqual([]);
    expect((await names("st etienne"))[0]?.nom).toBe("Saint-Étienne");
  });

  it("filters by département, région and type, with the default type scope otherwise", async () => {
    // Corsican names say San, Santa, Sant': one typo from "saint", so they stay out; only one real Corse-du-Sud
    // commune starts with "saint" (other files import synthetic villes, with letter codes, meanwhile)
    const corse = await names("saint", { departement: "2A" });
    expect(corse.filter((ville) => !normalizeName(ville.nom).split(" ").some((word) => word.startsWith("saint")))).toEqual([]);
    expect(corse.filter((ville) => /^\d/.test(ville.codeInsee)).map((ville) => [ville.nom, ville.departementCode])).toEqual([["Sainte-Lucie-de-Tallano", "2A"]]);
    // a full page of ten each: a filter that kept nothing would fail, not pass
    expect((await names("saint", { region: "52" })).map((ville) => ville.regionCode)).toEqual(Array(10).fill("52"));
    expect((await names("a", { type: "commune-deleguee" })).map((ville) => ville.type)).toEqual(Array(10).fill("commune-deleguee"));
    const byDefault = await names("marseille", {}, 20);
    expect(new Set(byDefault.map((ville) => ville.type))).toEqual(new Set(["commune-actuelle", "arrondissement-municipal"]));
  });

  it("serves the route with highlights and X-Search-Backend: meilisearch", async () => {
    // no cache tier in front, so the engine itself answers
    const response = await callWorker("/v1/villes/autocomplete?q=nant", {}, { CACHE_L0: "off", CACHE_L1: "off", UPSTASH_REDIS_REST_URL: undefined });
    expect(response.headers.get("X-Search-Backend")).toBe("meilisearch");
    const body = (await response.json()) as { results: Array<{ nom: string; nom_highlight: string }> };
    expect(body.results[0]).toMatchObject({ nom: "Nantes", nom_highlight: "<mark>Nant</mark>es" });
  });

  it("swaps a rebuilt index in and leaves no build index behind", async () => {
    const result = await reindexFromPostgres();
    const client = meilisearchClient(connection());
    const { results } = await client.getIndexes({ limit: 1000 });
    expect(results.map((index) => index.uid)).not.toContain(result.buildIndex);
    expect((await client.index("villes").getStats()).numberOfDocuments).toBe(result.documents);
  }, 600_000);
});
