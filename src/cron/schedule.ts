/**
 * When each job runs (UTC). Spread over the hour so no two jobs start together; these
 * strings must match `[triggers] crons` in wrangler.toml exactly, since scheduled()
 * dispatches on them.
 */
export const CRON_SCHEDULE = {
  /** Every 15 minutes at :02, :17, :32, :47: stats are cached until the next one (see cache/policies.ts). */
  refreshStatsViews: "2,17,32,47 * * * *",
  /** Hourly at :07. */
  warmPopularSearches: "7 * * * *",
  /** Hourly at :37. */
  reconcileSearchIndex: "37 * * * *",
  /** Nightly at 03:23. */
  rebuildHeavyPrefixes: "23 3 * * *",
} as const;

/** The stats-refresh job's name in cron_runs; here so Node scripts (the soak) can read it without loading the Worker's modules. */
export const REFRESH_STATS_VIEWS_JOB = "refresh-stats-views";

/** How many popular queries the hourly warm job loads. */
export const WARM_POPULAR_COUNT = 200;
