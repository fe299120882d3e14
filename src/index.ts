import { WorkerEntrypoint } from "cloudflare:workers";
import { app } from "./app.ts";
import { runScheduled } from "./cron/dispatch.ts";
import type { WorkerEnv } from "./env.ts";
import { purgeEdgeCache, type EdgePurgeOutcome } from "./lib/cache/edge-cache.ts";
import { CACHE_NAMESPACES, type CacheNamespace } from "./lib/cache/generation.ts";

export { ImportCommitWorkflow } from "./workflows/import-commit.ts";

/**
 * The default entrypoint: the public API (fetch), the cron jobs (scheduled), and one RPC
 * method. It is a class rather than a handler object for that method: Workers Cache scopes a
 * purge to the entrypoint that calls it, and the cache that public requests fill is this
 * entrypoint's, so a purge decided elsewhere (the import Workflow's generation bump) must run
 * here. RPC reaches it only through a binding of this account (ctx.exports), never from the web.
 */
export default class LieuxWorker extends WorkerEntrypoint<WorkerEnv> {
  override fetch(request: Request): Response | Promise<Response> {
    return app.fetch(request, this.env, this.ctx);
  }

  override scheduled(controller: ScheduledController): Promise<void> {
    return runScheduled(controller, this.env, this.ctx);
  }

  /** Purges the namespaces' tags from this entrypoint's Workers Cache. */
  purgeEdgeCache(namespaces: readonly string[]): Promise<EdgePurgeOutcome> {
    const known = namespaces.filter((name): name is CacheNamespace => (CACHE_NAMESPACES as readonly string[]).includes(name));
    return purgeEdgeCache(known, this.ctx.cache);
  }
}
