import { sql } from "drizzle-orm";
import type { Databases } from "../db/client.ts";
import { findLostChunks, LostStagingError, reopenForLostChunks } from "./lost-staging.ts";
import { stagingColumnFor, UPSERT_SOURCE_COLUMNS, upsertFromTable } from "./merge-sql.ts";
import { buildShadowAndSwap, canSwapShadow } from "./shadow-swap.ts";
import { dropStagingTable, stagingTable } from "./staging.ts";

/**
 * Below this many rows an import merges in place: rebuilding every index of a large table
 * costs more than maintaining them for a few rows. Above it, and when the import rewrites
 * at least SHADOW_MIN_SHARE of the table, it builds on a shadow copy (shadow-swap.ts).
 */
export const SHADOW_MIN_ROWS = 100_000;
export const SHADOW_MIN_SHARE = 0.2;

export type MergePath = "in_place" | "shadow" | "already_merged";

export interface MergeResult {
  path: MergePath;
  rows: number;
}

/** Commits of different jobs write villes one at a time: a shadow copy must not miss another job's rows. */
const MERGE_LOCK = sql`select pg_advisory_xact_lock(hashtext('lieux_villes_merge'))`;

/**
 * Merges a job's staged rows into villes in one transaction, set-based: the last occurrence
 * of each key (by chunk, then line) among the chunks' current uploads, applied by the
 * import's upsert, in place or through a shadow copy swapped in. The job row records the
 * merge in the same transaction (`merge_ms`) and the staging table is dropped with it, so a
 * retried commit skips a merge that happened and redoes one that did not. A strict job is
 * all or nothing because the merge is one transaction.
 */
export async function mergeJob(databases: Databases, jobId: string, timings: Record<string, number>): Promise<MergeResult> {
  const started = performance.now();
  let lost: number[] = [];
  const result = await databases.transactional().transaction(async (tx): Promise<MergeResult> => {
    await tx.execute(MERGE_LOCK);
    const job = await tx.execute<{ merged: boolean; rows: number }>(
      sql`select timings ? 'merge_ms' as merged, rows_upserted as rows from imports where id = ${jobId} for update`,
    );
    if (job.rows[0]?.merged) return { path: "already_merged", rows: Number(job.rows[0].rows) };
    lost = await findLostChunks(tx, jobId);
    if (lost.length > 0) {
      await reopenForLostChunks(tx, jobId, lost);
      return { path: "already_merged", rows: 0 };
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
    const size = await tx.execute<{ estimate: number }>(sql`select greatest(reltuples, 0)::float8 as estimate from pg_class where oid = 'public.villes'::regclass`);
    const shadow = rows >= SHADOW_MIN_ROWS && rows >= SHADOW_MIN_SHARE * Number(size.rows[0]?.estimate ?? 0) && (await canSwapShadow(tx));
    if (shadow) await buildShadowAndSwap(tx, "import_merge", timings);
    else {
      const mergeStarted = performance.now();
      // The statement-level trigger writes the changed rows' search terms in one set.
      await tx.execute(sql.raw(upsertFromTable("villes", "import_merge")));
      timings.merge_in_place_ms = Math.round(performance.now() - mergeStarted);
    }
    await tx.execute(dropStagingTable(jobId));
    timings.merge_rows = rows;
    timings.merge_shadow = shadow ? 1 : 0;
    timings.merge_ms = Math.round(performance.now() - started);
    await tx.execute(sql`update imports set rows_upserted = ${rows}, timings = timings || ${JSON.stringify(timings)}::jsonb, updated_at = now() where id = ${jobId}`);
    return { path: shadow ? "shadow" : "in_place", rows };
  });
  if (lost.length > 0) throw new LostStagingError(jobId, lost);
  return result;
}
