import type pg from "pg";
import { measure, speedup, type Percentiles } from "./measure.ts";

/** The live aggregates ville_stats precomputes (drizzle/0002), computed on every call. */
const LIVE_STATS_SQL = `select count(*) as total_villes,
  count(*) filter (where type = 'commune-actuelle') as communes_actuelles,
  count(distinct departement_code) as departements, count(distinct region_code) as regions,
  coalesce(sum(population) filter (where type = 'commune-actuelle'), 0) as population
  from villes`;

export interface StatsFigures {
  live: Percentiles;
  view: Percentiles;
  speedup: number;
  refreshMs: number;
}

export async function benchStats(client: pg.Client, iterations: number): Promise<StatsFigures> {
  const started = performance.now();
  await client.query("refresh materialized view concurrently ville_stats");
  const refreshMs = performance.now() - started;
  const view = await measure(() => client.query("select * from ville_stats"), { iterations });
  const live = await measure(() => client.query(LIVE_STATS_SQL), { iterations: Math.max(3, Math.floor(iterations / 10)) });
  return { live, view, speedup: speedup(live, view), refreshMs: Math.round(refreshMs) };
}
