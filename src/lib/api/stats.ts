import { z } from "@hono/zod-openapi";
import { ZONES } from "../db/schema.ts";
import type { DepartementStatsRow, RegionStatsRow, VilleStatsRow } from "../db/queries/stats.ts";
import { AreaRefSchema } from "./ville.ts";

const count = (example: number, description?: string) => z.number().int().openapi({ example, ...(description ? { description } : {}) });

const VilleCountsSchema = z
  .object({
    total: count(37_611, "Every row: communes actuelles, déléguées, associées and arrondissements municipaux."),
    communes_actuelles: count(34_875),
    communes_deleguees: count(2_156),
    communes_associees: count(535),
    arrondissements_municipaux: count(45),
  })
  .openapi("VilleCounts");

const LargestCommuneSchema = z
  .object({ code_insee: z.string().openapi({ example: "44109" }), nom: z.string().openapi({ example: "Nantes" }), population: count(320_732) })
  .nullable()
  .openapi("LargestCommune", { description: "The most populous commune actuelle; null when there is none yet." });

const population = count(68_000_000, "Inhabitants of the communes actuelles (déléguées and arrondissements are not counted twice).");
const refreshedAt = z.string().datetime({ offset: true }).openapi({
  example: "2026-05-04T10:17:00.412Z",
  description: "When the materialized view was last refreshed (every 15 minutes and after each import).",
});

export const StatsSchema = z
  .object({ villes: VilleCountsSchema, departements: count(101), regions: count(18), population, refreshed_at: refreshedAt })
  .openapi("Stats");

const RegionStatsSchema = z
  .object({
    region: AreaRefSchema.openapi({ example: { code: "52", nom: "Pays de la Loire" } }),
    zone: z.enum(ZONES),
    villes: VilleCountsSchema,
    departements: count(5),
    population,
    largest_commune: LargestCommuneSchema,
  })
  .openapi("RegionStats");

const DepartementStatsSchema = z
  .object({
    departement: AreaRefSchema,
    region: AreaRefSchema.openapi({ example: { code: "52", nom: "Pays de la Loire" } }),
    zone: z.enum(ZONES),
    villes: VilleCountsSchema,
    population,
    largest_commune: LargestCommuneSchema,
  })
  .openapi("DepartementStats");

const listOf = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z.object({ results: z.array(item), refreshed_at: refreshedAt.nullable() }).openapi(name);

export const RegionStatsListSchema = listOf(RegionStatsSchema, "RegionStatsList");
export const DepartementStatsListSchema = listOf(DepartementStatsSchema, "DepartementStatsList");

export type StatsResponse = z.infer<typeof StatsSchema>;
export type RegionStatsListResponse = z.infer<typeof RegionStatsListSchema>;
export type DepartementStatsListResponse = z.infer<typeof DepartementStatsListSchema>;

function villeCounts(row: Omit<VilleStatsRow, "id" | "departements" | "regions" | "population" | "refreshedAt">) {
  return {
    total: row.totalVilles,
    communes_actuelles: row.communesActuelles,
    communes_deleguees: row.communesDeleguees,
    communes_associees: row.communesAssociees,
    arrondissements_municipaux: row.arrondissementsMunicipaux,
  };
}

function largestCommune(row: RegionStatsRow | DepartementStatsRow) {
  if (row.largestCodeInsee === null || row.largestNom === null) return null;
  return { code_insee: row.largestCodeInsee, nom: row.largestNom, population: row.largestPopulation ?? 0 };
}

// Every list row comes from one refresh, so they share one timestamp.
const listRefreshedAt = (rows: Array<{ refreshedAt: Date }>) => rows[0]?.refreshedAt.toISOString() ?? null;

export function presentStats(row: VilleStatsRow): StatsResponse {
  return { villes: villeCounts(row), departements: row.departements, regions: row.regions, population: row.population, refreshed_at: row.refreshedAt.toISOString() };
}

export function presentRegionStats(rows: RegionStatsRow[]): RegionStatsListResponse {
  const results = rows.map((row) => ({
    region: { code: row.regionCode, nom: row.regionNom },
    zone: row.zone,
    villes: villeCounts(row),
    departements: row.departements,
    population: row.population,
    largest_commune: largestCommune(row),
  }));
  return { results, refreshed_at: listRefreshedAt(rows) };
}

export function presentDepartementStats(rows: DepartementStatsRow[]): DepartementStatsListResponse {
  const results = rows.map((row) => ({
    departement: { code: row.departementCode, nom: row.departementNom },
    region: { code: row.regionCode, nom: row.regionNom },
    zone: row.zone,
    villes: villeCounts(row),
    population: row.population,
    largest_commune: largestCommune(row),
  }));
  return { results, refreshed_at: listRefreshedAt(rows) };
}
