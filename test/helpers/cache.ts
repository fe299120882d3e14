import { Redis } from "@upstash/redis/cloudflare";
import { bumpGeneration, type CacheNamespace } from "../../src/lib/cache/generation.ts";
import { testEnv } from "./worker.ts";

/** The run's real Redis, through the local Upstash endpoint. */
export const testRedis = () =>
  new Redis({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false });

/** Makes every cached answer of these namespaces unreachable, so the next request reaches the database. */
export const freshCaches = (namespaces?: readonly CacheNamespace[]) => bumpGeneration(testRedis(), namespaces);

/** What a written or deleted villes row makes stale; the stats follow their views, whose refresh bumps "stats". */
export const VILLE_NAMESPACES: readonly CacheNamespace[] = ["autocomplete", "ville", "villes"];
