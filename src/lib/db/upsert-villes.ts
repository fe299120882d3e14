import type { VilleType } from "./schema.ts";

/** A row as imports and the seed write it; the database computes nom_normalise (and the search terms). */
export interface VilleWrite {
  codeInsee: string;
  type: VilleType;
  nom: string;
  parentCode: string | null;
  codesPostaux: string[];
  codePostalPrincipal: string | null;
  departementCode: string;
  regionCode: string;
  population: number;
  latitude: number | null;
  longitude: number | null;
}

/**
 * One statement for any batch size: parallel arrays through unnest keep the SQL
 * text constant (so Postgres can cache its plan) and avoid the 65,535-parameter
 * limit of multi-row VALUES. Postal codes travel '|'-joined because unnest cannot
 * take ragged 2-D arrays. `updated_at` moves only when something changed, so the
 * search-sync watermark is not disturbed by re-sending the same chunk.
 * A point written here is taken as the commune's own ("commune"); re-sending the same point
 * keeps the precision the seed stated for it (scripts/data/coordinates.ts).
 */
export const UPSERT_VILLES_SQL = `
INSERT INTO villes (code_insee, type, parent_code, nom, codes_postaux, code_postal_principal,
                    departement_code, region_code, population, latitude, longitude, coordinates_precision)
SELECT code_insee, type, parent_code, nom,
       CASE WHEN codes = '' THEN '{}'::text[] ELSE string_to_array(codes, '|') END,
       code_postal_principal, departement_code, region_code, population, latitude, longitude,
       CASE WHEN latitude IS NOT NULL AND longitude IS NOT NULL THEN 'commune' END
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::text[], $8::text[], $9::int[], $10::float8[], $11::float8[])
  AS batch(code_insee, type, parent_code, nom, codes, code_postal_principal,
           departement_code, region_code, population, latitude, longitude)
ON CONFLICT (code_insee, type) DO UPDATE SET
  parent_code = excluded.parent_code,
  nom = excluded.nom,
  codes_postaux = excluded.codes_postaux,
  code_postal_principal = excluded.code_postal_principal,
  departement_code = excluded.departement_code,
  region_code = excluded.region_code,
  population = excluded.population,
  latitude = excluded.latitude,
  longitude = excluded.longitude,
  coordinates_precision = CASE
    WHEN excluded.coordinates_precision IS NULL THEN NULL
    WHEN (villes.latitude, villes.longitude) IS NOT DISTINCT FROM (excluded.latitude, excluded.longitude) THEN villes.coordinates_precision
    ELSE excluded.coordinates_precision END,
  updated_at = now()
WHERE (villes.parent_code, villes.nom, villes.codes_postaux, villes.code_postal_principal, villes.departement_code,
       villes.region_code, villes.population, villes.latitude, villes.longitude)
  IS DISTINCT FROM
      (excluded.parent_code, excluded.nom, excluded.codes_postaux, excluded.code_postal_principal, excluded.departement_code,
       excluded.region_code, excluded.population, excluded.latitude, excluded.longitude)`;

/** The eleven parallel arrays UPSERT_VILLES_SQL expects, in order. */
export function upsertVillesParams(rows: readonly VilleWrite[]): unknown[] {
  return [
    rows.map((row) => row.codeInsee),
    rows.map((row) => row.type),
    rows.map((row) => row.parentCode),
    rows.map((row) => row.nom),
    rows.map((row) => row.codesPostaux.join("|")),
    rows.map((row) => row.codePostalPrincipal),
    rows.map((row) => row.departementCode),
    rows.map((row) => row.regionCode),
    rows.map((row) => row.population),
    rows.map((row) => row.latitude),
    rows.map((row) => row.longitude),
  ];
}
