import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

interface Ville {
  code_insee: string;
  nom: string;
  type: string;
  parent_code: string | null;
  departement: { code: string; nom: string };
  region: { code: string; nom: string };
  population: number;
}

async function getVille(path: string): Promise<Ville> {
  const response = await callWorker(path);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Ville;
}

describe("GET /v1/villes/{code_insee}", () => {
  it("returns Paris, a commune actuelle, with its département and région", async () => {
    const paris = await getVille("/v1/villes/75056");
    expect(paris).toMatchObject({
      code_insee: "75056",
      nom: "Paris",
      type: "commune-actuelle",
      departement: { code: "75", nom: "Paris" },
      region: { code: "11", nom: "Île-de-France" },
    });
    expect(paris.population).toBeGreaterThan(2_000_000);
  });

  it("returns an arrondissement municipal with its commune as parent", async () => {
    expect(await getVille("/v1/villes/75101")).toMatchObject({ type: "arrondissement-municipal", parent_code: "75056" });
  });

  it("prefers the commune nouvelle over the déléguée sharing its code, unless asked", async () => {
    expect(await getVille("/v1/villes/01015")).toMatchObject({ nom: "Arboys en Bugey", type: "commune-actuelle" });
    expect(await getVille("/v1/villes/01015?type=commune-deleguee")).toMatchObject({
      nom: "Arbignieu",
      type: "commune-deleguee",
      parent_code: "01015",
    });
    expect(await getVille("/v1/villes/01015?type=commune-actuelle")).toMatchObject({ nom: "Arboys en Bugey" });
  });

  it("returns a déléguée that alone holds its code", async () => {
    expect(await getVille("/v1/villes/74011")).toMatchObject({ nom: "Annecy-le-Vieux", type: "commune-deleguee", parent_code: "74010" });
  });

  it("accepts Corsican codes in any case", async () => {
    expect(await getVille("/v1/villes/2a004")).toMatchObject({ code_insee: "2A004", nom: "Ajaccio" });
  });
});
