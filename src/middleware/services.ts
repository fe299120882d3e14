import type { Redis } from "@upstash/redis/cloudflare";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { readConfig, type AppConfig } from "../env.ts";
import { createDatabases, type Databases } from "../lib/db/client.ts";
import { createRequestCache, type RequestCache } from "../lib/cache/request-cache.ts";
import { ApiError } from "../lib/errors.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import { BACKGROUND_REDIS_TIMEOUT_MS, createRedis } from "../lib/redis/client.ts";
import { selectSearchEngine } from "../lib/search/select-engine.ts";
import type { SearchEngine } from "../lib/search/types.ts";

/** Everything a handler may use, built once per request; handlers never open clients themselves. */
export interface Services {
  config: AppConfig;
  databases: Databases;
  redis: Redis | null;
  /** The same Redis with a longer deadline, for work after the response (cache fills, counters). */
  backgroundRedis: Redis | null;
  search: SearchEngine;
  cache: RequestCache;
  logger: Logger;
  /** Work that must finish after the response (cache fills, counters); never awaited on the response path. */
  background(promise: Promise<unknown>): void;
}

export function buildServices(
  config: AppConfig,
  logger: Logger,
  ctx: Pick<ExecutionContext, "waitUntil">,
  options: { bypassCache?: boolean } = {},
): Services {
  const databases = createDatabases(config);
  const redis = createRedis(config);
  const backgroundRedis = createRedis(config, BACKGROUND_REDIS_TIMEOUT_MS);
  const background = (promise: Promise<unknown>) => {
    ctx.waitUntil(promise.catch((error) => logger.log("warn", "background task failed", { error: String(error) })));
  };
  return {
    config,
    databases,
    redis,
    backgroundRedis,
    cache: createRequestCache({ redis, backgroundRedis, logger, background, bypass: options.bypassCache ?? false, l1: config.CACHE_L1 === "on" }),
    search: selectSearchEngine(config, databases, logger),
    logger,
    background,
  };
}

export const services = createMiddleware<AppEnv>(async function services(c, next) {
  const parsed = readConfig(c.env);
  if (!parsed.ok) {
    throw new ApiError("configuration_error", "The service is misconfigured: a required binding is missing or invalid.", {
      details: { problems: parsed.problems },
    });
  }
  const logger = createLogger({ requestId: c.get("requestId") });
  // A request with credentials must never read or fill a shared cache.
  const built = buildServices(parsed.config, logger, c.executionCtx, { bypassCache: c.req.header("Authorization") !== undefined });
  c.set("config", parsed.config);
  c.set("services", built);
  try {
    await next();
  } finally {
    c.executionCtx.waitUntil(built.databases.close());
  }
});
