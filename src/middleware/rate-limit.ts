import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import type { AppConfig } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { describeError, type Logger } from "../lib/logger.ts";

/** How long a request waits for the limiter before it is let through (fail open). */
export const RATE_LIMIT_TIMEOUT_MS = 100;
const WINDOW = "60 s";

export type LimiterKind = "public" | "admin";

/**
 * Module scope on purpose: @upstash/ratelimit's ephemeral cache (which answers known
 * offenders without a Redis call) only works when the limiter outlives the request.
 */
const limitersByConfig = new Map<string, Ratelimit>();
let limiterFailing = false;

function limiterFor(config: AppConfig, kind: LimiterKind): Ratelimit | null {
  if (!config.UPSTASH_REDIS_REST_URL || !config.UPSTASH_REDIS_REST_TOKEN) return null;
  const perMinute = kind === "admin" ? config.ADMIN_RATE_LIMIT_PER_MINUTE : config.RATE_LIMIT_PER_MINUTE;
  const cacheKey = `${kind}|${perMinute}|${config.UPSTASH_REDIS_REST_URL}`;
  let limiter = limitersByConfig.get(cacheKey);
  if (!limiter) {
    const redis = new Redis({
      url: config.UPSTASH_REDIS_REST_URL,
      token: config.UPSTASH_REDIS_REST_TOKEN,
      retry: false,
      enableTelemetry: false,
      enableAutoPipelining: false,
      signal: () => AbortSignal.timeout(RATE_LIMIT_TIMEOUT_MS),
    });
    limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(perMinute, WINDOW),
      prefix: `lieux:ratelimit:${kind}`,
      timeout: RATE_LIMIT_TIMEOUT_MS,
      analytics: false,
    });
    limitersByConfig.set(cacheKey, limiter);
  }
  return limiter;
}

/** Logs the limiter failing open once when it starts and once when it recovers. */
function reportLimiterHealth(logger: Logger, failing: boolean, detail: Record<string, unknown> = {}) {
  if (failing === limiterFailing) return;
  limiterFailing = failing;
  logger.log(failing ? "warn" : "info", failing ? "rate limiter unavailable: failing open" : "rate limiter available again", detail);
}

/**
 * Sliding-window limit per client IP. Over the limit: 429 with Retry-After and
 * RateLimit-* headers; under it, the remaining budget rides on the response. Redis
 * down or slow: the request passes (fail open) and nothing reaches the client.
 */
export function rateLimit(kind: LimiterKind) {
  return createMiddleware<AppEnv>(async function rateLimitMiddleware(c, next) {
    const { config, logger, background } = c.get("services");
    const limiter = limiterFor(config, kind);
    if (!limiter) return next();
    const identifier = c.req.header("CF-Connecting-IP") ?? "local";
    let result: Awaited<ReturnType<Ratelimit["limit"]>>;
    try {
      result = await limiter.limit(identifier);
    } catch (error) {
      reportLimiterHealth(logger, true, describeError(error));
      return next();
    }
    background(result.pending);
    if (result.reason === "timeout") {
      reportLimiterHealth(logger, true, { reason: "timeout" });
      return next();
    }
    reportLimiterHealth(logger, false);
    const resetSeconds = Math.max(0, Math.ceil((result.reset - Date.now()) / 1000));
    const headers = {
      "RateLimit-Limit": String(result.limit),
      "RateLimit-Remaining": String(Math.max(0, result.remaining)),
      "RateLimit-Reset": String(resetSeconds),
    };
    if (!result.success) {
      throw new ApiError("rate_limited", `Too many requests: the limit is ${result.limit} per minute.`, {
        headers: { ...headers, "Retry-After": String(Math.max(1, resetSeconds)) },
      });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  });
}
