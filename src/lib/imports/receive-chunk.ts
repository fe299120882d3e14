import type { Services } from "../services.ts";
import type { ImportRowError } from "../db/import-tables.ts";
import { isOutage } from "../outage.ts";
import { ApiError } from "../errors.ts";
import { describeError } from "../logger.ts";
import { assertDeclaredLength, ChunkBody, UploadInterruptedError } from "./chunk-body.ts";
import { finishChunk, registerChunk, type ChunkOutcome } from "./chunks.ts";
import { parseCsv } from "./csv.ts";
import { getJob, MAX_KEPT_ERRORS, type ImportFormat, type ImportJob } from "./jobs.ts";
import { parseNdjson } from "./ndjson.ts";
import { ImportFormatError } from "./parsed-record.ts";
import { loadReferenceCodes } from "./reference-codes.ts";
import { createRowValidator } from "./row-fast-path.ts";
import { createRowSchema } from "./row-schema.ts";
import type { ChunkAttempt } from "./chunk-attempt.ts";
import { yieldingEvery } from "./cooperative.ts";
import { StagingWriter } from "./staging-writer.ts";

export const CONTENT_TYPES: Record<ImportFormat, string> = { csv: "text/csv", ndjson: "application/x-ndjson" };

export interface ChunkUpload {
  jobId: string;
  n: number;
  contentType: string | undefined;
  contentLength: string | undefined;
  body: ReadableStream<Uint8Array> | null;
  batchSize: number;
}

export interface ChunkReceipt {
  jobId: string;
  n: number;
  rowsReceived: number;
  rowsUpserted: number;
  rowsStaged: number;
  rowsRejected: number;
  errors: ImportRowError[];
  bytes: number;
  sha256: string;
  timings: Record<string, number>;
}

function assertContentType(job: ImportJob, contentType: string | undefined): void {
  const [essence = "", ...parameters] = (contentType ?? "").split(";").map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith("charset="))?.slice("charset=".length).replaceAll('"', "");
  const expected = CONTENT_TYPES[job.format];
  if (essence !== expected || (charset !== undefined && charset !== "utf-8")) {
    throw new ApiError("unsupported_media_type", `This ${job.format} job takes chunks as ${expected} (UTF-8).`, { details: { expected } });
  }
}

async function openJob(services: Services, upload: ChunkUpload): Promise<ImportJob> {
  const job = await getJob(services.databases.primary, upload.jobId);
  if (job.status !== "open") throw new ApiError("conflict", `Import job ${job.id} is ${job.status}: it takes no more chunks.`, { details: { status: job.status } });
  assertContentType(job, upload.contentType);
  assertDeclaredLength(upload.contentLength);
  return job;
}

/** What the client is told about a chunk that could not be read to the end. */
function toClientError(error: unknown, chunk: ChunkAttempt): unknown {
  if (error instanceof ImportFormatError) {
    return new ApiError("unprocessable", `Chunk ${chunk.n} cannot be read at line ${error.line}: ${error.reason}`, {
      details: { chunk: chunk.n, line: error.line, reason: error.reason },
    });
  }
  if (error instanceof UploadInterruptedError) {
    return new ApiError("bad_request", `The upload of chunk ${chunk.n} was interrupted; re-send the chunk.`, { details: { chunk: chunk.n } });
  }
  return error;
}

/**
 * Streams one chunk through parsing and validation into the job's staging table (both
 * modes: rows reach villes at the commit's merge). Bad rows are rejected with their line; a
 * chunk that cannot be read answers 422 and keeps the whole batches already staged, which
 * the merge ignores unless a re-send of the chunk completes.
 */
export async function receiveChunk(services: Services, upload: ChunkUpload): Promise<ChunkReceipt> {
  const db = services.databases.primary;
  const job = await openJob(services, upload);
  const [reference, chunk] = await Promise.all([loadReferenceCodes(db), registerChunk(db, job.id, upload.n)]);
  if (!chunk) throw new ApiError("conflict", `Import job ${job.id} stopped taking chunks.`);

  const started = performance.now();
  const validate = createRowValidator(reference, createRowSchema(reference));
  const body = new ChunkBody(upload.body);
  const writer = new StagingWriter(db, chunk, upload.batchSize);
  const tally = { received: 0, accepted: 0, rejected: 0, errors: [] as ImportRowError[] };
  const outcome = (status: ChunkOutcome["status"], sha256: string | null, failure: string | null): ChunkOutcome => ({
    status,
    rowsReceived: tally.received,
    rowsRejected: tally.rejected,
    errors: tally.errors,
    bytes: body.bytes,
    sha256,
    failure,
    timings: { total_ms: Math.round(performance.now() - started), write_ms: Math.round(writer.writeMs), batches: writer.batches },
  });

  try {
    const records = job.format === "csv" ? parseCsv(body.pieces()) : parseNdjson(body.pieces());
    for await (const record of yieldingEvery(records)) {
      tally.received++;
      const result = "rejected" in record ? { ok: false as const, reason: record.rejected } : validate(record.input);
      if (result.ok) {
        tally.accepted++;
        await writer.add(record.line, result.row);
      } else {
        tally.rejected++;
        if (tally.errors.length < MAX_KEPT_ERRORS) tally.errors.push({ chunk: upload.n, line: record.line, reason: result.reason });
      }
    }
    await writer.finish();
  } catch (error) {
    await writer.abandon();
    const failure = error instanceof Error ? error.message : String(error);
    await finishChunk(db, chunk, outcome("failed", null, failure)).catch((recordError: unknown) => {
      // With the primary down the chunk stays "receiving"; either way the client must re-send it.
      if (!isOutage(recordError)) services.logger.log("warn", "could not record a failed chunk", describeError(recordError));
    });
    throw toClientError(error, chunk);
  }

  const sha256 = await body.sha256();
  const done = outcome("done", sha256, null);
  await finishChunk(db, chunk, done);
  services.logger.log("info", "import chunk received", { jobId: job.id, n: upload.n, rows: tally.received, rejected: tally.rejected, bytes: body.bytes, ...done.timings });
  return {
    jobId: job.id,
    n: upload.n,
    rowsReceived: tally.received,
    rowsUpserted: 0,
    rowsStaged: tally.accepted,
    rowsRejected: tally.rejected,
    errors: tally.errors,
    bytes: body.bytes,
    sha256,
    timings: done.timings,
  };
}
