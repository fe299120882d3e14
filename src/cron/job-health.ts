import type { CronRunRow } from "./cron-runs.ts";
import { intervalMsOf } from "./intervals.ts";
import type { CronJob } from "./job.ts";

export interface JobHealth {
  schedule: string;
  last_success_at: string | null;
  last_failure_at: string | null;
  /** The error of the last failure, kept after later successes. */
  last_error: string | null;
  last_outcome: string | null;
  /** No run recorded yet (a fresh stack, or crons not deployed): reported, never degrading. */
  never_run: boolean;
  /** The last run failed. One failure is not degrading: the next run may succeed. */
  failing: boolean;
  /** No success for two intervals: degrades /health. */
  stale: boolean;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/**
 * Each job's health from its cron_runs row. A job is stale when its last success (or,
 * if it never succeeded, its first start) is older than twice its interval: one missed
 * or failed run is tolerated, two in a row are not.
 */
export function jobHealth(jobs: readonly CronJob[], rows: CronRunRow[], now = Date.now()): Record<string, JobHealth> {
  const byJob = new Map(rows.map((row) => [row.job, row]));
  const health: Record<string, JobHealth> = {};
  for (const job of jobs) {
    const row = byJob.get(job.name);
    const lastSuccess = row?.lastSuccessAt ?? null;
    const lastFailure = row?.lastFailureAt ?? null;
    const reference = lastSuccess ?? row?.firstStartedAt ?? null;
    health[job.name] = {
      schedule: job.cron,
      last_success_at: iso(lastSuccess),
      last_failure_at: iso(lastFailure),
      last_error: row?.lastError ?? null,
      last_outcome: row?.lastOutcome ?? null,
      never_run: row === undefined,
      failing: lastFailure !== null && (lastSuccess === null || lastFailure > lastSuccess),
      stale: reference !== null && now - reference.getTime() > 2 * intervalMsOf(job.cron),
    };
  }
  return health;
}

/** Every job's health, or undefined when cron_runs cannot be read in time (the primary check reports why). */
export async function readJobHealth(jobs: readonly CronJob[], readRows: () => Promise<CronRunRow[]>, timeoutMs: number): Promise<Record<string, JobHealth> | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return jobHealth(jobs, await Promise.race([readRows(), deadline]));
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
