import cliProgress from "cli-progress";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { meilisearchClient } from "../src/lib/search/meilisearch.ts";
import { reindexVilles } from "../src/lib/search/meilisearch-reindex.ts";
import { writeSyncStateSql } from "../src/lib/search/meilisearch-sync-state.ts";
import { countVillesSql, latestChange, villesForIndexSql, type IndexedVilleRow } from "../src/lib/search/villes-for-index.ts";
import { meilisearchConnectionFromEnv } from "./search-connection.ts";

/**
 * `npm run search:reindex`: rebuilds the Meilisearch index from Postgres (DATABASE_URL)
 * into a fresh `villes_<timestamp>`, swaps it with `villes` atomically, then deletes
 * the old one. Searches keep reading the old index until the swap.
 */
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("DATABASE_URL is required: npm run search:reindex reads the villes from that database.");
  process.exit(2);
}
const connection = meilisearchConnectionFromEnv("npm run search:reindex");
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
const db = drizzle(pool);
const client = meilisearchClient(connection);
const started = new Date();

try {
  const { count } = (await db.execute(countVillesSql())).rows[0] as { count: number };
  const bar = new cliProgress.SingleBar(
    { format: "search:reindex [{bar}] {percentage}% | {value}/{total} villes | {duration_formatted} (eta {eta_formatted})" },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Number(count), 0);
  let watermark: string | null = null;
  const result = await reindexVilles(
    client,
    async (afterId, limit) => {
      const rows = (await db.execute(villesForIndexSql({ afterId, limit }))).rows as unknown as IndexedVilleRow[];
      const latest = latestChange(rows);
      if (latest && (!watermark || latest > watermark)) watermark = latest;
      return rows;
    },
    { onProgress: (documents) => bar.update(documents), now: started },
  );
  bar.stop();
  // The next reconcile re-sends only what changed after the rows this run read.
  await db.execute(writeSyncStateSql({ host: connection.host, watermark, lastRunAt: started.toISOString(), postgresCount: Number(count), indexCount: result.documents }));
  console.log(`search:reindex: ${result.documents} villes indexed and swapped in (built as ${result.buildIndex}) in ${Date.now() - started.getTime()} ms`);
} catch (error) {
  console.error(`search:reindex failed; the live index is unchanged: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
