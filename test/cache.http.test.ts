import { Redis } from "@upstash/redis/cloudflare";
import { describe, expect, it } from "vitest";
import { CloudflareStore } from "../src/lib/cache/cloudflare-store.ts";
import { purgeEdgeCache } from "../src/lib/cache/edge-cache.ts";
import { bumpGeneration, currentGeneration } from "../src/lib/cache/generation.ts";
import { cacheKey } from "../src/lib/cache/request-cache.ts";
import { autocompleteKeyParts } from "../src/lib/villes/autocomplete-service.ts";
import { callWorker, testEnv, WORKER_ORIGIN } from "./helpers/worker.ts";

const redis = () => new Redis({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false });
/** These tests are about L1 and L2: the memory tier in front of them (test/cache.l0.test.ts) is off. */
const callL1 = (path: string, init: RequestInit = {}, overrides: Record<string, string> = {}) => callWorker(path, init, { CACHE_L0: "off", ...overrides });

const layerOf = (response: Response) => response.headers.get("Server-Timing")?.match(/cache(?:;dur=[\d.]+)?;desc="([^"]+)"/)?.[1];

describe("autocomplete through the cache layers", () => {
  it("answers a repeat from L1; with L1 cleared it loads again (L2 is neither asked nor filled behind L1); with L1 off L2 is the shared tier; a generation bump misses", async () => {
    const path = "/v1/villes/autocomplete?q=rennes&limit=13";
    expect(layerOf(await callL1(path))).toBe("miss");
    expect(layerOf(await callL1(path))).toBe("l1-hit");

    const generation = await currentGeneration(redis(), "autocomplete");
    const key = cacheKey("autocomplete", generation, autocompleteKeyParts({ q: "rennes", limit: 13 }));
    expect(await redis().get(`lieux:cache:autocomplete:${key}`)).toBeNull();
    await new CloudflareStore(WORKER_ORIGIN).remove("autocomplete", key);
    expect(layerOf(await callL1(path))).toBe("miss");
    expect(layerOf(await callL1(path))).toBe("l1-hit");
    expect(layerOf(await callL1(path, {}, { CACHE_L1: "off" }))).toBe("miss");
    expect(layerOf(await callL1(path, {}, { CACHE_L1: "off" }))).toBe("l2-hit");

    await bumpGeneration(redis(), ["autocomplete"]);
    expect(layerOf(await callL1(path))).toBe("miss");
  });

  it("answers a commune from L2 once L1 is cleared, backfilling L1", async () => {
    const path = "/v1/villes/35238";
    await bumpGeneration(redis(), ["ville"]);
    expect(layerOf(await callL1(path))).toBe("miss");
    expect(layerOf(await callL1(path))).toBe("l1-hit");
    const generation = await currentGeneration(redis(), "ville");
    await new CloudflareStore(WORKER_ORIGIN).remove("ville", cacheKey("ville", generation, { code: "35238" }));
    expect(layerOf(await callL1(path))).toBe("l2-hit");
    expect(layerOf(await callL1(path))).toBe("l1-hit");
  });

  it("says in Server-Timing how long a hit's lookup took, and never puts a lookup time on a miss", async () => {
    const path = "/v1/villes/autocomplete?q=metz&limit=13";
    const postgres = { MEILISEARCH_HOST: "" };
    const miss = (await callL1(path, {}, postgres)).headers.get("Server-Timing")!;
    expect(miss).toMatch(/^cache;desc="miss", search;dur=[\d.]+;desc="postgres"/);
    const hit = (await callL1(path, {}, postgres)).headers.get("Server-Timing")!;
    expect(hit).toMatch(/^cache;dur=\d+\.\d;desc="l1-hit"$/);
  });

  it("shares one entry between spellings of the same query", async () => {
    expect(layerOf(await callL1("/v1/villes/autocomplete?q=Besan%C3%A7on&limit=11"))).toBe("miss");
    const other = await callL1("/v1/villes/autocomplete?q=%20besancon%20&limit=11");
    expect(layerOf(other)).toBe("l1-hit");
    expect(((await other.json()) as { query: { q: string } }).query.q).toBe("besancon");
  });

  it("sends Cache-Control with stale-while-revalidate and a strong ETag, and answers If-None-Match with 304", async () => {
    const first = await callL1("/v1/villes/autocomplete?q=lille&limit=12");
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=60, stale-while-revalidate=600");
    // Workers Cache: the tag an import's generation bump purges (the local runtime has no purge).
    expect(first.headers.get("Cache-Tag")).toBe("lieux-autocomplete");
    expect(await purgeEdgeCache(["autocomplete"])).toBe("unavailable");
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const revalidated = await callL1("/v1/villes/autocomplete?q=lille&limit=12", { headers: { "If-None-Match": etag } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe("");
    expect(revalidated.headers.get("ETag")).toBe(etag);
    const changed = await callL1("/v1/villes/autocomplete?q=lille&limit=12", { headers: { "If-None-Match": '"other"' } });
    expect(changed.status).toBe(200);
    expect(first.headers.get("Vary")).toBeNull();
  });

  it("an Authorization header on a public route cannot force a miss: the shared caches answer whoever asks", async () => {
    const path = "/v1/villes/autocomplete?q=dijon&limit=14";
    const first = await callL1(path, { headers: { Authorization: "Bearer anything" } });
    expect(layerOf(first)).toBe("miss");
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=60, stale-while-revalidate=600");
    // Workers Cache: the tag an import's generation bump purges (the local runtime has no purge).
    expect(first.headers.get("Cache-Tag")).toBe("lieux-autocomplete");
    expect(await purgeEdgeCache(["autocomplete"])).toBe("unavailable");
    // the credentialed request filled the cache, and another credential still reads it
    expect(layerOf(await callL1(path, { headers: { Authorization: "Bearer something-else" } }))).toBe("l1-hit");
    expect(layerOf(await callL1(path))).toBe("l1-hit");
  });

  it("keys L1 entries on the Worker's own origin, or on PUBLIC_ORIGIN when configured", async () => {
    const path = "/v1/villes/autocomplete?q=metz&limit=9";
    expect(layerOf(await callL1(path))).toBe("miss");
    const generation = await currentGeneration(redis(), "autocomplete");
    const key = cacheKey("autocomplete", generation, autocompleteKeyParts({ q: "metz", limit: 9 }));
    expect(await caches.default.match(`${WORKER_ORIGIN}/__lieux-cache/autocomplete/${encodeURIComponent(key)}`)).toBeInstanceOf(Response);

    const configured = "https://api.lieux.example";
    await callL1("/v1/villes/autocomplete?q=metz&limit=8", {}, { PUBLIC_ORIGIN: configured });
    const configuredKey = cacheKey("autocomplete", generation, autocompleteKeyParts({ q: "metz", limit: 8 }));
    expect(await caches.default.match(`${configured}/__lieux-cache/autocomplete/${encodeURIComponent(configuredKey)}`)).toBeInstanceOf(Response);
    expect(await caches.default.match(`${WORKER_ORIGIN}/__lieux-cache/autocomplete/${encodeURIComponent(configuredKey)}`)).toBeUndefined();
  });

  it("caches the other read routes too", async () => {
    for (const path of ["/v1/villes/44109", "/v1/departements", "/v1/regions/52", "/v1/villes?departement=2A&limit=5"]) {
      await callL1(path);
      const again = await callL1(path);
      expect(layerOf(again), path).toBe("l1-hit");
      expect(again.headers.get("Cache-Control"), path).toMatch(/^public, max-age=\d+, stale-while-revalidate=\d+$/);
    }
  });
});
