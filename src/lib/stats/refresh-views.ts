import { neon, type NeonQueryFunction } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import type { Services } from "../services.ts";
import { STATS_VIEWS } from "../db/stats-tables.ts";

type ReplicaSql = NeonQueryFunction<false, false>;

const CATCH_UP_TIMEOUT_MS = 5_000;
const CATCH_UP_POLL_MS = 50;

export interface StatsRefreshReport {
  /** Milliseconds per view on the primary. */
  primaryMs: Record<string, number>;
  /** Logical replicas whose own copies were refreshed. */
  replicasRefreshed: number;
  /** Physical replicas, which replay the primary's refresh and need nothing. */
  replicasPhysical: number;
  replicaMs: number;
  /** One message per replica that could not be refreshed. */
  replicaErrors: string[];
}

export interface StatsRefreshOptions {
  /** Resolves true once a logical replica has applied everything this refresh should count. */
  replicaCaughtUp?: (replica: ReplicaSql) => Promise<boolean>;
}

const refreshSql = (view: string) => `refresh materialized view concurrently ${view}`;

async function waitUntil(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
  }
  return false;
}

/**
 * Refreshes every stats view CONCURRENTLY (readers never wait) on the primary, then on
 * each logical replica. A materialized view's contents travel in the WAL: Neon's read
 * replicas are physical and replay the primary's refresh, while the local stack's replica
 * is a logical subscriber, which receives table rows but never view contents, so it must
 * refresh its own copy from its own rows. `pg_is_in_recovery()` tells them apart (true on
 * a physical standby, false on a logical subscriber), which is sturdier than guessing
 * from configuration. Replica failures are reported, not thrown, so the caller can still
 * purge the cache for the copies that did refresh.
 */
export async function refreshStatsViews(services: Services, options: StatsRefreshOptions = {}): Promise<StatsRefreshReport> {
  const report: StatsRefreshReport = { primaryMs: {}, replicasRefreshed: 0, replicasPhysical: 0, replicaMs: 0, replicaErrors: [] };
  for (const view of STATS_VIEWS) {
    const started = performance.now();
    await services.databases.primary.execute(sql.raw(refreshSql(view)));
    report.primaryMs[view] = Math.round(performance.now() - started);
  }
  const replicaStarted = performance.now();
  for (const url of services.config.DATABASE_REPLICA_URLS) {
    try {
      const replica = neon(url);
      const [state] = await replica.query("select pg_is_in_recovery() as physical");
      if (state?.physical) {
        report.replicasPhysical++;
        continue;
      }
      const caughtUp = options.replicaCaughtUp;
      if (caughtUp && !(await waitUntil(() => caughtUp(replica)))) {
        services.logger.log("warn", "logical replica still behind after the wait; refreshing its stats anyway");
      }
      for (const view of STATS_VIEWS) await replica.query(refreshSql(view));
      report.replicasRefreshed++;
    } catch (error) {
      report.replicaErrors.push(`${new URL(url).host}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  report.replicaMs = Math.round(performance.now() - replicaStarted);
  return report;
}
