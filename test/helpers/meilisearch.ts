import { sql } from "drizzle-orm";
import { readConfig } from "../../src/env.ts";
import { VILLE_ROW_JOINS, VILLE_ROW_SELECT, type VilleRow } from "../../src/lib/db/queries/ville-rows.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { buildServices } from "../../src/compose-services.ts";
import type { Services } from "../../src/lib/services.ts";
import { testEnv } from "./worker.ts";

let hostCounter = 0;

/** A fresh host name per test: clients and circuit breakers are per host, so tests never share them. */
export const uniqueMeilisearchHost = (label: string) => `http://meili-${label}-${++hostCounter}-${Date.now()}.test`;

/** The Worker's real services (real Postgres) with binding overrides, as a cron job would build them. */
export function servicesWith(overrides: Record<string, string | undefined>): Services {
  const parsed = readConfig({ ...testEnv, ...overrides });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return buildServices(parsed.config, createLogger({ test: "meilisearch" }), { waitUntil: () => undefined });
}

/** Real villes rows from the primary, by name, shaped as every engine returns them. */
export async function villesNamed(services: Services, names: string[]): Promise<VilleRow[]> {
  const result = await services.databases.primary.execute(
    sql`SELECT ${sql.raw(VILLE_ROW_SELECT)} FROM villes v ${sql.raw(VILLE_ROW_JOINS)} WHERE v.nom IN ${names} ORDER BY v.id`,
  );
  return result.rows as unknown as VilleRow[];
}

let fixtureId = 900_000_000;

/** A made-up ville (ids far above the real ones), for documents that never touch Postgres. */
export function fixtureVille(overrides: Partial<VilleRow> = {}): VilleRow {
  const id = ++fixtureId;
  return {
    id,
    codeInsee: `99${String(id % 1000).padStart(3, "0")}`,
    nom: `Fixture ${id}`,
    slug: `fixture-${id}`,
    type: "commune-actuelle",
    parentCode: null,
    codesPostaux: ["99000"],
    codePostalPrincipal: "99000",
    population: 1_000,
    latitude: 47.2,
    longitude: -1.55,
    departementCode: "44",
    departementNom: "Loire-Atlantique",
    regionCode: "52",
    regionNom: "Pays de la Loire",
    createdAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}
