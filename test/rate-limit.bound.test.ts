import { afterEach, describe, expect, it, vi } from "vitest";
import { flushEvery } from "../src/middleware/rate-limit-budget.ts";
import { testRedis } from "./helpers/cache.ts";
import { callWorker } from "./helpers/worker.ts";

const uniqueIp = () => `198.51.100.${crypto.randomUUID().slice(0, 8)}`;

/** What Redis has counted for a client: the sliding window's per-window counters, summed. */
async function countedInRedis(ip: string): Promise<number> {
  const redis = testRedis();
  const keys = await redis.keys(`lieux:ratelimit:public:${ip}:*`);
  expect(keys.length).toBeGreaterThan(0);
  const values = await Promise.all(keys.map((key) => redis.get<number>(key)));
  return values.reduce<number>((sum, value) => sum + Number(value ?? 0), 0);
}

describe("the public limiter counts in the isolate and sends counts in batches", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("admits exactly the limit to one client in one isolate, then 429", async () => {
    const ip = uniqueIp();
    const env = { RATE_LIMIT_PER_MINUTE: "40" };
    const statuses: number[] = [];
    for (let i = 0; i < 46; i++) statuses.push((await callWorker("/v1/regions", { headers: { "CF-Connecting-IP": ip } }, env)).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(40);
    expect(statuses.slice(40)).toEqual([429, 429, 429, 429, 429, 429]);
  });

  it("sends one count per flushEvery(limit) requests, so Redis lags by fewer than that, never more, never ahead", async () => {
    // The clock stands still, so only the batch size (never the one-second interval) sends counts.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const ip = uniqueIp();
    const limit = 200;
    const send = async (times: number) => {
      for (let i = 0; i < times; i++) expect((await callWorker("/v1/regions", { headers: { "CF-Connecting-IP": ip } }, { RATE_LIMIT_PER_MINUTE: String(limit) })).status).toBe(200);
    };
    expect(flushEvery(limit)).toBe(10);
    await send(1); // a client new to the isolate is counted at once
    expect(await countedInRedis(ip)).toBe(1);
    await send(9); // nine admitted, none sent: Redis lags by flushEvery - 1
    expect(await countedInRedis(ip)).toBe(1);
    await send(1); // the tenth since the last count sends all ten at once
    expect(await countedInRedis(ip)).toBe(11);
  });

  it("a concurrent burst cannot exceed the limit in one isolate", async () => {
    const ip = uniqueIp();
    const env = { RATE_LIMIT_PER_MINUTE: "10" };
    // The first request teaches the isolate the budget; the burst then races its own counts.
    expect((await callWorker("/v1/regions", { headers: { "CF-Connecting-IP": ip } }, env)).status).toBe(200);
    const burst = await Promise.all(Array.from({ length: 30 }, () => callWorker("/v1/regions", { headers: { "CF-Connecting-IP": ip } }, env)));
    expect(burst.filter((response) => response.status === 200)).toHaveLength(9);
  });

  it("admin routes keep a strict limit that waits for Redis", async () => {
    const ip = uniqueIp();
    const env = { ADMIN_RATE_LIMIT_PER_MINUTE: "2" };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await callWorker("/v1/admin/imports", { headers: { "CF-Connecting-IP": ip } }, env)).status);
    // unauthenticated, so 401 while the limit allows, then 429 before auth is even checked
    expect(statuses).toEqual([401, 401, 429]);
  });

  it("admin routes fail open too: an unreachable Redis never turns an admin call into a 503", async () => {
    const response = await callWorker("/v1/admin/imports", { headers: { "CF-Connecting-IP": uniqueIp() } }, { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", ADMIN_RATE_LIMIT_PER_MINUTE: "1" });
    expect(response.status).toBe(401);
  });
});
