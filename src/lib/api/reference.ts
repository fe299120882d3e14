import { z } from "@hono/zod-openapi";
import { ZONES } from "../db/schema.ts";
import type { DepartementRow, RegionRow } from "../db/queries/reference.ts";
import { AreaRefSchema } from "./ville.ts";

export const ZoneParam = z
  .enum(ZONES)
  .openapi({ description: "`metro` (métropole), `drom` (outre-mer départements) or `com` (collectivités d'outre-mer)." });

export const RegionSchema = z
  .object({
    code: z.string().openapi({ example: "52" }),
    nom: z.string().openapi({ example: "Pays de la Loire" }),
    zone: z.enum(ZONES).openapi({ example: "metro" }),
  })
  .openapi("Region");

export const DepartementSchema = z
  .object({
    code: z.string().openapi({ example: "44" }),
    nom: z.string().openapi({ example: "Loire-Atlantique" }),
    zone: z.enum(ZONES).openapi({ example: "metro" }),
    region: AreaRefSchema.openapi({ example: { code: "52", nom: "Pays de la Loire" } }),
  })
  .openapi("Departement");

export function presentRegion(row: RegionRow): z.infer<typeof RegionSchema> {
  return { code: row.code, nom: row.nom, zone: row.zone };
}

export function presentDepartement(row: DepartementRow): z.infer<typeof DepartementSchema> {
  return { code: row.code, nom: row.nom, zone: row.zone, region: { code: row.regionCode, nom: row.regionNom } };
}
