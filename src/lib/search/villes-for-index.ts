import { sql, type SQL } from "drizzle-orm";
import { VILLE_ROW_JOINS, VILLE_ROW_SELECT, type VilleRow } from "../db/queries/ville-rows.ts";
import type { FormerName } from "./name-match.ts";
import { FORMER_NAMES } from "./postgres-sql.ts";

/** A ville as the search index reads it, with the change time that drives incremental syncs. */
export interface IndexedVilleRow extends VilleRow {
  updatedAt: Date | string;
  /** A commune nouvelle's former communes, which its search document is also found by. */
  formerNames?: FormerName[] | null;
}

/** What a search document is built from: the ville, its change time and its former names. Static text. */
const INDEXED_VILLE_COLUMNS = sql.raw(`${VILLE_ROW_SELECT}, v.updated_at AS "updatedAt", ${FORMER_NAMES}`);

export interface VillesPage {
  /** Keyset position: only ids above it. */
  afterId: number;
  limit: number;
  /** Only rows changed at or after this instant; absent for a full walk. */
  since?: Date;
}

/**
 * One page of villes in primary-key order, by keyset (never OFFSET, whose cost grows
 * with the page number). Shared by the Worker (Neon driver) and the reindex script (pg).
 */
export function villesForIndexSql({ afterId, limit, since }: VillesPage): SQL {
  const changed = since ? sql`AND v.updated_at >= ${since.toISOString()}::timestamptz` : sql``;
  return sql`
    SELECT ${INDEXED_VILLE_COLUMNS}
    FROM villes v ${sql.raw(VILLE_ROW_JOINS)}
    WHERE v.id > ${afterId} ${changed}
    ORDER BY v.id
    LIMIT ${limit}`;
}

/**
 * One page of the communes actuelles whose former communes (déléguées, associées) changed at
 * or after `since` while they did not (those were sent already): their documents carry
 * those names, so they are re-sent too. Reached from
 * the changed children through villes_updated_at_id_idx, then each parent by its code.
 */
export function parentsOfChangedSql({ afterId, limit, since }: Required<VillesPage>): SQL {
  return sql`
    SELECT ${INDEXED_VILLE_COLUMNS}
    FROM villes v ${sql.raw(VILLE_ROW_JOINS)}
    WHERE v.type = 'commune-actuelle' AND v.id > ${afterId} AND v.updated_at < ${since.toISOString()}::timestamptz AND v.code_insee IN (
      SELECT c.parent_code FROM villes c
      WHERE c.updated_at >= ${since.toISOString()}::timestamptz AND c.parent_code IS NOT NULL
        AND c.type IN ('commune-deleguee', 'commune-associee'))
    ORDER BY v.id
    LIMIT ${limit}`;
}

export const countVillesSql = () => sql`SELECT count(*)::float8 AS "count", max(updated_at) AS "maxUpdatedAt" FROM villes`;

/** The latest change among `rows`, as an ISO string, or null for no rows. */
export function latestChange(rows: readonly IndexedVilleRow[]): string | null {
  let latest: number | null = null;
  for (const row of rows) {
    const time = new Date(row.updatedAt).getTime();
    if (latest === null || time > latest) latest = time;
  }
  return latest === null ? null : new Date(latest).toISOString();
}
