import { and, asc, eq, type SQL } from "drizzle-orm";
import type { HttpDb } from "../client.ts";
import { villeStats } from "../schema.ts";
import { villeStatsByDepartement, villeStatsByRegion } from "../stats-tables.ts";
import type { Zone } from "./reference.ts";

// The stats routes read these materialized views only, never `villes`: the builders are
// exported so a test can EXPLAIN the exact queries the routes run.

export type VilleStatsRow = typeof villeStats.$inferSelect;
export type RegionStatsRow = typeof villeStatsByRegion.$inferSelect;
export type DepartementStatsRow = typeof villeStatsByDepartement.$inferSelect;

export interface RegionStatsFilters {
  zone?: Zone;
}

export interface DepartementStatsFilters {
  region?: string;
  zone?: Zone;
}

export function villeStatsQuery(db: HttpDb) {
  return db.select().from(villeStats).limit(1);
}

export function regionStatsQuery(db: HttpDb, filters: RegionStatsFilters) {
  const where = filters.zone === undefined ? undefined : eq(villeStatsByRegion.zone, filters.zone);
  return db.select().from(villeStatsByRegion).where(where).orderBy(asc(villeStatsByRegion.regionCode));
}

export function departementStatsQuery(db: HttpDb, filters: DepartementStatsFilters) {
  const conditions: SQL[] = [];
  if (filters.region !== undefined) conditions.push(eq(villeStatsByDepartement.regionCode, filters.region));
  if (filters.zone !== undefined) conditions.push(eq(villeStatsByDepartement.zone, filters.zone));
  return db.select().from(villeStatsByDepartement).where(and(...conditions)).orderBy(asc(villeStatsByDepartement.departementCode));
}
