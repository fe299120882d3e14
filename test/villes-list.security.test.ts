import { describe, expect, it } from "vitest";
import { encodeCursor } from "../src/lib/cursor.ts";
import { expectInvalidParameter, getPage } from "./helpers/pages.ts";
import { callWorker, testEnv } from "./helpers/worker.ts";

const list = (query: string) => callWorker(`/v1/villes?${query}`);
const LEAK_PATTERN = /select|syntax|postgres|villes|stack|at \w+ \(/i;

/** A cursor signed with the real secret, as if the server had issued it, for payloads it never would. */
const signed = (key: unknown, filters: Record<string, string | number | undefined> = {}) =>
  encodeCursor(
    { direction: "next", key },
    { secret: testEnv.CURSOR_SECRET, order: "nom", filters: { departement: undefined, region: undefined, type: undefined, populationMin: undefined, ...filters } },
  );

describe("GET /v1/villes against hostile input", () => {
  it.each([
    ["departement", "44' OR 1=1--"],
    ["region", "52; drop table villes"],
    ["type", "commune-actuelle' union select * from imports--"],
    ["order", "nom; select pg_sleep(5)"],
    ["population_min", "0 or 1=1"],
    ["limit", "1); delete from villes; --"],
  ])("answers 400, not 500, for SQL in %s and leaks nothing", async (field, value) => {
    const response = await list(`${field}=${encodeURIComponent(value)}`);
    const body = await expectInvalidParameter(response, field);
    expect(body.error.message).not.toMatch(LEAK_PATTERN);
  });

  it("rejects a 100 KB cursor before decoding it", async () => {
    await expectInvalidParameter(await list(`cursor=${"A".repeat(100_000)}`), "cursor");
  });

  it("rejects a signed cursor whose key is not the order's shape", async () => {
    for (const key of [["Nantes", "1 OR 1=1"], ["Nantes"], { nom: "Nantes" }, [1, 1], ["x".repeat(500), 1]]) {
      const response = await list(`cursor=${await signed(key)}`);
      const body = await expectInvalidParameter(response, "cursor");
      expect(body.error.message).not.toMatch(LEAK_PATTERN);
    }
  });

  it("treats SQL inside a genuinely signed key as data", async () => {
    const page = await getPage(`/v1/villes?limit=3&cursor=${await signed(["' OR 1=1 --", 1])}`);
    expect(page.results).toHaveLength(3);
    expect(page.results.every((row) => row.nom > "' OR 1=1 --")).toBe(true);
  });

  it("exposes no total or count, only results and links", async () => {
    const response = await list("departement=44&limit=2");
    const text = await response.text();
    expect(Object.keys(JSON.parse(text)).sort()).toEqual(["next", "previous", "results"]);
    expect(text).not.toMatch(/"(total|count)"/);
  });

  it("rejects repeated parameters rather than picking one", async () => {
    expect((await list("limit=5&limit=6")).status).toBe(400);
  });
});
