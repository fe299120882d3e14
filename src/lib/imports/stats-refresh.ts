import { neon, type NeonQueryFunction } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import type { Services } from "../services.ts";
import type { HttpDb } from "../db/client.ts";
import { STATS_VIEWS } from "../db/stats-tables.ts";
import { describeError } from "../logger.ts";

// The merge lands a whole import in one transaction, which a logical replica applies in one go.
const CATCH_UP_TIMEOUT_MS = 60_000;
const CATCH_UP_POLL_MS = 50;

/** Every stats view: an import changes the totals and every breakdown. */
const REFRESH_STATS_VIEWS_SQL = STATS_VIEWS.map((view) => `refresh materialized view concurrently ${view}`);

export async function refreshStatsViews(db: HttpDb): Promise<void> {
  for (const statement of REFRESH_STATS_VIEWS_SQL) await db.execute(sql.raw(statement));
}

export interface ReplicaStatsResult {
  refreshed: number;
  physical: number;
  failed: number;
}

async function waitForMarker(replica: NeonQueryFunction<false, false>, jobId: string, marker: string): Promise<boolean> {
  const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const rows = await replica.query("select 1 from imports where id = $1 and updated_at >= $2::timestamptz", [jobId, marker]);
    if (rows.length > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
  }
  return false;
}

/**
 * Materialized views live in the WAL of the server that refreshed them. A physical replica
 * (Neon's read replicas, production) replays the primary's refresh and needs nothing; it is
 * read-only, which `pg_is_in_recovery()` reveals. A logical replica (the local stack's)
 * receives rows but not views, so it refreshes its own copies once it has applied the
 * job's marker write (`marker`: the job row's updated_at, written after every import
 * write). A replica problem is logged and never fails the commit: stats there are only stale.
 */
export async function refreshStatsOnLogicalReplicas(services: Services, jobId: string, marker: string): Promise<ReplicaStatsResult> {
  const result: ReplicaStatsResult = { refreshed: 0, physical: 0, failed: 0 };
  for (const url of services.config.DATABASE_REPLICA_URLS) {
    const replica = neon(url);
    try {
      const [state] = await replica.query("select pg_is_in_recovery() as physical");
      if (state?.physical) {
        result.physical++;
        continue;
      }
      if (!(await waitForMarker(replica, jobId, marker))) {
        services.logger.log("warn", "logical replica still behind after the import; refreshing its stats anyway", { jobId });
      }
      for (const statement of REFRESH_STATS_VIEWS_SQL) await replica.query(statement);
      result.refreshed++;
    } catch (error) {
      result.failed++;
      services.logger.log("warn", "replica stats refresh failed", { jobId, ...describeError(error) });
    }
  }
  return result;
}
