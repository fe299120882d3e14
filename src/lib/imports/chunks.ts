import { and, asc, eq, sql } from "drizzle-orm";
import type { HttpDb } from "../db/client.ts";
import { importChunks, type ImportChunkStatus, type ImportRowError } from "../db/import-tables.ts";
import { recomputeJobCounters } from "./jobs.ts";
import { createStagingTable } from "./staging.ts";
import type { ChunkAttempt } from "./chunk-attempt.ts";

export type ImportChunkView = {
  n: number;
  status: ImportChunkStatus;
  rowsReceived: number;
  rowsUpserted: number;
  rowsStaged: number;
  rowsRejected: number;
  batches: number;
  lastLine: number;
  bytes: number | null;
  sha256: string | null;
  failure: string | null;
  timings: Record<string, number>;
  startedAt: string;
  finishedAt: string | null;
};

/**
 * Starts an upload of chunk n: a new attempt id, the chunk's row reset (a re-send replaces
 * it; rows staged by earlier attempts stay in the job's table but the merge reads only the
 * current attempt's), the job's staging table created on first use, the job's counters
 * recomputed. Updating the job row first locks it, so a commit (SELECT … FOR UPDATE) either
 * sees this chunk or makes this statement find the job no longer open. Returns undefined
 * when the job is not open.
 */
export async function registerChunk(db: HttpDb, jobId: string, n: number): Promise<ChunkAttempt | undefined> {
  const chunk: ChunkAttempt = { jobId, n, attempt: crypto.randomUUID() };
  const lockOpenJob = db.execute(sql`update imports set started_at = coalesce(started_at, now()), updated_at = now() where id = ${jobId} and status = 'open' returning id`);
  const resetChunk = db.execute(sql`
    insert into import_chunks (job_id, n, attempt)
    select ${jobId}, ${n}, ${chunk.attempt} where exists (select 1 from imports where id = ${jobId} and status = 'open')
    on conflict (job_id, n) do update set attempt = excluded.attempt, status = 'receiving', rows_received = 0, rows_upserted = 0,
      rows_staged = 0, rows_rejected = 0, batches = 0, last_line = 0, bytes = null, sha256 = null, errors = '[]'::jsonb,
      timings = '{}'::jsonb, failure = null, started_at = now(), finished_at = null`);
  const recount = db.execute(recomputeJobCounters(jobId));
  const [locked] = await db.batch([lockOpenJob, resetChunk, db.execute(createStagingTable(jobId)), recount]);
  return locked.rows.length > 0 ? chunk : undefined;
}

export interface ChunkOutcome {
  status: Exclude<ImportChunkStatus, "receiving">;
  rowsReceived: number;
  rowsRejected: number;
  errors: ImportRowError[];
  bytes: number;
  sha256: string | null;
  timings: Record<string, number>;
  failure: string | null;
}

/**
 * Records how an upload ended (rows written were counted batch by batch) and refreshes the
 * job's counters, in one transaction. A superseded attempt changes nothing.
 */
export async function finishChunk(db: HttpDb, chunk: ChunkAttempt, outcome: ChunkOutcome): Promise<void> {
  await db.batch([
    // Lock the job first: the recount below then starts after any concurrent chunk's recount
    // has committed, and its snapshot sees that chunk (a read taken before the lock would not).
    db.execute(sql`select 1 from imports where id = ${chunk.jobId} for update`),
    db
      .update(importChunks)
      .set({ ...outcome, finishedAt: sql`now()` })
      .where(and(eq(importChunks.jobId, chunk.jobId), eq(importChunks.n, chunk.n), eq(importChunks.attempt, chunk.attempt))),
    db.execute(recomputeJobCounters(chunk.jobId)),
  ]);
}

const isoText = (column: typeof importChunks.startedAt | typeof importChunks.finishedAt) => sql<string>`to_json(${column}) #>> '{}'`;

export async function listChunks(db: HttpDb, jobId: string): Promise<ImportChunkView[]> {
  const c = importChunks;
  return db
    .select({
      n: c.n,
      status: c.status,
      rowsReceived: c.rowsReceived,
      rowsUpserted: c.rowsUpserted,
      rowsStaged: c.rowsStaged,
      rowsRejected: c.rowsRejected,
      batches: c.batches,
      lastLine: c.lastLine,
      bytes: c.bytes,
      sha256: c.sha256,
      failure: c.failure,
      timings: c.timings,
      startedAt: isoText(c.startedAt),
      finishedAt: isoText(c.finishedAt),
    })
    .from(c)
    .where(eq(c.jobId, jobId))
    .orderBy(asc(c.n));
}
