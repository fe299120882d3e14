import { createHash, randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { MultiBar, type SingleBar } from "cli-progress";
import { AdminApiError, adminApi, type ImportJobBody } from "./lib/admin-api.ts";
import { cutIntoChunks, type ImportFileFormat } from "./lib/file-chunks.ts";
import { printSummary } from "./lib/import-summary.ts";

/**
 * `npm run import -- <file> [--format csv|ndjson] [--url http://127.0.0.1:8787] [--token …]
 *   [--strict] [--chunk-mb 4] [--concurrency 4] [--resume <jobId>]`
 *
 * Streams the file in chunks cut on record boundaries, uploads them with bounded
 * concurrency and retries, commits, and prints a summary. Exit code 0 on success, 1 when
 * the import failed, 2 on bad usage. `--resume` reuses a job and skips the chunks it
 * already holds with the same SHA-256.
 */
const USAGE = "usage: npm run import -- <file> [--format csv|ndjson] [--url URL] [--token TOKEN] [--strict] [--chunk-mb 4] [--concurrency 4] [--resume JOB_ID]";
const CONTENT_TYPES: Record<ImportFileFormat, string> = { csv: "text/csv", ndjson: "application/x-ndjson" };
/** The server takes 10 MiB; a margin keeps a chunk plus its last record under it. */
const MAX_CHUNK_MB = 9;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    format: { type: "string" },
    url: { type: "string", default: "http://127.0.0.1:8787" },
    token: { type: "string" },
    strict: { type: "boolean", default: false },
    "chunk-mb": { type: "string", default: "4" },
    concurrency: { type: "string", default: "4" },
    resume: { type: "string" },
  },
});
const [file] = positionals;
const chunkMb = Number(values["chunk-mb"]);
const concurrency = Number(values.concurrency);
const format = (values.format ?? (file && /\.(nd)?jsonl?$/.test(file) ? "ndjson" : "csv")) as ImportFileFormat;
if (!file || positionals.length > 1 || !(chunkMb > 0 && chunkMb <= MAX_CHUNK_MB) || !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 32) || !(format in CONTENT_TYPES)) {
  console.error(USAGE);
  process.exit(2);
}
const token = values.token ?? process.env.ADMIN_TOKEN?.split(",")[0]?.trim() ?? "dev-admin-token";
const fileBytes = statSync(file).size;

const api = adminApi({
  baseUrl: values.url,
  token,
  onRetry: (what, attempt, reason, waitMs) => bars.log(`${what}: ${reason}; retry ${attempt} in ${Math.round(waitMs)} ms\n`),
});
// A MultiBar with one bar, because only MultiBar can print retry notices above the bar.
const bars = new MultiBar({
  format: " {bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted} | chunks {chunks}",
  hideCursor: true,
  etaBuffer: 50,
});
let bar: SingleBar | undefined;

async function openJob(): Promise<ImportJobBody> {
  if (values.resume) return api.getJob(values.resume);
  return api.createJob({ format, mode: values.strict ? "strict" : "lenient", source: basename(file!) }, `cli-${randomUUID()}`);
}

/** The server lets a new commit take over a "committing" job after 5 minutes without progress. */
const COMMIT_TAKEOVER_MS = 5.5 * 60_000;
const COMMIT_GIVE_UP_MS = 60 * 60_000;

/**
 * A commit answered 409 may be one still running from an earlier attempt: follow it, and
 * if it stops making progress (its Worker died), commit again so the server takes over.
 */
async function commitJob(id: string): Promise<ImportJobBody> {
  const started = Date.now();
  for (;;) {
    try {
      return await api.commit(id);
    } catch (error) {
      if (!(error instanceof AdminApiError) || error.status !== 409) throw error;
    }
    const followingSince = Date.now();
    while (Date.now() - followingSince < COMMIT_TAKEOVER_MS) {
      const job = await api.getJob(id);
      if (job.status !== "committing") return job;
      await sleep(2_000);
    }
    if (Date.now() - started > COMMIT_GIVE_UP_MS) throw new Error(`job ${id} is still committing after ${COMMIT_GIVE_UP_MS / 60_000} minutes`);
  }
}

async function main(): Promise<number> {
  const job = await openJob();
  if (job.status !== "open") throw new Error(`job ${job.id} is ${job.status}: nothing to upload`);
  if (job.format !== format) throw new Error(`job ${job.id} takes ${job.format}, not ${format}`);
  const alreadyDone = new Map((job.chunks ?? []).filter((chunk) => chunk.status === "done").map((chunk) => [chunk.n, chunk.sha256]));
  console.log(`job ${job.id} (${job.format}, ${job.mode}): uploading ${file} in ${chunkMb} MB chunks, ${concurrency} at a time`);

  const started = performance.now();
  let rows = 0;
  let uploadedRows = 0;
  let chunks = 0;
  let skipped = 0;
  bar = bars.create(fileBytes, 0, { rows: 0, rate: 0, chunks: 0 });
  const progress = (fileBytesDone: number, chunkRows: number, uploaded: boolean) => {
    rows += chunkRows;
    if (uploaded) uploadedRows += chunkRows;
    chunks++;
    bar?.increment(fileBytesDone, { rows, chunks, rate: Math.round(uploadedRows / ((performance.now() - started) / 1000)) });
  };

  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for await (const chunk of cutIntoChunks(file!, format, chunkMb * 1024 * 1024)) {
    if (failure) break;
    if (alreadyDone.get(chunk.n) === createHash("sha256").update(chunk.body).digest("hex")) {
      skipped++;
      progress(chunk.fileBytes, chunk.rows, false);
      continue;
    }
    const upload = api
      .putChunk(job.id, chunk.n, chunk.body, CONTENT_TYPES[format])
      .then((receipt) => progress(chunk.fileBytes, receipt.rows_received, true))
      .catch((error: unknown) => void (failure ??= Object.assign(new Error(`chunk ${chunk.n}: ${String(error instanceof Error ? error.message : error)}`), { cause: error })))
      .finally(() => inFlight.delete(upload));
    inFlight.add(upload);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  bars.stop();
  const uploadMs = performance.now() - started;
  if (failure) {
    console.error(`upload failed: ${failure instanceof Error ? failure.message : String(failure)}`);
    console.error(`fix the cause, then resume with: npm run import -- ${file} --resume ${job.id}`);
    return 1;
  }
  if (skipped > 0) console.log(`${skipped} chunk(s) already uploaded, skipped`);

  const committed = await commitJob(job.id);
  printSummary(committed, { uploadMs, rows: uploadedRows });
  return committed.status === "done" ? 0 : 1;
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    bars.stop();
    console.error(error instanceof AdminApiError ? `${error.message}\n${JSON.stringify((error.body as { error?: { details?: unknown } })?.error?.details ?? {}, null, 2)}` : error);
    process.exit(1);
  });
