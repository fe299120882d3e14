import { readConfig, type WorkerEnv } from "../env.ts";
import { createLogger } from "../lib/logger.ts";
import type { CronJob } from "./job.ts";
import { CRON_JOBS } from "./jobs.ts";
import { runJob, type JobReport } from "./run-job.ts";

/**
 * Runs, one after the other, every job whose expression is `cron`. An unknown expression
 * is logged and ignored; a job's failure is recorded and never stops the jobs after it.
 */
export async function dispatchCron(cron: string, env: WorkerEnv, ctx: ExecutionContext, jobs: readonly CronJob[] = CRON_JOBS): Promise<JobReport[]> {
  const logger = createLogger({ cron });
  const due = jobs.filter((job) => job.cron === cron);
  if (due.length === 0) {
    logger.log("warn", "unknown cron expression ignored", { known: [...new Set(jobs.map((job) => job.cron))] });
    return [];
  }
  const parsed = readConfig(env);
  if (!parsed.ok) {
    // Nowhere to record it: without a valid config there is no database to write to.
    for (const job of due) logger.log("error", "cron job finished", { job: job.name, outcome: "failure", durationMs: 0, counts: {}, error: parsed.problems.join("; ") });
    return due.map((job) => ({ job: job.name, outcome: "failure", durationMs: 0, counts: {}, error: "configuration" }));
  }
  const reports: JobReport[] = [];
  for (const job of due) reports.push(await runJob(job, parsed.config, ctx));
  return reports;
}

/** The Worker's scheduled() handler. */
export async function runScheduled(controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
  await dispatchCron(controller.cron, env, ctx);
}
