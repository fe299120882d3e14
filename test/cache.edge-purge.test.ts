import { Redis } from "@upstash/redis/cloudflare";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loopbackEdgePurge, purgeEdgeCache, type EdgePurgeEntrypoint } from "../src/lib/cache/edge-cache.ts";
import { bumpGeneration, type CacheNamespace } from "../src/lib/cache/generation.ts";
import { callWorker, testEnv } from "./helpers/worker.ts";

/**
 * Workers Cache is not emulated by workerd (ctx.cache is undefined, the module's purge is not
 * a function), so what runs for real here is the wiring: the default entrypoint's RPC method
 * through the loopback binding the import Workflow uses. The purge call itself is recorded
 * against the API's documented shape: purge({ tags }) answering { success, errors }.
 */
function recordingCache(answer: () => Promise<CachePurgeResult>) {
  const calls: CachePurgeOptions[] = [];
  const context: Partial<CacheContext> = {
    purge: (options) => {
      calls.push(options);
      return answer();
    },
  };
  return { context, calls };
}

const redis = () => new Redis({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false });
const defaultEntrypoint = () => (exports as unknown as { default: EdgePurgeEntrypoint }).default;

describe("Workers Cache purge", () => {
  it("purges each namespace's tag and reports a refusal or an error as failed, never throwing", async () => {
    const accepted = recordingCache(async () => ({ success: true, errors: [] }));
    expect(await purgeEdgeCache(["autocomplete", "ville"], accepted.context)).toBe("purged");
    expect(accepted.calls).toEqual([{ tags: ["lieux-autocomplete", "lieux-ville"] }]);

    const refused = recordingCache(async () => ({ success: false, errors: [{ code: 1, message: "rate limited" }] }));
    expect(await purgeEdgeCache(["stats"], refused.context)).toBe("failed");
    const broken = recordingCache(async () => Promise.reject(new Error("network")));
    expect(await purgeEdgeCache(["stats"], broken.context)).toBe("failed");

    expect(await purgeEdgeCache(["stats"], undefined)).toBe("unavailable");
    const none = recordingCache(async () => ({ success: true, errors: [] }));
    expect(await purgeEdgeCache([], none.context)).toBe("unavailable");
    expect(none.calls).toEqual([]);
  });

  it("a generation bump purges the namespaces it bumped, with Redis and without it", async () => {
    const purged: CacheNamespace[][] = [];
    const purge = async (namespaces: readonly CacheNamespace[]) => {
      purged.push([...namespaces]);
      return "purged" as const;
    };
    const bumped = await bumpGeneration(redis(), ["reference", "stats"], purge);
    expect(Object.keys(bumped).sort()).toEqual(["reference", "stats"]);
    // Workers Cache does not depend on Redis: an import without Redis still purges it.
    expect(await bumpGeneration(null, ["villes"], purge)).toEqual({});
    expect(purged).toEqual([["reference", "stats"], ["villes"]]);
  });

  it("the import Workflow's purge reaches the default entrypoint's RPC method through ctx.exports", async () => {
    // workerd has no purge, so the default entrypoint answers unavailable: reached, nothing to purge.
    expect(await defaultEntrypoint().purgeEdgeCache(["autocomplete", "not-a-namespace"])).toBe("unavailable");
    expect(await loopbackEdgePurge(defaultEntrypoint())(["autocomplete"])).toBe("unavailable");
    const throwing: EdgePurgeEntrypoint = { purgeEdgeCache: () => Promise.reject(new Error("binding gone")) };
    expect(await loopbackEdgePurge(throwing)(["autocomplete"])).toBe("failed");
    expect(await loopbackEdgePurge(undefined)(["autocomplete"])).toBe("unavailable");
  });

  it("the RPC method is not an HTTP route: the web cannot call it", async () => {
    for (const method of ["GET", "POST"]) {
      const response = await callWorker("/purgeEdgeCache", { method });
      expect([method, response.status]).toEqual([method, 404]);
    }
  });
});
