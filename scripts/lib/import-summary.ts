import type { ImportJobBody } from "./admin-api.ts";

const SHOWN_ERRORS = 10;
/** Commit steps in the order they run (the job stores them as a JSON object, unordered). */
const STEP_ORDER = [
  "merge", "merge_dedupe", "merge_in_place", "shadow_copy", "shadow_merge", "search_terms", "search_terms_lanes", "shadow_freeze", "shadow_indexes", "former_names", "shadow_analyze",
  "shadow_lanes", "shadow_serial_indexes", "shadow_search", "shadow_stats_views", "shadow_swap",
  "vacuum", "index_sync", "heavy_prefixes", "typo_dictionary", "stats_views", "cache_generation", "commit_total",
];
function stepRank(step: string): number {
  const rank = STEP_ORDER.indexOf(step);
  return rank === -1 ? STEP_ORDER.length : rank;
}

/** The end-of-run report: counts, throughput, and each commit step's duration. */
export function printSummary(job: ImportJobBody, upload: { uploadMs: number; rows: number }): void {
  const uploadSeconds = upload.uploadMs / 1000;
  console.log(`\njob ${job.id}: ${job.status}${job.failure ? ` (${job.failure})` : ""}`);
  console.table({
    "rows received": job.rows_received,
    "rows upserted": job.rows_upserted,
    "rows rejected": job.rows_rejected,
    "upload (s)": Number(uploadSeconds.toFixed(1)),
    "uploaded rows/s": Math.round(upload.rows / Math.max(uploadSeconds, 0.001)),
  });
  const steps = Object.entries(job.timings)
    .filter(([key]) => key.endsWith("_ms"))
    .map(([step, ms]) => ({ step: step.replace(/_ms$/, ""), "duration (ms)": ms }))
    .sort((a, b) => stepRank(a.step) - stepRank(b.step));
  if (steps.length > 0) console.table(steps);
  if (job.errors.length > 0) {
    console.log(`first rejected rows (${Math.min(SHOWN_ERRORS, job.errors.length)} of ${job.rows_rejected}):`);
    console.table(job.errors.slice(0, SHOWN_ERRORS));
  }
}
