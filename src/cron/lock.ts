import { sql } from "drizzle-orm";
import type { Services } from "../lib/services.ts";
import { describeError } from "../lib/logger.ts";

export type LockedRun<T> = { acquired: true; via: "redis" | "postgres"; value: T } | { acquired: false; via: "redis" | "postgres" };

export const jobLockKey = (job: string) => `lieux:cron-lock:${job}`;

/** First key of the two-int advisory lock, so cron locks never collide with other advisory locks. */
export const ADVISORY_LOCK_NAMESPACE = 0x6c6965; // "lie"

/** Deletes the key only if it still holds our token: a run that outlived its TTL must not free a newer run's lock. */
const RELEASE_IF_OWNER = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

/**
 * Runs `run` only if no other run of `job` holds the lock. Redis first
 * (`SET NX PX ttlMs`, released by token); when Redis is unset or unreachable, a
 * transaction-level Postgres advisory lock held by a transaction that spans the run, so
 * it is released even if the Worker dies mid-run. Both are best effort: a Redis call
 * that times out but lands can let one run through each path, which idempotent jobs
 * tolerate.
 */
export async function withJobLock<T>(services: Services, job: string, ttlMs: number, run: () => Promise<T>): Promise<LockedRun<T>> {
  const { redis, logger } = services;
  if (redis) {
    const token = crypto.randomUUID();
    let acquired: boolean | undefined;
    try {
      acquired = (await redis.set(jobLockKey(job), token, { nx: true, px: ttlMs })) === "OK";
    } catch (error) {
      logger.log("warn", "cron lock: Redis unavailable, using a Postgres advisory lock", describeError(error));
    }
    if (acquired === false) return { acquired: false, via: "redis" };
    if (acquired === true) {
      try {
        return { acquired: true, via: "redis", value: await run() };
      } finally {
        // Left alone on failure: the TTL frees it.
        await redis.eval(RELEASE_IF_OWNER, [jobLockKey(job)], [token]).catch((error) => logger.log("warn", "cron lock: release failed", describeError(error)));
      }
    }
  }
  return withAdvisoryLock(services, job, run);
}

async function withAdvisoryLock<T>(services: Services, job: string, run: () => Promise<T>): Promise<LockedRun<T>> {
  return services.databases.transactional().transaction(async (tx) => {
    const { rows } = await tx.execute(sql`select pg_try_advisory_xact_lock(${ADVISORY_LOCK_NAMESPACE}, hashtext(${job})) as acquired`);
    if (!(rows[0] as { acquired: boolean }).acquired) return { acquired: false, via: "postgres" } as const;
    return { acquired: true, via: "postgres", value: await run() } as const;
  });
}
