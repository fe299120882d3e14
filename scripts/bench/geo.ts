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
  nearest: { inPostgres: Percentiles; wallClock: Percentiles; indexEntriesRead: number };
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

/** Rows the KNN scan of villes_earth_idx returned: the bound, `limit`. */
function knnRows(node: PlanNode): number {
  const own = node["Index Name"] === "villes_earth_idx" ? node["Actual Rows"] * node["Actual Loops"] : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + knnRows(child), 0);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export async function benchGeo(connectionString: string, prefixes: readonly string[], count = 1_000): Promise<GeoFigures> {
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
    return {
      points: count,
      nearest: { inPostgres: percentiles(inPostgres), wallClock: percentiles(wallClock), indexEntriesRead },
      near: { prefixes: prefixes.length, unbiased: plainFigures, near: nearFigures, p99Ratio: Math.round((nearFigures.p99 / plainFigures.p99) * 100) / 100 },
    };
  } finally {
    await Promise.all([first.end(), second.end()]);
  }
}
