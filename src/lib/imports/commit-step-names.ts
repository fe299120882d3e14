/**
 * The commit Workflow's steps, in order; each records `<step>_ms` in the job's timings when
 * it ends. A module of its own so the CLI can follow progress without loading the server.
 */
export const COMMIT_STEPS = ["merge", "vacuum", "index_sync", "heavy_prefixes", "typo_dictionary", "stats_views", "cache_generation"] as const;
export type CommitStep = (typeof COMMIT_STEPS)[number];
