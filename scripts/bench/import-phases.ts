import type pg from "pg";
import { COMMIT_STEPS, SHADOW_STAGES } from "../../src/lib/imports/commit-step-names.ts";

/** Epoch milliseconds, the readers' process's clock too (LoopResponse.sentAtMs). */
export const epochNow = () => performance.timeOrigin + performance.now();

/** One stretch of an import, in epoch milliseconds. */
export interface ImportPhase {
  name: string;
  startMs: number;
  endMs: number;
}

/**
 * The merge's own parts, in the order the shadow build runs them (src/lib/imports/shadow-build.ts);
 * its two lanes run side by side, so readers are grouped by the stretch of both.
 */
const SHADOW_PARTS = ["merge_dedupe", ...SHADOW_STAGES] as const;
const POLL_MS = 250;

interface JobRow {
  status: string;
  timings: Record<string, number>;
}

/**
 * Watches the newest import job while it runs and tells when each part of it happened:
 * the upload (until the job leaves `open`), then each commit step as its `<step>_ms` shows
 * up, and each stage of a shadow build as its `<stage>_ms` shows up (the first stage's four
 * parts commit together and are laid out by their durations). Reader latencies are then grouped by the
 * part they were sent in: which part of an import hurts readers, not only whether one does.
 */
export function watchImportPhases(client: pg.Client, startedMs: number) {
  let uploadEndMs: number | undefined;
  const stepEndMs = new Map<string, number>();
  const partEndMs = new Map<string, number>();
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
        for (const part of SHADOW_PARTS) if (job.timings[`${part}_ms`] !== undefined && !partEndMs.has(part)) partEndMs.set(part, now);
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
        if (step === "merge" && last?.timings.merge_shadow === 1) phases.push(...mergeParts(cursor, end, partEndMs, last.timings));
        else phases.push({ name: step, startMs: cursor, endMs: end });
        cursor = end;
      }
      if (cursor < endMs) phases.push({ name: "other", startMs: cursor, endMs });
      return phases;
    },
  };
}

/**
 * The shadow build's parts inside the merge window, each ending when the poll saw it; parts
 * seen at the same poll (committed together) share that stretch by their durations.
 */
function mergeParts(startMs: number, endMs: number, seenMs: Map<string, number>, timings: Record<string, number>): ImportPhase[] {
  const parts: ImportPhase[] = [];
  let cursor = startMs;
  for (let first = 0; first < SHADOW_PARTS.length; ) {
    const groupEnd = Math.min(seenMs.get(SHADOW_PARTS[first]!) ?? endMs, endMs);
    let last = first;
    while (last + 1 < SHADOW_PARTS.length && (seenMs.get(SHADOW_PARTS[last + 1]!) ?? endMs) === (seenMs.get(SHADOW_PARTS[first]!) ?? endMs)) last++;
    const group = SHADOW_PARTS.slice(first, last + 1);
    const total = group.reduce((sum, name) => sum + (timings[`${name}_ms`] ?? 0), 0);
    const span = Math.max(groupEnd - cursor, 0);
    for (const name of group) {
      const share = total > 0 ? ((timings[`${name}_ms`] ?? 0) / total) * span : span / group.length;
      parts.push({ name: name === "merge_dedupe" ? "merge_dedupe" : `merge:${name}`, startMs: cursor, endMs: cursor + share });
      cursor += share;
    }
    first = last + 1;
  }
  if (cursor < endMs) parts.push({ name: "merge:rest", startMs: cursor, endMs });
  return parts;
}
