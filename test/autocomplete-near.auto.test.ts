import { describe, expect, it } from "vitest";
import type { AutocompleteBody } from "./helpers/autocomplete.ts";
import { callWorker } from "./helpers/worker.ts";

/** Cloudflare puts the caller's approximate location on request.cf; workerd takes it from RequestInit. */
async function fromCaller(q: string, cf: Record<string, string> | undefined) {
  const response = await callWorker(`/v1/villes/autocomplete?${new URLSearchParams({ q, near: "auto" })}`, cf ? ({ cf } as RequestInit) : {});
  const text = await response.clone().text();
  expect(response.status, text).toBe(200);
  return { text, body: (await response.json()) as AutocompleteBody & { query: { near?: unknown } } };
}

describe("near=auto: the caller's location from request.cf, snapped to a coarse cell", () => {
  it("ranks around the centre of the caller's 0.5° cell and says so", async () => {
    const { body } = await fromCaller("villeneuve", { latitude: "44.3506", longitude: "2.5750" });
    expect(body.query.near).toEqual({ latitude: 44.25, longitude: 2.75, source: "auto" });
    expect(body.results.find((result) => result.nom === "Villeneuve")?.departement.code).toBe("12");
  });

  it("gives callers of the same cell the same answer", async () => {
    const one = await fromCaller("villeneuve", { latitude: "44.2601", longitude: "2.5101" });
    const other = await fromCaller("villeneuve", { latitude: "44.4999", longitude: "2.9999" });
    expect(other.body).toEqual(one.body);
  });

  it("is private to the caller: the URL does not carry the location, so no shared cache may store it", async () => {
    const auto = await callWorker(`/v1/villes/autocomplete?${new URLSearchParams({ q: "villeneuve", near: "auto" })}`, { cf: { latitude: "44.35", longitude: "2.57" } } as RequestInit);
    expect(auto.status).toBe(200);
    expect(auto.headers.get("Cache-Control")).toMatch(/^private, max-age=\d+/);
    expect(auto.headers.get("Cache-Tag")).toBeNull();
    const given = await callWorker(`/v1/villes/autocomplete?${new URLSearchParams({ q: "villeneuve", near: "44.25,2.75" })}`);
    expect(given.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+/);
    expect(given.headers.get("Cache-Tag")).toBe("lieux-autocomplete");
  });

  it("falls back to the unbiased ranking, saying near is null, when the request carries no location", async () => {
    const { body } = await fromCaller("villeneuve", undefined);
    expect(body.query.near).toBeNull();
    const unbiased = await callWorker("/v1/villes/autocomplete?q=villeneuve");
    expect(body.results).toEqual(((await unbiased.json()) as AutocompleteBody).results);
  });
});
