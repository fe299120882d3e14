import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

async function geojson(path: string): Promise<any> {
  const response = await callWorker(path);
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/geo+json; charset=UTF-8");
  return response.json();
}

const NANTES_POINT = { type: "Point", coordinates: [-1.55336, 47.21725] };

describe("format=geojson and fields= on every ville route", () => {
  it("single ville: a Feature with its point, longitude first", async () => {
    const feature = await geojson("/v1/villes/44109?format=geojson&fields=code_insee,nom,coordinates_precision");
    expect(feature).toEqual({ type: "Feature", geometry: NANTES_POINT, properties: { code_insee: "44109", nom: "Nantes", coordinates_precision: "commune" } });
  });

  it("single ville without a point: geometry null", async () => {
    const feature = await geojson("/v1/villes/97701?format=geojson&fields=nom");
    expect(feature).toEqual({ type: "Feature", geometry: null, properties: { nom: "Saint-Barthélemy" } });
  });

  it("autocomplete: a FeatureCollection with query and match as foreign members", async () => {
    const collection = await geojson("/v1/villes/autocomplete?q=nantes&limit=1&format=geojson&fields=nom,departement");
    expect(collection).toEqual({
      type: "FeatureCollection",
      query: { q: "nantes", normalized: "nantes", limit: 1 },
      match: "prefix",
      features: [{ type: "Feature", geometry: NANTES_POINT, properties: { nom: "Nantes", departement: { code: "44", nom: "Loire-Atlantique" } } }],
    });
  });

  it("listing: a FeatureCollection whose next link keeps the format and the fields", async () => {
    const collection = await geojson("/v1/villes?departement=44&order=-population&limit=2&format=geojson&fields=nom");
    expect(collection.type).toBe("FeatureCollection");
    expect(collection.features.map((feature: any) => feature.properties)).toEqual([{ nom: "Nantes" }, { nom: "Saint-Nazaire" }]);
    expect(collection.features[0].geometry).toEqual(NANTES_POINT);
    expect(collection.previous).toBeNull();
    const next = new URL(collection.next);
    expect(next.searchParams.get("format")).toBe("geojson");
    expect(next.searchParams.get("fields")).toBe("nom");
    const page2 = await geojson(`${next.pathname}${next.search}`);
    expect(page2.features).toHaveLength(2);
    expect(page2.features[0].properties).toEqual({ nom: expect.any(String) });
  });

  it("fields in the JSON shape keep only the named properties, in the asked order", async () => {
    const response = await callWorker("/v1/villes/44109?fields=nom,latitude,longitude");
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=UTF-8");
    const body = await response.json();
    expect(Object.keys(body as object)).toEqual(["nom", "latitude", "longitude"]);
    expect(body).toEqual({ nom: "Nantes", latitude: 47.21725, longitude: -1.55336 });
  });

  it("answers a different ETag per shape, so a cache never serves one shape for another", async () => {
    const tags = await Promise.all(["", "?format=geojson", "?fields=nom"].map(async (query) => (await callWorker(`/v1/villes/44109${query}`)).headers.get("ETag")));
    expect(new Set(tags).size).toBe(3);
  });
});
