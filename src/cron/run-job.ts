import type { AppConfig } from "../env.ts";
import { createLogger, describeError } from "../lib/logger.ts";
import { buildServices } from "../compose-services.ts";
import type { Services } from "../lib/services.ts";
import { recordRunEnd, recordRunStart } from "./cron-runs.ts";
import { intervalMsOf } from "./intervals.ts";
import type { CronJob, JobResult } from "./job.ts";
import { withJobLock } from "./lock.ts";

/** Cloudflare stops a scheduled() invocation after 15 minutes, so no run holds a lock longer. */
const MAX_RUN_MS = 15 * 60_000;

/**
 * Requests give Redis a few tens of milliseconds; a job has time to wait, and a slow but
 * live Redis must not push one run onto the advisory lock while another holds Redis's.
 */
const JOB_REDIS_TIMEOUT_MS = 1_000;

/** Frees a crashed run's lock before the next run is due, and never before the run limit. */
function lockTtlMs(cron: string): number {
  return Math.min(MAX_RUN_MS, intervalMsOf(cron) - 60_000);
}

/** What the job's one log line says. */
export interface JobReport {
  job: string;
  outcome: string;
  durationMs: number;
  counts: Record<string, unknown>;
  error?: string;
}

async function runAndRecord(job: CronJob, services: Services): Promise<JobReport> {
  const started = Date.now();
  const primary = services.databases.primary;
  const startedAt = await recordRunStart(primary, job.name).catch((error) => {
    services.logger.log("warn", "cron run start not recorded", describeError(error));
    return null;
  });
  let report: JobReport;
  try {
    const result: JobResult = await job.run({ services, startedAt });
    report = { job: job.name, outcome: result.outcome, durationMs: Date.now() - started, counts: result.counts };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    report = { job: job.name, outcome: "failure", durationMs: Date.now() - started, counts: {}, error: message };
  }
  await recordRunEnd(primary, job.name, report).catch((error) => services.logger.log("warn", "cron run end not recorded", describeError(error)));
  return report;
}

/**
 * Runs one job under its lock with its own services, records the outcome on the primary
 * and logs exactly one line for it. Never throws: one job's failure must not stop the next.
 */
export async function runJob(job: CronJob, config: AppConfig, ctx: Pick<ExecutionContext, "waitUntil">): Promise<JobReport> {
  const logger = createLogger({ cron: job.cron, job: job.name });
  const started = Date.now();
  const services = buildServices({ ...config, REDIS_TIMEOUT_MS: Math.max(config.REDIS_TIMEOUT_MS, JOB_REDIS_TIMEOUT_MS) }, logger, ctx);
  let report: JobReport;
  try {
    const locked = await withJobLock(services, job.name, lockTtlMs(job.cron), () => runAndRecord(job, services));
    report = locked.acquired
      ? locked.value
      : { job: job.name, outcome: `skipped: another run holds the ${locked.via} lock`, durationMs: Date.now() - started, counts: {} };
  } catch (error) {
    // Only the lock itself can fail here (Redis and the primary both unreachable).
    report = { job: job.name, outcome: "failure", durationMs: Date.now() - started, counts: {}, error: `lock unavailable: ${describeError(error).error}` };
  } finally {
    await services.databases.close();
  }
  logger.log(report.outcome === "failure" ? "error" : "info", "cron job finished", { ...report });
  return report;
}
