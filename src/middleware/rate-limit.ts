import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import type { AppConfig } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import type { RedisCommandSender } from "../lib/redis/batch.ts";
import { describeError, type Logger } from "../lib/logger.ts";
import { countToSend, localRemaining, type ClientBudget } from "./rate-limit-budget.ts";

/** How long a count waits for Redis before giving up (fail open); no public request waits for it. */
export const RATE_LIMIT_TIMEOUT_MS = 500;
const WINDOW_MS = 60_000;

export type LimiterKind = "public" | "admin";

/**
 * Module scope on purpose: @upstash/ratelimit's ephemeral cache (which answers known
 * offenders without a Redis call) only works when the limiter outlives the request.
 */
const limitersByConfig = new Map<string, Ratelimit>();
/** The same for the public limiter, which is built per count around the request's pipeline: plain data only. */
const publicEphemeralCache = new Map<string, number>();
let limiterFailing = false;

/**
 * The public limiter's count rides the request's background pipeline: its script (EVALSHA,
 * then EVAL after a NOSCRIPT) goes out with the cache fills, after the response. Built per
 * count, so it holds no I/O of another request; Redis's deadline is the pipeline's.
 */
function batchedLimiter(batch: RedisCommandSender, perMinute: number): Ratelimit {
  const script = (name: "EVALSHA" | "EVAL") => (body: string, keys: string[], args: unknown[]) =>
    batch.send([name, body, keys.length, ...keys, ...args.map(String)]);
  const redis = { evalsha: script("EVALSHA"), eval: script("EVAL") };
  return new Ratelimit({
    redis: redis as unknown as Redis,
    limiter: Ratelimit.slidingWindow(perMinute, "60 s"),
    prefix: "lieux:ratelimit:public",
    timeout: 0,
    analytics: false,
    ephemeralCache: publicEphemeralCache,
  });
}

function limiterFor(config: AppConfig, kind: LimiterKind, perMinute: number): Ratelimit | null {
  if (!config.UPSTASH_REDIS_REST_URL || !config.UPSTASH_REDIS_REST_TOKEN) return null;
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
      limiter: Ratelimit.slidingWindow(perMinute, "60 s"),
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

/** Each client's budget as this isolate knows it; bounded so it cannot grow without end. */
const budgetsByClient = new Map<string, ClientBudget>();
const MAX_KNOWN_CLIENTS = 10_000;

function budgetFor(key: string, limit: number, now: number): ClientBudget {
  let budget = budgetsByClient.get(key);
  if (!budget || budget.reset <= now) {
    // A new window (or a new client): nothing known, so this isolate sends its first count at once.
    budget = { limit, remaining: limit, reset: now + WINDOW_MS, admittedSince: 0, unsent: 0, sentAt: 0 };
  }
  budgetsByClient.delete(key);
  budgetsByClient.set(key, budget);
  if (budgetsByClient.size > MAX_KNOWN_CLIENTS) budgetsByClient.delete(budgetsByClient.keys().next().value!);
  return budget;
}

function budgetHeaders(limit: number, remaining: number, reset: number, now: number): Record<string, string> {
  return {
    "RateLimit-Limit": String(limit),
    "RateLimit-Remaining": String(Math.max(0, remaining)),
    "RateLimit-Reset": String(Math.max(0, Math.ceil((reset - now) / 1000))),
  };
}

function rateLimited(limit: number, reset: number, now: number): ApiError {
  const headers = budgetHeaders(limit, 0, reset, now);
  return new ApiError("rate_limited", `Too many requests: the limit is ${limit} per minute.`, {
    headers: { ...headers, "Retry-After": String(Math.max(1, Number(headers["RateLimit-Reset"]))) },
  });
}

/**
 * Public routes: a sliding window per client IP that costs no Redis call on the response
 * path and one per batch of requests. Each isolate admits a client's request while Redis's
 * last answer, less what this isolate admitted since, leaves room; it sends the count in
 * one `limit(id, { rate: n })` when n reaches flushEvery(limit) or a second has passed.
 *
 * The bound: Redis counts every request that was sent; a client can exceed its limit only by
 * requests no isolate had sent yet, so by at most flushEvery(limit) - 1 per isolate (the
 * unsent count), plus, per isolate, one window's requests admitted while its first answer is
 * in flight. Redis down or slow: requests pass (fail open) and the outage is logged once.
 */
export function rateLimit(kind: LimiterKind) {
  return createMiddleware<AppEnv>(async function rateLimitMiddleware(c, next) {
    const { config, logger, background, redisBatch } = c.get("services");
    const perMinute = kind === "admin" ? config.ADMIN_RATE_LIMIT_PER_MINUTE : config.RATE_LIMIT_PER_MINUTE;
    if (!redisBatch) return next();
    const identifier = c.req.header("CF-Connecting-IP") ?? "local";
    const now = Date.now();

    if (kind === "admin") {
      const limiter = limiterFor(config, kind, perMinute)!;
      // Admin routes are rare and costly: the strict limit waits for Redis's answer.
      const result = await limiter.limit(identifier).catch((error: unknown) => {
        // Fail open here too: an unreachable Redis must not turn an admin call into a 503.
        reportLimiterHealth(logger, true, describeError(error));
        return null;
      });
      if (!result) return next();
      background(result.pending);
      if (result.reason === "timeout") reportLimiterHealth(logger, true, { reason: "timeout" });
      else if (!result.success) throw rateLimited(result.limit, result.reset, now);
      else reportLimiterHealth(logger, false);
      await next();
      for (const [name, value] of Object.entries(budgetHeaders(result.limit, result.remaining, result.reset, now))) c.res.headers.set(name, value);
      return;
    }

    const budget = budgetFor(`${kind}|${perMinute}|${identifier}`, perMinute, now);
    if (localRemaining(budget) <= 0) throw rateLimited(budget.limit, budget.reset, now);
    budget.admittedSince++;
    budget.unsent++;
    const sending = countToSend(budget, now);
    if (sending > 0) {
      budget.unsent = 0;
      budget.sentAt = now;
      // Everything admitted so far is in this count (or an earlier one): Redis's answer covers it.
      const coveredAdmissions = budget.admittedSince;
      background(
        batchedLimiter(redisBatch, perMinute).limit(identifier, { rate: sending }).then(
          (result) => {
            background(result.pending);
            budget.admittedSince = Math.max(0, budget.admittedSince - coveredAdmissions);
            if (result.reason === "timeout") return reportLimiterHealth(logger, true, { reason: "timeout" });
            reportLimiterHealth(logger, false);
            budget.remaining = result.success ? result.remaining : 0;
            budget.reset = result.reset;
          },
          (error: unknown) => {
            // Fail open: requests Redis could not count are not held against the client.
            budget.admittedSince = Math.max(0, budget.admittedSince - coveredAdmissions);
            reportLimiterHealth(logger, true, describeError(error));
          },
        ),
      );
    }
    await next();
    // A public, cacheable answer is shared by every client (Workers Cache stores it by URL):
    // one client's budget must not ride along. The 429 still carries it.
    if (limiterFailing || c.res.headers.get("Cache-Control")?.startsWith("public")) return;
    for (const [name, value] of Object.entries(budgetHeaders(budget.limit, localRemaining(budget), budget.reset, now))) c.res.headers.set(name, value);
  });
}
