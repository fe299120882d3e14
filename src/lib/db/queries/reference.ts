import { and, asc, eq, type SQL } from "drizzle-orm";
import type { HttpDb } from "../client.ts";
import { departements, regions, ZONES } from "../schema.ts";

export type Zone = (typeof ZONES)[number];

export interface RegionRow {
  code: string;
  nom: string;
  zone: Zone;
}

export interface DepartementRow extends RegionRow {
  regionCode: string;
  regionNom: string;
}

function selectDepartements(db: HttpDb) {
  return db
    .select({
      code: departements.code,
      nom: departements.nom,
      zone: departements.zone,
      regionCode: regions.code,
      regionNom: regions.nom,
    })
    .from(departements)
    .innerJoin(regions, eq(regions.code, departements.regionCode));
}

export function listDepartements(db: HttpDb, filters: { region?: string; zone?: Zone }): Promise<DepartementRow[]> {
  const conditions: SQL[] = [];
  if (filters.region !== undefined) conditions.push(eq(departements.regionCode, filters.region));
  if (filters.zone !== undefined) conditions.push(eq(departements.zone, filters.zone));
  return selectDepartements(db).where(and(...conditions)).orderBy(asc(departements.code));
}

export async function findDepartement(db: HttpDb, code: string): Promise<DepartementRow | null> {
  const rows = await selectDepartements(db).where(eq(departements.code, code)).limit(1);
  return rows[0] ?? null;
}

export function listRegions(db: HttpDb, filters: { zone?: Zone }): Promise<RegionRow[]> {
  const query = db.select({ code: regions.code, nom: regions.nom, zone: regions.zone }).from(regions);
  const filtered = filters.zone === undefined ? query : query.where(eq(regions.zone, filters.zone));
  return filtered.orderBy(asc(regions.code));
}

export async function findRegion(db: HttpDb, code: string): Promise<RegionRow | null> {
  const rows = await db.select({ code: regions.code, nom: regions.nom, zone: regions.zone }).from(regions).where(eq(regions.code, code)).limit(1);
  return rows[0] ?? null;
}
