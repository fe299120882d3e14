import pg from "pg";
import { nearCandidatesSql } from "../../src/lib/db/queries/near-candidates.ts";
import { nearestSql } from "../../src/lib/db/queries/nearest.ts";
import { defaultScopeSearchSql } from "../../src/lib/search/postgres-sql.ts";
import { normalizeQuery } from "../../src/lib/search/query.ts";
import { DEFAULT_TYPE_SCOPE } from "../../src/lib/search/types.ts";
import { percentiles, type Percentiles } from "./measure.ts";
import { sqlOf } from "./sql-of.ts";

export interface GeoFigures {
  points: number;
  /** GET /v1/villes/nearest's SQL (limit 10) at random points of metropolitan France. */
  nearest: { inPostgres: Percentiles; wallClock: Percentiles; indexEntriesRead: number; slowestAgainMinMs: number[] };
  /**
   * The same query and index at `rows` communes: a copy of villes' columns, check and KNN index
   * filled with random points in France (the import pipeline is not needed to measure the scan).
   */
  atScale?: { rows: number; buildSeconds: number; inPostgres: Percentiles; indexEntriesRead: number; slowestAgainMinMs: number[] };
  /**
   * Autocomplete's Postgres work for the same prefixes, unbiased (the engine's query) and with
   * `near` (the engine asked for 20, and the nearby candidates on a second connection,
   * concurrently, as the service runs them): wall clock on pg connections.
   */
  near: { prefixes: number; unbiased: Percentiles; near: Percentiles; p99Ratio: number };
}

/** Deterministic points in metropolitan France's bounding box (some fall at sea: nearest still answers). */
export function randomPointsInFrance(count: number, seed = 18): Array<{ latitude: number; longitude: number }> {
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  return Array.from({ length: count }, () => ({ latitude: 42.3 + random() * 8.8, longitude: -4.8 + random() * 13 }));
}

interface PlanNode { "Index Name"?: string; "Actual Rows": number; "Actual Loops": number; Plans?: PlanNode[] }

/** Rows the KNN scan of a *_earth_idx index returned: the bound, `limit`. */
function knnRows(node: PlanNode): number {
  const own = node["Index Name"]?.endsWith("_earth_idx") ? node["Actual Rows"] * node["Actual Loops"] : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + knnRows(child), 0);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** Postgres's execution time and KNN entries read for one nearest query, on `table`. */
async function explainNearest(client: pg.Client, point: { latitude: number; longitude: number }, table = "villes") {
  const query = sqlOf(nearestSql(point.latitude, point.longitude, 10));
  const text = table === "villes" ? query.text : query.text.replace(/\b(FROM|JOIN) villes\b/g, `$1 ${table}`);
  const explained = (await client.query({ text: `explain (analyze, format json) ${text}`, values: query.values })).rows[0]["QUERY PLAN"][0];
  return { ms: explained["Execution Time"] as number, entries: knnRows(explained.Plan) };
}

/** The slowest points timed five more times each: a tail that vanishes on retry was the machine, not the query. */
async function slowestAgain(client: pg.Client, points: Array<{ latitude: number; longitude: number }>, times: number[], table?: string): Promise<number[]> {
  const slowest = times.map((ms, index) => ({ ms, index })).sort((a, b) => b.ms - a.ms).slice(0, 10);
  const again: number[] = [];
  for (const { index } of slowest) {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push((await explainNearest(client, points[index]!, table)).ms);
    again.push(Math.round(Math.min(...runs) * 1000) / 1000);
  }
  return again;
}

const SCALE_TABLE = "bench_geo_villes";

async function nearestAtScale(client: pg.Client, rows: number, points: Array<{ latitude: number; longitude: number }>): Promise<GeoFigures["atScale"]> {
  const started = performance.now();
  await client.query(`drop table if exists ${SCALE_TABLE}`);
  await client.query(`create unlogged table ${SCALE_TABLE} (like villes including defaults including generated including identity including constraints)`);
  await client.query(
    `insert into ${SCALE_TABLE} (code_insee, type, nom, departement_code, region_code, population, latitude, longitude, coordinates_precision)
     select 'G' || i, 'commune-actuelle', 'Geo ' || i, '44', '52', (i % 5000)::int, 42.3 + random() * 8.8, -4.8 + random() * 13, 'commune'
     from generate_series(1, $1::int) as i`,
    [rows],
  );
  await client.query(`alter table ${SCALE_TABLE} add primary key (id)`);
  await client.query(`create index ${SCALE_TABLE}_earth_idx on ${SCALE_TABLE} using gist (ll_to_earth(latitude, longitude)) where coordinates_precision = 'commune' and type = 'commune-actuelle'`);
  await client.query(`analyze ${SCALE_TABLE}`);
  const buildSeconds = Math.round((performance.now() - started) / 100) / 10;
  try {
    const times: number[] = [];
    let indexEntriesRead = 0;
    for (const point of points) {
      const { ms, entries } = await explainNearest(client, point, SCALE_TABLE);
      times.push(ms);
      indexEntriesRead = Math.max(indexEntriesRead, entries);
    }
    return { rows, buildSeconds, inPostgres: percentiles(times), indexEntriesRead, slowestAgainMinMs: await slowestAgain(client, points, times, SCALE_TABLE) };
  } finally {
    await client.query(`drop table if exists ${SCALE_TABLE}`);
  }
}

export async function benchGeo(connectionString: string, prefixes: readonly string[], options: { count?: number; scaleRows?: number } = {}): Promise<GeoFigures> {
  const count = options.count ?? 1_000;
  const [first, second] = [new pg.Client({ connectionString }), new pg.Client({ connectionString })];
  await Promise.all([first.connect(), second.connect()]);
  try {
    const points = randomPointsInFrance(count);
    const inPostgres: number[] = [];
    const wallClock: number[] = [];
    let indexEntriesRead = 0;
    for (const [index, point] of points.entries()) {
      const query = sqlOf(nearestSql(point.latitude, point.longitude, 10));
      wallClock.push(await timed(() => first.query(query)));
      const explained = (await first.query({ text: `explain (analyze, format json) ${query.text}`, values: query.values })).rows[0]["QUERY PLAN"][0];
      inPostgres.push(explained["Execution Time"]);
      if (index === 0) indexEntriesRead = knnRows(explained.Plan);
    }
    const slowestAgainMinMs = await slowestAgain(first, points, inPostgres);
    const unbiased: number[] = [];
    const near: number[] = [];
    for (const [index, prefix] of prefixes.entries()) {
      const point = points[index % points.length]!;
      const normalized = normalizeQuery(prefix);
      const plain = sqlOf(defaultScopeSearchSql(normalized, 10, DEFAULT_TYPE_SCOPE));
      const wide = sqlOf(defaultScopeSearchSql(normalized, 20, DEFAULT_TYPE_SCOPE));
      const nearby = sqlOf(nearCandidatesSql(normalized, point.latitude, point.longitude, { types: DEFAULT_TYPE_SCOPE }));
      unbiased.push(await timed(() => first.query(plain)));
      near.push(await timed(() => Promise.all([first.query(wide), second.query(nearby)])));
    }
    const [plainFigures, nearFigures] = [percentiles(unbiased), percentiles(near)];
    const atScale = options.scaleRows ? await nearestAtScale(first, options.scaleRows, points) : undefined;
    return {
      points: count,
      atScale,
      nearest: { inPostgres: percentiles(inPostgres), wallClock: percentiles(wallClock), indexEntriesRead, slowestAgainMinMs },
      near: { prefixes: prefixes.length, unbiased: plainFigures, near: nearFigures, p99Ratio: Math.round((nearFigures.p99 / plainFigures.p99) * 100) / 100 },
    };
  } finally {
    await Promise.all([first.end(), second.end()]);
  }
}
