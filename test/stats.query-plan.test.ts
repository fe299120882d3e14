import { describe, expect, it } from "vitest";
import { departementStatsQuery, regionStatsQuery, villeStatsQuery } from "../src/lib/db/queries/stats.ts";
import { testServices } from "./helpers/cron.ts";
import { replicaUrl, sqlOn } from "./helpers/sql.ts";

type PlanNode = { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[] };

const relations = (node: PlanNode): string[] => [...(node["Relation Name"] ? [node["Relation Name"]] : []), ...(node.Plans ?? []).flatMap(relations)];

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
    const [explained] = (result as { "QUERY PLAN": Array<{ Plan: PlanNode; "Execution Time": number }> })["QUERY PLAN"];
    const read = relations(explained!.Plan);
    expect(read.length).toBeGreaterThan(0);
    expect(read.every((relation) => relation.startsWith("ville_stats")), read.join(",")).toBe(true);
    expect(explained!["Execution Time"]).toBeLessThan(5);
  });
});
