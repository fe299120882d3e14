import { afterEach, describe, expect, it, vi } from "vitest";
import { bumpGeneration, currentGeneration, GENERATION_MEMO_MS, GENERATION_STALE_MS } from "../src/lib/cache/generation.ts";
import { RedisBatch } from "../src/lib/redis/batch.ts";
import { testRedis } from "./helpers/cache.ts";
import { testEnv } from "./helpers/worker.ts";

/** A request's background pipeline: nothing leaves before flush(). */
const requestBatch = () => new RedisBatch({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, timeoutMs: 2_000, holdUntilFlush: true });

afterEach(() => {
  vi.useRealTimers();
});

describe("the generation memo", () => {
  it("is used past its period while its re-read rides the request's background pipeline, and read first once too old", async () => {
    // Only Date stands still or jumps: the pipeline's own I/O runs for real.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const redis = testRedis();
    const { reference: bumped } = await bumpGeneration(redis, ["reference"]);
    // Another isolate bumps it: this one still trusts its memo for the memo period.
    await redis.incr("lieux:generation:reference");
    expect(await currentGeneration(redis, "reference", Date.now(), requestBatch())).toBe(bumped);

    vi.setSystemTime(Date.now() + GENERATION_MEMO_MS);
    const batch = requestBatch();
    // Answered from the memo, with no Redis call before the flush...
    expect(await currentGeneration(redis, "reference", Date.now(), batch)).toBe(bumped);
    await batch.flush();
    // ...and the re-read it queued brought the other isolate's bump.
    expect(await currentGeneration(redis, "reference", Date.now(), requestBatch())).toBe(bumped! + 1);

    await redis.incr("lieux:generation:reference");
    vi.setSystemTime(Date.now() + GENERATION_STALE_MS);
    // An isolate idle that long reads it before answering.
    expect(await currentGeneration(redis, "reference", Date.now(), requestBatch())).toBe(bumped! + 2);
  });
});
