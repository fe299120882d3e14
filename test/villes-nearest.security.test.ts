import { describe, expect, it } from "vitest";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";
import { callWorker } from "./helpers/worker.ts";

describe("GET /v1/villes/nearest with hostile input", () => {
  it("rejects SQL and numeric tricks as parameters before any query, and changes nothing", async () => {
    const before = await sqlOn(primaryUrl()).query("select count(*)::int as n from villes");
    const hostile = ["47; drop table villes", "47' or '1'='1", "0x2F", "1_000", "47,2", " ", "--1", "47.2.1", "９０"];
    const statuses = [];
    for (const lat of hostile) statuses.push((await callWorker(`/v1/villes/nearest?${new URLSearchParams({ lat, lon: "2" })}`)).status);
    expect(statuses).toEqual(hostile.map(() => 400));
    const after = await sqlOn(primaryUrl()).query("select count(*)::int as n from villes");
    expect(after).toEqual(before);
  });

  it("is public: any origin, no credentials, and an Authorization header changes neither the answer nor its cacheability", async () => {
    const path = "/v1/villes/nearest?lat=45.75&lon=4.85&limit=3";
    const anonymous = await callWorker(path, { headers: { Origin: "https://example.org" } });
    const withToken = await callWorker(path, { headers: { Origin: "https://example.org", Authorization: "Bearer not-a-real-token" } });
    expect(anonymous.status).toBe(200);
    expect(withToken.status).toBe(200);
    expect(anonymous.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(anonymous.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(withToken.headers.get("Cache-Control")).toBe(anonymous.headers.get("Cache-Control"));
    expect(withToken.headers.get("Cache-Control")).toMatch(/^public, /);
    expect(await withToken.json()).toEqual(await anonymous.json());
  });

  it("offers no approximate point as a centre", async () => {
    // Château-Thébaud's point is Loire-Atlantique's mean: asking there must not name it.
    const response = await callWorker("/v1/villes/nearest?lat=47.33004&lon=-1.70041&limit=50&fields=nom,coordinates_precision");
    const { results } = (await response.json()) as { results: Array<{ nom: string; coordinates_precision: string }> };
    expect(results).toHaveLength(50);
    expect(results.filter((ville) => ville.coordinates_precision !== "commune")).toEqual([]);
    expect(results.map((ville) => ville.nom)).not.toContain("Château-Thébaud");
  });
});
