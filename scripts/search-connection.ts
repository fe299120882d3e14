import type { MeilisearchConnection } from "../src/lib/search/meilisearch.ts";

/** MEILISEARCH_HOST and MEILISEARCH_API_KEY from the environment, or exit 2 with the reason. */
export function meilisearchConnectionFromEnv(command: string): MeilisearchConnection {
  const host = process.env.MEILISEARCH_HOST?.trim();
  if (!host) {
    console.error(`MEILISEARCH_HOST is required: ${command} talks to that Meilisearch server (e.g. http://127.0.0.1:7700).`);
    process.exit(2);
  }
  return { host, apiKey: process.env.MEILISEARCH_API_KEY?.trim() || undefined };
}
