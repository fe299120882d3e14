import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { meilisearchClient, type MeilisearchConnection } from "../../src/lib/search/meilisearch.ts";
import { reindexVilles, type ReindexResult } from "../../src/lib/search/meilisearch-reindex.ts";
import { writeSyncStateSql } from "../../src/lib/search/meilisearch-sync-state.ts";
import { countVillesSql, latestChange, villesForIndexSql, type IndexedVilleRow } from "../../src/lib/search/villes-for-index.ts";

/**
 * What `npm run search:reindex` does, from Node: rebuilds the real server's `villes` from
 * Postgres by swap, and records the watermark the reconcile cron resumes from.
 */
export async function indexFromPostgres(databaseUrl: string, connection: MeilisearchConnection): Promise<ReindexResult & { watermark: string | null }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const db = drizzle(pool);
    const startedAt = new Date();
    const { count } = (await db.execute(countVillesSql())).rows[0] as { count: number };
    let watermark: string | null = null;
    const result = await reindexVilles(meilisearchClient(connection), async (afterId, limit) => {
      const rows = (await db.execute(villesForIndexSql({ afterId, limit }))).rows as unknown as IndexedVilleRow[];
      const latest = latestChange(rows);
      if (latest && (!watermark || latest > watermark)) watermark = latest;
      return rows;
    });
    await db.execute(writeSyncStateSql({ host: connection.host, watermark, lastRunAt: startedAt.toISOString(), postgresCount: Number(count), indexCount: result.documents }));
    return { ...result, watermark };
  } finally {
    await pool.end();
  }
}
