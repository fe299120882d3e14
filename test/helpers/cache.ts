import { Redis } from "@upstash/redis/cloudflare";
import { bumpGeneration, type CacheNamespace } from "../../src/lib/cache/generation.ts";
import { RedisBatch } from "../../src/lib/redis/batch.ts";
import { testEnv } from "./worker.ts";

/** The run's real Redis, through the local Upstash endpoint. */
export const testRedis = () =>
  new Redis({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false });

/** The run's real Redis as the background writers use it: each tick's commands in one pipeline. */
export const testRedisWriter = () => new RedisBatch({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, timeoutMs: 2_000 });

/** Makes every cached answer of these namespaces unreachable, so the next request reaches the database. */
export const freshCaches = (namespaces?: readonly CacheNamespace[]) => bumpGeneration(testRedis(), namespaces);

/** What a written or deleted villes row makes stale; the stats follow their views, whose refresh bumps "stats". */
export const VILLE_NAMESPACES: readonly CacheNamespace[] = ["autocomplete", "ville", "villes"];
