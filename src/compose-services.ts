import type { AppConfig } from "./env.ts";
import { purgeEdgeCache, type EdgePurge } from "./lib/cache/edge-cache.ts";
import { createRequestCache } from "./lib/cache/request-cache.ts";
import { createDatabases } from "./lib/db/client.ts";
import type { Logger } from "./lib/logger.ts";
import { RedisBatch } from "./lib/redis/batch.ts";
import { BACKGROUND_REDIS_TIMEOUT_MS, createRedis } from "./lib/redis/client.ts";
import { selectSearchEngine } from "./lib/search/select-engine.ts";
import type { Services } from "./lib/services.ts";

/**
 * The composition root: the one place that turns configuration into clients. The fetch
 * middleware calls it once per request and scheduled() once per cron run.
 *
 * `holdRedisWrites`: the request's Redis writes wait for `redisBatch.flush()`, which the
 * caller then owes (the fetch middleware flushes once the response is built).
 * `edgePurge`: how a generation bump purges Workers Cache; code outside the default
 * entrypoint (the import Workflow) passes loopbackEdgePurge.
 */
export interface BuildOptions {
  publicOrigin?: string;
  holdRedisWrites?: boolean;
  edgePurge?: EdgePurge;
}

export function buildServices(config: AppConfig, logger: Logger, ctx: Pick<ExecutionContext, "waitUntil">, options: BuildOptions = {}): Services {
  const { publicOrigin, holdRedisWrites = false } = options;
  const databases = createDatabases(config);
  const redis = createRedis(config);
  const backgroundRedis = createRedis(config, BACKGROUND_REDIS_TIMEOUT_MS);
  const redisBatch =
    config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN
      ? new RedisBatch({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN, timeoutMs: BACKGROUND_REDIS_TIMEOUT_MS, holdUntilFlush: holdRedisWrites })
      : null;
  const background = (promise: Promise<unknown>) => {
    ctx.waitUntil(promise.catch((error) => logger.log("warn", "background task failed", { error: String(error) })));
  };
  return {
    config,
    databases,
    redis,
    backgroundRedis,
    redisBatch,
    cache: createRequestCache({
      redis,
      redisBatch,
      logger,
      background,
      l0: config.CACHE_L0 === "on",
      l1: config.CACHE_L1 === "on",
      origin: config.PUBLIC_ORIGIN ?? publicOrigin,
    }),
    search: selectSearchEngine(config, databases, logger),
    logger,
    background,
    edgePurge: options.edgePurge ?? purgeEdgeCache,
  };
}
