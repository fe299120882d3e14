import { sql } from "drizzle-orm";
import type { HttpDb } from "../db/client.ts";

/**
 * How many villes, the most populous first, the typo fallback searches (drizzle/0010).
 * Every real commune fits, with room for growth; past it the trigram search's cost no
 * longer grows with the table. Migration 0010 fills the table with the same number.
 */
export const TYPO_DICTIONARY_SIZE = 50_000;

/** Refills the typo dictionary from villes; called with the heavy-prefix rebuild (seed, imports, nightly cron). */
export async function rebuildTypoDictionary(db: HttpDb): Promise<number> {
  const [result] = await db.batch([db.execute(sql`select lieux_rebuild_typo_dictionary(${TYPO_DICTIONARY_SIZE}) as names`)]);
  return Number((result.rows[0] as { names: number }).names);
}

/**
 * Brings the typo dictionary up to date with the villes changed since `since`: only they
 * can enter or leave the top TYPO_DICTIONARY_SIZE (drizzle/0014). Returns how many entries
 * it wrote or removed.
 */
export async function refreshTypoDictionary(db: HttpDb, since: Date): Promise<number> {
  const [result] = await db.batch([db.execute(sql`select lieux_refresh_typo_dictionary(${since.toISOString()}::timestamptz, ${TYPO_DICTIONARY_SIZE}) as touched`)]);
  return Number((result.rows[0] as { touched: number }).touched);
}
