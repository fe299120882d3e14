import { Pool } from "@neondatabase/serverless";
import type { SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { HEAVY_PREFIX_THRESHOLD, HEAVY_PREFIX_TOP_K } from "../src/lib/search/heavy-prefixes.ts";
import { defaultScopeSearchSql, filteredSearchSql, FUZZY_CANDIDATES, fuzzySearchSql } from "../src/lib/search/postgres-sql.ts";
import { DEFAULT_TYPE_SCOPE } from "../src/lib/search/types.ts";
import { autocomplete } from "./helpers/autocomplete.ts";
import { explainNodes, rowsRead, type PlanNode } from "./helpers/plan.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";

/** The plan's scans: the nodes that read a relation. */
const scansOf = (nodes: readonly PlanNode[]) => nodes.filter((node) => node["Relation Name"]);

const explain = async (query: SQL): Promise<PlanNode[]> => scansOf(await explainNodes(query));

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

  it("searches typos in the bounded typo dictionary, touching villes only for the rows it returns", async () => {
    const every = await explainNodes(fuzzySearchSql("marseile", 10, {}, DEFAULT_TYPE_SCOPE));
    const nodes = scansOf(every);
    // The trigram GIN finds the candidates (a bitmap index scan names the index, its heap scan the table).
    expect(every.map((node) => node["Index Name"]).filter(Boolean)).toContain("typo_dictionary_key_trgm_idx");
    const seqScanned = nodes.filter((node) => node["Node Type"] === "Seq Scan").map((node) => node["Relation Name"]);
    expect(seqScanned.filter((relation) => relation === "typo_dictionary" || relation === "villes")).toEqual([]);
    expect(rowsRead(nodes, "typo_dictionary")).toBeGreaterThan(0);
    const villes = nodes.filter((node) => node["Relation Name"] === "villes");
    expect(villes.every((node) => node["Index Name"] === "villes_pkey"), villes.map((node) => node["Node Type"]).join()).toBe(true);
    expect(rowsRead(nodes, "villes")).toBeLessThanOrEqual(FUZZY_CANDIDATES);
  });

  it("compares names as typo keys: Saint, Sainte and a leading article as one digit, linking words dropped", async () => {
    const cases = {
      "saint remy des monts": "1 remy monts",
      "sainte marie aux mines": "2 marie mines",
      "saints geosmes": "1 geosmes",
      "val de saint germain": "val 1 germain",
      "la roche sur yon": "4 roche yon",
      "le puy en velay": "3 puy velay",
      "les sables dolonne": "5 sables dolonne",
      "rochefort sur la mer": "rochefort mer",
      saintes: "saintes",
      "lesparre medoc": "lesparre medoc",
    };
    const rows = await sqlOn(primaryUrl()).query("select input, lieux_typo_key(input) as key from unnest($1::text[]) as input", [Object.keys(cases)]);
    expect(Object.fromEntries(rows.map((row) => [row.input, row.key]))).toEqual(cases);
  });

  it("fills the typo dictionary with the most populous villes, up to its size", async () => {
    const size = 500;
    const pool = new Pool({ connectionString: primaryUrl() });
    pool.on("error", () => undefined);
    const client = await pool.connect();
    try {
      // One snapshot, rolled back: other test files import and delete villes meanwhile, and the shared dictionary must stay whole.
      await client.query("begin isolation level repeatable read");
      const { rows: [rebuilt] } = await client.query("select lieux_rebuild_typo_dictionary($1) as names", [size]);
      const { rows: [check] } = await client.query(`select
          (select count(*)::int from typo_dictionary) as names,
          (select min(population) from typo_dictionary) as smallest_kept,
          (select max(v.population) from villes v where not exists (select 1 from typo_dictionary t where t.ville_id = v.id)) as largest_left,
          (select count(*)::int from typo_dictionary t join villes v on v.id = t.ville_id
             where lieux_typo_key(v.nom_normalise) = t.typo_key and v.type = t.type and v.population = t.population) as faithful`);
      expect(rebuilt.names).toBe(size);
      expect(check).toMatchObject({ names: size, faithful: size });
      expect(check.smallest_kept).toBeGreaterThanOrEqual(check.largest_left);
    } finally {
      await client.query("rollback").catch(() => undefined);
      client.release();
      await pool.end();
    }
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
      // the heavy prefixes are the Postgres engine's, whether or not the suite runs with MEILISEARCH_HOST
      const { body } = await autocomplete({ q: String(prefix) }, { MEILISEARCH_HOST: undefined });
      expect(body.results.map((result) => result.nom), String(prefix)).toEqual(live.map((row) => row.nom));
    }
  });
});
