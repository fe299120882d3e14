import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import type { AppConfig } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { describeError, type Logger } from "../lib/logger.ts";

/** How long the background check waits for Redis before giving up (fail open); no request waits for it. */
export const RATE_LIMIT_TIMEOUT_MS = 500;
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

interface KnownBudget {
  limit: number;
  remaining: number;
  reset: number;
}

/** What this isolate last learned about each client's budget; bounded so it cannot grow without end. */
const knownBudgets = new Map<string, KnownBudget>();
const MAX_KNOWN_CLIENTS = 10_000;

function remember(key: string, budget: KnownBudget) {
  knownBudgets.delete(key);
  knownBudgets.set(key, budget);
  if (knownBudgets.size > MAX_KNOWN_CLIENTS) knownBudgets.delete(knownBudgets.keys().next().value!);
}

function budgetHeaders(budget: KnownBudget, now: number): Record<string, string> {
  return {
    "RateLimit-Limit": String(budget.limit),
    "RateLimit-Remaining": String(Math.max(0, budget.remaining)),
    "RateLimit-Reset": String(Math.max(0, Math.ceil((budget.reset - now) / 1000))),
  };
}

/**
 * Sliding-window limit per client IP, checked off the response path: the request is
 * answered from what this isolate last learned (a client whose budget is spent gets 429
 * with Retry-After and RateLimit-*), while @upstash/ratelimit counts it in the background.
 * A cache hit therefore never waits for Redis; the price is that a burst sent before the
 * first answer comes back is let through, at most once per isolate and window. Redis
 * down or slow: requests pass (fail open) and the outage is logged once.
 */
export function rateLimit(kind: LimiterKind) {
  return createMiddleware<AppEnv>(async function rateLimitMiddleware(c, next) {
    const { config, logger, background } = c.get("services");
    const limiter = limiterFor(config, kind);
    if (!limiter) return next();
    const identifier = c.req.header("CF-Connecting-IP") ?? "local";
    const perMinute = kind === "admin" ? config.ADMIN_RATE_LIMIT_PER_MINUTE : config.RATE_LIMIT_PER_MINUTE;
    const key = `${kind}|${perMinute}|${identifier}`;
    const now = Date.now();
    const known = knownBudgets.get(key);
    if (known && known.reset > now && known.remaining <= 0) {
      const headers = budgetHeaders(known, now);
      throw new ApiError("rate_limited", `Too many requests: the limit is ${known.limit} per minute.`, {
        headers: { ...headers, "Retry-After": String(Math.max(1, Number(headers["RateLimit-Reset"]))) },
      });
    }
    background(
      limiter.limit(identifier).then(
        (result) => {
          background(result.pending);
          if (result.reason === "timeout") return reportLimiterHealth(logger, true, { reason: "timeout" });
          reportLimiterHealth(logger, false);
          remember(key, { limit: result.limit, remaining: result.success ? result.remaining : 0, reset: result.reset });
        },
        (error: unknown) => reportLimiterHealth(logger, true, describeError(error)),
      ),
    );
    await next();
    if (limiterFailing) return;
    // This request is counted in the background: the budget shown is the last one known, less this request.
    const shown = known && known.reset > now ? { ...known, remaining: known.remaining - 1 } : { limit: perMinute, remaining: perMinute - 1, reset: now + 60_000 };
    for (const [name, value] of Object.entries(budgetHeaders(shown, now))) c.res.headers.set(name, value);
  });
}
