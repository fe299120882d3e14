import { describe, expect, it } from "vitest";
import { normalizeName } from "../src/lib/normalize.ts";
import { autocomplete, names } from "./helpers/autocomplete.ts";

const POSTGRES_ENGINE = { MEILISEARCH_HOST: undefined };

describe("GET /v1/villes/autocomplete on the real communes", () => {
  it("puts the large city the user is still typing before a tiny exact match", async () => {
    const { body } = await autocomplete({ q: "nant" });
    expect(names(body)[0]).toBe("Nantes");
    expect(names(body)).toContain("Nant");
    const aix = await autocomplete({ q: "aix" });
    expect(names(aix.body)[0]).toBe("Aix-en-Provence");
    expect(names(aix.body)).toContain("Aix");
  });

  it("keeps short complete names reachable", async () => {
    expect(names((await autocomplete({ q: "oz" })).body)).toContain("Oz");
    expect(names((await autocomplete({ q: "eu" })).body)).toContain("Eu");
  });

  it("ignores accents, case, hyphens and apostrophes", async () => {
    for (const q of ["saint-etienne", "SAINT ÉTIENNE", "saint étienne", "Saint Etienne"]) {
      expect(names((await autocomplete({ q })).body)[0], q).toBe("Saint-Étienne");
    }
    for (const q of ["l'hay", "lhay", "l hay", "L’HAŸ"]) {
      expect(names((await autocomplete({ q })).body), q).toContain("L'Haÿ-les-Roses");
    }
  });

  it("treats st/ste as saint/sainte once the word is complete", async () => {
    expect(names((await autocomplete({ q: "st etienne" })).body)[0]).toBe("Saint-Étienne");
    expect(names((await autocomplete({ q: "ste foy les lyon" })).body)[0]).toBe("Sainte-Foy-lès-Lyon");
    // still typing: "st" may be Strasbourg
    expect(names((await autocomplete({ q: "st" })).body)[0]).toBe("Strasbourg");
  });

  it("matches the start of any word, never the middle of a word", async () => {
    const roses = await autocomplete({ q: "roses" });
    expect(names(roses.body)).toContain("L'Haÿ-les-Roses");
    const angely = await autocomplete({ q: "angely" });
    expect(names(angely.body)).toContain("Saint-Jean-d'Angély");
    const ville = await autocomplete({ q: "ville", limit: "20" });
    expect(ville.body.match).toBe("prefix");
    expect(ville.body.results).toHaveLength(20);
    for (const result of ville.body.results) {
      // Deauville or Abbeville would be a match in the middle of a word
      expect(normalizeName(result.nom.replace(/\b[LlDd]'/g, "")), result.nom).toMatch(/(^| )ville/);
      expect(result.nom_highlight, result.nom).toMatch(/(^|[^A-Za-zÀ-ÿ])<mark>/);
    }
  });

  it("matches words in any order when they are not contiguous", async () => {
    expect(names((await autocomplete({ q: "jean angely" })).body)).toContain("Saint-Jean-d'Angély");
  });

  it("matches postal codes and INSEE codes by prefix", async () => {
    const postal = await autocomplete({ q: "44000" });
    expect(names(postal.body)[0]).toBe("Nantes");
    const prefix = await autocomplete({ q: "4410", limit: "20" });
    // INSEE codes 44100…44109 (Nantes, 44109, holds the postal code 44100): ten communes, no more
    expect(prefix.body.results).toHaveLength(10);
    for (const result of prefix.body.results) {
      expect([...result.codes_postaux, result.code_insee].some((code) => code.startsWith("4410")), `${result.nom} ${result.code_insee}`).toBe(true);
    }
    expect(names((await autocomplete({ q: "75056" })).body)[0]).toBe("Paris");
  });

  it("ranks equal matches by population", async () => {
    const { body } = await autocomplete({ q: "saint", limit: "20" });
    const populations = body.results.map((result) => result.population);
    expect(populations).toEqual([...populations].sort((a, b) => b - a));
    expect(body.results).toHaveLength(20);
  });

  it("tells homonyms apart by their département", async () => {
    const { body } = await autocomplete({ q: "saint sauveur", limit: "20" });
    const homonyms = body.results.filter((result) => result.nom === "Saint-Sauveur");
    expect(homonyms.length).toBeGreaterThan(5);
    const departements = new Set(homonyms.map((result) => `${result.departement.code} ${result.departement.nom}`));
    expect(departements.size).toBe(homonyms.length);
    for (const result of homonyms) expect(result.departement.nom.length).toBeGreaterThan(2);
  });

  it("filters by département, région and type", async () => {
    // Corsican names say San, Santa, Sant': one Corse-du-Sud commune starts with "saint"
    const inDep = await autocomplete({ q: "saint", departement: "2a" });
    expect(inDep.body.results.map((result) => [result.nom, result.departement.code])).toEqual([["Sainte-Lucie-de-Tallano", "2A"]]);
    // The other filters leave a full page of ten: a filter that kept nothing would fail, not pass.
    const inRegion = await autocomplete({ q: "saint", region: "52" });
    expect(inRegion.body.results.map((result) => result.region.code)).toEqual(Array(10).fill("52"));
    const delegated = await autocomplete({ q: "a", type: "commune-deleguee" });
    expect(delegated.body.results.map((result) => result.type)).toEqual(Array(10).fill("commune-deleguee"));
    const byDefault = await autocomplete({ q: "marseille", limit: "20" });
    expect(new Set(byDefault.body.results.map((result) => result.type))).toEqual(new Set(["commune-actuelle", "arrondissement-municipal"]));
  });

  // These two describe the Postgres engine, whatever MEILISEARCH_HOST the suite runs with: the
  // Meilisearch engine's typos and highlights are checked in meilisearch.* and relevance.meilisearch.
  it("falls back to typo tolerance only when the prefix finds nothing, and says so", async () => {
    const typo = await autocomplete({ q: "marseile" }, POSTGRES_ENGINE);
    expect(typo.body.match).toBe("fuzzy");
    expect(names(typo.body)[0]).toBe("Marseille");
    const exact = await autocomplete({ q: "marseille" }, POSTGRES_ENGINE);
    expect(exact.body.match).toBe("prefix");
    // DESIGN.md's example, and a typo after "Saint", the most common word of French place names
    for (const [q, expected] of [["Sant-Etiene", "Saint-Étienne"], ["saint tropze", "Saint-Tropez"], ["saintse", "Saintes"]]) {
      const fuzzy = await autocomplete({ q: q! }, POSTGRES_ENGINE);
      expect(fuzzy.body.match, q).toBe("fuzzy");
      expect(names(fuzzy.body)[0], q).toBe(expected);
    }
  });

  it("highlights the matched part, HTML-escaped, and labels the backend and timings", async () => {
    // a limit no other test uses, so this request is a cache miss that reaches the engine
    const { body, response } = await autocomplete({ q: "l'hay", limit: "7" }, POSTGRES_ENGINE);
    const lhay = body.results.find((result) => result.nom === "L'Haÿ-les-Roses")!;
    expect(lhay.nom_highlight).toBe("<mark>L&#39;Haÿ</mark>-les-Roses");
    expect(response.headers.get("X-Search-Backend")).toBe("postgres");
    expect(response.headers.get("Server-Timing")).toMatch(/(^|, )cache;desc="miss"/);
    expect(response.headers.get("Server-Timing")).toMatch(/search;dur=[\d.]+;desc="postgres"/);
    expect(response.headers.get("Server-Timing")).toMatch(/db;dur=[\d.]+/);
  });
});
