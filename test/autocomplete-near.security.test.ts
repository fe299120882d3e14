import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

describe("near on autocomplete with hostile or private input", () => {
  it("never echoes the caller's precise location: only the cell centre appears in the body", async () => {
    const response = await callWorker("/v1/villes/autocomplete?q=nant&near=auto", { cf: { latitude: "47.218371", longitude: "-1.553621" } } as RequestInit);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain('"near":{"latitude":47.25,"longitude":-1.75,"source":"auto"}');
    expect(text).not.toMatch(/47\.218|1\.5536/);
  });

  it("keeps biased answers out of unbiased requests' cache entries, and one point's out of another's", async () => {
    const far = await (await callWorker("/v1/villes/autocomplete?q=villeneuve&near=43.83,5.79")).json();
    const other = await (await callWorker("/v1/villes/autocomplete?q=villeneuve&near=44.35,2.57")).json();
    const plain = (await (await callWorker("/v1/villes/autocomplete?q=villeneuve")).json()) as { query: Record<string, unknown> };
    const firstVilleneuve = (body: any) => body.results.find((result: any) => result.nom === "Villeneuve").departement.code;
    expect([firstVilleneuve(far), firstVilleneuve(other)]).toEqual(["04", "12"]);
    expect(plain.query.near).toBeUndefined();
  });

  it("rejects injection and malformed points as a 400 naming near, before any query", async () => {
    const hostile = ["47.2,-1.5; drop table villes", "47.2' or '1'='1", "auto'", "AUTO ", "47.2,-1.5,3", "0x2f,0", "1e2,0", "47.2 -1.5"];
    const fields = [];
    for (const value of hostile) {
      const response = await callWorker(`/v1/villes/autocomplete?${new URLSearchParams({ q: "nant", near: value })}`);
      const body = (await response.json()) as { error?: { details: Array<{ field: string }> } };
      fields.push([response.status, body.error?.details.map((issue) => issue.field).join()]);
    }
    expect(fields).toEqual(hostile.map(() => [400, "near"]));
  });
});
