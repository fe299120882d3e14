import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { currentGeneration } from "../src/lib/cache/generation.ts";
import { popularBucketKey } from "../src/lib/cache/popular.ts";
import { cacheKey } from "../src/lib/cache/request-cache.ts";
import { autocompleteKeyParts } from "../src/lib/villes/autocomplete-service.ts";
import { testRedis } from "./helpers/cache.ts";
import { testEnv, WORKER_ORIGIN, workerFor } from "./helpers/worker.ts";

type Call = { kind: "db" | "redis" | "other"; url: string; body: string; beforeResponse: boolean };

/**
 * Calls the Worker as a client would and records, through the real clients' own fetch, every
 * round trip it makes: to the Neon endpoint, to Upstash, before or after its response.
 */
async function tracedCall(path: string, ip: string, overrides: Record<string, string> = {}) {
  const calls: Call[] = [];
  let responded = false;
  const realFetch = globalThis.fetch;
  const redisUrl = testEnv.UPSTASH_REDIS_REST_URL!;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const kind = url.startsWith(redisUrl) ? "redis" : url.endsWith("/sql") ? "db" : "other";
    calls.push({ kind, url, body: typeof init?.body === "string" ? init.body : "", beforeResponse: !responded });
    return realFetch(input, init);
  });
  const ctx = createExecutionContext();
  const request = new Request(new URL(path, WORKER_ORIGIN), { headers: { "CF-Connecting-IP": ip } });
  // The Postgres engine's miss, whether or not the suite runs with MEILISEARCH_HOST (the one round trip is then Meilisearch's).
  const response = await workerFor(ctx, { MEILISEARCH_HOST: undefined, ...overrides }).fetch(request);
  responded = true;
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  spy.mockRestore();
  return { response, body, before: calls.filter((call) => call.beforeResponse), after: calls.filter((call) => !call.beforeResponse) };
}

const uniqueIp = () => `203.0.113.${crypto.randomUUID().slice(0, 8)}`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a lean autocomplete miss", () => {
  it("makes one database round trip and no Redis call before its response, then sends the counter and the limiter's count in one pipeline", async () => {
    // Counted (and trimmed) as a popular query: Math.random decides the sample.
    vi.spyOn(Math, "random").mockReturnValue(0);
    // Loads the limiter's script into Redis (so the count below needs no NOSCRIPT retry) and
    // this isolate's autocomplete generation (read within its memo period, or re-read in the
    // background: never before the response). No generation bump, which other files would feel.
    await tracedCall("/v1/villes/autocomplete?q=lyon&limit=7&departement=69", uniqueIp());

    const { response, before, after } = await tracedCall("/v1/villes/autocomplete?q=grenoble&limit=7&departement=38", uniqueIp());
    expect(response.status).toBe(200);
    expect(response.headers.get("Server-Timing")).toMatch(/^cache;desc="miss"/);
    expect(before.map((call) => call.kind)).toEqual(["db"]);
    expect(after.map((call) => call.kind)).toEqual(["redis"]);

    const [pipeline] = after;
    expect(new URL(pipeline!.url).pathname).toBe("/pipeline");
    // A generation re-read (GET) rides along too when the memo aged past its period meanwhile.
    // No SET: behind L1, autocomplete's L2 is never read, so it is not filled either.
    const commands = (JSON.parse(pipeline!.body) as string[][]).map((command) => command[0]).filter((name) => name !== "GET");
    expect(commands.sort()).toEqual(["EVALSHA", "EXPIRE", "ZINCRBY", "ZREMRANGEBYRANK"]);

    // And the pipeline did write them: the popular count and the client's count; no L2 entry.
    const redis = testRedis();
    const key = cacheKey("autocomplete", await currentGeneration(redis, "autocomplete"), autocompleteKeyParts({ q: "grenoble", limit: 7, departement: "38" }));
    expect(await redis.get(`lieux:cache:autocomplete:${key}`)).toBeNull();
    expect(await redis.zscore(popularBucketKey(Date.now()), JSON.stringify({ q: "grenoble", limit: 7, departement: "38" }))).toBeGreaterThanOrEqual(1);
  });

  it("outside the popular sample, a miss behind L1 owes Redis nothing but the limiter's periodic count", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.99);
    const ip = uniqueIp();
    // A client new to the isolate is counted at once; its next requests wait for the batch.
    await tracedCall("/v1/villes/autocomplete?q=nancy&limit=7&departement=54", ip);
    const { response, before, after } = await tracedCall("/v1/villes/autocomplete?q=valence&limit=7&departement=26", ip);
    expect(response.headers.get("Server-Timing")).toMatch(/^cache;desc="miss"/);
    expect(before.map((call) => call.kind)).toEqual(["db"]);
    // The limiter's count (EVALSHA) is sent when a second has passed, the generation re-read (GET) when its memo aged.
    const commands = after.flatMap((call) => (JSON.parse(call.body) as string[][]).map((command) => command[0]));
    expect(commands.filter((name) => name !== "GET" && name !== "EVALSHA")).toEqual([]);
  });

  it("with L1 off, L2 is the shared tier: the miss fills it in the same pipeline", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.99);
    const { after } = await tracedCall("/v1/villes/autocomplete?q=annecy&limit=7&departement=74", uniqueIp(), { CACHE_L1: "off" });
    const commands = after.flatMap((call) => (JSON.parse(call.body) as string[][]).map((command) => command[0]));
    expect(commands).toContain("SET");
    const redis = testRedis();
    const key = cacheKey("autocomplete", await currentGeneration(redis, "autocomplete"), autocompleteKeyParts({ q: "annecy", limit: 7, departement: "74" }));
    const stored = await redis.get<{ value: { results: Array<{ nom: string }> } }>(`lieux:cache:autocomplete:${key}`);
    expect(stored?.value.results[0]?.nom).toBe("Annecy");
  });

  it("answers a repeat from memory with no round trip at all before its response", async () => {
    const ip = uniqueIp();
    await tracedCall("/v1/villes/autocomplete?q=chambery&limit=6&departement=73", ip);
    const { response, before } = await tracedCall("/v1/villes/autocomplete?q=chambery&limit=6&departement=73", ip);
    expect(response.headers.get("Server-Timing")).toMatch(/^cache;dur=[\d.]+;desc="l0-hit"/);
    expect(before).toEqual([]);
  });
});
