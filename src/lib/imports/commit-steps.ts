import { sql } from "drizzle-orm";
import type { HttpDb } from "../db/client.ts";
import type { Services } from "../services.ts";
import { bumpGeneration } from "../cache/generation.ts";
import { sqlState } from "../db/errors.ts";
import { rebuildHeavyPrefixes, refreshHeavyPrefixes } from "../search/heavy-prefixes.ts";
import { rebuildTypoDictionary, refreshTypoDictionary } from "../search/typo-dictionary.ts";
import { syncSearchIndexSince } from "../search/index-sync.ts";
import { getJob } from "./jobs.ts";
import { mergeJob } from "./merge.ts";
import { refreshStatsOnLogicalReplicas, refreshStatsViews } from "./stats-refresh.ts";

/**
 * The commit's follow-up work, one function per Workflow step, in order. Each is
 * idempotent (a retry or a resumed Workflow runs it again safely) and records its
 * duration in the job's timings as `<step>_ms` when it ends: the status route shows which
 * steps are done and how long each took. The search terms are written inside the merge's
 * transaction (by the trigger), or set-based on a shadow copy before it is swapped in, so a
 * reader never sees a ville without its terms; a shadow build records each of its stages as
 * it commits (shadow-build.ts).
 */
export { COMMIT_STEPS, type CommitStep } from "./commit-step-names.ts";
import type { CommitStep } from "./commit-step-names.ts";

/** Adds to the job's timings (what a step did, how long it took), which the status route shows. */
const recordInJob = (db: HttpDb, jobId: string, timings: Record<string, number>) =>
  db.execute(sql`update imports set timings = timings || ${JSON.stringify(timings)}::jsonb where id = ${jobId}`);

/** Two rebuilds at once (two jobs, or a commit and the nightly cron) collide on keys; the rolled-back one runs again. */
async function retryOnConcurrentRebuild<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= 3 || !["23505", "40P01"].includes(sqlState(error) ?? "")) throw error;
    }
  }
}

/**
 * Up to this many merged rows, an in-place merge refreshes the heavy prefixes and the typo
 * dictionary from the villes it changed (drizzle/0014) instead of rebuilding them from the
 * whole table; a larger import rebuilds them in full, and a shadow build computed them
 * over its copy before the swap (shadow-build.ts).
 */
export const INCREMENTAL_REBUILD_MAX_ROWS = 20_000;

/** Which rebuild a committed job needs, recorded in its timings as `<step>_incremental`. */
async function searchRebuild(services: Services, jobId: string, step: "heavy_prefixes" | "typo_dictionary"): Promise<void> {
  const db = services.databases.primary;
  const job = await getJob(db, jobId);
  if (job.timings.merge_shadow === 1) {
    // A shadow build computed both over its copy and swapped them in with it.
    await recordInJob(db, jobId, { [`${step}_before_swap`]: 1 });
    return;
  }
  const incremental = (job.timings.merge_rows ?? Infinity) <= INCREMENTAL_REBUILD_MAX_ROWS;
  const since = new Date(job.startedAt ?? job.createdAt);
  if (step === "heavy_prefixes") await retryOnConcurrentRebuild(() => (incremental ? refreshHeavyPrefixes(db, since) : rebuildHeavyPrefixes(db)));
  else await (incremental ? refreshTypoDictionary(db, since) : rebuildTypoDictionary(db));
  await recordInJob(db, jobId, { [`${step}_incremental`]: incremental ? 1 : 0 });
}

/**
 * An in-place import that changed less than this share of villes leaves the stats views to
 * their 15-minute Cron refresh: refreshing them scans the whole table (8 s at 1M rows here),
 * which would be most of a small import's commit, for totals that move by under 1%.
 * `refreshed_at` in every stats answer says how old the figures are.
 */
export const STATS_DEFERRED_MAX_SHARE = 0.01;

async function statsViews(services: Services, jobId: string, timings: Record<string, number>): Promise<void> {
  const db = services.databases.primary;
  const shadow = timings.merge_shadow === 1;
  const size = await db.execute<{ estimate: number }>(sql`select greatest(reltuples, 0)::float8 as estimate from pg_class where oid = 'public.villes'::regclass`);
  const deferred = !shadow && (timings.merge_rows ?? Infinity) < STATS_DEFERRED_MAX_SHARE * Number(size.rows[0]?.estimate ?? 0);
  await recordInJob(db, jobId, { stats_views_deferred: deferred ? 1 : 0 });
  if (deferred) return;
  // A shadow build computed the views over the new tables before the swap.
  if (!shadow) await refreshStatsViews(db);
  const marked = await db.execute<{ marker: string }>(sql`update imports set updated_at = clock_timestamp() where id = ${jobId} returning to_json(updated_at) #>> '{}' as marker`);
  await refreshStatsOnLogicalReplicas(services, jobId, marked.rows[0]!.marker);
}

/**
 * Pages a large in-place merge rewrote have no visibility map bit and no hint bits, so every
 * index-only scan reads the heap too and the first reader of each page writes it again (a
 * full-page image, with data checksums): the full heavy-prefix rebuild took 61 s on such a
 * table at 1M rows and 17 s after a VACUUM of 0.7 s. A shadow build froze its copy before
 * the swap (shadow-build.ts), so it skips this step. VACUUM cannot run in a transaction,
 * so it goes over the pool's plain session.
 */
async function vacuumAfterLargeMerge(services: Services, jobId: string): Promise<void> {
  const job = await getJob(services.databases.primary, jobId);
  const large = job.timings.merge_shadow !== 1 && (job.timings.merge_rows ?? 0) > INCREMENTAL_REBUILD_MAX_ROWS;
  await recordInJob(services.databases.primary, jobId, { vacuum_skipped: large ? 0 : 1 });
  if (large) await services.databases.transactional().execute(sql`vacuum villes, ville_search_terms`);
}

const RUN: Record<CommitStep, (services: Services, jobId: string) => Promise<unknown>> = {
  merge: (services, jobId) => mergeJob(services.databases, jobId, {}),
  vacuum: vacuumAfterLargeMerge,
  index_sync: async (services, jobId) => {
    const job = await getJob(services.databases.primary, jobId);
    return syncSearchIndexSince(services, new Date(job.startedAt ?? job.createdAt));
  },
  heavy_prefixes: (services, jobId) => searchRebuild(services, jobId, "heavy_prefixes"),
  typo_dictionary: (services, jobId) => searchRebuild(services, jobId, "typo_dictionary"),
  stats_views: async (services, jobId) => {
    const job = await getJob(services.databases.primary, jobId);
    await statsViews(services, jobId, job.timings);
  },
  cache_generation: (services) => bumpGeneration(services.redis, undefined, services.edgePurge),
};

/** Runs one step and records its duration with the job. */
export async function runCommitStep(services: Services, jobId: string, step: CommitStep): Promise<number> {
  const started = performance.now();
  await RUN[step](services, jobId);
  const ms = Math.round(performance.now() - started);
  // The merge records its own duration in its transaction (a retry after it committed takes no time).
  if (step === "merge") return ms;
  await recordInJob(services.databases.primary, jobId, { [`${step}_ms`]: ms });
  return ms;
}
