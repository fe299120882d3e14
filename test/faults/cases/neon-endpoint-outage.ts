import assert from "node:assert/strict";
import { countVilles, queryPostgres } from "../../../scripts/resilience/primary-reads.ts";
import { syntheticCsv } from "../../../scripts/resilience/import-client.ts";
import { faultRecord, logsSince, sleep, waitFor, type FaultContext } from "../harness/fault-record.ts";
import { autocompletePath, freshQueries } from "../harness/observe.ts";
import { whileLooping } from "../../../scripts/lib/request-loop.ts";

const RATE_PER_SECOND = 20;
const CHUNK_ROWS = 30_000;
const BATCH_SIZE = 500;
/** Synthetic codes of this case: far from the other cases' ranges. */
const FIRST_INDEX = 2 * 36 ** 4;

async function chunkProgress(primaryUrl: string, jobId: string) {
  const rows = await queryPostgres<{ batches: number; rows_staged: number; status: string }>(
    primaryUrl,
    "select batches, rows_staged, status from import_chunks where job_id = $1 and n = 1",
    [jobId],
  );
  return rows[0];
}

/** Rows the interrupted upload left in the job's staging table (chunks stage; the commit merges). */
async function stagedRows(primaryUrl: string, jobId: string): Promise<number> {
  const rows = await queryPostgres<{ n: number }>(primaryUrl, `select count(*)::int as n from import_rows_${jobId.replaceAll("-", "")}`, []);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The local Neon endpoint (every query the Worker sends) stops while a chunk is being
 * written in batches. Each batch is one transaction with its progress row, so whatever
 * landed is whole batches, counted exactly; re-sending the chunk then completes the job.
 * The client meanwhile reads cached answers, which need no database.
 */
export async function neonEndpointStoppedMidImport(ctx: FaultContext): Promise<void> {
  const { stack, worker, admin } = ctx;
  const mark = worker.lines.length;
  const warmed = freshQueries(20);
  for (const q of warmed) await (await fetch(worker.origin + autocompletePath(q))).text();

  const { csv, codes } = syntheticCsv(FIRST_INDEX, CHUNK_ROWS);
  const job = await admin.createJob();
  assert.equal(job.status, 201, JSON.stringify(job.body));
  const jobId = job.body.id;

  const faultStarted = Date.now();
  const { summary, value: interrupted } = await whileLooping(
    { origin: worker.origin, ratePerSecond: RATE_PER_SECOND, durationMs: 8_000, next: (index) => ({ path: autocompletePath(warmed[index % warmed.length]!) }) },
    async () => {
      const upload = admin.putChunk(jobId, 1, csv, BATCH_SIZE);
      const midway = await waitFor(async () => {
        const progress = await chunkProgress(stack.primary.url, jobId);
        return progress && progress.batches >= 2 ? progress : undefined;
      }, 60_000, 20);
      await stack.stopNeonEndpoint();
      const answer = await upload;
      await sleep(3_000);
      await stack.restartNeonEndpoint();
      return { answer, stoppedMidway: midway.value?.status === "receiving" && midway.value.batches < CHUNK_ROWS / BATCH_SIZE };
    },
  );
  const faultMs = Date.now() - faultStarted;

  const progress = await chunkProgress(stack.primary.url, jobId);
  const landed = await stagedRows(stack.primary.url, jobId);
  const resent = await admin.putChunk(jobId, 1, csv, BATCH_SIZE);
  const committed = await admin.commitToEnd(jobId);
  const finalRows = await countVilles(stack.primary.url, codes);

  ctx.report(
    faultRecord("local Neon endpoint stopped mid-chunk, then restarted", "whole batches only; the chunk re-sent completes the job; cached reads keep working", summary, {
      faultMs,
      rowsLost: CHUNK_ROWS - finalRows,
      logs: logsSince(worker, mark),
      details: {
        interruptedChunk: { status: interrupted.answer.status, retryAfter: interrupted.answer.retryAfter, stoppedMidway: interrupted.stoppedMidway },
        landedBeforeResend: { stagedRows: landed, recordedRows: progress?.rows_staged, batches: progress?.batches, batchSize: BATCH_SIZE },
        resend: resent.status,
        commit: { status: committed.status, jobStatus: committed.body.status, rowsUpserted: committed.body.rows_upserted },
      },
    }),
  );

  assert.ok(interrupted.stoppedMidway, "the chunk finished before the endpoint could be stopped");
  assert.equal(interrupted.answer.status, 503, JSON.stringify(interrupted.answer.body));
  assert.ok(interrupted.answer.retryAfter, "a 503 must say when to retry");
  assert.equal(landed % BATCH_SIZE, 0, `${landed} rows landed: part of a batch was written`);
  assert.equal(landed, progress?.rows_staged, "rows in staging and the chunk's recorded progress disagree");
  assert.equal(summary.non2xx, 0, `cached reads failed: ${JSON.stringify(summary.responses.filter((r) => r.status !== 200).slice(0, 3))}`);
  assert.equal(resent.status, 200, JSON.stringify(resent.body));
  assert.equal(committed.status, 202, JSON.stringify(committed.body));
  assert.equal(committed.body.status, "done", JSON.stringify(committed.body));
  assert.equal(committed.body.rows_upserted, CHUNK_ROWS);
  assert.equal(finalRows, CHUNK_ROWS);
}
