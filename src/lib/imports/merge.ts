import { sql } from "drizzle-orm";
import type { Databases, TransactionDb } from "../db/client.ts";
import { findLostChunks, LostStagingError, reopenForLostChunks } from "./lost-staging.ts";
import { stagingColumnFor, UPSERT_SOURCE_COLUMNS, upsertFromTable } from "./merge-sql.ts";
import { finishShadowBuild, readShadowLease, dropShadowBuild, ShadowBuildLostError, startShadowBuild, type ShadowLease } from "./shadow-build.ts";
import { canSwapShadow } from "./shadow-catalog.ts";
import { dropStagingTable, stagingTable } from "./staging.ts";

/**
 * Below this many rows an import merges in place: rebuilding every index of a large table
 * costs more than maintaining them for a few rows. Above it, and when the import rewrites
 * at least SHADOW_MIN_SHARE of the table, it builds on a shadow copy (shadow-build.ts).
 */
export const SHADOW_MIN_ROWS = 100_000;
export const SHADOW_MIN_SHARE = 0.2;

/** How often a merge waiting for another job's shadow build looks again. */
export const LEASE_POLL_MS = 2_000;

/** When a merge builds on a shadow copy; tests lower it to drive the shadow path with a few rows. */
export interface ShadowPolicy {
  minRows: number;
  minShare: number;
}
const SHADOW_POLICY: ShadowPolicy = { minRows: SHADOW_MIN_ROWS, minShare: SHADOW_MIN_SHARE };

export type MergePath = "in_place" | "shadow" | "already_merged";

export interface MergeResult {
  path: MergePath;
  rows: number;
}

/** Commits of different jobs write villes one at a time: a shadow copy must not miss another job's rows. */
const MERGE_LOCK = sql`select pg_advisory_xact_lock(hashtext('lieux_villes_merge'))`;

type Claim = { kind: "done"; result: MergeResult; lost: number[] } | { kind: "shadow" } | { kind: "wait"; owner: string };

const recordTimings = (timings: Record<string, number>, jobId: string) =>
  sql`update imports set timings = timings || ${JSON.stringify(timings)}::jsonb, updated_at = now() where id = ${jobId}`;

/**
 * Merges a job's staged rows into villes, set-based: the last occurrence of each key (by
 * chunk, then line) among the chunks' current uploads, applied by the import's upsert, in
 * place in one transaction or through a shadow copy built in committed stages and swapped
 * in. The job row records the merge (`merge_ms`) in the transaction that makes it visible,
 * and the staging table is dropped with it, so a retried commit skips a merge that happened,
 * resumes a shadow build that was cut off, and redoes an in-place merge that did not commit.
 * A strict job is all or nothing: nothing is visible before that transaction.
 */
export async function mergeJob(databases: Databases, jobId: string, timings: Record<string, number>, policy = SHADOW_POLICY): Promise<MergeResult> {
  let waitedMs = 0;
  for (let lostBuilds = 0; ; ) {
    const claim = await databases.transactional().transaction((tx) => claimMerge(tx, jobId, timings, policy));
    if (claim.kind === "done") {
      if (claim.lost.length > 0) throw new LostStagingError(jobId, claim.lost);
      return claim.result;
    }
    if (claim.kind === "wait") {
      // Another job's shadow build holds villes; the Workflow step's timeout bounds the wait.
      await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
      waitedMs += LEASE_POLL_MS;
      timings.merge_waited_ms = waitedMs;
      continue;
    }
    try {
      let rows = 0;
      await finishShadowBuild(databases, jobId, {
        record: async (stage) => void (await databases.primary.execute(recordTimings(stage, jobId))),
        onSwap: async (tx, lease) => {
          rows = lease.rows;
          await recordSwap(tx, jobId, lease);
        },
      });
      return { path: "shadow", rows };
    } catch (error) {
      if (!(error instanceof ShadowBuildLostError) || ++lostBuilds >= 3) throw error;
    }
  }
}

/** In the merge lock: the merge already done, another job's build to wait for, this job's build to finish, or the merge itself. */
async function claimMerge(tx: TransactionDb, jobId: string, timings: Record<string, number>, policy: ShadowPolicy): Promise<Claim> {
  const started = performance.now();
  await tx.execute(MERGE_LOCK);
  const job = await tx.execute<{ merged: boolean; rows: number }>(
    sql`select timings ? 'merge_ms' as merged, rows_upserted as rows from imports where id = ${jobId} for update`,
  );
  if (job.rows[0]?.merged) return { kind: "done", result: { path: "already_merged", rows: Number(job.rows[0].rows) }, lost: [] };
  const lease = await readShadowLease(tx);
  if (lease?.owner === jobId) return { kind: "shadow" };
  if (lease) {
    const holder = await tx.execute<{ status: string }>(sql`select status from imports where id::text = ${lease.owner}`);
    if (holder.rows[0]?.status === "committing") return { kind: "wait", owner: lease.owner };
    // Its job failed or is gone: nothing of that build was ever visible.
    await dropShadowBuild(tx);
  }
  const lost = await findLostChunks(tx, jobId);
  if (lost.length > 0) {
    await reopenForLostChunks(tx, jobId, lost);
    return { kind: "done", result: { path: "already_merged", rows: 0 }, lost };
  }
  await tx.execute(sql`set local work_mem = '256MB'`);
  const columns = UPSERT_SOURCE_COLUMNS.map((column) => sql.raw(`s.${stagingColumnFor(column)} as ${column}`));
  const latest = await tx.execute(sql`
    create temp table import_merge on commit drop as
    select distinct on (s.code_insee, s.type) ${sql.join(columns, sql`, `)}
    from ${stagingTable(jobId)} s join import_chunks c on c.job_id = ${jobId} and c.n = s.chunk_n and c.attempt = s.attempt and c.status = 'done'
    order by s.code_insee, s.type, s.chunk_n desc, s.line desc`);
  const rows = latest.rowCount ?? 0;
  timings.merge_dedupe_ms = Math.round(performance.now() - started);
  timings.merge_rows = rows;
  const size = await tx.execute<{ estimate: number }>(sql`select greatest(reltuples, 0)::float8 as estimate from pg_class where oid = 'public.villes'::regclass`);
  const shadow = rows >= policy.minRows && rows >= policy.minShare * Number(size.rows[0]?.estimate ?? 0) && (await canSwapShadow(tx));
  timings.merge_shadow = shadow ? 1 : 0;
  if (shadow) {
    await startShadowBuild(tx, "import_merge", { owner: jobId, rows }, timings);
    await tx.execute(recordTimings(timings, jobId));
    return { kind: "shadow" };
  }
  const mergeStarted = performance.now();
  // The statement-level trigger writes the changed rows' search terms in one set.
  await tx.execute(sql.raw(upsertFromTable("villes", "import_merge")));
  timings.merge_in_place_ms = Math.round(performance.now() - mergeStarted);
  await tx.execute(dropStagingTable(jobId));
  timings.merge_ms = Math.round(performance.now() - started);
  await tx.execute(sql`update imports set rows_upserted = ${rows}, timings = timings || ${JSON.stringify(timings)}::jsonb, updated_at = now() where id = ${jobId}`);
  return { kind: "done", result: { path: "in_place", rows }, lost: [] };
}

/** In the swap's transaction: the merge is recorded as it becomes visible, its wall time counted from the first stage. */
async function recordSwap(tx: TransactionDb, jobId: string, lease: ShadowLease): Promise<void> {
  await tx.execute(dropStagingTable(jobId));
  await tx.execute(sql`
    update imports set rows_upserted = ${lease.rows}, updated_at = now(),
      timings = timings || jsonb_build_object('merge_ms', round(extract(epoch from clock_timestamp() - ${lease.mergedAt}::timestamptz) * 1000)::bigint)
    where id = ${jobId}`);
}
