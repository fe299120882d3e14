import { sql, type SQL } from "drizzle-orm";

export const SYNC_STATE_KEY = "meilisearch";

/** What `search_state` remembers about the last sync of the Meilisearch index. */
export interface MeilisearchSyncState {
  /** The server the watermark belongs to: another server starts from scratch. */
  host: string;
  /** Every row with updated_at below this (minus a lookback) is in the index. */
  watermark: string | null;
  lastRunAt: string;
  /** The counts seen by that run, for /health and humans. */
  postgresCount?: number;
  indexCount?: number;
}

export const readSyncStateSql = (): SQL => sql`SELECT value FROM search_state WHERE key = ${SYNC_STATE_KEY}`;

export const writeSyncStateSql = (state: MeilisearchSyncState): SQL => sql`
  INSERT INTO search_state (key, value, updated_at) VALUES (${SYNC_STATE_KEY}, ${JSON.stringify(state)}::jsonb, now())
  ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;

/** The stored state if it belongs to `host`; null when absent, malformed or for another server. */
export function syncStateFor(host: string, rows: ReadonlyArray<{ value?: unknown }>): MeilisearchSyncState | null {
  const value = rows[0]?.value as Partial<MeilisearchSyncState> | undefined;
  if (!value || value.host !== host || (value.watermark !== null && typeof value.watermark !== "string")) return null;
  return value as MeilisearchSyncState;
}
