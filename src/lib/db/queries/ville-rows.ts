import { eq, sql } from "drizzle-orm";
import type { HttpDb } from "../client.ts";
import { departements, regions, villes, type CoordinatesPrecision } from "../schema.ts";

/** The columns every ville response needs, with its département and région names. */
export const villeFields = {
  id: villes.id,
  codeInsee: villes.codeInsee,
  nom: villes.nom,
  slug: sql<string>`replace(${villes.nomNormalise}, ' ', '-') || '-' || lower(${villes.codeInsee})`.as("slug"),
  type: villes.type,
  parentCode: villes.parentCode,
  codesPostaux: villes.codesPostaux,
  codePostalPrincipal: villes.codePostalPrincipal,
  population: villes.population,
  latitude: villes.latitude,
  longitude: villes.longitude,
  coordinatesPrecision: villes.coordinatesPrecision,
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
  coordinatesPrecision: CoordinatesPrecision | null;
  departementCode: string;
  departementNom: string;
  regionCode: string;
  regionNom: string;
  createdAt: Date | string;
}

/** URL-safe and unique per commune, derived when read; `slugify()` is its TypeScript twin. */
const SLUG_SQL = `replace(v.nom_normalise, ' ', '-') || '-' || lower(v.code_insee)`;

/**
 * The same columns as `villeFields`, for hand-written SQL over `villes v`, `departements d`
 * and `regions r`; aliased so rows come back as `VilleRow`. Static text, no input.
 */
export const VILLE_ROW_SELECT = `v.id::float8 AS "id", v.code_insee AS "codeInsee", v.nom, ${SLUG_SQL} AS slug, v.type,
  v.parent_code AS "parentCode", v.codes_postaux AS "codesPostaux", v.code_postal_principal AS "codePostalPrincipal",
  v.population, v.latitude, v.longitude, v.coordinates_precision AS "coordinatesPrecision", v.departement_code AS "departementCode", d.nom AS "departementNom",
  v.region_code AS "regionCode", r.nom AS "regionNom", v.created_at AS "createdAt"`;

export const VILLE_ROW_JOINS = `JOIN departements d ON d.code = v.departement_code JOIN regions r ON r.code = v.region_code`;
