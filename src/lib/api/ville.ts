import { z } from "@hono/zod-openapi";
import { COORDINATES_PRECISIONS, VILLE_TYPES } from "../db/schema.ts";
import type { VilleRow } from "../db/queries/ville-rows.ts";

export const AreaRefSchema = z.object({
  code: z.string().openapi({ example: "44" }),
  nom: z.string().openapi({ example: "Loire-Atlantique" }),
});

export const VilleSchema = z
  .object({
    code_insee: z.string().openapi({ example: "44109" }),
    nom: z.string().openapi({ example: "Nantes" }),
    slug: z.string().openapi({ example: "nantes-44109" }),
    type: z.enum(VILLE_TYPES),
    parent_code: z.string().nullable().openapi({ description: "Chef-lieu of a commune déléguée or associée; commune of an arrondissement." }),
    codes_postaux: z.array(z.string()).openapi({ example: ["44000", "44100", "44200", "44300"] }),
    code_postal_principal: z.string().nullable().openapi({ example: "44000" }),
    departement: AreaRefSchema,
    region: AreaRefSchema.openapi({ example: { code: "52", nom: "Pays de la Loire" } }),
    population: z.number().int().openapi({ example: 320732 }),
    latitude: z.number().nullable().openapi({ example: 47.21725, description: "WGS 84 latitude of the commune's point; see `coordinates_precision`. Points: GeoNames (geonames.org), CC-BY 4.0." }),
    longitude: z.number().nullable().openapi({ example: -1.55336, description: "WGS 84 longitude of the commune's point." }),
    coordinates_precision: z.enum(COORDINATES_PRECISIONS).nullable().openapi({
      example: "commune",
      description:
        "How good the point is. `commune`: the commune's own centre (GeoNames, or as imported). `parent`: its parent commune's centre (a commune déléguée or arrondissement GeoNames lacks). `departement`: the mean of its département's known centres, an approximation only. `null`: no point.",
    }),
  })
  .openapi("Ville");

export type VilleResponse = z.infer<typeof VilleSchema>;

/** A ville with only the properties `fields=` named. */
export const VilleFieldsSchema = VilleSchema.partial().openapi("VilleFields");
export const VILLE_FIELDS = Object.keys(VilleSchema.shape) as Array<keyof typeof VilleSchema.shape>;

/** The one mapping from a database row to the API's snake_case ville. */
export function presentVille(row: VilleRow): VilleResponse {
  return {
    code_insee: row.codeInsee,
    nom: row.nom,
    slug: row.slug,
    type: row.type as VilleResponse["type"],
    parent_code: row.parentCode,
    codes_postaux: row.codesPostaux,
    code_postal_principal: row.codePostalPrincipal,
    departement: { code: row.departementCode, nom: row.departementNom },
    region: { code: row.regionCode, nom: row.regionNom },
    population: row.population,
    latitude: row.latitude,
    longitude: row.longitude,
    coordinates_precision: row.coordinatesPrecision,
  };
}
