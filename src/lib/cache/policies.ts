import type { CacheNamespace } from "./generation.ts";

/** Bump when a cached value's shape changes: old entries become unreachable at once. 2: villes carry coordinates_precision (issue 18). */
export const CACHE_SCHEMA_VERSION = 2;

export interface CachePolicy {
  /** How long a data centre serves its L1 copy before checking L2 again. */
  l1FreshMs: number;
  /** How long the shared L2 copy is served without a refresh. */
  l2FreshMs: number;
  /** How long past freshness a copy may still be served while one refresh runs. */
  staleMs: number;
  /** Freshness of a cached "not found" (null): shorter, so a new row shows up soon. */
  negativeFreshMs: number;
  /** Browser and CDN caching: Cache-Control max-age and stale-while-revalidate, in seconds. */
  httpMaxAgeSeconds: number;
  httpStaleWhileRevalidateSeconds: number;
  /**
   * Whether a request that missed L0 and L1 asks L2 before loading. "without-l1": only when
   * no Cache API tier is configured. Autocomplete's bounded query costs about one Redis round
   * trip, so behind L1 a miss goes straight to it (one database round trip, no Redis call
   * before the response), and L2 is neither read nor filled; with L1 off it is both.
   */
  l2Read: "always" | "without-l1";
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Every TTL of the API in one place. Stats: see statsFreshMs (they follow the refresh cron). */
export const CACHE_POLICIES: Record<CacheNamespace, CachePolicy> = {
  autocomplete: { l1FreshMs: MINUTE, l2FreshMs: 10 * MINUTE, staleMs: HOUR, negativeFreshMs: MINUTE, httpMaxAgeSeconds: 60, httpStaleWhileRevalidateSeconds: 600, l2Read: "without-l1" },
  villes: { l1FreshMs: MINUTE, l2FreshMs: 10 * MINUTE, staleMs: HOUR, negativeFreshMs: MINUTE, httpMaxAgeSeconds: 60, httpStaleWhileRevalidateSeconds: 600, l2Read: "always" },
  ville: { l1FreshMs: 5 * MINUTE, l2FreshMs: HOUR, staleMs: 24 * HOUR, negativeFreshMs: MINUTE, httpMaxAgeSeconds: 300, httpStaleWhileRevalidateSeconds: 3600, l2Read: "always" },
  reference: { l1FreshMs: HOUR, l2FreshMs: 24 * HOUR, staleMs: 7 * 24 * HOUR, negativeFreshMs: 5 * MINUTE, httpMaxAgeSeconds: 3600, httpStaleWhileRevalidateSeconds: 86_400, l2Read: "always" },
  stats: { l1FreshMs: MINUTE, l2FreshMs: 15 * MINUTE, staleMs: HOUR, negativeFreshMs: MINUTE, httpMaxAgeSeconds: 60, httpStaleWhileRevalidateSeconds: 900, l2Read: "always" },
};

/** The stats views are refreshed every STATS_REFRESH_INTERVAL_MS at STATS_REFRESH_OFFSET_MS past the interval. */
export const STATS_REFRESH_INTERVAL_MS = 15 * MINUTE;
export const STATS_REFRESH_OFFSET_MS = 2 * MINUTE;

/** Milliseconds until the next scheduled stats refresh: stats stay fresh exactly that long. */
export function msUntilNextStatsRefresh(now = Date.now()): number {
  const sinceOffset = (now - STATS_REFRESH_OFFSET_MS) % STATS_REFRESH_INTERVAL_MS;
  return STATS_REFRESH_INTERVAL_MS - sinceOffset;
}

export function policyFor(namespace: CacheNamespace, now = Date.now()): CachePolicy {
  const policy = CACHE_POLICIES[namespace];
  if (namespace !== "stats") return policy;
  const untilRefresh = msUntilNextStatsRefresh(now);
  return { ...policy, l2FreshMs: untilRefresh, l1FreshMs: Math.min(policy.l1FreshMs, untilRefresh), httpMaxAgeSeconds: Math.max(1, Math.floor(untilRefresh / 1000)) };
}
