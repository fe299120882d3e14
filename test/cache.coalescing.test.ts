import { Redis } from "@upstash/redis/cloudflare";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CloudflareStore } from "../src/lib/cache/cloudflare-store.ts";
import { RedisStore } from "../src/lib/cache/redis-store.ts";
import type { Store } from "../src/lib/cache/store.ts";
import { SHARED_LOAD_WAIT_MS, TieredCache } from "../src/lib/cache/swr.ts";
import { createLogger } from "../src/lib/logger.ts";
import { testRedisWriter } from "./helpers/cache.ts";
import { testEnv, WORKER_ORIGIN } from "./helpers/worker.ts";

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** The real L2, telling when a lookup has answered: the request then goes straight to its load. */
function announcingL2() {
  const l2 = new RedisStore(new Redis({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, retry: false, enableTelemetry: false, enableAutoPipelining: false }), testRedisWriter());
  const lookedUp = deferred<void>();
  const tier: Store = {
    name: l2.name,
    async get<T>(namespace: string, key: string) {
      const result = await l2.get<T>(namespace, key);
      lookedUp.resolve();
      return result;
    },
    set: (namespace, key, entry) => l2.set(namespace, key, entry),
    remove: (namespace, key) => l2.remove(namespace, key),
  };
  return { tier, lookedUp: lookedUp.promise };
}

/** One request: its own execution context, its own services, the real L1 and L2. */
function request() {
  const ctx = createExecutionContext();
  const l2 = announcingL2();
  const cache = new TieredCache([new CloudflareStore(WORKER_ORIGIN), l2.tier], (work) => ctx.waitUntil(work), createLogger({ test: "coalescing" }));
  return { cache, ctx, lookedUp: l2.lookedUp };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("coalescing across requests", () => {
  it("gives a request its own answer within its own deadline when the request whose load it joined has ended", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const key = `test-${crypto.randomUUID()}`;
    const a = request();
    const aLoading = deferred<void>();
    // A's request ended mid-load: Workers cancelled its I/O, so its load never settles.
    void a.cache.swr("villes", key, () => {
      aLoading.resolve();
      return new Promise<string>(() => {});
    });
    await aLoading.promise;

    const b = request();
    const bAnswer = b.cache.swr("villes", key, async () => "B's own");
    await b.lookedUp;
    const verdict = Promise.race([bAnswer, new Promise((resolve) => setTimeout(() => resolve("still waiting on A"), 2 * SHARED_LOAD_WAIT_MS))]);
    await vi.advanceTimersByTimeAsync(2 * SHARED_LOAD_WAIT_MS);
    expect(await verdict).toEqual({ value: "B's own", layer: "miss" });

    vi.useRealTimers();
    await waitOnExecutionContext(b.ctx);
    expect(await request().cache.swr("villes", key, async () => "a third load")).toEqual({ value: "B's own", layer: "l1-hit" });
  });

  it("hands the load to the starting request's waitUntil, so it finishes and fills the cache after its client has gone", async () => {
    const key = `test-${crypto.randomUUID()}`;
    const a = request();
    const aLoading = deferred<void>();
    const aLoaded = deferred<string>();
    // Nobody awaits A's answer: its client went away while the load ran.
    void a.cache.swr("villes", key, () => {
      aLoading.resolve();
      return aLoaded.promise;
    });
    await aLoading.promise;

    let aContextDone = false;
    const aContext = waitOnExecutionContext(a.ctx).then(() => (aContextDone = true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(aContextDone).toBe(false);

    aLoaded.resolve("A's value");
    await aContext;
    expect(await request().cache.swr("villes", key, async () => "another load")).toEqual({ value: "A's value", layer: "l1-hit" });
  });
});
