import type { WorkerEnv } from "../env.ts";
import { createLogger, describeError } from "../lib/logger.ts";

export type CronJob = (env: WorkerEnv, ctx: ExecutionContext) => Promise<Record<string, unknown>>;

/** Cron expression (as in wrangler.toml) → the jobs it runs. */
export const JOBS_BY_CRON: Record<string, Array<{ name: string; run: CronJob }>> = {};

/** One entry point for every Cron Trigger: a failing job is logged and never stops the others. */
export async function runScheduled(controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
  const logger = createLogger({ cron: controller.cron });
  const jobs = JOBS_BY_CRON[controller.cron];
  if (!jobs) {
    logger.log("warn", "unknown cron expression ignored");
    return;
  }
  for (const job of jobs) {
    const started = Date.now();
    try {
      const counts = await job.run(env, ctx);
      logger.log("info", "cron job done", { job: job.name, durationMs: Date.now() - started, outcome: "success", ...counts });
    } catch (error) {
      logger.log("error", "cron job failed", { job: job.name, durationMs: Date.now() - started, outcome: "failure", ...describeError(error) });
    }
  }
}
