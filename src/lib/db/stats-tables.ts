import { bigint, integer, jsonb, pgMaterializedView, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { ZONES } from "./schema.ts";

// Outside drizzle-kit's schema path (drizzle.config.ts reads schema.ts only): these objects
// are created by the custom SQL of drizzle/0006_stats_views_and_cron_runs.sql, and
// `drizzle-kit generate` must never try to create or drop them.

const countsByType = {
  totalVilles: bigint("total_villes", { mode: "number" }).notNull(),
  communesActuelles: bigint("communes_actuelles", { mode: "number" }).notNull(),
  communesDeleguees: bigint("communes_deleguees", { mode: "number" }).notNull(),
  communesAssociees: bigint("communes_associees", { mode: "number" }).notNull(),
  arrondissementsMunicipaux: bigint("arrondissements_municipaux", { mode: "number" }).notNull(),
};

const largestCommune = {
  largestCodeInsee: text("largest_code_insee"),
  largestNom: text("largest_nom"),
  largestPopulation: integer("largest_population"),
};

export const villeStatsByRegion = pgMaterializedView("ville_stats_by_region", {
  regionCode: text("region_code").notNull(),
  regionNom: text("region_nom").notNull(),
  zone: text("zone", { enum: ZONES }).notNull(),
  ...countsByType,
  departements: bigint("departements", { mode: "number" }).notNull(),
  population: bigint("population", { mode: "number" }).notNull(),
  ...largestCommune,
  refreshedAt: timestamp("refreshed_at", { withTimezone: true }).notNull(),
}).existing();

export const villeStatsByDepartement = pgMaterializedView("ville_stats_by_departement", {
  departementCode: text("departement_code").notNull(),
  departementNom: text("departement_nom").notNull(),
  regionCode: text("region_code").notNull(),
  regionNom: text("region_nom").notNull(),
  zone: text("zone", { enum: ZONES }).notNull(),
  ...countsByType,
  population: bigint("population", { mode: "number" }).notNull(),
  ...largestCommune,
  refreshedAt: timestamp("refreshed_at", { withTimezone: true }).notNull(),
}).existing();

/** Every stats view, in refresh order; each has the unique index REFRESH … CONCURRENTLY needs. */
export const STATS_VIEWS = ["ville_stats", "ville_stats_by_region", "ville_stats_by_departement"] as const;

export const cronRuns = pgTable("cron_runs", {
  job: text("job").primaryKey(),
  firstStartedAt: timestamp("first_started_at", { withTimezone: true }).notNull().defaultNow(),
  lastStartedAt: timestamp("last_started_at", { withTimezone: true }),
  lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
  lastFailureAt: timestamp("last_failure_at", { withTimezone: true }),
  /** `success`, `failure` or `skipped: <why>` (a job with nothing to do). */
  lastOutcome: text("last_outcome"),
  lastError: text("last_error"),
  lastDurationMs: integer("last_duration_ms"),
  lastCounts: jsonb("last_counts").$type<Record<string, unknown>>(),
  runs: bigint("runs", { mode: "number" }).notNull().default(0),
});
