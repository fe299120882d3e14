import type { Services } from "../lib/services.ts";

export interface JobContext {
  services: Services;
  /** This run's `last_started_at` as written on the primary, or null when it could not be recorded. */
  startedAt: Date | null;
}

export interface JobResult {
  /** `success`, or `skipped: <why>` when the job found nothing to do; failures are thrown. */
  outcome: "success" | `skipped: ${string}`;
  counts: Record<string, unknown>;
}

/** One Cron Trigger job: idempotent, so a repeated or overlapping run does no harm beyond wasted work. */
export interface CronJob {
  name: string;
  /** The expression it runs under: one of CRON_SCHEDULE, matching wrangler.toml. */
  cron: string;
  run(context: JobContext): Promise<JobResult>;
}
