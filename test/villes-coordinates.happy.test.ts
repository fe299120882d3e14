import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

interface Point { nom: string; latitude: number | null; longitude: number | null; coordinates_precision: string | null }

async function ville(path: string): Promise<Point> {
  const response = await callWorker(path);
  expect(response.status, await response.clone().text()).toBe(200);
  const { nom, latitude, longitude, coordinates_precision } = (await response.json()) as Point;
  return { nom, latitude, longitude, coordinates_precision };
}

describe("commune points from GeoNames (seeded), each with its precision", () => {
  it("gives a commune GeoNames knows its own point", async () => {
    expect(await ville("/v1/villes/44109")).toEqual({ nom: "Nantes", latitude: 47.21725, longitude: -1.55336, coordinates_precision: "commune" });
  });

  it("gives a commune nouvelle named after its former communes the first one's point (Ancenis)", async () => {
    expect(await ville("/v1/villes/44003")).toEqual({ nom: "Ancenis-Saint-Géréon", latitude: 47.36667, longitude: -1.16667, coordinates_precision: "commune" });
  });

  it("gives an arrondissement its commune's point, labelled parent", async () => {
    const paris = await ville("/v1/villes/75056");
    const first = await ville("/v1/villes/75101");
    expect(paris.coordinates_precision).toBe("commune");
    expect(first).toEqual({ nom: "Paris 1er Arrondissement", latitude: paris.latitude, longitude: paris.longitude, coordinates_precision: "parent" });
  });

  it("gives a commune GeoNames lacks its département's centre, labelled departement", async () => {
    expect(await ville("/v1/villes/44037")).toEqual({ nom: "Château-Thébaud", latitude: 47.33004, longitude: -1.70041, coordinates_precision: "departement" });
  });

  it("gives no point where nothing in the département is known", async () => {
    expect(await ville("/v1/villes/97701")).toEqual({ nom: "Saint-Barthélemy", latitude: null, longitude: null, coordinates_precision: null });
  });
});
