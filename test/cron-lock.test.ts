import { describe, expect, it } from "vitest";
import { jobLockKey, withJobLock } from "../src/cron/lock.ts";
import { testServices } from "./helpers/cron.ts";
import { CLOSED_PORT_URL } from "./helpers/worker.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A job body that notes how many copies of itself run at once. */
function exclusiveProbe() {
  let inside = 0;
  let mostInside = 0;
  const run = async () => {
    inside++;
    mostInside = Math.max(mostInside, inside);
    await sleep(200);
    inside--;
    return "ran";
  };
  return { run, mostInside: () => mostInside };
}

describe("the cron job lock", () => {
  it("lets one of five concurrent runs through Redis, then frees the key", async () => {
    const { services } = testServices({ REDIS_TIMEOUT_MS: "1000" });
    const job = `test-lock-${crypto.randomUUID()}`;
    const probe = exclusiveProbe();
    const results = await Promise.all(Array.from({ length: 5 }, () => withJobLock(services, job, 10_000, probe.run)));
    expect(results.filter((result) => result.acquired)).toEqual([{ acquired: true, via: "redis", value: "ran" }]);
    expect(results.every((result) => result.via === "redis")).toBe(true);
    expect(probe.mostInside()).toBe(1);
    expect(await services.redis!.get(jobLockKey(job))).toBeNull();
  });

  it("never frees a lock another run took after ours expired", async () => {
    const { services } = testServices({ REDIS_TIMEOUT_MS: "1000" });
    const redis = services.redis!;
    const job = `test-lock-${crypto.randomUUID()}`;
    await withJobLock(services, job, 100, async () => {
      await sleep(300);
      expect(await redis.set(jobLockKey(job), "newer-run", { nx: true, px: 10_000 })).toBe("OK");
    });
    expect(await redis.get(jobLockKey(job))).toBe("newer-run");
    await redis.del(jobLockKey(job));
  });

  it("falls back to a Postgres advisory lock when Redis is unreachable, still one run at a time", async () => {
    const { services } = testServices({ UPSTASH_REDIS_REST_URL: CLOSED_PORT_URL });
    const job = `test-lock-${crypto.randomUUID()}`;
    const probe = exclusiveProbe();
    try {
      const results = await Promise.all(Array.from({ length: 3 }, () => withJobLock(services, job, 10_000, probe.run)));
      expect(results.filter((result) => result.acquired)).toEqual([{ acquired: true, via: "postgres", value: "ran" }]);
      expect(results.every((result) => result.via === "postgres")).toBe(true);
      expect(probe.mostInside()).toBe(1);
      expect((await withJobLock(services, job, 10_000, async () => "again")).acquired).toBe(true);
    } finally {
      await services.databases.close();
    }
  });
});
