import { sql } from "drizzle-orm";
import type { Services } from "../services.ts";
import type { HttpDb } from "../db/client.ts";
import { ApiError } from "../errors.ts";
import { getJob, MAX_KEPT_ERRORS, type ImportJob } from "./jobs.ts";

/** Starts the commit's Workflow instance; the route passes the binding, so lib/ never reads the environment. */
export type LaunchCommit = (instanceId: string, params: { jobId: string }) => Promise<void>;

/** One Workflow instance per commit run of a job: a failed job committed again gets a new instance. */
export const commitInstanceId = (jobId: string, run: number) => `${jobId}-${run}`;

type LockedJob = { status: ImportJob["status"]; mode: ImportJob["mode"]; rows_rejected: number; runs: number };

/**
 * open (or failed) → committing, in one transaction that holds the job row: every chunk
 * must be complete (a chunk upload locks the same row, so none can start unseen) and a
 * strict job must have no rejected row. Returns the run number, or undefined when the job
 * is already committing or done: only the transition starts a Workflow, so two commits of
 * one job never run at once.
 */
async function startCommit(services: Services, jobId: string): Promise<number | undefined> {
  return services.databases.transactional().transaction(async (tx) => {
    const locked = await tx.execute<LockedJob>(
      sql`select status, mode, rows_rejected, coalesce((timings->>'commit_runs')::int, 0) as runs from imports where id = ${jobId} for update`,
    );
    const job = locked.rows[0];
    if (!job) throw new ApiError("not_found", `No import job ${jobId}.`);
    if (job.status === "committing" || job.status === "done") return undefined;
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
    return run;
  });
}

/**
 * Hands a job to the commit Workflow and returns it as it stands (committing). A job
 * already committing or done is returned unchanged, so the commit route is idempotent.
 * If the Workflow cannot be started, the job goes back to failed with the reason, and
 * committing it again retries.
 */
export async function commitImport(services: Services, jobId: string, launch: LaunchCommit): Promise<ImportJob> {
  const run = await startCommit(services, jobId);
  if (run !== undefined) {
    try {
      await launch(commitInstanceId(jobId, run), { jobId });
    } catch (error) {
      await failCommit(services.databases.primary, jobId, `the commit Workflow could not start: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }
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
