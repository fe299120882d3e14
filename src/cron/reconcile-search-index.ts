import { reconcileSearchIndex } from "../lib/search/reconcile.ts";
import type { CronJob } from "./job.ts";
import { CRON_SCHEDULE } from "./schedule.ts";

/** Keeps Meilisearch in step with Postgres (see lib/search/reconcile.ts). */
export const reconcileSearchIndexJob: CronJob = {
  name: "reconcile-search-index",
  cron: CRON_SCHEDULE.reconcileSearchIndex,
  async run({ services }) {
    if (!services.config.MEILISEARCH_HOST) return { outcome: "skipped: Meilisearch not configured", counts: {} };
    const { skipped, ...counts } = await reconcileSearchIndex(services);
    return { outcome: skipped ? `skipped: ${skipped}` : "success", counts };
  },
};
