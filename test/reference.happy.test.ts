import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

interface Region {
  code: string;
  nom: string;
  zone: "metro" | "drom" | "com";
}
interface Departement extends Region {
  region: { code: string; nom: string };
}

async function getJson<T>(path: string): Promise<T> {
  const response = await callWorker(path);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

const codes = (rows: Array<{ code: string }>) => rows.map((row) => row.code);
const sortedByCode = (rows: Array<{ code: string }>) => [...codes(rows)].sort();

describe("GET /v1/departements", () => {
  it("lists the 101 départements and the 8 collectivités d'outre-mer, sorted by code", async () => {
    const { results } = await getJson<{ results: Departement[] }>("/v1/departements");
    expect(results).toHaveLength(109);
    expect(results.filter((row) => row.zone !== "com")).toHaveLength(101);
    expect(results.filter((row) => row.zone === "com")).toHaveLength(8);
    expect(codes(results)).toEqual(sortedByCode(results));
    expect(results.find((row) => row.code === "2A")).toEqual({
      code: "2A",
      nom: "Corse-du-Sud",
      zone: "metro",
      region: { code: "94", nom: "Corse" },
    });
  });

  it("filters by région and by zone", async () => {
    const paysDeLaLoire = await getJson<{ results: Departement[] }>("/v1/departements?region=52");
    expect(codes(paysDeLaLoire.results)).toEqual(["44", "49", "53", "72", "85"]);
    const drom = await getJson<{ results: Departement[] }>("/v1/departements?zone=drom");
    expect(codes(drom.results)).toEqual(["971", "972", "973", "974", "976"]);
    const none = await getJson<{ results: Departement[] }>("/v1/departements?region=52&zone=drom");
    expect(none.results).toEqual([]);
  });

  it("returns one département by code, in any case", async () => {
    expect(await getJson<Departement>("/v1/departements/44")).toEqual({
      code: "44",
      nom: "Loire-Atlantique",
      zone: "metro",
      region: { code: "52", nom: "Pays de la Loire" },
    });
    expect((await getJson<Departement>("/v1/departements/2b")).code).toBe("2B");
    expect((await getJson<Departement>("/v1/departements/987")).zone).toBe("com");
  });
});

describe("GET /v1/regions", () => {
  it("lists the 18 régions and the 8 collectivités d'outre-mer, sorted by code", async () => {
    const { results } = await getJson<{ results: Region[] }>("/v1/regions");
    expect(results.filter((row) => row.zone !== "com")).toHaveLength(18);
    expect(results.filter((row) => row.zone === "com")).toHaveLength(8);
    expect(codes(results)).toEqual(sortedByCode(results));
  });

  it("filters by zone", async () => {
    const metro = await getJson<{ results: Region[] }>("/v1/regions?zone=metro");
    expect(metro.results).toHaveLength(13);
    expect(metro.results.every((row) => row.zone === "metro")).toBe(true);
  });

  it("returns one région by code", async () => {
    expect(await getJson<Region>("/v1/regions/52")).toEqual({ code: "52", nom: "Pays de la Loire", zone: "metro" });
  });
});
