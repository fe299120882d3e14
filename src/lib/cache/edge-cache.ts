import { cache as workersCache } from "cloudflare:workers";
import { createLogger, describeError } from "../logger.ts";
import type { CacheNamespace } from "./generation.ts";

/**
 * Workers Cache (`[cache] enabled` in wrangler.toml) answers cacheable GETs before the Worker
 * runs, keyed by path and query string. Every cacheable response carries the tag of its
 * namespace (Cache-Tag, which Cloudflare strips before the client sees it), so the
 * generation bump that makes the Worker's own tiers miss can purge the same answers there.
 */
export const edgeCacheTag = (namespace: CacheNamespace) => `lieux-${namespace}`;

export type EdgePurgeOutcome = "purged" | "unavailable" | "failed";

/**
 * Purges the namespaces' tags from Workers Cache. Where the runtime has no purge (local
 * workerd and wrangler dev: Workers Cache is not emulated), there is nothing to purge and it
 * says "unavailable". A failure is logged, never thrown: the Worker's tiers are already bumped,
 * and a missed purge only lets the edge serve its copy until its max-age (plus
 * stale-while-revalidate) runs out.
 */
export async function purgeEdgeCache(namespaces: readonly CacheNamespace[]): Promise<EdgePurgeOutcome> {
  const purge = (workersCache as Partial<CacheContext> | undefined)?.purge;
  if (typeof purge !== "function" || namespaces.length === 0) return "unavailable";
  const logger = createLogger({ component: "edge-cache" });
  try {
    const result = await purge.call(workersCache, { tags: namespaces.map(edgeCacheTag) });
    if (result.success) return "purged";
    logger.log("warn", "Workers Cache purge refused", { namespaces, errors: result.errors });
  } catch (error) {
    logger.log("warn", "Workers Cache purge failed", { namespaces, ...describeError(error) });
  }
  return "failed";
}
