import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { describe, expect, it } from "vitest";
import { HEAVY_PREFIX_THRESHOLD, HEAVY_PREFIX_TOP_K } from "../src/lib/search/heavy-prefixes.ts";
import { defaultScopeSearchSql, filteredSearchSql } from "../src/lib/search/postgres-sql.ts";
import { DEFAULT_TYPE_SCOPE } from "../src/lib/search/types.ts";
import { autocomplete } from "./helpers/autocomplete.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  Plans?: PlanNode[];
}

function scans(node: PlanNode): PlanNode[] {
  const own = node["Relation Name"] ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap(scans)];
}

const db = () => drizzle({ client: sqlOn(primaryUrl()) });

async function explain(query: ReturnType<typeof defaultScopeSearchSql>): Promise<PlanNode[]> {
  const { rows } = await db().execute(sql`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`);
  const plan = (rows[0] as { "QUERY PLAN": Array<{ Plan: PlanNode }> })["QUERY PLAN"][0]!.Plan;
  return scans(plan);
}

const rowsRead = (nodes: PlanNode[], relation: string) =>
  nodes.filter((node) => node["Relation Name"] === relation).reduce((sum, node) => sum + node["Actual Rows"] * node["Actual Loops"], 0);

describe("bounded work of the Postgres autocomplete, shown by the query plan", () => {
  it("answers a one-letter prefix from the heavy-prefix table, reading at most K rows", async () => {
    const nodes = await explain(defaultScopeSearchSql("s", 10, DEFAULT_TYPE_SCOPE));
    expect(rowsRead(nodes, "heavy_prefixes")).toBe(1);
    // the live ranking never starts for a heavy prefix
    expect(rowsRead(nodes, "ville_search_terms")).toBe(0);
    for (const node of nodes) expect(node["Actual Rows"] * node["Actual Loops"], node["Relation Name"]).toBeLessThanOrEqual(HEAVY_PREFIX_TOP_K);
  });

  it("ranks at most T index-only terms for a light prefix", async () => {
    const nodes = await explain(defaultScopeSearchSql("nant", 10, DEFAULT_TYPE_SCOPE));
    const terms = nodes.filter((node) => node["Relation Name"] === "ville_search_terms");
    expect(terms.every((node) => node["Node Type"] === "Index Only Scan")).toBe(true);
    expect(rowsRead(nodes, "ville_search_terms")).toBeGreaterThan(0);
    expect(rowsRead(nodes, "ville_search_terms")).toBeLessThanOrEqual(HEAVY_PREFIX_THRESHOLD);
  });

  it("caps a filtered search of a heavy prefix at T rows through the département index", async () => {
    const nodes = await explain(filteredSearchSql("s", 10, { departement: "62" }, DEFAULT_TYPE_SCOPE));
    const terms = nodes.filter((node) => node["Relation Name"] === "ville_search_terms");
    expect(terms.map((node) => node["Index Name"])).toEqual(["ville_search_terms_departement_idx"]);
    expect(rowsRead(nodes, "ville_search_terms")).toBeLessThanOrEqual(HEAVY_PREFIX_THRESHOLD);
  });

  it("stores for each heavy prefix the same top results a full live ranking gives", async () => {
    const heavy = await sqlOn(primaryUrl()).query("select prefix, match_count from heavy_prefixes where prefix in ('s', 'sa', 'saint', 'la', 'le')");
    expect(heavy.map((row) => row.prefix).sort()).toEqual(["la", "le", "s", "sa", "saint"]);
    for (const { prefix, match_count } of heavy) {
      expect(match_count).toBeGreaterThan(HEAVY_PREFIX_THRESHOLD);
      const live = await sqlOn(primaryUrl()).query(
        `select v.nom from (select ville_id, max(lieux_match_score(term, word_position, $1, population)) as score
           from ville_search_terms where term >= $1 and term < $1 || '{' and type = any($2) group by ville_id) best
         join villes v on v.id = best.ville_id order by best.score desc, best.ville_id limit 10`,
        [prefix, DEFAULT_TYPE_SCOPE],
      );
      const { body } = await autocomplete({ q: String(prefix) });
      expect(body.results.map((result) => result.nom), String(prefix)).toEqual(live.map((row) => row.nom));
    }
  });
});
