import { afterAll, describe, expect, it } from "vitest";
import { normalizeName } from "../src/lib/normalize.ts";
import { commitOk, createJob, csv, putChunkOk, removeSyntheticRows, syntheticRows } from "./helpers/admin.ts";
import { autocomplete } from "./helpers/autocomplete.ts";
import { freshCaches, VILLE_NAMESPACES } from "./helpers/cache.ts";
import { primaryUrl, sqlOn, untilReplicaHolds } from "./helpers/sql.ts";
import { callWorker } from "./helpers/worker.ts";

/** This file's synthetic code letter (see codeSpace in helpers/admin.ts). */
const LETTER = "H";
const MARKUP_NOM = "<img src=x onerror=alert(1)>ville";

describe("GET /v1/villes/autocomplete with hostile input", () => {
  it("treats SQL metacharacters as text and changes nothing", async () => {
    const before = await sqlOn(primaryUrl()).query("select count(*)::int as n from villes");
    // 400 when nothing but punctuation is left once normalised, 200 otherwise.
    const expected: Array<[string, number]> = [
      ["'; drop table villes; --", 200],
      ["paris' or '1'='1", 200],
      ["%", 400],
      ["_", 400],
      ["\\", 400],
      ["a%' --", 200],
      ["$1", 200],
      ["paris) union select 1--", 200],
    ];
    const statuses: Array<[string, number]> = [];
    for (const [q] of expected) statuses.push([q, (await callWorker(`/v1/villes/autocomplete?${new URLSearchParams({ q })}`)).status]);
    expect(statuses).toEqual(expected);
    const after = await sqlOn(primaryUrl()).query("select count(*)::int as n from villes");
    expect(after).toEqual(before);
  });

  it("never lets a wildcard widen the match", async () => {
    const { body } = await autocomplete({ q: "pari%" });
    // "%" is a separator like any punctuation, not a LIKE wildcard: only names with a word starting "pari"
    expect(body.query.normalized).toBe("pari");
    expect(body.results.map((result) => result.nom)).toContain("Paris");
    // An elided article (L', d') glues to its word, as the index reads it.
    for (const result of body.results) expect(normalizeName(result.nom.replace(/\b[LlDd]['’]/g, "")), result.nom).toMatch(/(^| )pari/);
  });

  it("allows cross-origin GETs without credentials and answers preflight", async () => {
    const response = await callWorker("/v1/villes/autocomplete?q=paris", { headers: { Origin: "https://example.org" } });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    const preflight = await callWorker("/v1/villes/autocomplete", {
      method: "OPTIONS",
      headers: { Origin: "https://example.org", "Access-Control-Request-Method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Methods")).toContain("GET");
    expect(Number(preflight.headers.get("Access-Control-Max-Age"))).toBeGreaterThan(0);
    expect(preflight.headers.get("Access-Control-Allow-Credentials")).toBeNull();
  });

  it("sets nosniff on every response", async () => {
    const response = await callWorker("/v1/villes/autocomplete?q=lyon");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});

describe("GET /v1/villes/autocomplete on a commune whose name carries markup", () => {
  afterAll(() => removeSyntheticRows(LETTER), 60_000);

  it("escapes the name in nom_highlight, leaving <mark> as the only markup", async () => {
    const [row] = await syntheticRows(LETTER, 1);
    const commune = { ...row!, nom: MARKUP_NOM };
    const job = await createJob({ source: "markup-name.csv" });
    expect(await putChunkOk(job.id, 1, csv([commune]))).toMatchObject({ rows_staged: 1, rows_rejected: 0 });
    await commitOk(job.id);
    // The commit bumped the generation before the replica had the row: forget what was cached meanwhile.
    await untilReplicaHolds([commune.code_insee]);
    await freshCaches(VILLE_NAMESPACES);

    // Without Meilisearch, the Postgres engine answers and renders the highlight.
    const postgresOnly = { MEILISEARCH_HOST: undefined };
    for (const [q, highlight] of [
      ["onerror", "&lt;img src=x <mark>onerror</mark>=alert(1)&gt;ville"],
      ["<img src", "&lt;<mark>img src</mark>=x onerror=alert(1)&gt;ville"],
    ] as const) {
      const { body, response } = await autocomplete({ q }, postgresOnly);
      expect(response.headers.get("X-Search-Backend"), q).toBe("postgres");
      expect(body.results.map((result) => [result.code_insee, result.nom]), q).toEqual([[commune.code_insee, MARKUP_NOM]]);
      const served = body.results[0]!.nom_highlight;
      expect(served, q).toBe(highlight);
      expect(served, q).toContain("<mark>");
      expect(served, q).not.toContain("<img");
      // Outside the marks, every character of markup is escaped.
      expect(served.replace(/<\/?mark>/g, ""), q).toBe("&lt;img src=x onerror=alert(1)&gt;ville");
    }
  });
});
