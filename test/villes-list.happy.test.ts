import { describe, expect, it } from "vitest";
import { getPage, rowKey, walkPages } from "./helpers/pages.ts";
import { replicaUrl, sqlOn } from "./helpers/sql.ts";

/** The expected sequence, computed straight from the table with the route's order. */
async function expectedKeys(where: string, params: unknown[], orderBy: string): Promise<string[]> {
  const rows = (await sqlOn(replicaUrl()).query(
    `select code_insee, type from villes where ${where} order by ${orderBy}`,
    params,
  )) as Array<{ code_insee: string; type: string }>;
  return rows.map(rowKey);
}

describe("GET /v1/villes", () => {
  it("answers a first page in name order with an absolute next link and no previous", async () => {
    const page = await getPage("/v1/villes?limit=3");
    expect(Object.keys(page).sort()).toEqual(["next", "previous", "results"]);
    expect(page.results).toHaveLength(3);
    expect(page.previous).toBeNull();
    const next = new URL(page.next!);
    expect(next.origin).toBe("http://lieux.test");
    expect(next.pathname).toBe("/v1/villes");
    expect(next.searchParams.get("limit")).toBe("3");
    expect(next.searchParams.get("cursor")).toMatch(/^[\w-]+\.[\w-]+$/);
    const noms = page.results.map((row) => row.nom);
    expect([...noms].sort()).toEqual(noms);
  });

  it("defaults to 50 rows and applies every filter", async () => {
    expect((await getPage("/v1/villes")).results).toHaveLength(50);
    const page = await getPage("/v1/villes?departement=44&type=commune-actuelle&population_min=10000&order=-population&limit=100");
    expect(page.results[0]?.nom).toBe("Nantes");
    expect(page.results.length).toBeGreaterThan(10);
    for (const row of page.results) {
      expect(row.departement.code).toBe("44");
      expect(row.type).toBe("commune-actuelle");
      expect(row.population).toBeGreaterThanOrEqual(10_000);
    }
    expect(page.next).toBeNull();
  });

  it("walks every row of région 94 by population exactly once, in order", async () => {
    const pages = await walkPages("/v1/villes?region=94&order=-population&limit=7");
    const walked = pages.flatMap((page) => page.results.map(rowKey));
    expect(walked).toEqual(await expectedKeys("region_code = $1", ["94"], "population desc, id desc"));
    expect(new Set(walked).size).toBe(walked.length);
    // Full pages of 7, then the rest: Corse has hundreds of communes
    expect(pages.length).toBeGreaterThan(10);
    expect(pages.map((page) => page.results.length)).toEqual([...Array(pages.length - 1).fill(7), walked.length - 7 * (pages.length - 1)]);
  });

  it("walks département 2A by name, and back again from the last page", async () => {
    const forward = await walkPages("/v1/villes?departement=2a&limit=7");
    const walked = forward.flatMap((page) => page.results.map(rowKey));
    expect(walked).toEqual(await expectedKeys("departement_code = $1", ["2A"], "nom, id"));

    const lastPage = forward.at(-1)!;
    expect(lastPage.next).toBeNull();
    const backward = await walkPages(lastPage.previous!, "previous");
    const walkedBack = [...backward].reverse().flatMap((page) => page.results.map(rowKey));
    expect([...walkedBack, ...lastPage.results.map(rowKey)]).toEqual(walked);
  });

  it("walks with -created_at, a type and a population floor", async () => {
    const pages = await walkPages("/v1/villes?departement=2B&type=commune-actuelle&population_min=200&order=-created_at&limit=9");
    const walked = pages.flatMap((page) => page.results.map(rowKey));
    const expected = await expectedKeys(
      "departement_code = $1 and type = $2 and population >= $3",
      ["2B", "commune-actuelle", 200],
      "created_at desc, id desc",
    );
    expect(walked).toEqual(expected);
    expect(walked.length).toBeGreaterThan(9);
  });

  it("returns the same rows going forward then back", async () => {
    const first = await getPage("/v1/villes?departement=44&order=-population&limit=5");
    const second = await getPage(first.next!);
    const third = await getPage(second.next!);
    const backToSecond = await getPage(third.previous!);
    const backToFirst = await getPage(backToSecond.previous!);
    expect(backToSecond.results).toEqual(second.results);
    expect(backToFirst.results).toEqual(first.results);
    expect(backToFirst.previous).toBeNull();
    expect(backToSecond.next).toBe(second.next);
  });

  it("answers an empty page with no links when nothing matches", async () => {
    const page = await getPage("/v1/villes?departement=2A&population_min=100000000");
    expect(page).toEqual({ results: [], next: null, previous: null });
  });
});
