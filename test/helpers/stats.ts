import { expect } from "vitest";
import { bumpGeneration } from "../../src/lib/cache/generation.ts";
import { refreshStatsViews } from "../../src/lib/stats/refresh-views.ts";
import { testServices } from "./cron.ts";
import { primaryUrl, sqlOn } from "./sql.ts";
import { callWorker } from "./worker.ts";

type Row = Record<string, unknown>;

const COUNTS_BY_TYPE = `
  count(v.code_insee)::int as total,
  count(*) filter (where v.type = 'commune-actuelle')::int as communes_actuelles,
  count(*) filter (where v.type = 'commune-deleguee')::int as communes_deleguees,
  count(*) filter (where v.type = 'commune-associee')::int as communes_associees,
  count(*) filter (where v.type = 'arrondissement-municipal')::int as arrondissements_municipaux,
  coalesce(sum(v.population) filter (where v.type = 'commune-actuelle'), 0)::float8 as population`;

const LARGEST = (column: string, code: string) => `(
  select json_build_object('code_insee', l.code_insee, 'nom', l.nom, 'population', l.population) from villes l
  where l.${column} = ${code} and l.type = 'commune-actuelle' order by l.population desc, l.id desc limit 1) as largest_commune`;

const villes = (row: Row) => ({
  total: row.total,
  communes_actuelles: row.communes_actuelles,
  communes_deleguees: row.communes_deleguees,
  communes_associees: row.communes_associees,
  arrondissements_municipaux: row.arrondissements_municipaux,
});

/** The figures computed live on the primary, in the API's shape, without refreshed_at. */
export async function liveStats() {
  const sql = sqlOn(primaryUrl());
  const [totals] = await sql.query(`select ${COUNTS_BY_TYPE}, count(distinct v.departement_code)::int as departements,
    count(distinct v.region_code)::int as regions from villes v`);
  const regions = await sql.query(`select r.code, r.nom, r.zone, ${COUNTS_BY_TYPE}, count(distinct v.departement_code)::int as departements,
    ${LARGEST("region_code", "r.code")} from regions r left join villes v on v.region_code = r.code group by r.code order by r.code`);
  const departements = await sql.query(`select d.code, d.nom, d.zone, r.code as region_code, r.nom as region_nom, ${COUNTS_BY_TYPE},
    ${LARGEST("departement_code", "d.code")} from departements d join regions r on r.code = d.region_code
    left join villes v on v.departement_code = d.code group by d.code, r.code order by d.code`);
  return {
    totals: { villes: villes(totals!), departements: totals!.departements, regions: totals!.regions, population: totals!.population },
    regions: regions.map((row) => ({
      region: { code: row.code, nom: row.nom },
      zone: row.zone,
      villes: villes(row),
      departements: row.departements,
      population: row.population,
      largest_commune: row.largest_commune,
    })),
    departements: departements.map((row) => ({
      departement: { code: row.code, nom: row.nom },
      region: { code: row.region_code, nom: row.region_nom },
      zone: row.zone,
      villes: villes(row),
      population: row.population,
      largest_commune: row.largest_commune,
    })),
  };
}

export async function getJson<T = Row>(path: string, init: RequestInit = {}): Promise<{ response: Response; body: T }> {
  const response = await callWorker(path, init);
  expect(response.status, await response.clone().text()).toBe(200);
  return { response, body: (await response.json()) as T };
}

/** What the three endpoints serve, without refreshed_at. */
export async function servedStats() {
  const { refreshed_at: totalsAt, ...totals } = (await getJson("/v1/stats")).body;
  const regions = (await getJson<{ results: Row[]; refreshed_at: string }>("/v1/stats/regions")).body;
  const departements = (await getJson<{ results: Row[]; refreshed_at: string }>("/v1/stats/departements")).body;
  return {
    figures: { totals, regions: regions.results, departements: departements.results },
    refreshedAt: [totalsAt, regions.refreshed_at, departements.refreshed_at].map((at) => Date.parse(String(at))),
  };
}

/** Refreshes the views (primary and replica) and purges the stats cache, as the cron does. */
export async function refreshStatsNow(): Promise<void> {
  const { services, settle } = testServices({ REDIS_TIMEOUT_MS: "1000" });
  const report = await refreshStatsViews(services);
  expect(report.replicaErrors).toEqual([]);
  await bumpGeneration(services.redis, ["stats"]);
  await settle();
}
