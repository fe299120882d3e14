import type { NeonQueryFunction } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import type { HttpDb } from "../lib/db/client.ts";
import { cronRuns } from "../lib/db/stats-tables.ts";

export type CronRunRow = typeof cronRuns.$inferSelect;

export interface FinishedRun {
  outcome: string;
  durationMs: number;
  counts: Record<string, unknown>;
  /** Set for a failure only. */
  error?: string;
}

/** Upserts this run's start on the primary and returns the time Postgres recorded. */
export async function recordRunStart(primary: HttpDb, job: string): Promise<Date> {
  const [row] = await primary
    .insert(cronRuns)
    .values({ job, lastStartedAt: sql`now()` })
    .onConflictDoUpdate({ target: cronRuns.job, set: { lastStartedAt: sql`now()` } })
    .returning({ startedAt: cronRuns.lastStartedAt });
  return row!.startedAt!;
}

/** Upserts the outcome; a failure keeps the last success (and vice versa) so /health can show both. */
export async function recordRunEnd(primary: HttpDb, job: string, run: FinishedRun): Promise<void> {
  const outcomeColumns =
    run.error === undefined ? { lastSuccessAt: sql`now()` } : { lastFailureAt: sql`now()`, lastError: run.error.slice(0, 1_000) };
  const common = { ...outcomeColumns, lastOutcome: run.outcome, lastDurationMs: Math.round(run.durationMs), lastCounts: run.counts };
  await primary
    .insert(cronRuns)
    .values({ job, lastStartedAt: sql`now()`, runs: 1, ...common })
    .onConflictDoUpdate({ target: cronRuns.job, set: { ...common, runs: sql`${cronRuns.runs} + 1` } });
}

export function readCronRuns(primary: HttpDb): Promise<CronRunRow[]> {
  return primary.select().from(cronRuns);
}

/**
 * True once a logical replica has applied this run's start record: replication applies
 * transactions in commit order, so every row committed before the run began is there too.
 */
export async function replicaHasRunStart(replica: NeonQueryFunction<false, false>, job: string, startedAt: Date): Promise<boolean> {
  const rows = await replica.query("select 1 from cron_runs where job = $1 and last_started_at >= $2::timestamptz", [job, startedAt.toISOString()]);
  return rows.length > 0;
}
