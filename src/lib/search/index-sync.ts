import type { Meilisearch } from "meilisearch";
import type { Services } from "../services.ts";
import type { HttpDb } from "../db/client.ts";
import { meilisearchClient } from "./meilisearch.ts";
import { syncVilles } from "./meilisearch-sync.ts";
import { TaskWindow } from "./meilisearch-task-window.ts";
import type { SQL } from "drizzle-orm";
import { latestChange, parentsOfChangedSql, villesForIndexSql, type IndexedVilleRow } from "./villes-for-index.ts";

/** Rows read from Postgres per page, and documents per Meilisearch task. */
export const SYNC_BATCH_SIZE = 10_000;

export interface SearchIndexSyncResult {
  /** Documents sent to the search index. */
  synced: number;
  /** Why nothing was sent, when nothing was. */
  skipped?: string;
}

/**
 * Sends every ville changed at or after `since` (all of them without `since`), walking
 * the primary by keyset: the primary, because a replica may not have the rows an import
 * has just committed. Returns how many were sent and the latest change among them.
 */
export async function syncChangedVilles(client: Meilisearch, primary: HttpDb, since?: Date): Promise<{ sent: number; latest: string | null }> {
  const changed = await sendPages(client, primary, (afterId) => villesForIndexSql({ afterId, limit: SYNC_BATCH_SIZE, since }));
  if (!since) return changed;
  // A changed déléguée changes the document of its commune nouvelle, which did not change itself.
  const parents = await sendPages(client, primary, (afterId) => parentsOfChangedSql({ afterId, limit: SYNC_BATCH_SIZE, since }));
  return { sent: changed.sent + parents.sent, latest: changed.latest };
}

async function sendPages(client: Meilisearch, primary: HttpDb, pageSql: (afterId: number) => SQL): Promise<{ sent: number; latest: string | null }> {
  let sent = 0;
  let latest: string | null = null;
  const window = new TaskWindow(client);
  for (let afterId = 0; ; ) {
    const page = await primary.execute(pageSql(afterId));
    const rows = page.rows as unknown as IndexedVilleRow[];
    if (rows.length === 0) break;
    sent += await syncVilles(client, rows, { batchSize: SYNC_BATCH_SIZE, window });
    const pageLatest = latestChange(rows);
    if (pageLatest && (!latest || pageLatest > latest)) latest = pageLatest;
    afterId = Number(rows.at(-1)!.id);
    if (rows.length < SYNC_BATCH_SIZE) break;
  }
  await window.drain();
  return { sent, latest };
}

/**
 * Brings the search index up to date with the villes changed since `since`: the one
 * hook imports call after their upserts. The Postgres engine reads the tables directly,
 * so there is nothing to sync unless Meilisearch is configured.
 */
export async function syncSearchIndexSince(services: Services, since: Date): Promise<SearchIndexSyncResult> {
  const { MEILISEARCH_HOST: host, MEILISEARCH_API_KEY: apiKey } = services.config;
  if (!host) return { synced: 0, skipped: "MEILISEARCH_HOST is not set" };
  const { sent } = await syncChangedVilles(meilisearchClient({ host, apiKey }), services.databases.primary, since);
  return { synced: sent };
}
