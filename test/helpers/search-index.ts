import { meilisearchClient } from "../../src/lib/search/meilisearch.ts";
import { VILLES_INDEX } from "../../src/lib/search/meilisearch-settings.ts";
import { waitForSuccess } from "../../src/lib/search/meilisearch-tasks.ts";
import { testEnv } from "./worker.ts";

/**
 * Removes villes a test deleted from Postgres from the real Meilisearch index too, when the
 * suite runs with MEILISEARCH_HOST: imports sync their rows there, and no route deletes a
 * ville, so nothing else would (the hourly reconcile repairs such drift in production).
 */
export async function forgetInSearchIndex(ids: ReadonlyArray<number | string>): Promise<void> {
  const host = testEnv.MEILISEARCH_HOST;
  if (!host || ids.length === 0) return;
  const client = meilisearchClient({ host, apiKey: testEnv.MEILISEARCH_API_KEY });
  await waitForSuccess(client, client.index(VILLES_INDEX).deleteDocuments(ids.map(Number)), `forgetting ${ids.length} test villes`);
}
