import type { CronRunRow } from "./cron-runs.ts";
import { intervalMsOf } from "./intervals.ts";
import type { CronJob } from "./job.ts";

/** A job's health with every detail: for the admin route and the logs only. */
export interface JobHealth {
  schedule: string;
  last_started_at: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  /** How long the last finished run took. */
  last_duration_ms: number | null;
  /** The error of the last failure, kept after later successes. Raw text: it may name an internal host. */
  last_error: string | null;
  /** `success`, `failure` or `skipped: <why>`. */
  last_outcome: string | null;
  runs: number;
  /** No run recorded yet (a fresh stack, or crons not deployed): reported, never degrading. */
  never_run: boolean;
  /** The last run failed. One failure is not degrading: the next run may succeed. */
  failing: boolean;
  /** No success for two intervals: degrades /health. */
  stale: boolean;
}

/** The outcome reduced to its kind: the `skipped: <why>` reason is free text, kept for the admin route. */
export type OutcomeKind = "success" | "failure" | "skipped";

/** What the public /health shows of a job: status, duration and timestamps, never text. */
export interface PublicJobHealth {
  last_started_at: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_duration_ms: number | null;
  last_outcome: OutcomeKind | null;
  never_run: boolean;
  failing: boolean;
  stale: boolean;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function outcomeKind(outcome: string | null): OutcomeKind | null {
  if (outcome === null) return null;
  if (outcome === "success") return "success";
  if (outcome.startsWith("skipped")) return "skipped";
  return "failure";
}

/** Picks the public fields one by one, so a field added to JobHealth never reaches /health by accident. */
export function publicJobHealth(job: JobHealth): PublicJobHealth {
  return {
    last_started_at: job.last_started_at,
    last_success_at: job.last_success_at,
    last_failure_at: job.last_failure_at,
    last_duration_ms: job.last_duration_ms,
    last_outcome: outcomeKind(job.last_outcome),
    never_run: job.never_run,
    failing: job.failing,
    stale: job.stale,
  };
}

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
      last_started_at: iso(row?.lastStartedAt ?? null),
      last_success_at: iso(lastSuccess),
      last_failure_at: iso(lastFailure),
      last_duration_ms: row?.lastDurationMs ?? null,
      last_error: row?.lastError ?? null,
      last_outcome: row?.lastOutcome ?? null,
      runs: Number(row?.runs ?? 0),
      never_run: row === undefined,
      failing: lastFailure !== null && (lastSuccess === null || lastFailure > lastSuccess),
      stale: reference !== null && now - reference.getTime() > 2 * intervalMsOf(job.cron),
    };
  }
  return health;
}

export type JobHealthResult = { ok: true; jobs: Record<string, JobHealth> } | { ok: false; error: string };

/** Every job's health, or why cron_runs could not be read in time (for the admin route and the logs). */
export async function readJobHealth(jobs: readonly CronJob[], readRows: () => Promise<CronRunRow[]>, timeoutMs: number): Promise<JobHealthResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { ok: true, jobs: jobHealth(jobs, await Promise.race([readRows(), deadline])) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500) };
  } finally {
    clearTimeout(timer);
  }
}
