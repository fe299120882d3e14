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

/** Purges namespaces from the cache that public requests fill: the default entrypoint's. */
export type EdgePurge = (namespaces: readonly CacheNamespace[]) => Promise<EdgePurgeOutcome>;

/**
 * Purges the namespaces' tags from Workers Cache. Cloudflare scopes a purge to the entrypoint
 * that calls it, so this must run in the default entrypoint (its fetch or scheduled handler,
 * or its purgeEdgeCache RPC method, which the import Workflow calls: see loopbackEdgePurge).
 * Where the runtime has no purge (local workerd and wrangler dev: Workers Cache is not
 * emulated), there is nothing to purge and it says "unavailable". A failure is logged, never
 * thrown: the Worker's tiers are already bumped, and a missed purge only lets the edge serve
 * its copy until its max-age (plus stale-while-revalidate) runs out.
 */
export async function purgeEdgeCache(namespaces: readonly CacheNamespace[], context: Partial<CacheContext> | undefined = workersCache): Promise<EdgePurgeOutcome> {
  const purge = context?.purge;
  if (typeof purge !== "function" || namespaces.length === 0) return "unavailable";
  const logger = createLogger({ component: "edge-cache" });
  try {
    const result = await purge.call(context, { tags: namespaces.map(edgeCacheTag) });
    if (result.success) return "purged";
    logger.log("warn", "Workers Cache purge refused", { namespaces, errors: result.errors });
  } catch (error) {
    logger.log("warn", "Workers Cache purge failed", { namespaces, ...describeError(error) });
  }
  return "failed";
}

/** The default entrypoint's RPC method, as seen through a loopback binding (ctx.exports.default). */
export interface EdgePurgeEntrypoint {
  purgeEdgeCache(namespaces: readonly string[]): Promise<EdgePurgeOutcome>;
}

/**
 * For code running in another entrypoint (the import Workflow): the purge runs in the default
 * entrypoint through its loopback binding. A failed call is "failed", never thrown, as above.
 */
export function loopbackEdgePurge(defaultEntrypoint: EdgePurgeEntrypoint | undefined): EdgePurge {
  return async (namespaces) => {
    if (!defaultEntrypoint) return "unavailable";
    try {
      return await defaultEntrypoint.purgeEdgeCache([...namespaces]);
    } catch (error) {
      createLogger({ component: "edge-cache" }).log("warn", "Workers Cache purge through the default entrypoint failed", { namespaces, ...describeError(error) });
      return "failed";
    }
  };
}
