import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import { describe, expect, it } from "vitest";
import { testEnv } from "./helpers/worker.ts";

function redisClient() {
  return new Redis({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false });
}

const unique = (name: string) => `test:${name}:${crypto.randomUUID()}`;

describe("@upstash/redis through the local Upstash bridge", () => {
  it("round-trips JSON values", async () => {
    const redis = redisClient();
    const key = unique("json");
    await redis.set(key, { nom: "Saint-Étienne", codes: ["42000", "42100"], population: 170_000 });
    expect(await redis.get(key)).toEqual({ nom: "Saint-Étienne", codes: ["42000", "42100"], population: 170_000 });
  });

  it("keeps a value that happens to be valid base64 intact", async () => {
    const redis = redisClient();
    const key = unique("b64");
    for (const value of ["aGVsbG8=", "OK1234==", "TGlldXg"]) {
      await redis.set(key, value);
      expect(await redis.get(key)).toBe(value);
    }
  });

  it("runs a pipeline and a multi-exec transaction", async () => {
    const redis = redisClient();
    const key = unique("counter");
    const pipelined = await redis.pipeline().set(key, 1).incrby(key, 41).get(key).exec();
    expect(pipelined).toEqual(["OK", 42, 42]);
    const transaction = await redis.multi().incr(key).expire(key, 60).get(key).exec();
    expect(transaction).toEqual([43, 1, 43]);
  });

  it("denies a wrong token", async () => {
    const redis = new Redis({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: "wrong", enableTelemetry: false, retry: false });
    await expect(redis.get("anything")).rejects.toThrow(/Unauthorized/i);
  });
});

describe("@upstash/ratelimit through the bridge (real Lua scripts)", () => {
  it("blocks the request over a sliding-window limit and leaves another identifier alone", async () => {
    const limiter = new Ratelimit({ redis: redisClient(), limiter: Ratelimit.slidingWindow(3, "30 s"), prefix: unique("rl") });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.limit("client-a"));
    expect(results.map((result) => result.success)).toEqual([true, true, true, false]);
    expect(results.map((result) => result.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]!.reset).toBeGreaterThan(Date.now());
    expect((await limiter.limit("client-b")).success).toBe(true);
  });
});
