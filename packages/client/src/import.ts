import type { components } from "./schema.js";

type ImportJob = components["schemas"]["ImportJob"];
type ImportChunkReceipt = components["schemas"]["ImportChunkReceipt"];
type NewImportJob = components["schemas"]["NewImportJob"];

interface AdminCalls {
  createJob(job: NewImportJob, idempotencyKey?: string): Promise<ImportJob>;
  getJob(id: string): Promise<ImportJob>;
  putChunk(id: string, n: number, body: Uint8Array | string, contentType: "text/csv" | "application/x-ndjson"): Promise<ImportChunkReceipt>;
  commit(id: string, options?: { restart?: boolean }): Promise<ImportJob>;
}

/** One chunk of the file, cut on a record boundary; a CSV chunk starts with the header line. */
export interface ImportChunkSource {
  /** 1, 2, 3…: re-sending chunk n replaces it on the server. */
  n: number;
  body: Uint8Array | string;
  /** Data rows in the chunk, for progress only. */
  rows?: number;
}

export interface ImportProgress<Chunk extends ImportChunkSource = ImportChunkSource> {
  chunk: Chunk;
  /** The server's counts, or null when the chunk was skipped. */
  receipt: ImportChunkReceipt | null;
  /** A resumed job already held this chunk with the same SHA-256. */
  skipped: boolean;
}

export interface ImportOptions<Chunk extends ImportChunkSource = ImportChunkSource> {
  format: "csv" | "ndjson";
  /** @default "lenient" */
  mode?: "lenient" | "strict";
  /** A name for the job, e.g. the file name. */
  source?: string;
  /** The same key returns the same job when the create call is retried. */
  idempotencyKey?: string;
  /**
   * A job to continue instead of creating one. An open job: the chunks it holds with the same
   * SHA-256 are skipped. A committing job: its commit is followed (nothing is uploaded).
   */
  resume?: string;
  /**
   * With `resume` of a committing job: stop its commit Workflow and run the commit again from
   * the first step (`restart=true`), for a commit that makes no progress. @default false
   */
  restartCommit?: boolean;
  chunks: AsyncIterable<Chunk> | Iterable<Chunk>;
  /** @default 4 */
  concurrency?: number;
  /** The job is open; uploads start. */
  onJob?: (job: ImportJob) => void;
  /** After each chunk, uploaded or skipped. */
  onChunk?: (progress: ImportProgress<Chunk>) => void;
  /** Every chunk is uploaded; the commit starts. */
  onCommit?: (job: ImportJob) => void;
  /** While the commit runs, after each read of the job: `timings` holds `<step>_ms` for every step done. */
  onCommitProgress?: (job: ImportJob) => void;
  /** @default 1_000 */
  commitPollMs?: number;
}

/** A chunk failed for good: the job stays open, and `resume: jobId` continues it. */
export class ImportUploadError extends Error {
  override readonly name = "ImportUploadError";
  constructor(
    readonly jobId: string,
    readonly chunk: number,
    cause: unknown,
  ) {
    super(`chunk ${chunk}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const COMMIT_GIVE_UP_MS = 60 * 60_000;
const CONTENT_TYPES = { csv: "text/csv", ndjson: "application/x-ndjson" } as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sha256Hex(body: Uint8Array | string): Promise<string> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The commit answers 202 and runs as a Workflow on the server, which retries and resumes
 * its steps itself: the client only follows the job until it is done or failed.
 */
async function commitJob(admin: AdminCalls, id: string, pollMs: number, onProgress?: (job: ImportJob) => void, restart = false): Promise<ImportJob> {
  const started = Date.now();
  let job = await admin.commit(id, restart ? { restart } : undefined);
  while (job.status === "committing") {
    onProgress?.(job);
    if (Date.now() - started > COMMIT_GIVE_UP_MS) throw new Error(`job ${id} is still committing after ${COMMIT_GIVE_UP_MS / 60_000} minutes`);
    await sleep(pollMs);
    job = await admin.getJob(id);
  }
  return job;
}

/** POST /v1/admin/imports, PUT each chunk (a bounded number at a time), POST commit. */
export async function importChunks<Chunk extends ImportChunkSource>(admin: AdminCalls, options: ImportOptions<Chunk>): Promise<ImportJob> {
  const concurrency = options.concurrency ?? 4;
  const job = options.resume
    ? await admin.getJob(options.resume)
    : await admin.createJob({ format: options.format, mode: options.mode ?? "lenient", ...(options.source ? { source: options.source } : {}) }, options.idempotencyKey);
  if (job.status === "committing") {
    options.onCommit?.(job);
    return commitJob(admin, job.id, options.commitPollMs ?? 1_000, options.onCommitProgress, options.restartCommit === true);
  }
  if (job.status !== "open") throw new Error(`job ${job.id} is ${job.status}: nothing to upload`);
  if (job.format !== options.format) throw new Error(`job ${job.id} takes ${job.format}, not ${options.format}`);
  const alreadyDone = new Map((job.chunks ?? []).filter((chunk) => chunk.status === "done").map((chunk) => [chunk.n, chunk.sha256]));
  options.onJob?.(job);

  const inFlight = new Set<Promise<void>>();
  let failure: ImportUploadError | undefined;
  for await (const chunk of options.chunks) {
    if (failure) break;
    if (alreadyDone.has(chunk.n) && alreadyDone.get(chunk.n) === (await sha256Hex(chunk.body))) {
      options.onChunk?.({ chunk, receipt: null, skipped: true });
      continue;
    }
    const upload = admin
      .putChunk(job.id, chunk.n, chunk.body, CONTENT_TYPES[options.format])
      .then((receipt) => options.onChunk?.({ chunk, receipt, skipped: false }))
      .catch((error: unknown) => void (failure ??= new ImportUploadError(job.id, chunk.n, error)))
      .finally(() => inFlight.delete(upload));
    inFlight.add(upload);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  options.onCommit?.(job);
  return commitJob(admin, job.id, options.commitPollMs ?? 1_000, options.onCommitProgress);
}
