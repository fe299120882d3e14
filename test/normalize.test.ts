import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeName, slugify } from "../src/lib/normalize.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";

describe("normalizeName", () => {
  it.each([
    ["L'Haÿ-les-Roses", "lhay les roses"],
    ["l hay les roses", "lhay les roses"],
    ["LHAY", "lhay"],
    ["Saint-Étienne", "saint etienne"],
    ["St-Étienne", "saint etienne"],
    ["ste   foy", "sainte foy"],
    ["Œuilly", "oeuilly"],
    ["Saint-Jean-d’Angély", "saint jean dangely"],
    ["Château-Chinon (Ville)", "chateau chinon ville"],
    ["  --  ", ""],
    ["Strasbourg", "strasbourg"],
    ["Paris 1er Arrondissement", "paris 1er arrondissement"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });
});

describe("lieux_normalize() in SQL", () => {
  it("matches the TypeScript normalisation byte for byte on every seeded name", async () => {
    const sql = sqlOn(primaryUrl());
    const rows = (await sql.query(`select nom, nom_normalise, code_insee, replace(nom_normalise, ' ', '-') || '-' || lower(code_insee) as slug from villes`)) as Array<Record<string, string>>;
    expect(rows.length).toBeGreaterThanOrEqual(37_590);
    const mismatches = rows.filter((row) => normalizeName(row.nom!) !== row.nom_normalise || slugify(row.nom!, row.code_insee!) !== row.slug);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it("matches on generated strings of letters, accents, ligatures and punctuation", async () => {
    const sql = sqlOn(primaryUrl());
    const alphabet = [..."abcdelstzSTLDÉéèêëàâäîïôöûüÿçœŒæÆß0123456789 -'’()_.,"];
    const samples = fc.sample(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 40 }), { numRuns: 2_000, seed: 42 });
    const rows = (await sql.query("select input, lieux_normalize(input) as output from unnest($1::text[]) as input", [samples])) as Array<{
      input: string;
      output: string;
    }>;
    const mismatches = rows.filter((row) => normalizeName(row.input) !== row.output);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
