import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

interface Nearest { code_insee: string; nom: string; type: string; coordinates_precision: string; distance_m: number }

async function nearest(query: string): Promise<{ response: Response; body: any }> {
  const response = await callWorker(`/v1/villes/nearest?${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return { response, body: await response.json() };
}

describe("GET /v1/villes/nearest: nearest centre", () => {
  it("answers the commune whose point is given first, then the others closest first", async () => {
    const { body } = await nearest("lat=47.21725&lon=-1.55336&limit=5");
    const results = body.results as Nearest[];
    expect(body.query).toEqual({ lat: 47.21725, lon: -1.55336, limit: 5 });
    expect(results).toHaveLength(5);
    expect(results[0]).toMatchObject({ code_insee: "44109", nom: "Nantes", distance_m: 0 });
    const distances = results.map((ville) => ville.distance_m);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(new Set(results.map((ville) => `${ville.type}/${ville.coordinates_precision}`))).toEqual(new Set(["commune-actuelle/commune"]));
    // Rezé's centre is about 3.7 km south of Nantes's.
    expect(results.find((ville) => ville.nom === "Rezé")?.distance_m).toBeGreaterThan(3_000);
    expect(results.find((ville) => ville.nom === "Rezé")?.distance_m).toBeLessThan(5_000);
  });

  it("works far from the mainland (La Réunion) and across the antimeridian's side of the world", async () => {
    const reunion = await nearest("lat=-20.88231&lon=55.4504&limit=1");
    expect(reunion.body.results.map((ville: Nearest) => ville.nom)).toEqual(["Saint-Denis"]);
    const noumea = await nearest("lat=-22.27&lon=166.44&limit=1");
    expect(noumea.body.results.map((ville: Nearest) => ville.nom)).toEqual(["Nouméa"]);
  });

  it("answers GeoJSON: a FeatureCollection of Points, longitude first, with the query as a foreign member", async () => {
    const { response, body } = await nearest("lat=47.21725&lon=-1.55336&limit=2&format=geojson&fields=code_insee,nom,distance_m");
    expect(response.headers.get("Content-Type")).toBe("application/geo+json; charset=UTF-8");
    expect(body.type).toBe("FeatureCollection");
    expect(body.query).toEqual({ lat: 47.21725, lon: -1.55336, limit: 2 });
    expect(body.features).toHaveLength(2);
    expect(body.features[0]).toEqual({
      type: "Feature",
      geometry: { type: "Point", coordinates: [-1.55336, 47.21725] },
      properties: { code_insee: "44109", nom: "Nantes", distance_m: 0 },
    });
  });

  it("keeps only the named fields, in the JSON shape too", async () => {
    const { body } = await nearest("lat=47.21725&lon=-1.55336&limit=1&fields=nom,latitude,longitude,coordinates_precision");
    expect(body.results).toEqual([{ nom: "Nantes", latitude: 47.21725, longitude: -1.55336, coordinates_precision: "commune" }]);
  });
});
