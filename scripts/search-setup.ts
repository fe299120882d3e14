import { meilisearchClient } from "../src/lib/search/meilisearch.ts";
import { applyVillesSettings, ensureIndex, VILLES_INDEX, VILLES_SETTINGS } from "../src/lib/search/meilisearch-settings.ts";
import { meilisearchConnectionFromEnv } from "./search-connection.ts";

/**
 * `npm run search:setup`: creates the `villes` index if needed and applies its settings.
 * Idempotent: running it again changes nothing. Fails (exit 1) with the task's error.
 */
const connection = meilisearchConnectionFromEnv("npm run search:setup");
const client = meilisearchClient(connection);
const started = Date.now();
try {
  await ensureIndex(client, VILLES_INDEX);
  await applyVillesSettings(client, VILLES_INDEX);
  console.log(`search:setup: index "${VILLES_INDEX}" on ${connection.host} has its settings (${Date.now() - started} ms)`);
  console.log(`  ranking rules: ${VILLES_SETTINGS.rankingRules.join(", ")}`);
} catch (error) {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
  console.error(`search:setup failed: ${error instanceof Error ? error.message : String(error)}${cause}`);
  process.exitCode = 1;
}
