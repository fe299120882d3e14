import assert from "node:assert/strict";
import { countVilles, queryPostgres } from "../../../scripts/resilience/primary-reads.ts";
import { syntheticCsv, type JobBody } from "../../../scripts/resilience/import-client.ts";
import { faultRecord, logsSince, sleep, waitFor, type FaultContext } from "../harness/fault-record.ts";
import { autocompletePath, freshQueries } from "../harness/observe.ts";
import { whileLooping } from "../../../scripts/lib/request-loop.ts";

const RATE_PER_SECOND = 20;
/** Enough rows that the in-place merge runs for seconds (the search-terms trigger costs ~250 µs a row here). */
export const ROWS = 30_000;
/** Synthetic codes of these cases: far from the other cases' ranges. */
const FIRST_INDEX = { endpoint: 5 * 36 ** 4, crash: 6 * 36 ** 4 };

/** The backend running the merge's upsert into villes, once it has started. */
export async function mergeBackend(primaryUrl: string): Promise<number | undefined> {
  const rows = await queryPostgres<{ pid: number }>(
    primaryUrl,
    // The pattern is in this query's own text too: leave this backend out.
    "select pid from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and query ilike '%INSERT INTO villes AS villes (%FROM import_merge AS batch%'",
  );
  return rows[0]?.pid;
}

/** Polls the job until it leaves "committing" (the Workflow retries steps with backoff). */
export async function untilSettled(ctx: FaultContext, jobId: string, timeoutMs = 240_000): Promise<JobBody> {
  const settled = await waitFor(async () => {
    const job = await ctx.admin.getJob(jobId);
    return job.status === 200 && job.body.status !== "committing" ? job.body : undefined;
  }, timeoutMs, 500);
  assert.ok(settled.value, `job ${jobId} still committing after ${timeoutMs} ms`);
  return settled.value;
}

export async function openJobWithRows(ctx: FaultContext, firstIndex: number) {
  const { csv, codes } = syntheticCsv(firstIndex, ROWS);
  const job = await ctx.admin.createJob();
  assert.equal(job.status, 201, JSON.stringify(job.body));
  const chunk = await ctx.admin.putChunk(job.body.id, 1, csv);
  assert.equal(chunk.status, 200, JSON.stringify(chunk.body));
  return { jobId: job.body.id, csv, codes };
}

export async function warmedPaths(ctx: FaultContext): Promise<string[]> {
  const paths = [...freshQueries(20).map(autocompletePath), "/v1/villes/44109", "/v1/villes?departement=44&limit=5"];
  for (const path of paths) assert.equal((await fetch(ctx.worker.origin + path)).status, 200, path);
  return paths;
}

/**
 * The local Neon endpoint stops while the commit's merge is writing villes. The merge is one
 * transaction, so it never commits: the old data stays served (cached reads meanwhile), and
 * the Workflow's retry of the merge step, once the endpoint is back, completes the job with
 * every row.
 */
export async function neonEndpointStoppedMidMerge(ctx: FaultContext): Promise<void> {
  const { stack, worker, admin } = ctx;
  const mark = worker.lines.length;
  const warmed = await warmedPaths(ctx);
  const { jobId, codes } = await openJobWithRows(ctx, FIRST_INDEX.endpoint);

  const faultStarted = Date.now();
  const { summary, value: during } = await whileLooping(
    { origin: worker.origin, ratePerSecond: RATE_PER_SECOND, durationMs: 8_000, next: (index) => ({ path: warmed[index % warmed.length]! }) },
    async () => {
      const accepted = await admin.commit(jobId);
      const merging = await waitFor(() => mergeBackend(stack.primary.url), 60_000, 20);
      await stack.stopNeonEndpoint();
      // The merge's backend finishes its statement, finds its client gone and rolls back.
      const rolledBack = await waitFor(async () => ((await mergeBackend(stack.primary.url)) === undefined ? true : undefined), 60_000, 100);
      const landedDuringFault = await countVilles(stack.primary.url, codes);
      await sleep(2_000);
      await stack.restartNeonEndpoint();
      return { accepted: accepted.status, merging: merging.value !== undefined, rolledBack: rolledBack.value === true, landedDuringFault };
    },
  );
  const faultMs = Date.now() - faultStarted;
  const job = await untilSettled(ctx, jobId);
  const landed = await countVilles(stack.primary.url, codes);

  ctx.report(
    faultRecord("local Neon endpoint stopped mid-merge, then restarted", "the merge rolls back whole; cached reads 200; the Workflow's retry completes the job", summary, {
      faultMs,
      rowsLost: ROWS - landed,
      logs: logsSince(worker, mark),
      details: { ...during, job: { status: job.status, rowsUpserted: job.rows_upserted, failure: job.failure } },
    }),
  );

  assert.equal(during.accepted, 202);
  assert.ok(during.merging, "the merge never started writing villes");
  assert.ok(during.rolledBack, "the merge's backend kept running after its client went away");
  assert.equal(during.landedDuringFault, 0, "part of the merge was committed");
  assert.equal(summary.non2xx, 0, `cached reads failed: ${JSON.stringify(summary.responses.filter((r) => r.status !== 200).slice(0, 3))}`);
  assert.equal(job.status, "done", JSON.stringify(job));
  assert.equal(job.rows_upserted, ROWS);
  assert.equal(landed, ROWS);
}

/**
 * The backend running the merge is SIGKILLed: Postgres crashes, recovers, and empties the
 * UNLOGGED staging table. Nothing of the merge is committed, the replica keeps serving, and
 * the merge's retry finds the staged rows lost and re-opens the job for that chunk; the chunk
 * re-sent (what `npm run import -- --resume` does) and the commit re-run land every row.
 */
export async function primaryCrashedMidMerge(ctx: FaultContext): Promise<void> {
  const { stack, worker, admin } = ctx;
  const mark = worker.lines.length;
  const warmed = await warmedPaths(ctx);
  const fresh = freshQueries(200);
  const { jobId, csv, codes } = await openJobWithRows(ctx, FIRST_INDEX.crash);

  const faultStarted = Date.now();
  const { summary, value: during } = await whileLooping(
    {
      origin: worker.origin,
      ratePerSecond: RATE_PER_SECOND,
      durationMs: 10_000,
      next: (index) => ({ path: index % 2 === 0 ? warmed[(index / 2) % warmed.length]! : autocompletePath(fresh[index % fresh.length]!) }),
    },
    async () => {
      const accepted = await admin.commit(jobId);
      const merging = await waitFor(() => mergeBackend(stack.primary.url), 60_000, 20);
      assert.ok(merging.value, "the merge never started writing villes");
      process.kill(merging.value, "SIGKILL");
      const recovered = await waitFor(() => countVilles(stack.primary.url, codes).catch(() => undefined), 60_000, 250);
      return { accepted: accepted.status, recoveredAfterMs: recovered.afterMs, landedAfterCrash: recovered.value };
    },
  );
  const faultMs = Date.now() - faultStarted;
  const reopened = await untilSettled(ctx, jobId);
  const resent = await admin.putChunk(jobId, 1, csv);
  const committed = await admin.commitToEnd(jobId);
  const landed = await countVilles(stack.primary.url, codes);

  ctx.report(
    faultRecord("primary's merge backend SIGKILLed (Postgres crash and recovery)", "nothing committed; reads 200; the job re-opened for the lost chunk; re-sent and re-committed, exact", summary, {
      faultMs,
      rowsLost: ROWS - landed,
      logs: logsSince(worker, mark),
      details: {
        ...during,
        reopened: { status: reopened.status, failure: reopened.failure },
        resent: resent.status,
        commit: { status: committed.status, jobStatus: committed.body.status, rowsUpserted: committed.body.rows_upserted },
      },
    }),
  );

  assert.equal(during.accepted, 202);
  assert.equal(during.landedAfterCrash, 0, "part of the merge was committed");
  assert.equal(summary.non2xx, 0, `reads failed: ${JSON.stringify(summary.responses.filter((r) => r.status !== 200).slice(0, 3))}`);
  assert.equal(reopened.status, "open", JSON.stringify(reopened));
  assert.match(reopened.failure ?? "", /chunk\(s\) 1: staged rows lost/);
  assert.equal(resent.status, 200, JSON.stringify(resent.body));
  assert.equal(committed.body.status, "done", JSON.stringify(committed.body));
  assert.equal(committed.body.rows_upserted, ROWS);
  assert.equal(landed, ROWS);
}
