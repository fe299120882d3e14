import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { MultiBar, type SingleBar } from "cli-progress";
import { AdminApiError, adminApi, ImportUploadError } from "./lib/admin-api.ts";
import { cutIntoChunks, type ImportFileFormat } from "./lib/file-chunks.ts";
import { printSummary } from "./lib/import-summary.ts";
import { COMMIT_STEPS } from "../src/lib/imports/commit-step-names.ts";

/**
 * `npm run import -- <file> [--format csv|ndjson] [--url http://127.0.0.1:8787] [--token …]
 *   [--strict] [--chunk-mb 4] [--concurrency 4] [--resume <jobId> [--restart-commit]]`
 *
 * Streams the file in chunks cut on record boundaries, uploads them with bounded
 * concurrency and retries, commits, and prints a summary. Exit code 0 on success, 1 when
 * the import failed, 2 on bad usage. `--resume` reuses a job and skips the chunks it
 * already holds with the same SHA-256; for a job that is committing, it follows the commit,
 * and with `--restart-commit` stops its Workflow and runs the commit again first.
 */
const USAGE = "usage: npm run import -- <file> [--format csv|ndjson] [--url URL] [--token TOKEN] [--strict] [--chunk-mb 4] [--concurrency 4] [--resume JOB_ID [--restart-commit]]";
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
    "restart-commit": { type: "boolean", default: false },
  },
});
const [file] = positionals;
const chunkMb = Number(values["chunk-mb"]);
const concurrency = Number(values.concurrency);
const format = (values.format ?? (file && /\.(nd)?jsonl?$/.test(file) ? "ndjson" : "csv")) as ImportFileFormat;
if (!file || positionals.length > 1 || !(chunkMb > 0 && chunkMb <= MAX_CHUNK_MB) || !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 32) || !(format in CONTENT_TYPES) || (values["restart-commit"] && !values.resume)) {
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
let commitBar: SingleBar | undefined;

async function main(): Promise<number> {
  let started = performance.now();
  let uploadMs = 0;
  let rows = 0;
  let uploadedRows = 0;
  let chunks = 0;
  let skipped = 0;
  try {
    const committed = await api.import({
      format,
      mode: values.strict ? "strict" : "lenient",
      source: basename(file!),
      idempotencyKey: `cli-${randomUUID()}`,
      ...(values.resume ? { resume: values.resume, restartCommit: values["restart-commit"] } : {}),
      concurrency,
      chunks: cutIntoChunks(file!, format, chunkMb * 1024 * 1024),
      onJob: (job) => {
        console.log(`job ${job.id} (${job.format}, ${job.mode}): uploading ${file} in ${chunkMb} MB chunks, ${concurrency} at a time`);
        started = performance.now();
        bar = bars.create(fileBytes, 0, { rows: 0, rate: 0, chunks: 0 });
      },
      onChunk: ({ chunk, receipt, skipped: wasSkipped }) => {
        const chunkRows = receipt?.rows_received ?? chunk.rows ?? 0;
        rows += chunkRows;
        if (wasSkipped) skipped++;
        else uploadedRows += chunkRows;
        chunks++;
        bar?.increment(chunk.fileBytes, { rows, chunks, rate: Math.round(uploadedRows / ((performance.now() - started) / 1000)) });
      },
      onCommit: () => {
        uploadMs = performance.now() - started;
        bar?.stop();
        if (skipped > 0) bars.log(`${skipped} chunk(s) already uploaded, skipped\n`);
        commitBar = bars.create(COMMIT_STEPS.length, 0, { step: COMMIT_STEPS[0] }, { format: " commit {bar} {value}/{total} steps | {step}" });
        // Set again on purpose: a bench run (CI=true, no TTY) printed this bar as "6/100 steps".
        commitBar.setTotal(COMMIT_STEPS.length);
      },
      // The server runs the commit as a Workflow; each step done leaves its <step>_ms in the job's timings.
      onCommitProgress: (job) => {
        const done = COMMIT_STEPS.filter((step) => job.timings[`${step}_ms`] !== undefined).length;
        commitBar?.update(done, { step: COMMIT_STEPS[done] ?? "finishing" });
      },
    });
    commitBar?.update(COMMIT_STEPS.length, { step: committed.status });
    bars.stop();
    printSummary(committed, { uploadMs, rows: uploadedRows });
    return committed.status === "done" ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ImportUploadError)) throw error;
    bars.stop();
    console.error(`upload failed: ${error.message}`);
    console.error(`fix the cause, then resume with: npm run import -- ${file} --resume ${error.jobId}`);
    return 1;
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    bars.stop();
    console.error(error instanceof AdminApiError ? `${error.message}\n${JSON.stringify((error.body as { error?: { details?: unknown } })?.error?.details ?? {}, null, 2)}` : error);
    process.exit(1);
  });
