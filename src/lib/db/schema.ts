import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgMaterializedView,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export const VILLE_TYPES = [
  "commune-actuelle",
  "commune-deleguee",
  "commune-associee",
  "arrondissement-municipal",
] as const;
export type VilleType = (typeof VILLE_TYPES)[number];

/** metro and drom make the 101 départements and 18 régions; com are the collectivités d'outre-mer. */
export const ZONES = ["metro", "drom", "com"] as const;

/** How good a ville's point is: its own, its parent commune's, or its département's centre (scripts/data/coordinates.ts). */
export const COORDINATES_PRECISIONS = ["commune", "parent", "departement"] as const;
export type CoordinatesPrecision = (typeof COORDINATES_PRECISIONS)[number];

export const IMPORT_STATUSES = ["open", "committing", "done", "failed"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const regions = pgTable("regions", {
  code: text("code").primaryKey(),
  nom: text("nom").notNull(),
  zone: text("zone", { enum: ZONES }).notNull(),
});

export const departements = pgTable(
  "departements",
  {
    code: text("code").primaryKey(),
    nom: text("nom").notNull(),
    regionCode: text("region_code")
      .notNull()
      .references(() => regions.code),
    zone: text("zone", { enum: ZONES }).notNull(),
  },
  (t) => [index("departements_region_code_idx").on(t.regionCode)],
);

export const villes = pgTable(
  "villes",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    codeInsee: text("code_insee").notNull(),
    type: text("type", { enum: VILLE_TYPES }).notNull(),
    // chef-lieu of a commune déléguée/associée, or the commune of an arrondissement
    parentCode: text("parent_code"),
    nom: text("nom").notNull(),
    // Computed by the database so that no writer can disagree with the index it feeds.
    nomNormalise: text("nom_normalise")
      .notNull()
      .generatedAlwaysAs(sql`lieux_normalize(nom)`),
    codesPostaux: text("codes_postaux").array().notNull().default(sql`'{}'::text[]`),
    codePostalPrincipal: text("code_postal_principal"),
    departementCode: text("departement_code")
      .notNull()
      .references(() => departements.code),
    regionCode: text("region_code")
      .notNull()
      .references(() => regions.code),
    population: integer("population").notNull().default(0),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    // Null exactly when there is no point; written by UPSERT_VILLES_SQL and the seed.
    coordinatesPrecision: text("coordinates_precision", { enum: COORDINATES_PRECISIONS }),
    ...timestamps,
  },
  (t) => [
    // The natural key: communes déléguées share their INSEE code with their commune nouvelle.
    uniqueIndex("villes_code_insee_type_key").on(t.codeInsee, t.type),
    index("villes_nom_id_idx").on(t.nom, t.id),
    // Every listing order breaks ties on id in the same direction as its key, so the
    // keyset predicate is one row comparison that the index answers directly.
    index("villes_population_id_idx").on(t.population.desc(), t.id.desc()),
    index("villes_created_at_id_idx").on(t.createdAt.desc(), t.id.desc()),
    index("villes_departement_nom_id_idx").on(t.departementCode, t.nom, t.id),
    index("villes_departement_population_id_idx").on(t.departementCode, t.population.desc(), t.id.desc()),
    index("villes_region_nom_id_idx").on(t.regionCode, t.nom, t.id),
    index("villes_region_population_id_idx").on(t.regionCode, t.population.desc(), t.id.desc()),
    // Search sync and reconcile read "changed since" by keyset on (updated_at, id).
    index("villes_updated_at_id_idx").on(t.updatedAt, t.id),
    index("villes_departement_created_at_id_idx").on(t.departementCode, t.createdAt.desc(), t.id.desc()),
    index("villes_region_created_at_id_idx").on(t.regionCode, t.createdAt.desc(), t.id.desc()),
    index("villes_nom_normalise_prefix_idx").on(t.nomNormalise.op("text_pattern_ops")),
    // KNN for nearest centre over communes actuelles with their own point only: an approximate
    // point is no centre, and a scan that never skips an entry reads exactly `limit` of them.
    // Buffered build: 79 s instead of 102 s for 5M points (cube has no sort support for a sorted build).
    index("villes_earth_idx")
      .using("gist", sql`ll_to_earth(${t.latitude}, ${t.longitude})`)
      .with({ buffering: "on" })
      .where(sql`${t.coordinatesPrecision} = 'commune' AND ${t.type} = 'commune-actuelle'`),
    check("villes_type_check", sql`${t.type} in ('commune-actuelle','commune-deleguee','commune-associee','arrondissement-municipal')`),
    check("villes_population_check", sql`${t.population} >= 0`),
    check(
      "villes_coordinates_precision_check",
      sql`${t.coordinatesPrecision} in ('commune','parent','departement') and ${t.latitude} is not null and ${t.longitude} is not null or ${t.coordinatesPrecision} is null and (${t.latitude} is null or ${t.longitude} is null)`,
    ),
  ],
);

export const imports = pgTable(
  "imports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    idempotencyKey: text("idempotency_key"),
    format: text("format", { enum: ["csv", "ndjson"] }).notNull(),
    mode: text("mode", { enum: ["lenient", "strict"] }).notNull().default("lenient"),
    source: text("source"),
    status: text("status", { enum: IMPORT_STATUSES }).notNull().default("open"),
    rowsReceived: integer("rows_received").notNull().default(0),
    rowsUpserted: integer("rows_upserted").notNull().default(0),
    rowsRejected: integer("rows_rejected").notNull().default(0),
    // The first N rejected rows with their line numbers and reasons.
    rowsStaged: integer("rows_staged").notNull().default(0),
    failure: text("failure"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    errors: jsonb("errors").$type<Array<{ chunk: number; line: number; reason: string }>>().notNull().default([]),
    timings: jsonb("timings").$type<Record<string, number>>().notNull().default({}),
    committedAt: timestamp("committed_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("imports_idempotency_key_key").on(t.idempotencyKey),
    index("imports_created_at_id_idx").on(t.createdAt.desc(), t.id.desc()),
  ],
);

/** One row, refreshed by the cron; created in drizzle/0002_ville_stats.sql. */
export const villeStats = pgMaterializedView("ville_stats", {
  id: integer("id").notNull(),
  totalVilles: bigint("total_villes", { mode: "number" }).notNull(),
  communesActuelles: bigint("communes_actuelles", { mode: "number" }).notNull(),
  communesDeleguees: bigint("communes_deleguees", { mode: "number" }).notNull(),
  communesAssociees: bigint("communes_associees", { mode: "number" }).notNull(),
  arrondissementsMunicipaux: bigint("arrondissements_municipaux", { mode: "number" }).notNull(),
  departements: bigint("departements", { mode: "number" }).notNull(),
  regions: bigint("regions", { mode: "number" }).notNull(),
  population: bigint("population", { mode: "number" }).notNull(),
  refreshedAt: timestamp("refreshed_at", { withTimezone: true }).notNull(),
}).existing();
