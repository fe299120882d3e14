import { z } from "@hono/zod-openapi";
import { IMPORT_CHUNK_STATUSES } from "../db/import-tables.ts";
import { IMPORT_STATUSES } from "../db/schema.ts";
import type { ImportChunkView } from "../imports/chunks.ts";
import type { ImportJob } from "../imports/jobs.ts";
import type { ChunkReceipt } from "../imports/receive-chunk.ts";

const ImportRowErrorSchema = z
  .object({ chunk: z.number().int(), line: z.number().int(), reason: z.string() })
  .openapi("ImportRowError", { example: { chunk: 3, line: 1207, reason: "departement_code: is not a known département" } });

const TimingsSchema = z.record(z.string(), z.number()).openapi({ description: "Durations in milliseconds, by step.", example: { heavy_prefixes_ms: 412 } });

const ImportChunkSchema = z
  .object({
    n: z.number().int(),
    status: z.enum(IMPORT_CHUNK_STATUSES).openapi({ description: "`receiving` while uploading, or when an upload stopped without a word: re-send it." }),
    rows_received: z.number().int(),
    rows_upserted: z.number().int(),
    rows_staged: z.number().int().openapi({ description: "Valid rows staged by this chunk, waiting for the commit's merge into villes." }),
    rows_rejected: z.number().int(),
    batches: z.number().int(),
    last_line: z.number().int().openapi({ description: "Last line of the last batch written: where an interrupted upload stopped." }),
    bytes: z.number().int().nullable(),
    sha256: z.string().nullable(),
    failure: z.string().nullable(),
    timings: TimingsSchema,
    started_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi("ImportChunk");

export const ImportJobSchema = z
  .object({
    id: z.string().uuid(),
    status: z.enum(IMPORT_STATUSES),
    format: z.enum(["csv", "ndjson"]),
    mode: z.enum(["lenient", "strict"]),
    source: z.string().nullable(),
    idempotency_key: z.string().nullable(),
    rows_received: z.number().int(),
    rows_upserted: z.number().int(),
    rows_staged: z.number().int(),
    rows_rejected: z.number().int(),
    errors: z.array(ImportRowErrorSchema).openapi({ description: "The first 1,000 rejected rows, in chunk and line order." }),
    timings: TimingsSchema,
    failure: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    committed_at: z.string().nullable(),
    updated_at: z.string(),
    chunks: z.array(ImportChunkSchema).optional().openapi({ description: "Present on a single job." }),
  })
  .openapi("ImportJob");

export const ChunkReceiptSchema = z
  .object({
    job_id: z.string().uuid(),
    n: z.number().int(),
    rows_received: z.number().int(),
    rows_upserted: z.number().int(),
    rows_staged: z.number().int(),
    rows_rejected: z.number().int(),
    errors: z.array(ImportRowErrorSchema),
    bytes: z.number().int(),
    sha256: z.string(),
    timings: TimingsSchema,
  })
  .openapi("ImportChunkReceipt");

function presentChunk(chunk: ImportChunkView): z.infer<typeof ImportChunkSchema> {
  return {
    n: chunk.n,
    status: chunk.status,
    rows_received: chunk.rowsReceived,
    rows_upserted: chunk.rowsUpserted,
    rows_staged: chunk.rowsStaged,
    rows_rejected: chunk.rowsRejected,
    batches: chunk.batches,
    last_line: chunk.lastLine,
    bytes: chunk.bytes,
    sha256: chunk.sha256,
    failure: chunk.failure,
    timings: chunk.timings,
    started_at: chunk.startedAt,
    finished_at: chunk.finishedAt,
  };
}

export function presentJob(job: ImportJob, chunks?: ImportChunkView[]): z.infer<typeof ImportJobSchema> {
  return {
    id: job.id,
    status: job.status,
    format: job.format,
    mode: job.mode,
    source: job.source,
    idempotency_key: job.idempotencyKey,
    rows_received: job.rowsReceived,
    rows_upserted: job.rowsUpserted,
    rows_staged: job.rowsStaged,
    rows_rejected: job.rowsRejected,
    errors: job.errors,
    timings: job.timings,
    failure: job.failure,
    created_at: job.createdAt,
    started_at: job.startedAt,
    committed_at: job.committedAt,
    updated_at: job.updatedAt,
    ...(chunks ? { chunks: chunks.map(presentChunk) } : {}),
  };
}

export function presentReceipt(receipt: ChunkReceipt): z.infer<typeof ChunkReceiptSchema> {
  return {
    job_id: receipt.jobId,
    n: receipt.n,
    rows_received: receipt.rowsReceived,
    rows_upserted: receipt.rowsUpserted,
    rows_staged: receipt.rowsStaged,
    rows_rejected: receipt.rowsRejected,
    errors: receipt.errors,
    bytes: receipt.bytes,
    sha256: receipt.sha256,
    timings: receipt.timings,
  };
}
