import { sql, type SQL } from "drizzle-orm";
import type { HttpDb } from "../client.ts";
import { VILLE_ROW_JOINS, VILLE_ROW_SELECT, type VilleRow } from "./ville-rows.ts";

/**
 * Index entries the nearby scan reads around the point: its whole cost, at any table size.
 * About 25 km around in mainland France; at 300 (about 40 km) the scan's 2 ms took the
 * near autocomplete's p99 to 1.6× the unbiased one, past the 1.5× target (bench, geo).
 */
export const NEARBY_SCAN = 120;
/** Homonyms of a complete name added to the candidates (the most of any real name is 28). */
export const HOMONYMS_MAX = 100;

export interface NearCandidateFilters {
  departement?: string;
  region?: string;
  types: readonly string[];
}

const areaClauses = (filters: NearCandidateFilters, alias: string): SQL[] => [
  ...(filters.departement ? [sql`${sql.raw(alias)}.departement_code = ${filters.departement}`] : []),
  ...(filters.region ? [sql`${sql.raw(alias)}.region_code = ${filters.region}`] : []),
];

/**
 * What an engine's top list may miss near the user: among the NEARBY_SCAN communes
 * actuelles whose own point is nearest (the KNN index of /v1/villes/nearest), those with a
 * word starting with the query; and every ville named exactly the query (homonyms, by the
 * prefix B-tree). `normalized` holds only [a-z0-9 ], so it is compared as plain text.
 */
export function nearCandidatesSql(normalized: string, latitude: number, longitude: number, filters: NearCandidateFilters): SQL {
  const origin = sql`ll_to_earth(${latitude}::float8, ${longitude}::float8)`;
  const types = sql`ARRAY[${sql.join(filters.types.map((type) => sql`${type}`), sql`, `)}]::text[]`;
  const nearby = filters.types.includes("commune-actuelle")
    ? sql`SELECT id FROM (
        SELECT n.id, n.nom_normalise FROM villes n
        WHERE n.coordinates_precision = 'commune' AND n.type = 'commune-actuelle'
        ORDER BY ll_to_earth(n.latitude, n.longitude) <-> ${origin}
        LIMIT ${NEARBY_SCAN}
      ) around
      WHERE strpos(' ' || around.nom_normalise, ' ' || ${normalized}) > 0`
    : sql`SELECT NULL::bigint AS id WHERE false`;
  const homonymClauses = [sql`h.nom_normalise = ${normalized}`, sql`h.type = ANY(${types})`, ...areaClauses(filters, "h")];
  return sql`
    SELECT ${sql.raw(VILLE_ROW_SELECT)}
    FROM (
      (${nearby})
      UNION
      (SELECT h.id FROM villes h WHERE ${sql.join(homonymClauses, sql` AND `)} LIMIT ${HOMONYMS_MAX})
    ) candidates
    JOIN villes v ON v.id = candidates.id ${sql.raw(VILLE_ROW_JOINS)}
    WHERE ${sql.join([sql`true`, ...areaClauses(filters, "v")], sql` AND `)}`;
}

export async function nearCandidates(db: HttpDb, normalized: string, latitude: number, longitude: number, filters: NearCandidateFilters): Promise<VilleRow[]> {
  const result = await db.execute(nearCandidatesSql(normalized, latitude, longitude, filters));
  return result.rows as unknown as VilleRow[];
}
