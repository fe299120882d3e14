import { describe, expect, it } from "vitest";
import { expectInvalidParameter, getPage } from "./helpers/pages.ts";
import { callWorker } from "./helpers/worker.ts";

/** A genuine cursor from a real first page of `query`. */
async function cursorFor(query: string, envOverrides: Record<string, string | undefined> = {}): Promise<string> {
  const page = await getPage(`/v1/villes?${query}`, envOverrides);
  return new URL(page.next!).searchParams.get("cursor")!;
}

/** Swaps the character at `index` for another base64url character. */
function flipCharacter(text: string, index: number): string {
  const replacement = text[index] === "A" ? "B" : "A";
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

const list = (query: string, envOverrides: Record<string, string | undefined> = {}) =>
  callWorker(`/v1/villes?${query}`, {}, envOverrides);

describe("GET /v1/villes with invalid parameters", () => {
  it.each([
    ["limit=0", "limit"],
    ["limit=abc", "limit"],
    ["limit=1000", "limit"],
    ["limit=1.5", "limit"],
    ["limit=", "limit"],
    ["order=population", "order"],
    ["order=-nom", "order"],
    ["population_min=-1", "population_min"],
    ["population_min=1e3", "population_min"],
    ["departement=ZZ", "departement"],
    ["region=abc", "region"],
    ["type=ville", "type"],
    ["foo=1", "foo"],
  ])("rejects %s with a 400 naming %s", async (query, field) => {
    await expectInvalidParameter(await list(query), field);
  });
});

describe("GET /v1/villes with a bad cursor", () => {
  it("rejects a payload with one character changed", async () => {
    const [payload, signature] = (await cursorFor("limit=5")).split(".") as [string, string];
    await expectInvalidParameter(await list(`limit=5&cursor=${flipCharacter(payload, 10)}.${signature}`), "cursor");
  });

  it("rejects a signature with one character changed", async () => {
    const [payload, signature] = (await cursorFor("limit=5")).split(".") as [string, string];
    await expectInvalidParameter(await list(`limit=5&cursor=${payload}.${flipCharacter(signature, 10)}`), "cursor");
  });

  it.each([
    ["random base64", btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(48)))).replace(/[+/=]/g, "x")],
    ["random payload and signature", "eyJ2ZXJzaW9uIjoxfQ.c2lnbmF0dXJl"],
    ["no separator", "abcdef"],
    ["three parts", "a.b.c"],
    ["non-base64 characters", "a$b.c!d"],
    ["empty", ""],
  ])("rejects %s", async (_, cursor) => {
    await expectInvalidParameter(await list(`cursor=${encodeURIComponent(cursor)}`), "cursor");
  });

  it("rejects a valid cursor replayed with different filters or order", async () => {
    const cursor = await cursorFor("departement=44&limit=5");
    await expectInvalidParameter(await list(`departement=35&limit=5&cursor=${cursor}`), "cursor");
    await expectInvalidParameter(await list(`limit=5&cursor=${cursor}`), "cursor");
    await expectInvalidParameter(await list(`departement=44&order=-population&limit=5&cursor=${cursor}`), "cursor");
    // the limit is not part of the query's identity: changing it is allowed
    expect((await list(`departement=44&limit=7&cursor=${cursor}`)).status).toBe(200);
  });

  it("rejects a cursor signed with another secret, or by an isolate without one", async () => {
    const foreign = await cursorFor("limit=5", { CURSOR_SECRET: "another-secret-entirely-0123456789" });
    await expectInvalidParameter(await list(`limit=5&cursor=${foreign}`), "cursor");
    const unsigned = await cursorFor("limit=5", { CURSOR_SECRET: undefined });
    await expectInvalidParameter(await list(`limit=5&cursor=${unsigned}`), "cursor");
    // without a secret, the isolate's own key still reads its own cursors
    expect((await list(`limit=5&cursor=${unsigned}`, { CURSOR_SECRET: undefined })).status).toBe(200);
  });
});
