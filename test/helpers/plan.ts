import { sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { primaryUrl, sqlOn } from "./sql.ts";

export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  Plans?: PlanNode[];
}

/** Every node of an executed plan (EXPLAIN ANALYZE on the primary). */
export async function explainNodes(query: SQL): Promise<PlanNode[]> {
  const { rows } = await drizzle({ client: sqlOn(primaryUrl()) }).execute(sql`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`);
  const root = (rows[0] as { "QUERY PLAN": Array<{ Plan: PlanNode }> })["QUERY PLAN"][0]!.Plan;
  const walk = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(walk)];
  return walk(root);
}

/** Rows a plan read from one relation, over all loops. */
export const rowsRead = (nodes: readonly PlanNode[], relation: string) =>
  nodes.filter((node) => node["Relation Name"] === relation).reduce((sum, node) => sum + node["Actual Rows"] * node["Actual Loops"], 0);
