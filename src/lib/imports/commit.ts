import { sql } from "drizzle-orm";
import type { Services } from "../services.ts";
import type { HttpDb } from "../db/client.ts";
import { ApiError } from "../errors.ts";
import { getJob, MAX_KEPT_ERRORS, type ImportJob } from "./jobs.ts";

/** The commit Workflow as the route hands it over, so lib/ never reads the environment. */
export interface CommitWorkflows {
  create(instanceId: string, params: { jobId: string }): Promise<void>;
  /** The instance's status (`running`, `errored`, …), or `missing` when there is no such instance. */
  status(instanceId: string): Promise<string>;
  /** Stops the instance; one that has already ended is left as it is. */
  terminate(instanceId: string): Promise<void>;
}

/** A Workflow in one of these has stopped for good: a job it left `committing` needs a new run. */
const ENDED = new Set(["errored", "terminated", "complete", "missing"]);

/** One Workflow instance per commit run of a job: a failed job committed again gets a new instance. */
export const commitInstanceId = (jobId: string, run: number) => `${jobId}-${run}`;

type LockedJob = { status: ImportJob["status"]; mode: ImportJob["mode"]; rows_rejected: number; runs: number };

/**
 * open (or failed) → committing, and the Workflow run started, in one transaction that
 * holds the job row: every chunk must be complete (a chunk upload locks the same row, so
 * none can start unseen) and a strict job must have no rejected row. The instance is
 * created before the row lock is released, so a concurrent commit of the job always finds
 * it: two commits of one job never run at once. If it cannot be created, nothing changes.
 *
 * A job already committing or done is left alone (the route is idempotent), except a
 * committing job whose Workflow instance has ended (or is gone) without settling it, or
 * one whose commit is restarted on request (its instance is stopped first): the next run
 * starts from the first step. Every step is idempotent, and the merge holds a lock and
 * records itself in the job row, so a merge that committed is skipped.
 */
async function startCommit(services: Services, jobId: string, workflows: CommitWorkflows, restart: boolean): Promise<void> {
  await services.databases.transactional().transaction(async (tx) => {
    const locked = await tx.execute<LockedJob>(
      sql`select status, mode, rows_rejected, coalesce((timings->>'commit_runs')::int, 0) as runs from imports where id = ${jobId} for update`,
    );
    const job = locked.rows[0];
    if (!job) throw new ApiError("not_found", `No import job ${jobId}.`);
    if (job.status === "done") return;
    if (job.status === "committing" && !(await replaceRun(services, jobId, Number(job.runs), workflows, restart))) return;
    if (job.status === "open") {
      const chunks = await tx.execute<{ n: number; status: string; failure: string | null }>(
        sql`select n, status, failure from import_chunks where job_id = ${jobId} order by n`,
      );
      if (chunks.rows.length === 0) throw new ApiError("conflict", "The job has no chunks to commit.");
      const unfinished = chunks.rows.filter((chunk) => chunk.status !== "done");
      if (unfinished.length > 0) {
        throw new ApiError("conflict", `Chunk(s) ${unfinished.map((chunk) => chunk.n).join(", ")} did not complete; re-send them before committing.`, {
          details: { chunks: unfinished },
        });
      }
      if (job.mode === "strict" && job.rows_rejected > 0) {
        throw new ApiError("unprocessable", `Strict import refused: ${job.rows_rejected} row(s) were rejected; fix and re-send their chunks.`, {
          details: { rowsRejected: job.rows_rejected, firstErrorsOn: "GET /v1/admin/imports/{id}", maxErrorsKept: MAX_KEPT_ERRORS },
        });
      }
    }
    const run = Number(job.runs) + 1;
    await tx.execute(sql`
      update imports set status = 'committing', failure = null, updated_at = now(),
        timings = timings || jsonb_build_object('commit_runs', ${run}::int, 'commit_started_at_ms', ${Date.now()}::bigint)
      where id = ${jobId}`);
    await workflows.create(commitInstanceId(jobId, run), { jobId });
  });
}

/** Whether a committing job's run must be replaced; a restart stops the instance first. */
async function replaceRun(services: Services, jobId: string, run: number, workflows: CommitWorkflows, restart: boolean): Promise<boolean> {
  const instanceId = commitInstanceId(jobId, run);
  const status = await workflows.status(instanceId);
  if (ENDED.has(status)) {
    services.logger.log("warn", "the commit Workflow ended without settling its job: starting the next run", { jobId, run, status });
    return true;
  }
  if (!restart) return false;
  services.logger.log("warn", "commit restarted on request: stopping its Workflow and starting the next run", { jobId, run, status });
  await workflows.terminate(instanceId);
  return true;
}

/** Hands a job to the commit Workflow (see startCommit) and returns it as it stands. */
export async function commitImport(services: Services, jobId: string, workflows: CommitWorkflows, options: { restart?: boolean } = {}): Promise<ImportJob> {
  await startCommit(services, jobId, workflows, options.restart === true);
  return getJob(services.databases.primary, jobId);
}

/** The last step: done, with the whole commit's duration. */
export async function finishCommit(db: HttpDb, jobId: string): Promise<void> {
  await db.execute(sql`
    update imports set status = 'done', committed_at = now(), failure = null, updated_at = now(),
      timings = (timings - 'commit_started_at_ms') || jsonb_build_object('commit_total_ms', ${Date.now()}::bigint - coalesce((timings->>'commit_started_at_ms')::bigint, ${Date.now()}::bigint))
    where id = ${jobId} and status = 'committing'`);
}

/** A step failed for good: the job shows why; whatever the merge did not commit is not served. */
export async function failCommit(db: HttpDb, jobId: string, failure: string): Promise<void> {
  await db.execute(sql`update imports set status = 'failed', failure = ${failure.slice(0, 500)}, updated_at = now() where id = ${jobId} and status = 'committing'`);
}
