import { sql } from "drizzle-orm";
import type { HttpDb } from "../db/client.ts";

/**
 * T: a prefix matched by more than this many index terms is "heavy". Light prefixes
 * are ranked live, so T bounds the rows one autocomplete reads and ranks: 1,000
 * index-only tuples cost about a millisecond, while the heavy-prefix table stays small
 * (about 80 prefixes for the real communes, a few thousand at 5M rows).
 */
export const HEAVY_PREFIX_THRESHOLD = 1_000;

/**
 * K: how many ranked villes a heavy prefix keeps. Five times the largest page (20)
 * leaves room for callers that drop rows, at 800 bytes per prefix.
 */
export const HEAVY_PREFIX_TOP_K = 100;

/** Recomputes every heavy prefix and its top K; called by the seed, imports and the nightly cron. */
export async function rebuildHeavyPrefixes(db: HttpDb): Promise<number> {
  const [result] = await db.batch([
    db.execute(sql`select lieux_rebuild_heavy_prefixes(${HEAVY_PREFIX_THRESHOLD}, ${HEAVY_PREFIX_TOP_K}) as prefixes`),
  ]);
  return Number((result.rows[0] as { prefixes: number }).prefixes);
}

/**
 * Brings the heavy prefixes up to date with the villes changed since `since` (an import's
 * start) without rescanning the table: lists merged with the changed villes, recomputed
 * only where a listed ville changed, new heavy prefixes found among the changed terms'
 * prefixes (drizzle/0014). Returns how many prefixes it rewrote.
 */
export async function refreshHeavyPrefixes(db: HttpDb, since: Date): Promise<number> {
  const [result] = await db.batch([
    db.execute(sql`select lieux_refresh_heavy_prefixes(${since.toISOString()}::timestamptz, ${HEAVY_PREFIX_THRESHOLD}, ${HEAVY_PREFIX_TOP_K}) as prefixes`),
  ]);
  return Number((result.rows[0] as { prefixes: number }).prefixes);
}
