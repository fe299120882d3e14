import type { CronJob } from "./job.ts";
import { rebuildHeavyPrefixesJob } from "./rebuild-heavy-prefixes.ts";
import { reconcileSearchIndexJob } from "./reconcile-search-index.ts";
import { refreshStatsViewsJob } from "./refresh-stats-views.ts";
import { warmPopularSearchesJob } from "./warm-popular-searches.ts";

/** Every scheduled job; scheduled() runs those whose `cron` matches the trigger. */
export const CRON_JOBS: readonly CronJob[] = [refreshStatsViewsJob, warmPopularSearchesJob, reconcileSearchIndexJob, rebuildHeavyPrefixesJob];
