import { sql } from "drizzle-orm";
import type { Services } from "../services.ts";
import { bumpGeneration } from "../cache/generation.ts";
import type { HttpDb } from "../db/client.ts";
import { sqlState } from "../db/errors.ts";
import { ApiError } from "../errors.ts";
import { rebuildHeavyPrefixes } from "../search/heavy-prefixes.ts";
import { rebuildTypoDictionary } from "../search/typo-dictionary.ts";
import { syncSearchIndexSince } from "../search/index-sync.ts";
import { getJob, MAX_KEPT_ERRORS, type ImportJob } from "./jobs.ts";
import { refreshStatsOnLogicalReplicas, refreshStatsViews } from "./stats-refresh.ts";
import { LostStagingError } from "./lost-staging.ts";
import { mergeJob, type MergeResult } from "./merge.ts";

/** A commit whose Worker died leaves the job "committing"; after this long a retry may take over. */
const STALE_COMMIT_MINUTES = 5;

/**
 * Two rebuilds at once (two commits, or a commit and the nightly cron) make the later one
 * insert prefixes the earlier one already wrote: a unique violation, or a deadlock. Its
 * transaction rolled back whole, so running it again is safe.
 */
async function retryOnConcurrentRebuild<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= 3 || !["23505", "40P01"].includes(sqlState(error) ?? "")) throw error;
    }
  }
}

/** Redis calls have a short deadline; a commit should not fail (and redo every step) over one slow reply. */
async function bumpCacheGeneration(services: Services): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await bumpGeneration(services.redis);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

async function timed<T>(timings: Record<string, number>, step: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    timings[`${step}_ms`] = Math.round(performance.now() - started);
  }
}

type LockedJob = {
  status: ImportJob["status"];
  mode: ImportJob["mode"];
  rows_rejected: number;
};

/**
 * open → committing, in one transaction that holds the job row: every chunk must be
 * complete (a chunk upload locks the same row, so none can start unseen) and a strict job
 * must have no rejected row. The merge follows in its own transaction (merge.ts).
 */
async function startCommit(services: Services, jobId: string): Promise<void> {
  await services.databases.transactional().transaction(async (tx) => {
    const locked = await tx.execute<LockedJob>(sql`select status, mode, rows_rejected from imports where id = ${jobId} for update`);
    const job = locked.rows[0];
    if (!job) throw new ApiError("not_found", `No import job ${jobId}.`);
    if (job.status !== "open") throw new ApiError("conflict", `Import job ${jobId} is already ${job.status}.`, { details: { status: job.status } });
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
    await tx.execute(sql`update imports set status = 'committing', failure = null, updated_at = now() where id = ${jobId}`);
  });
}

/** Retrying a failed (or abandoned) commit re-runs the follow-up steps, which are all idempotent. */
async function restartCommit(db: HttpDb, jobId: string): Promise<void> {
  const result = await db.execute(sql`
    update imports set status = 'committing', failure = null, updated_at = now()
    where id = ${jobId} and (status = 'failed' or (status = 'committing' and updated_at < now() - make_interval(mins => ${STALE_COMMIT_MINUTES})))
    returning id`);
  if (result.rows.length === 0) throw new ApiError("conflict", `Import job ${jobId} is being committed; read it to follow progress.`);
}

/** Saves the timings so far; the returned updated_at marks, for replicas, "every import write is before this". */
async function saveProgress(db: HttpDb, jobId: string, timings: Record<string, number>): Promise<string> {
  const result = await db.execute<{ marker: string }>(
    sql`update imports set timings = timings || ${JSON.stringify(timings)}::jsonb, updated_at = clock_timestamp() where id = ${jobId}
        returning to_json(updated_at) #>> '{}' as marker`,
  );
  return result.rows[0]!.marker;
}

async function runFollowUpSteps(services: Services, job: ImportJob, timings: Record<string, number>): Promise<void> {
  const db = services.databases.primary;
  const merge: MergeResult = await mergeJob(services.databases, job.id, timings);
  await timed(timings, "search_sync", () => syncSearchIndexSince(services, new Date(job.startedAt ?? job.createdAt)));
  await timed(timings, "heavy_prefixes", () => retryOnConcurrentRebuild(() => rebuildHeavyPrefixes(db)));
  await timed(timings, "typo_dictionary", () => rebuildTypoDictionary(db));
  // A shadow build computed the views over the new tables before the swap.
  if (merge.path !== "shadow") await timed(timings, "stats_views", () => refreshStatsViews(db));
  const marker = await saveProgress(db, job.id, timings);
  await timed(timings, "replica_stats", () => refreshStatsOnLogicalReplicas(services, job.id, marker));
  await timed(timings, "cache_generation", () => bumpCacheGeneration(services));
}

/**
 * Finishes a job: open (or failed) → committing → done, or failed with the reason when a
 * follow-up step throws (a retry of the commit resumes from there). A done job is
 * returned unchanged, so the commit itself is idempotent.
 */
export async function commitImport(services: Services, jobId: string): Promise<ImportJob> {
  const db = services.databases.primary;
  const job = await getJob(db, jobId);
  if (job.status === "done") return job;

  const started = performance.now();
  const timings: Record<string, number> = {};
  if (job.status === "open") await startCommit(services, jobId);
  else await restartCommit(db, jobId);

  try {
    await runFollowUpSteps(services, job, timings);
  } catch (error) {
    // Lost staged rows re-opened the job for those chunks: it is not a failed commit.
    if (error instanceof LostStagingError) throw error;
    const failure = error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500);
    services.logger.log("warn", "import commit failed", { jobId, failure, ...timings });
    await db
      .execute(sql`update imports set status = 'failed', failure = ${failure}, timings = timings || ${JSON.stringify(timings)}::jsonb, updated_at = now() where id = ${jobId}`)
      .catch(() => undefined);
    throw error;
  }
  timings.commit_total_ms = Math.round(performance.now() - started);
  services.logger.log("info", "import committed", { jobId, ...timings });
  await db.execute(sql`
    update imports set status = 'done', committed_at = now(), failure = null, timings = timings || ${JSON.stringify(timings)}::jsonb, updated_at = now()
    where id = ${jobId}`);
  return getJob(db, jobId);
}
