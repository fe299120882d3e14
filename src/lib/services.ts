import type { Redis } from "@upstash/redis/cloudflare";
import type { AppConfig } from "../env.ts";
import type { EdgePurge } from "./cache/edge-cache.ts";
import type { RequestCache } from "./cache/request-cache.ts";
import type { Databases } from "./db/client.ts";
import type { Logger } from "./logger.ts";
import type { RedisBatch } from "./redis/batch.ts";
import type { SearchEngine } from "./search/types.ts";

/**
 * Everything a handler, a cron job or a Workflow step may use, built once per invocation
 * by the composition root (src/compose-services.ts); nothing under lib/ opens clients itself.
 */
export interface Services {
  config: AppConfig;
  databases: Databases;
  redis: Redis | null;
  /** The same Redis with a longer deadline, for reads that answer nobody (cron jobs). */
  backgroundRedis: Redis | null;
  /**
   * The writes this invocation owes Redis (cache fills, the popular-query counter, the rate
   * limiter's count, a generation re-read), sent as one pipeline: a request's is flushed after
   * its response is built, a cron run's as commands come.
   */
  redisBatch: RedisBatch | null;
  search: SearchEngine;
  cache: RequestCache;
  logger: Logger;
  /** Work that must finish after the response (cache fills, counters); never awaited on the response path. */
  background(promise: Promise<unknown>): void;
  /** Purges Workers Cache by namespace, from the default entrypoint whichever entrypoint runs this. */
  edgePurge: EdgePurge;
}
