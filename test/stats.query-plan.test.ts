import { describe, expect, it } from "vitest";
import { departementStatsQuery, regionStatsQuery, villeStatsQuery } from "../src/lib/db/queries/stats.ts";
import { testServices } from "./helpers/cron.ts";
import { primaryUrl, replicaUrl, sqlOn } from "./helpers/sql.ts";

type PlanNode = { "Node Type": string; "Relation Name"?: string; "Actual Rows": number; "Actual Loops": number; Plans?: PlanNode[] };

const scans = (node: PlanNode): PlanNode[] => [...(node["Relation Name"] ? [node] : []), ...(node.Plans ?? []).flatMap(scans)];
/** One row per département is the most a stats query should read: 109 of them, plus the totals row. */
const MAX_ROWS_READ = 110;

describe("the stats routes' queries", () => {
  const db = testServices().services.databases.primary;
  const queries = {
    totals: villeStatsQuery(db),
    regions: regionStatsQuery(db, {}),
    "regions?zone": regionStatsQuery(db, { zone: "drom" }),
    departements: departementStatsQuery(db, {}),
    "departements?region&zone": departementStatsQuery(db, { region: "52", zone: "metro" }),
  };

  it.each(Object.entries(queries))("%s reads its materialized view on the replica, never villes", async (_name, query) => {
    const { sql, params } = query.toSQL();
    const [result] = await sqlOn(replicaUrl()).query(`explain (analyze, format json) ${sql}`, params);
    const [explained] = (result as { "QUERY PLAN": Array<{ Plan: PlanNode }> })["QUERY PLAN"];
    const read = scans(explained!.Plan);
    expect(read.length).toBeGreaterThan(0);
    expect(read.every((node) => node["Relation Name"]!.startsWith("ville_stats")), read.map((node) => node["Relation Name"]).join(",")).toBe(true);
    // Work, not time: speed is the bench's business (npm run bench), never a timer in a test.
    for (const node of read) expect(node["Actual Rows"] * node["Actual Loops"], node["Relation Name"]).toBeLessThanOrEqual(MAX_ROWS_READ);
  });
});

/** Every node of a plan, depth first. */
const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

describe("the stats views' refresh (drizzle/0017)", () => {
  it.each(["ville_stats_by_region", "ville_stats_by_departement"])("%s finds each row's largest commune by an index probe, not by reading its whole area", async (view) => {
    const db = sqlOn(primaryUrl());
    const [definition] = (await db.query(`select pg_get_viewdef($1::regclass) as def`, [view])) as Array<{ def: string }>;
    const [result] = await db.query(`explain (analyze, format json) ${definition!.def.replace(/;\s*$/, "")}`);
    const [explained] = (result as { "QUERY PLAN": Array<{ Plan: PlanNode }> })["QUERY PLAN"];
    // The lateral probe is the scan of villes run once per région or département.
    const probes = nodes(explained!.Plan).filter((node) => node["Relation Name"] === "villes" && node["Actual Loops"] > 1);
    expect(probes.length).toBeGreaterThan(0);
    // Ordered by its (…_code, population DESC NULLS LAST, id DESC NULLS LAST) index, a probe stops
    // at the first commune actuelle; sorting its area instead reads hundreds of rows per loop here.
    for (const probe of probes) expect(probe["Actual Rows"], `${probe["Node Type"]} per loop`).toBeLessThanOrEqual(5);
  });
});
