import type { Services } from "../services.ts";
import { syncChangedVilles, SYNC_BATCH_SIZE } from "./index-sync.ts";
import { meilisearchClient } from "./meilisearch.ts";
import { reindexVilles } from "./meilisearch-reindex.ts";
import { applyVillesSettings, ensureIndex, VILLES_INDEX } from "./meilisearch-settings.ts";
import { readSyncStateSql, syncStateFor, writeSyncStateSql } from "./meilisearch-sync-state.ts";
import { countVillesSql, latestChange, villesForIndexSql, type IndexedVilleRow } from "./villes-for-index.ts";

/**
 * `updated_at` is the writing transaction's start time, so a long transaction can
 * commit rows older than a watermark already recorded. Re-reading this far back
 * catches them; re-sending a document is idempotent.
 */
export const WATERMARK_LOOKBACK_MS = 5 * 60_000;
/** Above this, a full rebuild is too long for a Cron Trigger: `npm run search:reindex` does it. */
export const MAX_ROWS_REPAIRED_IN_WORKER = 200_000;

export interface SearchReconcileReport {
  postgresCount: number;
  /** Documents in the index after the changed rows were re-sent, before any repair. */
  indexCount: number;
  /** Rows changed since the last sync (minus the lookback), re-sent. */
  resent: number;
  /** postgresCount − indexCount: rows missing from the index (negative: stale documents). */
  drift: number;
  repair: "none" | "reindexed" | "reindex_required";
  /** The latest `updated_at` known to be in the index. */
  watermark: string | null;
  skipped?: string;
}

/**
 * The reconcile job: applies the settings, re-sends the rows changed since the stored
 * watermark, then compares counts with Postgres. Drift left after that (rows deleted in
 * Postgres, documents lost by the server) is repaired by a full rebuild and swap.
 */
export async function reconcileSearchIndex(services: Services): Promise<SearchReconcileReport> {
  const { MEILISEARCH_HOST: host, MEILISEARCH_API_KEY: apiKey } = services.config;
  if (!host) return { postgresCount: 0, indexCount: 0, resent: 0, drift: 0, repair: "none", watermark: null, skipped: "MEILISEARCH_HOST is not set" };
  const client = meilisearchClient({ host, apiKey });
  const primary = services.databases.primary;
  const startedAt = new Date();

  await ensureIndex(client, VILLES_INDEX);
  await applyVillesSettings(client, VILLES_INDEX);
  const previous = syncStateFor(host, (await primary.execute(readSyncStateSql())).rows);
  const since = previous?.watermark ? new Date(Date.parse(previous.watermark) - WATERMARK_LOOKBACK_MS) : undefined;
  const { sent: resent, latest } = await syncChangedVilles(client, primary, since);
  let watermark = [latest, previous?.watermark ?? null].filter((time): time is string => !!time).sort().at(-1) ?? null;

  const counts = (await primary.execute(countVillesSql())).rows[0] as { count: number };
  const postgresCount = Number(counts.count);
  const indexCount = (await client.index(VILLES_INDEX).getStats()).numberOfDocuments;
  const drift = postgresCount - indexCount;
  let repair: SearchReconcileReport["repair"] = "none";
  if (drift !== 0 && postgresCount <= MAX_ROWS_REPAIRED_IN_WORKER) {
    await reindexVilles(client, async (afterId, limit) => {
      const rows = (await primary.execute(villesForIndexSql({ afterId, limit }))).rows as unknown as IndexedVilleRow[];
      const pageLatest = latestChange(rows);
      if (pageLatest && (!watermark || pageLatest > watermark)) watermark = pageLatest;
      return rows;
    }, { batchSize: SYNC_BATCH_SIZE });
    repair = "reindexed";
  } else if (drift !== 0) {
    repair = "reindex_required";
  }

  const report: SearchReconcileReport = { postgresCount, indexCount, resent, drift, repair, watermark };
  await primary.execute(writeSyncStateSql({ host, watermark, lastRunAt: startedAt.toISOString(), postgresCount, indexCount }));
  services.logger.log(drift === 0 ? "info" : "warn", "search index reconciled", { ...report });
  return report;
}
