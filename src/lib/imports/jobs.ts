import { sql, type SQL } from "drizzle-orm";
import type { HttpDb } from "../db/client.ts";
import type { ImportStatus } from "../db/schema.ts";
import type { ImportRowError } from "../db/import-tables.ts";
import { ApiError } from "../errors.ts";

/** Errors kept on a job (and on each chunk): enough to fix a file, bounded for a 5M-row import. */
export const MAX_KEPT_ERRORS = 1_000;

export type ImportFormat = "csv" | "ndjson";
export type ImportMode = "lenient" | "strict";

export type ImportJob = {
  id: string;
  idempotencyKey: string | null;
  format: ImportFormat;
  mode: ImportMode;
  source: string | null;
  status: ImportStatus;
  rowsReceived: number;
  rowsUpserted: number;
  rowsStaged: number;
  rowsRejected: number;
  errors: ImportRowError[];
  timings: Record<string, number>;
  failure: string | null;
  createdAt: string;
  startedAt: string | null;
  committedAt: string | null;
  updatedAt: string;
};

const iso = (column: string) => sql.raw(`to_json(${column}) #>> '{}'`);

/** Timestamps travel as ISO 8601 text with microseconds, exact enough for keyset cursors. */
const JOB_COLUMNS = sql`id, idempotency_key as "idempotencyKey", format, mode, source, status,
  rows_received as "rowsReceived", rows_upserted as "rowsUpserted", rows_staged as "rowsStaged", rows_rejected as "rowsRejected",
  errors, timings, failure, ${iso("created_at")} as "createdAt", ${iso("started_at")} as "startedAt",
  ${iso("committed_at")} as "committedAt", ${iso("updated_at")} as "updatedAt"`;

export interface NewImportJob {
  format: ImportFormat;
  mode: ImportMode;
  source: string | null;
  idempotencyKey: string | null;
}

/**
 * Opens a job; with an Idempotency-Key, a retry gets the job the first call created. The
 * same key with different parameters is a client bug, answered 409 rather than guessed at.
 */
export async function createJob(db: HttpDb, job: NewImportJob): Promise<{ job: ImportJob; replayed: boolean }> {
  const inserted = await db.execute<ImportJob>(sql`
    insert into imports (idempotency_key, format, mode, source) values (${job.idempotencyKey}, ${job.format}, ${job.mode}, ${job.source})
    on conflict (idempotency_key) do nothing returning ${JOB_COLUMNS}`);
  if (inserted.rows[0]) return { job: inserted.rows[0], replayed: false };
  const existing = await db.execute<ImportJob>(sql`select ${JOB_COLUMNS} from imports where idempotency_key = ${job.idempotencyKey}`);
  const original = existing.rows[0];
  if (!original) throw new Error("idempotency key conflicted but no job holds it");
  if (original.format !== job.format || original.mode !== job.mode || original.source !== job.source) {
    throw new ApiError("conflict", "This Idempotency-Key was already used to create a job with different parameters.", {
      details: { jobId: original.id },
    });
  }
  return { job: original, replayed: true };
}

async function findJob(db: HttpDb, id: string): Promise<ImportJob | undefined> {
  const result = await db.execute<ImportJob>(sql`select ${JOB_COLUMNS} from imports where id = ${id}`);
  return result.rows[0];
}

export async function getJob(db: HttpDb, id: string): Promise<ImportJob> {
  const job = await findJob(db, id);
  if (!job) throw new ApiError("not_found", `No import job ${id}.`);
  return job;
}

export interface JobListPage {
  limit: number;
  status?: ImportStatus;
  /** The last job of the previous page: `created_at` as ISO text and id. */
  after?: [string, string];
}

/** Newest first; ties on created_at broken by id, both descending, as the index is ordered. */
export async function listJobs(db: HttpDb, page: JobListPage): Promise<ImportJob[]> {
  const conditions: SQL[] = [];
  if (page.status) conditions.push(sql`status = ${page.status}`);
  if (page.after) conditions.push(sql`(created_at, id) < (${page.after[0]}::timestamptz, ${page.after[1]}::uuid)`);
  const where = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
  const result = await db.execute<ImportJob>(sql`select ${JOB_COLUMNS} from imports ${where} order by created_at desc, id desc limit ${page.limit}`);
  return result.rows;
}

/**
 * Replaces the job's counters with sums over its chunk rows, so a re-sent chunk (whose row
 * was reset) never counts twice. The job keeps the first errors in chunk and line order.
 * Chunks only stage rows, so rows_upserted is left to the commit's merge.
 */
export function recomputeJobCounters(jobId: string): SQL {
  return sql`
    update imports i set
      rows_received = totals.received, rows_staged = totals.staged, rows_rejected = totals.rejected,
      errors = totals.errors, updated_at = now()
    from (
      select coalesce(sum(c.rows_received), 0)::int as received,
             coalesce(sum(c.rows_staged), 0)::int as staged, coalesce(sum(c.rows_rejected), 0)::int as rejected,
             coalesce((
               select jsonb_agg(kept.error order by kept.n, kept.position)
               from (
                 select c2.n, e.position, e.error from import_chunks c2, jsonb_array_elements(c2.errors) with ordinality as e(error, position)
                 where c2.job_id = ${jobId} order by c2.n, e.position limit ${MAX_KEPT_ERRORS}
               ) kept
             ), '[]'::jsonb) as errors
      from import_chunks c where c.job_id = ${jobId}
    ) totals
    where i.id = ${jobId}`;
}
