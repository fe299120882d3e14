import { sql, type SQL } from "drizzle-orm";
import type { HttpDb } from "../client.ts";
import { VILLE_ROW_JOINS, VILLE_ROW_SELECT, type VilleRow } from "./ville-rows.ts";

export interface NearestRow extends VilleRow {
  /** Great-circle distance from the asked point to the commune's centre, in metres. */
  distanceM: number;
}

/**
 * The `limit` communes actuelles whose own point is nearest, by a KNN scan of the GiST
 * index on ll_to_earth (drizzle/0011): the inner ORDER BY … <-> … LIMIT reads `limit`
 * index entries and their rows, whatever the table's size. Its WHERE repeats the index
 * predicate word for word so the planner may use the partial index.
 */
export function nearestSql(latitude: number, longitude: number, limit: number): SQL {
  const origin = sql`ll_to_earth(${latitude}::float8, ${longitude}::float8)`;
  return sql`
    SELECT ${sql.raw(VILLE_ROW_SELECT)}, round(earth_distance(ll_to_earth(v.latitude, v.longitude), ${origin}))::float8 AS "distanceM"
    FROM (
      SELECT id, ll_to_earth(latitude, longitude) <-> ${origin} AS chord
      FROM villes
      WHERE coordinates_precision = 'commune' AND type = 'commune-actuelle'
      ORDER BY ll_to_earth(latitude, longitude) <-> ${origin}
      LIMIT ${limit}
    ) nearest
    JOIN villes v ON v.id = nearest.id ${sql.raw(VILLE_ROW_JOINS)}
    ORDER BY nearest.chord, v.id`;
}

export async function nearestVilles(db: HttpDb, latitude: number, longitude: number, limit: number): Promise<NearestRow[]> {
  const result = await db.execute(nearestSql(latitude, longitude, limit));
  return result.rows as unknown as NearestRow[];
}
