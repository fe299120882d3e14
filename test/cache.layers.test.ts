import { Redis } from "@upstash/redis/cloudflare";
import { describe, expect, it } from "vitest";
import { CloudflareStore } from "../src/lib/cache/cloudflare-store.ts";
import { RedisStore } from "../src/lib/cache/redis-store.ts";
import { TieredCache } from "../src/lib/cache/swr.ts";
import { createLogger } from "../src/lib/logger.ts";
import { testRedisWriter } from "./helpers/cache.ts";
import { CLOSED_PORT_URL, testEnv, WORKER_ORIGIN } from "./helpers/worker.ts";

const redis = () => new Redis({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false });

function harness(redisClient = redis()) {
  const pending: Promise<unknown>[] = [];
  const l1 = new CloudflareStore(WORKER_ORIGIN);
  const l2 = new RedisStore(redisClient, testRedisWriter());
  const cache = new TieredCache([l1, l2], (work) => pending.push(work), createLogger({ test: "cache" }));
  const settle = async () => {
    while (pending.length) await Promise.all(pending.splice(0));
  };
  return { cache, l1, l2, settle, background: (work: Promise<unknown>) => void pending.push(work) };
}

function countingLoader<T>(value: T, delayMs = 0) {
  let calls = 0;
  const loader = async () => {
    calls++;
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return value;
  };
  return { loader, calls: () => calls };
}

const uniqueKey = () => `test-${crypto.randomUUID()}`;

describe("TieredCache over the real Cache API and real Redis", () => {
  it("loads on a miss, then answers from L1; with L1 cleared it answers from L2 and backfills L1", async () => {
    const { cache, l1, settle } = harness();
    const key = uniqueKey();
    const { loader, calls } = countingLoader({ nom: "Nantes" });
    expect(await cache.swr("villes", key, loader)).toEqual({ value: { nom: "Nantes" }, layer: "miss" });
    await settle();
    expect(await cache.swr("villes", key, loader)).toMatchObject({ layer: "l1-hit" });
    await l1.remove("villes", key);
    expect(await cache.swr("villes", key, loader)).toMatchObject({ value: { nom: "Nantes" }, layer: "l2-hit" });
    await settle();
    expect(await cache.swr("villes", key, loader)).toMatchObject({ layer: "l1-hit" });
    expect(calls()).toBe(1);
  });

  it("autocomplete behind L1 goes from an L1 miss straight to its load and leaves L2 alone; without L1, L2 is read and filled", async () => {
    const { cache, l1, l2, settle, background } = harness();
    const key = uniqueKey();
    const { loader, calls } = countingLoader({ nom: "Nantes" });
    await l2.set("autocomplete", key, { value: { nom: "never read" }, freshUntil: Date.now() + 60_000, staleUntil: Date.now() + 120_000 });
    expect(await cache.swr("autocomplete", key, loader)).toMatchObject({ value: { nom: "Nantes" }, layer: "miss" });
    await settle();
    // Not read behind L1, and not overwritten either: nothing behind L1 would ever read it.
    expect(await l2.get("autocomplete", key)).toMatchObject({ ok: true, value: { value: { nom: "never read" } } });
    expect(await l1.get("autocomplete", key)).toMatchObject({ ok: true, value: { value: { nom: "Nantes" } } });
    expect(calls()).toBe(1);

    const other = uniqueKey();
    const withoutL1 = new TieredCache([l2], background, createLogger({ test: "cache" }));
    expect(await withoutL1.swr("autocomplete", other, loader)).toMatchObject({ layer: "miss" });
    await settle();
    expect(await withoutL1.swr("autocomplete", other, loader)).toMatchObject({ value: { nom: "Nantes" }, layer: "l2-hit" });
    expect(calls()).toBe(2);
  });

  it("serves a stale entry at once and refreshes it once in the background", async () => {
    const { cache, l1, l2, settle } = harness();
    const key = uniqueKey();
    const past = Date.now() - 1_000;
    const staleEntry = { value: "old", freshUntil: past, staleUntil: Date.now() + 60_000 };
    await l1.set("autocomplete", key, staleEntry);
    await l2.set("autocomplete", key, staleEntry);
    const { loader, calls } = countingLoader("new", 20);
    const answers = await Promise.all([cache.swr("autocomplete", key, loader), cache.swr("autocomplete", key, loader)]);
    expect(answers).toEqual([{ value: "old", layer: "stale" }, { value: "old", layer: "stale" }]);
    await settle();
    expect(calls()).toBe(1);
    expect(await cache.swr("autocomplete", key, loader)).toEqual({ value: "new", layer: "l1-hit" });
  });

  it("makes ten concurrent misses share one load, and keeps nothing of it once it is done", async () => {
    const { cache, l1, l2, settle } = harness();
    const key = uniqueKey();
    const { loader, calls } = countingLoader([1, 2, 3], 30);
    const answers = await Promise.all(Array.from({ length: 10 }, () => cache.swr("autocomplete", key, loader)));
    expect(answers).toEqual(Array.from({ length: 10 }, () => ({ value: [1, 2, 3], layer: "miss" })));
    expect(calls()).toBe(1);
    await settle();
    await l1.remove("autocomplete", key);
    await l2.remove("autocomplete", key);
    expect(await cache.swr("autocomplete", key, loader)).toEqual({ value: [1, 2, 3], layer: "miss" });
    expect(calls()).toBe(2);
    await settle();
  });

  it("keeps nothing of a failed load: the next request for the key loads again", async () => {
    const { cache, settle } = harness();
    const key = uniqueKey();
    const failing = async () => {
      throw new Error("database down");
    };
    await expect(cache.swr("autocomplete", key, failing)).rejects.toThrow("database down");
    const { loader, calls } = countingLoader("back");
    expect(await cache.swr("autocomplete", key, loader)).toEqual({ value: "back", layer: "miss" });
    expect(calls()).toBe(1);
    await settle();
  });

  it("caches null as a not-found, with a shorter freshness", async () => {
    const { cache, l2, settle } = harness();
    const key = uniqueKey();
    const { loader, calls } = countingLoader(null);
    await cache.swr("ville", key, loader);
    await settle();
    expect(await cache.swr("ville", key, loader)).toEqual({ value: null, layer: "l1-hit" });
    expect(calls()).toBe(1);
    const stored = await l2.get("ville", key);
    expect(stored.ok && stored.value!.freshUntil - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it("treats an unreachable Redis as a miss in that tier, never as an error", async () => {
    const down = new Redis({ url: CLOSED_PORT_URL, token: "x", retry: false, enableTelemetry: false, enableAutoPipelining: false });
    const { cache, settle } = harness(down);
    const key = uniqueKey();
    const { loader } = countingLoader("value");
    expect(await cache.swr("villes", key, loader)).toEqual({ value: "value", layer: "miss" });
    await settle();
    expect(await cache.swr("villes", key, loader)).toEqual({ value: "value", layer: "l1-hit" });
  });
});
