import type { ImportJobBody } from "./admin-api.ts";
import { COMMIT_STEPS, SHADOW_LANE_STAGES, SHADOW_STAGES } from "../../src/lib/imports/commit-step-names.ts";

const SHOWN_ERRORS = 10;
/** Commit steps in the order they run (the job stores them as a JSON object, unordered). */
const STEP_ORDER = [
  "merge", "merge_dedupe", "merge_in_place",
  ...SHADOW_STAGES.flatMap((stage) => (stage === "shadow_lanes" ? [stage, ...SHADOW_LANE_STAGES] : [stage])),
  ...COMMIT_STEPS.filter((step) => step !== "merge"), "commit_total",
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
