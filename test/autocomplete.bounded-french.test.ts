import { describe, expect, it } from "vitest";
import { HEAVY_PREFIX_THRESHOLD } from "../src/lib/search/heavy-prefixes.ts";
import { anyOrderSearchSql, arrondissementsSql, completeNameSql, defaultScopeSearchSql } from "../src/lib/search/postgres-sql.ts";
import { DEFAULT_TYPE_SCOPE } from "../src/lib/search/types.ts";
import { explainNodes, rowsRead } from "./helpers/plan.ts";

const relationScans = (nodes: Awaited<ReturnType<typeof explainNodes>>, relation: string) => nodes.filter((node) => node["Relation Name"] === relation);

describe("bounded work of issue 18's searches, shown by the query plan", () => {
  it("finds complete-name homonyms by one equality probe of the terms index, reading only them", async () => {
    const nodes = await explainNodes(completeNameSql("beaulieu", 10, {}, DEFAULT_TYPE_SCOPE));
    expect(relationScans(nodes, "ville_search_terms").map((node) => node["Node Type"])).toEqual(["Index Only Scan"]);
    // every Beaulieu term (its full name, its own word), any type, and nothing else
    expect(rowsRead(nodes, "ville_search_terms")).toBeGreaterThanOrEqual(10);
    expect(rowsRead(nodes, "ville_search_terms")).toBeLessThanOrEqual(40);
  });

  it("anchors several partial words on a light word's range, reading at most T terms", async () => {
    const nodes = await explainNodes(anyOrderSearchSql(["sai", "rem", "de", "pro"], 10, {}, DEFAULT_TYPE_SCOPE));
    expect(rowsRead(nodes, "ville_search_terms")).toBeGreaterThan(0);
    expect(rowsRead(nodes, "ville_search_terms")).toBeLessThanOrEqual(HEAVY_PREFIX_THRESHOLD);
    // "sai" and "de" are heavy prefixes: "rem" was chosen, whose whole range is smaller than T
    expect(rowsRead(nodes, "heavy_prefixes")).toBeGreaterThan(0);
  });

  it("reads a page's former names through the parent-code index, for the page's rows only", async () => {
    const nodes = await explainNodes(defaultScopeSearchSql("seynod", 10, DEFAULT_TYPE_SCOPE));
    const villes = relationScans(nodes, "villes");
    expect(villes.map((node) => node["Index Name"]).sort()).toEqual(["villes_parent_code_idx", "villes_pkey"]);
    // Annecy's five former communes, read once for the one row on the page
    expect(rowsRead(nodes, "villes")).toBeLessThanOrEqual(10);
  });

  it("lists a city's arrondissements through the parent-code index", async () => {
    const nodes = await explainNodes(arrondissementsSql("13055", 10));
    expect(relationScans(nodes, "villes").map((node) => node["Index Name"])).toContain("villes_parent_code_idx");
    expect(rowsRead(nodes, "villes")).toBeLessThanOrEqual(16 + 10);
  });
});
