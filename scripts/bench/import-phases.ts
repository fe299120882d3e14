import type pg from "pg";
import { COMMIT_STEPS } from "../../src/lib/imports/commit-step-names.ts";

/** Epoch milliseconds, the readers' process's clock too (LoopResponse.sentAtMs). */
export const epochNow = () => performance.timeOrigin + performance.now();

/** One stretch of an import, in epoch milliseconds. */
export interface ImportPhase {
  name: string;
  startMs: number;
  endMs: number;
}

/** The merge's own parts, in the order the shadow build runs them (src/lib/imports/shadow-swap.ts). */
const SHADOW_PARTS = ["shadow_copy", "shadow_merge", "search_terms", "shadow_indexes", "former_names", "shadow_stats_views", "shadow_swap"] as const;
const POLL_MS = 250;

interface JobRow {
  status: string;
  timings: Record<string, number>;
}

/**
 * Watches the newest import job while it runs and tells when each part of it happened:
 * the upload (until the job leaves `open`), then each commit step as its `<step>_ms` shows
 * up. The merge is one transaction whose parts are recorded only when it ends, so they are
 * laid out inside its window by their durations. Reader latencies are then grouped by the
 * part they were sent in: which part of an import hurts readers, not only whether one does.
 */
export function watchImportPhases(client: pg.Client, startedMs: number) {
  let uploadEndMs: number | undefined;
  const stepEndMs = new Map<string, number>();
  let last: JobRow | undefined;
  let stopped = false;
  // A second's margin for the clocks of Node and Postgres (the same machine).
  const createdAfter = new Date(Date.now() - 1_000);
  const poll = async () => {
    while (!stopped) {
      const { rows: [job] } = await client.query<JobRow>("select status, timings from imports where created_at >= $1 order by created_at desc limit 1", [createdAfter]);
      const now = epochNow();
      if (job) {
        last = job;
        if (uploadEndMs === undefined && job.status !== "open") uploadEndMs = now;
        for (const step of COMMIT_STEPS) if (job.timings[`${step}_ms`] !== undefined && !stepEndMs.has(step)) stepEndMs.set(step, now);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  const polling = poll();
  return {
    async stop(endMs: number): Promise<ImportPhase[]> {
      stopped = true;
      await polling;
      const phases: ImportPhase[] = [{ name: "upload", startMs: startedMs, endMs: uploadEndMs ?? endMs }];
      let cursor = uploadEndMs ?? endMs;
      for (const step of COMMIT_STEPS) {
        const end = stepEndMs.get(step);
        if (end === undefined) continue;
        if (step === "merge" && last?.timings.merge_shadow === 1) phases.push(...mergeParts(cursor, end, last.timings));
        else phases.push({ name: step, startMs: cursor, endMs: end });
        cursor = end;
      }
      if (cursor < endMs) phases.push({ name: "other", startMs: cursor, endMs });
      return phases;
    },
  };
}

/** The shadow build's parts inside the merge window: the dedupe first (its time counts from the merge's start), then each part by its duration. */
function mergeParts(startMs: number, endMs: number, timings: Record<string, number>): ImportPhase[] {
  const parts: ImportPhase[] = [];
  let cursor = startMs;
  for (const name of ["merge_dedupe", ...SHADOW_PARTS]) {
    const ms = timings[`${name}_ms`] ?? 0;
    parts.push({ name: name === "merge_dedupe" ? "merge_dedupe" : `merge:${name}`, startMs: cursor, endMs: Math.min(cursor + ms, endMs) });
    cursor = Math.min(cursor + ms, endMs);
  }
  if (cursor < endMs) parts.push({ name: "merge:rest", startMs: cursor, endMs });
  return parts;
}
