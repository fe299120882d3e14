import { sql } from "drizzle-orm";
import { afterEach, beforeEach, expect, inject } from "vitest";
import { readConfig } from "../../src/env.ts";
import { VILLE_ROW_JOINS, VILLE_ROW_SELECT, type VilleRow } from "../../src/lib/db/queries/ville-rows.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { buildServices } from "../../src/compose-services.ts";
import { meilisearchClient } from "../../src/lib/search/meilisearch.ts";
import type { Services } from "../../src/lib/services.ts";
import type { LoggedRequest, ReplayFault } from "../meilisearch/protocol.ts";
import { testEnv } from "./worker.ts";

/** The Worker's real services (real Postgres) with binding overrides, as a cron job would build them. */
export function servicesWith(overrides: Record<string, string | undefined>): Services {
  const parsed = readConfig({ ...testEnv, ...overrides });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return buildServices(parsed.config, createLogger({ test: "meilisearch" }), { waitUntil: () => undefined });
}

/** Real villes rows from the primary, by name, shaped as every engine returns them. */
export async function villesNamed(services: Services, names: string[]): Promise<VilleRow[]> {
  const result = await services.databases.primary.execute(
    sql`SELECT ${sql.raw(VILLE_ROW_SELECT)} FROM villes v ${sql.raw(VILLE_ROW_JOINS)} WHERE v.nom IN ${names} ORDER BY v.nom, v.id`,
  );
  return result.rows as unknown as VilleRow[];
}

/** When every replayed document says it was created: the database's own `created_at` changes with each run. */
export const RECORDED_CREATED_AT = "2026-01-01T00:00:00.000Z";

/**
 * Rows as the recordings hold them: ids from `firstId` on and a fixed `created_at`, the two
 * fields a run's database assigns afresh (the API shows neither), and no point: the
 * recordings predate the seed's GeoNames points (issue 18).
 */
export const asRecorded = (rows: readonly VilleRow[], firstId: number): VilleRow[] =>
  rows.map((row, index) => ({ ...row, id: firstId + index, createdAt: RECORDED_CREATED_AT, latitude: null, longitude: null, coordinatesPrecision: null }));

/** A made-up ville with the given id (far above the real ones), for documents that never touch Postgres. */
export function fixtureVille(id: number, overrides: Partial<VilleRow> = {}): VilleRow {
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
    coordinatesPrecision: "commune",
    departementCode: "44",
    departementNom: "Loire-Atlantique",
    regionCode: "52",
    regionNom: "Pays de la Loire",
    createdAt: RECORDED_CREATED_AT,
    ...overrides,
  };
}

export interface MeilisearchReplayHandle {
  readonly apiKey: string;
  /** This test's MEILISEARCH_HOST: its own circuit, client and recording. */
  readonly host: string;
  client(): ReturnType<typeof meilisearchClient>;
  /** Bindings that send the Worker's autocomplete to this test's host, with no cache tier (L0, L1, L2) in front. */
  workerEnv(): Record<string, string | undefined>;
  /** Every request this test's host received so far, in order. */
  requests(): Promise<LoggedRequest[]>;
  /** Drops (`reset`) or hangs (`stall`) every request to this test's host from now on; null heals it. */
  fault(fault: ReplayFault | null): Promise<void>;
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .normalize("NFD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 120);

/**
 * Gives each test of the file a Meilisearch host on the replay server (test/meilisearch/),
 * answering with the traffic recorded for that test in test/fixtures/meilisearch/<fixture>.json,
 * and fails the test after it ran if any request had no recording, or a recorded one was
 * never made.
 */
export function useMeilisearchReplay(fixture: string): MeilisearchReplayHandle {
  const { url, apiKey } = inject("meilisearchReplay");
  let scope: string | null = null;
  const control = async (path: string, body: unknown) => {
    const response = await fetch(`${url}/__replay/${path}`, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`replay server ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const current = () => scope ?? raise("the replay host is only valid inside a test");

  beforeEach(async ({ task }) => {
    scope = `${fixture}/${slug(task.fullTestName ?? task.name)}`;
    await control("begin", { scope, test: task.fullTestName ?? task.name });
  });
  afterEach(async () => {
    const { misses, unused } = (await control("end", { scope: current() })) as { misses: string[]; unused: string[] };
    scope = null;
    expect(misses, "requests the recording does not hold: npm run test:record-meilisearch re-records").toEqual([]);
    expect(unused, "recorded requests this run never made: npm run test:record-meilisearch re-records").toEqual([]);
  });

  const handle: MeilisearchReplayHandle = {
    apiKey,
    get host() {
      return `${url}/s/${current()}`;
    },
    client: () => meilisearchClient({ host: handle.host, apiKey }),
    workerEnv: () => ({
      MEILISEARCH_HOST: handle.host,
      MEILISEARCH_API_KEY: apiKey,
      CACHE_L0: "off",
      CACHE_L1: "off",
      UPSTASH_REDIS_REST_URL: undefined,
      UPSTASH_REDIS_REST_TOKEN: undefined,
    }),
    requests: async () => (await control("requests", { scope: current() })) as LoggedRequest[],
    fault: async (fault) => void (await control("fault", { scope: current(), fault })),
  };
  return handle;
}

function raise(message: string): never {
  throw new Error(message);
}
