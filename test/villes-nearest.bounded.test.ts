import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { describe, expect, it } from "vitest";
import { nearestSql } from "../src/lib/db/queries/nearest.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Order By"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  Plans?: PlanNode[];
}

const everyNode = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(everyNode)];

async function plan(latitude: number, longitude: number, limit: number): Promise<PlanNode[]> {
  const db = drizzle({ client: sqlOn(primaryUrl()) });
  const { rows } = await db.execute(sql`EXPLAIN (ANALYZE, FORMAT JSON) ${nearestSql(latitude, longitude, limit)}`);
  return everyNode((rows[0] as { "QUERY PLAN": Array<{ Plan: PlanNode }> })["QUERY PLAN"][0]!.Plan);
}

describe("nearest centre: bounded work, shown by the query plan", () => {
  it.each([
    [47.2173, -1.5534, 10],
    [48.8534, 2.3488, 50],
    // Mid-Atlantic: far from everything, the KNN scan still reads only `limit` entries.
    [40, -30, 5],
  ])("at %f,%f reads exactly %i entries of the GiST index, ordered by distance", async (latitude, longitude, limit) => {
    const nodes = await plan(latitude, longitude, limit);
    const villeScans = nodes.filter((node) => node["Relation Name"] === "villes");
    const knn = villeScans.filter((node) => node["Index Name"] === "villes_earth_idx");
    expect(knn).toHaveLength(1);
    expect(knn[0]!["Node Type"]).toBe("Index Scan");
    expect(knn[0]!["Order By"]).toMatch(/<->/);
    expect(knn[0]!["Actual Rows"] * knn[0]!["Actual Loops"]).toBe(limit);
    // The join back to villes fetches the same rows by primary key, nothing else.
    const rest = villeScans.filter((node) => node !== knn[0]);
    expect(rest.map((node) => node["Index Name"])).toEqual(["villes_pkey"]);
    expect(rest[0]!["Actual Rows"] * rest[0]!["Actual Loops"]).toBe(limit);
    expect(nodes.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "villes")).toBe(false);
  });
});
