import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/env.ts";
import {
  POPULAR_BUCKET_SIZE,
  POPULAR_BUCKET_TTL_SECONDS,
  popularBucketKey,
  recordPopularQuery,
  topPopular,
  warmPopular,
} from "../src/lib/cache/popular.ts";
import { createLogger } from "../src/lib/logger.ts";
import { buildServices } from "../src/compose-services.ts";
import { callWorker, testEnv } from "./helpers/worker.ts";

const HOUR_MS = 3_600_000;

function services() {
  const parsed = readConfig(testEnv);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const ctx = createExecutionContext();
  return { services: buildServices(parsed.config, createLogger({ test: "popular" }), ctx), ctx };
}

/** An hour far from now that no other test counts in: its buckets are this test's alone. */
const isolatedHour = () => (1_000_000 + Math.floor(Math.random() * 1_000_000)) * HOUR_MS + 17 * 60_000;

/** Counted (below the sample rate) but not a trimming write. */
const COUNTED_UNTRIMMED = 0.05;

describe("popular searches", () => {
  it("counts a sample of queries and warms the top ones through the same cache path", async () => {
    const { services: s, ctx } = services();
    const now = Date.now();
    const query = { q: "Poitiers", limit: 17 };
    for (let i = 0; i < 5; i++) recordPopularQuery(s, query, 0, now);
    recordPopularQuery(s, { q: "never-counted", limit: 17 }, 0.99, now);
    await waitOnExecutionContext(ctx);
    const member = JSON.stringify({ q: "poitiers", limit: 17 });
    // other test files count their own queries in the same bucket, so check this member's own score
    expect(await s.redis!.zscore(popularBucketKey(now), member)).toBeGreaterThanOrEqual(5);

    const warm = services();
    const result = await warmPopular(warm.services, 1_000, now);
    await waitOnExecutionContext(warm.ctx);
    expect(result.warmed).toBeGreaterThanOrEqual(1);
    expect(result.failed).toBe(0);
    const response = await callWorker("/v1/villes/autocomplete?q=poitiers&limit=17");
    expect(response.headers.get("Server-Timing")).toMatch(/cache;dur=\d+\.\d;desc="l[012]-hit"/);
    expect(await s.redis!.zscore(popularBucketKey(now), JSON.stringify({ q: "never-counted", limit: 17 }))).toBeNull();
  });

  it("keeps a bucket to its top members, with an expiry, however many distinct queries arrive", async () => {
    const { services: s, ctx } = services();
    const now = isolatedHour();
    const key = popularBucketKey(now);
    const [first, ...rest] = Array.from({ length: POPULAR_BUCKET_SIZE }, (_, i) => ({ score: 1, member: JSON.stringify({ q: `zz${i}`, limit: 3 }) }));
    await s.redis!.zadd(key, first!, ...rest);
    for (let i = 0; i < 5; i++) recordPopularQuery(s, { q: `Newcomer${i}`, limit: 3 }, COUNTED_UNTRIMMED, now);
    await waitOnExecutionContext(ctx);
    expect(await s.redis!.zcard(key)).toBe(POPULAR_BUCKET_SIZE + 5);
    const ttl = await s.redis!.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(POPULAR_BUCKET_TTL_SECONDS);

    const trimming = services();
    recordPopularQuery(trimming.services, { q: "Newcomer0", limit: 3 }, 0, now);
    await waitOnExecutionContext(trimming.ctx);
    expect(await s.redis!.zcard(key)).toBe(POPULAR_BUCKET_SIZE);
    // The trim drops the least counted: the query counted twice stays.
    expect(await s.redis!.zscore(key, JSON.stringify({ q: "newcomer0", limit: 3 }))).toBe(2);
  });

  it("ranks over the last hours with older counts decayed, and forgets older buckets", async () => {
    const { services: s, ctx } = services();
    const now = isolatedHour();
    const count = (q: string, times: number, hoursAgo: number) => {
      for (let i = 0; i < times; i++) recordPopularQuery(s, { q, limit: 5 }, COUNTED_UNTRIMMED, now - hoursAgo * HOUR_MS);
    };
    count("Recent", 3, 0);
    count("Last hour", 4, 1);
    count("Two hours ago", 10, 2);
    count("Three hours ago", 50, 3);
    await waitOnExecutionContext(ctx);
    const member = (q: string) => JSON.stringify({ q, limit: 5 });
    expect(await topPopular(s.redis!, 10, now)).toEqual([
      { member: member("recent"), score: 3 },
      { member: member("two hours ago"), score: 2.5 },
      { member: member("last hour"), score: 2 },
    ]);
  });
});
