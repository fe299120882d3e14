/**
 * The commit Workflow's steps, in order; each records `<step>_ms` in the job's timings when
 * it ends. A module of its own so the CLI can follow progress without loading the server.
 */
export const COMMIT_STEPS = ["merge", "vacuum", "index_sync", "heavy_prefixes", "typo_dictionary", "stats_views", "cache_generation"] as const;
export type CommitStep = (typeof COMMIT_STEPS)[number];

/**
 * The parts of a merge built on a shadow copy (shadow-build.ts), in order, each recorded as
 * `<stage>_ms`: the first stage's three parts commit together; `shadow_lanes` runs
 * SHADOW_LANE_STAGES side by side, the last two of them one after the other.
 */
export const SHADOW_STAGES = [
  "shadow_copy", "shadow_merge", "search_terms", "search_terms_lanes", "shadow_freeze", "shadow_indexes", "former_names", "shadow_analyze", "shadow_lanes", "shadow_swap",
] as const;
export const SHADOW_LANE_STAGES = ["shadow_serial_indexes", "shadow_search", "shadow_stats_views"] as const;
export type ShadowStage = (typeof SHADOW_STAGES)[number] | (typeof SHADOW_LANE_STAGES)[number];
