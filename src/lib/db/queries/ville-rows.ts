import { eq } from "drizzle-orm";
import type { HttpDb } from "../client.ts";
import { departements, regions, villes } from "../schema.ts";

/** The columns every ville response needs, with its département and région names. */
export const villeFields = {
  id: villes.id,
  codeInsee: villes.codeInsee,
  nom: villes.nom,
  slug: villes.slug,
  type: villes.type,
  parentCode: villes.parentCode,
  codesPostaux: villes.codesPostaux,
  codePostalPrincipal: villes.codePostalPrincipal,
  population: villes.population,
  latitude: villes.latitude,
  longitude: villes.longitude,
  departementCode: villes.departementCode,
  departementNom: departements.nom,
  regionCode: villes.regionCode,
  regionNom: regions.nom,
  createdAt: villes.createdAt,
} as const;

/** `select … from villes join departements join regions`, ready for where/order/limit. */
export function selectVilles(db: HttpDb) {
  return db
    .select(villeFields)
    .from(villes)
    .innerJoin(departements, eq(departements.code, villes.departementCode))
    .innerJoin(regions, eq(regions.code, villes.regionCode));
}

export interface VilleRow {
  id: number;
  codeInsee: string;
  nom: string;
  slug: string;
  type: string;
  parentCode: string | null;
  codesPostaux: string[];
  codePostalPrincipal: string | null;
  population: number;
  latitude: number | null;
  longitude: number | null;
  departementCode: string;
  departementNom: string;
  regionCode: string;
  regionNom: string;
  createdAt: Date | string;
}
