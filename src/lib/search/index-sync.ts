import type { Services } from "../../middleware/services.ts";

export interface SearchIndexSyncResult {
  /** Documents sent to the search index. */
  synced: number;
  /** Why nothing was sent, when nothing was. */
  skipped?: string;
}

/**
 * Brings the search index up to date with the villes changed since `since`: the one
 * hook imports call after their upserts. The Postgres engine reads the tables directly,
 * so there is nothing to sync unless Meilisearch is configured.
 */
export async function syncSearchIndexSince(services: Services, since: Date): Promise<SearchIndexSyncResult> {
  if (!services.config.MEILISEARCH_HOST) return { synced: 0, skipped: "MEILISEARCH_HOST is not set" };
  void since;
  return { synced: 0, skipped: "Meilisearch sync is added by the Meilisearch issue" };
}
