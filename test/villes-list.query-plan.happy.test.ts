import { beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../src/env.ts";
import { createDatabases } from "../src/lib/db/client.ts";
import { buildListingQuery, type KeysetKey, type ListingOrder, type ListingPageRequest } from "../src/lib/db/queries/listing.ts";
import { replicaUrl, sqlOn } from "./helpers/sql.ts";
import { testEnv } from "./helpers/worker.ts";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

const parentOf = (root: PlanNode, child: PlanNode) => nodes(root).find((node) => node.Plans?.includes(child));

const parsed = readConfig(testEnv);
if (!parsed.ok) throw new Error(parsed.problems.join("; "));
const { primary: queryBuilder } = createDatabases(parsed.config);

/** EXPLAIN of exactly the SQL and parameters the route sends, on the replica it reads. */
async function planOf(request: ListingPageRequest): Promise<PlanNode> {
  const { sql, params } = buildListingQuery(queryBuilder, request).toSQL();
  const rows = (await sqlOn(replicaUrl()).query(`EXPLAIN (FORMAT JSON) ${sql}`, params)) as Array<Record<string, unknown>>;
  const document = rows[0]!["QUERY PLAN"];
  const plans = (typeof document === "string" ? JSON.parse(document) : document) as Array<{ Plan: PlanNode }>;
  return plans[0]!.Plan;
}

/** Cursor keys taken from a real row (Nantes), so the planner sees a realistic range. */
async function realKeys(): Promise<Record<ListingOrder, KeysetKey>> {
  const [row] = (await sqlOn(replicaUrl())`select nom, population, id::float8 as id,
    to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at
    from villes where code_insee = '44109' and type = 'commune-actuelle'`) as Array<{ nom: string; population: number; id: number; created_at: string }>;
  return { nom: [row!.nom, row!.id], "-population": [row!.population, row!.id], "-created_at": [row!.created_at, row!.id] };
}

// -created_at with a département: every seeded row shares one created_at, so for a cursor
// page the planner may prefer walking the created_at index filtered on the département
// to the (departement_code, created_at, id) index; either feeds the LIMIT directly.
const CASES: Array<{ order: ListingOrder; departement?: string; index: RegExp }> = [
  { order: "nom", index: /^villes_nom_id_idx$/ },
  { order: "-population", index: /^villes_population_id_idx$/ },
  { order: "-created_at", index: /^villes_created_at_id_idx$/ },
  { order: "nom", departement: "44", index: /^villes_departement_nom_id_idx$/ },
  { order: "-population", departement: "44", index: /^villes_departement_population_id_idx$/ },
  { order: "-created_at", departement: "44", index: /^villes_(departement_\w+|created_at_id)_idx$/ },
];

/** A sort is bounded when it orders only the page (a Limit below it) or only one département's rows. */
function isBoundedSort(sort: PlanNode): boolean {
  const below = nodes(sort);
  return below.some((node) => node["Node Type"] === "Limit") || below.some((node) => node["Index Cond"]?.includes("departement_code"));
}

function checkPlans() {
  for (const { order, departement, index } of CASES) {
    for (const direction of [undefined, "next", "previous"] as const) {
      it(`order=${order}${departement ? ` departement=${departement}` : ""} ${direction ?? "first page"} scans ${index.source}`, async () => {
        const request: ListingPageRequest = { order, filters: { departement }, limit: 50 };
        if (direction) request.from = { direction, key: (await realKeys())[order] };
        const plan = await planOf(request);
        const all = nodes(plan);
        const summary = all.map((node) => `${node["Node Type"]} ${node["Relation Name"] ?? ""} ${node["Index Name"] ?? ""}`).join("\n");

        const villesScans = all.filter((node) => node["Relation Name"] === "villes");
        expect(villesScans.length, summary).toBe(1);
        expect(villesScans[0]!["Node Type"], summary).not.toBe("Seq Scan");
        // A bitmap heap scan names its index on its Bitmap Index Scan child.
        const villesIndex = nodes(villesScans[0]!).find((node) => node["Index Name"])?.["Index Name"];
        expect(villesIndex, summary).toMatch(index);

        // The ordered index scan feeds the LIMIT directly: the scan stops after one page.
        expect(parentOf(plan, villesScans[0]!)?.["Node Type"], summary).toBe("Limit");
        const sorts = all.filter((node) => node["Node Type"] === "Sort" || node["Node Type"] === "Incremental Sort");
        for (const sort of sorts) expect(isBoundedSort(sort), summary).toBe(true);
      });
    }
  }
}

// Plans are checked twice: as the fresh stack has them (usually before autovacuum has
// analyzed anything), then with real statistics, which production always has.
describe("the listing's query plans, with the statistics as they are", checkPlans);

describe("the listing's query plans, after ANALYZE", () => {
  beforeAll(async () => {
    await sqlOn(replicaUrl())`analyze villes, departements, regions`;
  });
  checkPlans();
});
