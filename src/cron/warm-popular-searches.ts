import { warmPopular } from "../lib/cache/popular.ts";
import type { CronJob } from "./job.ts";
import { CRON_SCHEDULE, WARM_POPULAR_COUNT } from "./schedule.ts";

/** Reloads the most requested autocomplete queries into L2 (and this data centre's L1). */
export const warmPopularSearchesJob: CronJob = {
  name: "warm-popular-searches",
  cron: CRON_SCHEDULE.warmPopularSearches,
  async run({ services }) {
    if (!services.redis) return { outcome: "skipped: Redis not configured", counts: {} };
    const { warmed, failed } = await warmPopular(services, WARM_POPULAR_COUNT);
    if (warmed === 0 && failed > 0) throw new Error(`every popular query failed to load (${failed})`);
    return { outcome: "success", counts: { warmed, failed } };
  },
};
