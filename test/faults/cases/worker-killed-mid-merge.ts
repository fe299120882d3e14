import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { countVilles, queryPostgres } from "../../../scripts/resilience/primary-reads.ts";
import { whileLooping } from "../../../scripts/lib/request-loop.ts";
import { faultRecord, logsSince, sleep, waitFor, type FaultContext } from "../harness/fault-record.ts";
import { mergeBackend, openJobWithRows, ROWS, untilSettled, warmedPaths } from "./mid-merge.ts";

const RATE_PER_SECOND = 20;
const FIRST_INDEX = 7 * 36 ** 4;
/** How long the job is watched after the restart for the local Workflow engine to resume it by itself. */
const WATCH_MS = 15_000;

/**
 * `wrangler dev` (and its workerd) SIGKILLed while the commit's merge writes villes. The merge
 * is one transaction: its backend finds its client gone and rolls back, so nothing of it is
 * served. After the restart the job is still `committing`: in production the Workflows
 * engine resumes the instance from its first unfinished step; the local engine only knows
 * it was running and never runs it again (what it reports, and whether a plain re-commit
 * changes anything, is recorded). `restart=true` stops that instance and runs the commit
 * again, which lands every row; reads answer 200 throughout once the Worker is back.
 */
export async function workerKilledMidMerge(ctx: FaultContext): Promise<void> {
  const { stack, worker, admin } = ctx;
  const mark = worker.lines.length;
  const warmedList = await warmedPaths(ctx);
  const { jobId, codes, csv } = await openJobWithRows(ctx, FIRST_INDEX);
  const file = join(stack.dataDir, "worker-killed.csv");
  writeFileSync(file, csv);

  const faultStarted = Date.now();
  const accepted = await admin.commit(jobId);
  const merging = await waitFor(() => mergeBackend(stack.primary.url), 60_000, 20);
  assert.ok(merging.value, "the merge never started writing villes");
  worker.kill();
  const rolledBack = await waitFor(async () => ((await mergeBackend(stack.primary.url)) === undefined ? true : undefined), 120_000, 100);
  const landedAfterKill = await countVilles(stack.primary.url, codes);
  await worker.restart();
  const restartedAfterMs = Date.now() - faultStarted;

  // Left alone, and committed again without restart: does the local engine pick the instance up?
  const plain = await admin.commit(jobId);
  await sleep(WATCH_MS);
  const watched = await admin.getJob(jobId);
  // What an admin runs: the CLI resumes the job, restarts its commit and follows it to the end.
  const { summary, value: cli } = await whileLooping(
    { origin: worker.origin, ratePerSecond: RATE_PER_SECOND, durationMs: 5_000, next: (index) => ({ path: warmedList[index % warmedList.length]! }) },
    () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/import.ts", file, "--url", worker.origin, "--token", ctx.adminToken, "--resume", jobId, "--restart-commit"], {
        env: { ...process.env, CI: "true" },
        timeout: 300_000,
      }),
  );
  const job = await untilSettled(ctx, jobId);
  const landed = await countVilles(stack.primary.url, codes);
  const [staging] = await queryPostgres<{ found: boolean }>(stack.primary.url, `select to_regclass('import_rows_${jobId.replaceAll("-", "")}') is not null as found`);

  ctx.report(
    faultRecord("wrangler dev SIGKILLed mid-merge, restarted", "the merge rolls back whole; after the restart the job is re-run with restart=true and lands exact; reads 200", summary, {
      faultMs: Date.now() - faultStarted,
      rowsLost: ROWS - landed,
      logs: logsSince(worker, mark),
      details: {
        accepted: accepted.status,
        mergeBackendEndedAfterMs: rolledBack.afterMs,
        landedAfterKill,
        restartedAfterMs,
        plainRecommit: { status: plain.status, jobStatus: plain.body.status, commitRuns: plain.body.timings?.commit_runs },
        afterWatching: { ms: WATCH_MS, jobStatus: watched.body.status, timings: watched.body.timings },
        cliSummary: cli.stdout.split("\n").filter((line) => /job |commit|rows/.test(line)).slice(-6),
        job: { status: job.status, rowsUpserted: job.rows_upserted, commitRuns: job.timings?.commit_runs, failure: job.failure },
        stagingTableLeft: staging?.found,
      },
    }),
  );

  assert.equal(accepted.status, 202);
  assert.equal(rolledBack.value, true, "the merge's backend kept running after the Worker died");
  assert.equal(landedAfterKill, 0, "part of the merge was committed");
  assert.match(cli.stdout, new RegExp(`job ${jobId}: done`));
  assert.equal(summary.non2xx, 0, `reads failed: ${JSON.stringify(summary.responses.filter((r) => r.status !== 200).slice(0, 3))}`);
  assert.equal(job.status, "done", JSON.stringify(job));
  assert.equal(job.rows_upserted, ROWS);
  assert.equal(job.timings?.commit_runs, (plain.body.timings?.commit_runs ?? 0) + 1, "the restart did not start exactly one more run");
  assert.equal(landed, ROWS);
  assert.equal(staging?.found, false, "the job's staging table outlived its commit");
}
