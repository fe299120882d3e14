import { describe, expect, it } from "vitest";
import { jobLockKey, withJobLock, type LockedRun } from "../src/cron/lock.ts";
import type { Services } from "../src/lib/services.ts";
import { testServices } from "./helpers/cron.ts";
import { CLOSED_PORT_URL } from "./helpers/worker.ts";

/** A promise the test settles by hand. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** The first `count` of `attempts` to settle, in settling order; rejects after 10 s with what settled so far. */
function firstSettled<T>(attempts: Array<Promise<T>>, count: number): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const settled: T[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${settled.length} of ${count} attempts returned: ${JSON.stringify(settled)}`)), 10_000);
    for (const attempt of attempts) {
      attempt.then((result) => {
        settled.push(result);
        if (settled.length === count) (clearTimeout(timer), resolve([...settled]));
      }, reject);
    }
  });
}

/**
 * Starts `contenders` runs of one job at once. Each run that gets in waits on a barrier
 * the test opens only after every other attempt has returned, so a second holder could
 * not slip through a short window: it would still be inside, and its attempt unreturned.
 */
async function contend(services: Services, job: string, contenders: number) {
  const barrier = deferred();
  const inside: number[] = [];
  const attempts = Array.from({ length: contenders }, (_, index) =>
    withJobLock(services, job, 10_000, async () => {
      inside.push(index);
      await barrier.promise;
      return index;
    }),
  );
  const refused = await firstSettled(attempts, contenders - 1);
  const insideWhileRefused = [...inside];
  barrier.resolve();
  const results: Array<LockedRun<number>> = await Promise.all(attempts);
  return { refused, insideWhileRefused, results };
}

describe("the cron job lock", () => {
  it("lets exactly one of five concurrent runs in through Redis while it holds the lock, then frees the key", async () => {
    const { services } = testServices({ REDIS_TIMEOUT_MS: "1000" });
    const job = `test-lock-${crypto.randomUUID()}`;
    const { refused, insideWhileRefused, results } = await contend(services, job, 5);
    expect(refused).toEqual(Array.from({ length: 4 }, () => ({ acquired: false, via: "redis" })));
    expect(insideWhileRefused).toHaveLength(1);
    expect(results.filter((result) => result.acquired)).toEqual([{ acquired: true, via: "redis", value: insideWhileRefused[0] }]);
    expect(await services.redis!.get(jobLockKey(job))).toBeNull();
    expect(await withJobLock(services, job, 10_000, async () => "again")).toEqual({ acquired: true, via: "redis", value: "again" });
  });

  it("never frees a lock another run took after ours expired", async () => {
    const { services } = testServices({ REDIS_TIMEOUT_MS: "1000" });
    const redis = services.redis!;
    const job = `test-lock-${crypto.randomUUID()}`;
    try {
      const result = await withJobLock(services, job, 10_000, async () => {
        const ttl = await redis.pttl(jobLockKey(job));
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(10_000);
        // Our lock expires (as its TTL would make it), and a newer run takes the key.
        expect(await redis.del(jobLockKey(job))).toBe(1);
        expect(await redis.set(jobLockKey(job), "newer-run", { nx: true, px: 10_000 })).toBe("OK");
        return "outlived its lock";
      });
      expect(result).toEqual({ acquired: true, via: "redis", value: "outlived its lock" });
      expect(await redis.get(jobLockKey(job))).toBe("newer-run");
    } finally {
      await redis.del(jobLockKey(job));
    }
  });

  it("falls back to a Postgres advisory lock when Redis is unreachable, still one run at a time", async () => {
    const { services } = testServices({ UPSTASH_REDIS_REST_URL: CLOSED_PORT_URL });
    const job = `test-lock-${crypto.randomUUID()}`;
    try {
      const { refused, insideWhileRefused, results } = await contend(services, job, 3);
      expect(refused).toEqual([
        { acquired: false, via: "postgres" },
        { acquired: false, via: "postgres" },
      ]);
      expect(insideWhileRefused).toHaveLength(1);
      expect(results.filter((result) => result.acquired)).toEqual([{ acquired: true, via: "postgres", value: insideWhileRefused[0] }]);
      // The advisory lock went with its transaction.
      expect(await withJobLock(services, job, 10_000, async () => "again")).toEqual({ acquired: true, via: "postgres", value: "again" });
    } finally {
      await services.databases.close();
    }
  });
});
