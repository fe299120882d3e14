import { fileURLToPath } from "node:url";
import pg from "pg";
import { UPSERT_VILLES_SQL, upsertVillesParams } from "../src/lib/db/upsert-villes.ts";
import { STATS_VIEWS } from "../src/lib/db/stats-tables.ts";
import { HEAVY_PREFIX_THRESHOLD, HEAVY_PREFIX_TOP_K } from "../src/lib/search/heavy-prefixes.ts";
import { TYPO_DICTIONARY_SIZE } from "../src/lib/search/typo-dictionary.ts";
import { loadReferenceData } from "./data/communes.ts";
import { withCoordinates, type CoordinatesCoverage } from "./data/coordinates.ts";

const BATCH_SIZE = 5_000;

/** After a bulk load: sets the visibility map for index-only scans of the search terms, and refreshes planner statistics. */
/** The seed's approximate points ("parent", "departement") say so; the upsert wrote every point as "commune". */
const SET_COORDINATES_PRECISION_SQL = `
update villes v set coordinates_precision = p.precision, updated_at = now()
from unnest($1::text[], $2::text[], $3::text[]) as p(code_insee, type, precision)
where v.code_insee = p.code_insee and v.type = p.type and v.coordinates_precision is distinct from p.precision`;

export const VACUUM_AFTER_BULK_LOAD = "vacuum (analyze) villes, ville_search_terms, regions, departements";

/** The search tables derived from villes: heavy prefixes and the typo dictionary. */
async function rebuildDerivedSearchTables(client: pg.Client, log: (line: string) => void) {
  const started = Date.now();
  const { rows } = await client.query("select lieux_rebuild_heavy_prefixes($1, $2) as prefixes", [HEAVY_PREFIX_THRESHOLD, HEAVY_PREFIX_TOP_K]);
  const { rows: typo } = await client.query("select lieux_rebuild_typo_dictionary($1) as names", [TYPO_DICTIONARY_SIZE]);
  log(`seed: ${rows[0].prefixes} heavy prefixes and ${typo[0].names} typo-dictionary names rebuilt in ${Date.now() - started} ms`);
}

export interface SeedResult {
  skipped: boolean;
  regions: number;
  departements: number;
  villes: number;
  coordinates: CoordinatesCoverage;
  durationMs: number;
}

/**
 * Loads the real régions, départements and communes. Idempotent: every row is an
 * upsert on its natural key, and the whole seed is skipped when the database
 * already holds at least the real counts.
 */
export async function seed(databaseUrl: string, log: (line: string) => void = console.log): Promise<SeedResult> {
  const started = Date.now();
  const reference = loadReferenceData();
  const located = withCoordinates(reference.villes);
  const data = { ...reference, villes: located.villes };
  const precisions = located.precisions;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const present = await client.query<{ regions: string; departements: string; villes: string }>(
      `select (select count(*) from regions) as regions, (select count(*) from departements) as departements,
              (select count(*) from villes v join unnest($1::text[], $2::text[], $3::text[]) as p(code_insee, type, precision)
                 on v.code_insee = p.code_insee and v.type = p.type and v.coordinates_precision is not distinct from p.precision) as villes`,
      [data.villes.map((row) => row.codeInsee), data.villes.map((row) => row.type), precisions],
    );
    const counts = present.rows[0]!;
    const result = { regions: data.regions.length, departements: data.departements.length, villes: data.villes.length, coordinates: located.coverage };
    if (Number(counts.regions) >= result.regions && Number(counts.departements) >= result.departements && Number(counts.villes) === result.villes) {
      log(`seed: already present (${result.villes} villes), skipped`);
      const derived = await client.query("select exists (select 1 from heavy_prefixes) and exists (select 1 from typo_dictionary) as built");
      if (!derived.rows[0].built) await rebuildDerivedSearchTables(client, log);
      return { skipped: true, ...result, durationMs: Date.now() - started };
    }
    await client.query("begin");
    await client.query(
      `insert into regions (code, nom, zone) select * from unnest($1::text[], $2::text[], $3::text[])
       on conflict (code) do update set nom = excluded.nom, zone = excluded.zone`,
      [data.regions.map((r) => r.code), data.regions.map((r) => r.nom), data.regions.map((r) => r.zone)],
    );
    await client.query(
      `insert into departements (code, nom, region_code, zone) select * from unnest($1::text[], $2::text[], $3::text[], $4::text[])
       on conflict (code) do update set nom = excluded.nom, region_code = excluded.region_code, zone = excluded.zone`,
      [data.departements.map((d) => d.code), data.departements.map((d) => d.nom), data.departements.map((d) => d.regionCode), data.departements.map((d) => d.zone)],
    );
    for (let offset = 0; offset < data.villes.length; offset += BATCH_SIZE) {
      await client.query(UPSERT_VILLES_SQL, upsertVillesParams(data.villes.slice(offset, offset + BATCH_SIZE)));
      log(`seed: villes ${Math.min(offset + BATCH_SIZE, data.villes.length)}/${data.villes.length}`);
    }
    await client.query(SET_COORDINATES_PRECISION_SQL, [data.villes.map((row) => row.codeInsee), data.villes.map((row) => row.type), precisions]);
    const { byPrecision, communeShare } = located.coverage;
    log(`seed: points ${JSON.stringify(byPrecision)}, ${(communeShare * 100).toFixed(1)}% of communes actuelles with their own (GeoNames, CC-BY 4.0)`);
    await client.query("commit");
    for (const view of STATS_VIEWS) await client.query(`refresh materialized view ${view}`);
    await client.query(VACUUM_AFTER_BULK_LOAD);
    await rebuildDerivedSearchTables(client, log);
    log(`seed: ${result.regions} régions, ${result.departements} départements, ${result.villes} villes in ${Date.now() - started} ms`);
    return { skipped: false, ...result, durationMs: Date.now() - started };
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("DATABASE_URL is required: npm run db:seed loads the real communes into that database.");
    process.exit(2);
  }
  await seed(url);
}
