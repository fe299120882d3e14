import { describe, expect, it } from "vitest";
import { autocomplete, type AutocompleteBody } from "./helpers/autocomplete.ts";

type Result = AutocompleteBody["results"][number];
const near = async (q: string, point: string, limit = "10") => (await autocomplete({ q, near: point, limit })).body.results;
const label = (result: Result) => `${result.nom} (${result.departement.code})`;
const named = (results: Result[], nom: string) => results.filter((result) => result.nom === nom);

// Real places: Auch (32), Strasbourg (67), Rodez (12), Manosque (04), Nant (12), Grenoble (38), Toulouse (31).
const AUCH = "43.65,0.59";
const STRASBOURG = "48.58,7.75";
const RODEZ = "44.35,2.57";
const MANOSQUE = "43.83,5.79";
const NANT_AVEYRON = "44.02,3.30";
const GRENOBLE = "45.19,5.72";
const TOULOUSE = "43.60,1.44";

describe("near=lat,lon: homonyms, nearest first", () => {
  it("puts the Saint-Martin of the user's département first among the Saint-Martin, within the first five", async () => {
    const gers = await near("saint martin", AUCH);
    expect(named(gers, "Saint-Martin")[0]?.departement.code).toBe("32");
    expect(gers.slice(0, 5).map(label)).toContain("Saint-Martin (32)");
    const alsace = await near("saint martin", STRASBOURG);
    expect(named(alsace, "Saint-Martin")[0]?.departement.code).toBe("67");
    expect(alsace.slice(0, 5).map(label)).toContain("Saint-Martin (67)");
  });

  it("orders the Villeneuve by distance from the user", async () => {
    expect(named(await near("villeneuve", RODEZ), "Villeneuve")[0]?.departement.code).toBe("12");
    expect(named(await near("villeneuve", MANOSQUE), "Villeneuve")[0]?.departement.code).toBe("04");
  });

  it("brings the Castelnau near the user first", async () => {
    const unbiased = (await autocomplete({ q: "castelnau" })).body.results;
    expect(label(unbiased[0]!)).toBe("Castelnau-le-Lez (34)");
    // Castelnaudary (12,000, 55 km) and Castelnau-d'Estrétefonds (7,000, 25 km) pass the larger, farther Castelnau-le-Lez.
    const toulouse = (await near("castelnau", TOULOUSE)).map(label);
    expect(toulouse.slice(0, 2).sort()).toEqual(["Castelnau-d'Estrétefonds (31)", "Castelnaudary (11)"]);
    expect(toulouse.indexOf("Castelnau-le-Lez (34)")).toBeGreaterThan(1);
  });
});

describe("near=lat,lon: short prefixes and big cities", () => {
  it("lets nearby places rise for a short prefix", async () => {
    const unbiased = (await autocomplete({ q: "sa", limit: "5" })).body.results;
    expect(unbiased.filter((result) => result.departement.code === "38")).toEqual([]);
    const grenoble = await near("sa", GRENOBLE, "5");
    expect(grenoble.filter((result) => result.departement.code === "38").length).toBeGreaterThanOrEqual(2);
  });

  it("never buries a big city the user is clearly typing under a nearby small place", async () => {
    const nant = await near("nant", NANT_AVEYRON);
    expect(nant[0]!.nom).toBe("Nantes");
    expect(nant.slice(0, 3).map(label)).toContain("Nant (12)");
    expect((await near("marseil", "43.20,2.54"))[0]!.nom).toBe("Marseille");
    expect((await near("toulous", STRASBOURG))[0]!.nom).toBe("Toulouse");
  });
});

describe("near: what it answers besides the results", () => {
  it("echoes the rounded point it used", async () => {
    const { body } = await autocomplete({ q: "nant", near: "47.218371,-1.553621" });
    expect((body.query as Record<string, unknown>).near).toEqual({ latitude: 47.22, longitude: -1.55, source: "given" });
  });

  it("changes nothing without near: same body as before any biased call, and no near in the query", async () => {
    const before = (await autocomplete({ q: "villeneuve" })).body;
    await near("villeneuve", RODEZ);
    const after = (await autocomplete({ q: "villeneuve" })).body;
    expect(after).toEqual(before);
    expect(Object.keys(after.query)).toEqual(["q", "normalized", "limit"]);
  });
});
