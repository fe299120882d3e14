import { bumpGeneration } from "../lib/cache/generation.ts";
import { describeError } from "../lib/logger.ts";
import { refreshStatsViews } from "../lib/stats/refresh-views.ts";
import { replicaHasRunStart } from "./cron-runs.ts";
import type { CronJob } from "./job.ts";
import { CRON_SCHEDULE, REFRESH_STATS_VIEWS_JOB } from "./schedule.ts";

export { REFRESH_STATS_VIEWS_JOB };

/** Refreshes the stats views everywhere, then purges the stats cache namespace. */
export const refreshStatsViewsJob: CronJob = {
  name: REFRESH_STATS_VIEWS_JOB,
  cron: CRON_SCHEDULE.refreshStatsViews,
  async run({ services, startedAt }) {
    const report = await refreshStatsViews(services, {
      replicaCaughtUp: startedAt ? (replica) => replicaHasRunStart(replica, REFRESH_STATS_VIEWS_JOB, startedAt) : undefined,
    });
    // Purged even when a replica failed: the primary and the other replicas hold new figures.
    // A failed purge is not a failed refresh: stats entries expire at the next refresh anyway.
    const generation = await bumpGeneration(services.redis, ["stats"], services.edgePurge).catch((error) => {
      services.logger.log("warn", "stats cache not purged", describeError(error));
      return {} as Record<string, number>;
    });
    if (report.replicaErrors.length > 0) {
      throw new Error(`stats views not refreshed on ${report.replicaErrors.length} replica(s): ${report.replicaErrors.join("; ")}`);
    }
    return { outcome: "success", counts: { ...report, statsGeneration: generation.stats ?? null } };
  },
};
