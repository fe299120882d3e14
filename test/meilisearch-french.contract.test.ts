import type { Meilisearch } from "meilisearch";
import { describe, expect, it } from "vitest";
import { MeilisearchSearchEngine } from "../src/lib/search/meilisearch.ts";
import { applyVillesSettings, ensureIndex } from "../src/lib/search/meilisearch-settings.ts";
import { syncVilles } from "../src/lib/search/meilisearch-sync.ts";
import type { FormerName } from "../src/lib/search/name-match.ts";
import type { VilleRow } from "../src/lib/db/queries/ville-rows.ts";
import { fixtureVille, useMeilisearchReplay } from "./helpers/meilisearch.ts";
import { callWorker } from "./helpers/worker.ts";

/**
 * The French query classes of issue 18 that Meilisearch's ranking rules cannot express
 * alone, against its recorded answers (test/fixtures/meilisearch/meilisearch-french.contract.json,
 * re-recorded by `npm run test:record-meilisearch`): the complete-name probe, former names,
 * the "xx000" form, and the documents' points.
 */
const meili = useMeilisearchReplay("meilisearch-french.contract");

type Row = VilleRow & { formerNames?: FormerName[] };

/** 21 distinct words: enough names to fill Meilisearch's page of 20 whatever the limit. */
const SUFFIXES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango", "Uniform"];

async function villesIndexWith(client: Meilisearch, rows: readonly Row[]): Promise<void> {
  await ensureIndex(client, "villes");
  await applyVillesSettings(client);
  await syncVilles(client, rows);
}

const names = (hits: ReadonlyArray<{ ville: VilleRow }>) => hits.map((hit) => hit.ville.nom);

describe("the complete-name probe", () => {
  it("brings a tiny commune whose whole name is the query onto a page Meilisearch filled with larger names", async () => {
    await villesIndexWith(meili.client(), [
      fixtureVille(701, { nom: "La Celle-Saint-Cloud", population: 21_000 }),
      ...SUFFIXES.map((suffix, i) => fixtureVille(760 + i, { nom: `Cellettes-${suffix}`, population: 2_000 + i * 100 })),
      fixtureVille(703, { nom: "Celle", population: 60 }),
    ]);
    const result = await new MeilisearchSearchEngine(meili.client()).autocomplete({ q: "Celle", limit: 2, filters: {} });
    expect(names(result.hits)).toEqual(["Celle", "La Celle-Saint-Cloud"]);
    // the ranked page alone (20 hits, whatever the limit) had no room for it: the probe, sorted by population, found it
    const [search] = (await meili.requests()).filter((request) => request.path === "/multi-search");
    const [page, probe] = (search!.response!.body as { results: Array<{ hits: Array<{ nom: string }> }> }).results;
    expect(page!.hits).toHaveLength(20);
    expect(page!.hits.map((hit) => hit.nom)).not.toContain("Celle");
    expect(probe!.hits.map((hit) => hit.nom)).toEqual(["Celle"]);
  });

  it("orders homonyms by population, and matches a name with elided articles typed without accents", async () => {
    await villesIndexWith(meili.client(), [
      fixtureVille(711, { nom: "Le Temple", population: 600, codeInsee: "33529" }),
      fixtureVille(712, { nom: "Le Temple", population: 1_500, codeInsee: "41254" }),
      fixtureVille(713, { nom: "Savigny-le-Temple", population: 30_000 }),
      fixtureVille(714, { nom: "L'Île-d'Yeu", population: 4_900 }),
    ]);
    const engine = new MeilisearchSearchEngine(meili.client());
    expect((await engine.autocomplete({ q: "le temple", limit: 10, filters: {} })).hits.map((hit) => hit.ville.codeInsee)).toEqual(["41254", "33529", expect.any(String)]);
    expect(names((await engine.autocomplete({ q: "l'ile d'yeu", limit: 10, filters: {} })).hits)).toEqual(["L'Île-d'Yeu"]);
  });
});

describe("typos beside a full page of tiny prefix matches", () => {
  it("asks for the large typo hits alone when tiny prefix matches fill the page", async () => {
    await villesIndexWith(meili.client(), [
      ...SUFFIXES.map((suffix, i) => fixtureVille(780 + i, { nom: `L'Île-${suffix}`, population: 1_000 + i * 100 })),
      fixtureVille(752, { nom: "L'Île-d'Yeu", population: 4_900 }),
      fixtureVille(754, { nom: "Lille", population: 236_000 }),
    ]);
    const result = await new MeilisearchSearchEngine(meili.client()).autocomplete({ q: "lile", limit: 3, filters: {} });
    expect(names(result.hits)).toEqual(["Lille", "L'Île-d'Yeu", `L'Île-${SUFFIXES.at(-1)}`]);
    const searches = (await meili.requests()).filter((request) => request.path === "/multi-search");
    expect(searches).toHaveLength(2);
    // the page the server ranked had no room for Lille; the second search filtered on the bar a typo must clear
    const [page] = (searches[0]!.response!.body as { results: Array<{ hits: Array<{ nom: string }> }> }).results;
    expect(page!.hits.map((hit) => hit.nom)).not.toContain("Lille");
    expect((searches[1]!.body as { queries: Array<{ filter: string[] }> }).queries[0]!.filter).toContain("population > 98190");
  });
});

describe("former names", () => {
  const annecy = fixtureVille(721, { nom: "Annecy", codeInsee: "74010", population: 130_000 });
  const formerNames = [{ code: "74213", nom: "Pringy" }, { code: "74268", nom: "Seynod" }];

  it("finds a commune nouvelle by a former commune's name or code, says which one matched, and puts a current name first", async () => {
    await villesIndexWith(meili.client(), [{ ...annecy, formerNames }, fixtureVille(722, { nom: "Pringy", codeInsee: "77378", population: 2_900 })]);
    const engine = new MeilisearchSearchEngine(meili.client());
    const seynod = await engine.autocomplete({ q: "seynod", limit: 10, filters: {} });
    expect(seynod.hits.map((hit) => [hit.ville.nom, hit.ancienNom])).toEqual([["Annecy", "Seynod"]]);
    expect(seynod.match).toBe("prefix");
    const pringy = await engine.autocomplete({ q: "pringy", limit: 10, filters: {} });
    expect(pringy.hits.map((hit) => [hit.ville.codeInsee, hit.ancienNom])).toEqual([["77378", undefined], ["74010", "Pringy"]]);
    const byCode = await engine.autocomplete({ q: "74268", limit: 10, filters: {} });
    expect(byCode.hits.map((hit) => [hit.ville.nom, hit.ancienNom])).toEqual([["Annecy", "Seynod"]]);
  });

  it("shows the matched former name through the route as ancien_nom", async () => {
    await villesIndexWith(meili.client(), [{ ...annecy, formerNames }]);
    const response = await callWorker("/v1/villes/autocomplete?q=seyn", {}, meili.workerEnv());
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Search-Backend")).toBe("meilisearch");
    const body = (await response.json()) as { results: Array<{ nom: string; ancien_nom: string | null }> };
    expect(body.results.map((result) => [result.nom, result.ancien_nom])).toEqual([["Annecy", "Seynod"]]);
  });
});

describe("the xx000 form", () => {
  it("offers the city whose codes start with its first three digits, then its arrondissements in code order", async () => {
    const arrondissement = (id: number, n: number) =>
      fixtureVille(id, { nom: `Marseille ${n}e Arrondissement`, codeInsee: `132${String(n).padStart(2, "0")}`, type: "arrondissement-municipal", parentCode: "13055", codesPostaux: [`130${String(n).padStart(2, "0")}`], population: 40_000 + n * 1_000 });
    await villesIndexWith(meili.client(), [
      fixtureVille(731, { nom: "Marseille", codeInsee: "13055", codesPostaux: ["13001", "13002", "13003"], population: 870_000 }),
      arrondissement(733, 3), arrondissement(732, 2), arrondissement(734, 1),
      fixtureVille(735, { nom: "Aix-en-Provence", codeInsee: "13001", codesPostaux: ["13090", "13100"], population: 145_000 }),
      fixtureVille(736, { nom: "Lyon", codeInsee: "69123", codesPostaux: ["69001"], population: 520_000 }),
    ]);
    const result = await new MeilisearchSearchEngine(meili.client()).autocomplete({ q: "13000", limit: 10, filters: {} });
    expect(names(result.hits)).toEqual(["Marseille", "Marseille 1e Arrondissement", "Marseille 2e Arrondissement", "Marseille 3e Arrondissement", "Aix-en-Provence"]);
  });
});

describe("points", () => {
  it("keeps each ville's point and its precision, and a ville without one has no _geo", async () => {
    await villesIndexWith(meili.client(), [
      fixtureVille(741, { nom: "Nantes", population: 320_000, latitude: 47.218, longitude: -1.554, coordinatesPrecision: "commune" }),
      fixtureVille(742, { nom: "Nanteuil", population: 1_000, latitude: null, longitude: null, coordinatesPrecision: null }),
    ]);
    const result = await new MeilisearchSearchEngine(meili.client()).autocomplete({ q: "nant", limit: 10, filters: {} });
    expect(result.hits.map((hit) => [hit.ville.nom, hit.ville.latitude, hit.ville.longitude, hit.ville.coordinatesPrecision])).toEqual([
      ["Nantes", 47.218, -1.554, "commune"],
      ["Nanteuil", null, null, null],
    ]);
    // the server indexed the point: a radius filter around Nantes finds it, and only it
    const near = await meili.client().index("villes").search("", { filter: ["_geoRadius(47.2, -1.55, 10000)"] });
    expect(near.hits.map((hit) => hit.nom)).toEqual(["Nantes"]);
  });
});
