import { Redis } from "@upstash/redis/cloudflare";
import type { AppConfig } from "../../env.ts";

/**
 * Upstash over REST, with a hard per-call deadline and no retries: Redis is an
 * accelerator here, so a slow or dead Redis must cost one short timeout, not a
 * stalled request.
 */
export function createRedis(config: AppConfig): Redis | null {
  if (!config.UPSTASH_REDIS_REST_URL || !config.UPSTASH_REDIS_REST_TOKEN) return null;
  return new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    retry: false,
    signal: () => AbortSignal.timeout(config.REDIS_TIMEOUT_MS),
    enableTelemetry: false,
    // Auto-pipelining leaves a second, unobserved rejection behind when the HTTP call fails.
    enableAutoPipelining: false,
  });
}
