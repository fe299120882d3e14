import { describe, expect, it } from "vitest";
import { createRowSchema, validateRow } from "../src/lib/imports/row-schema.ts";
import { plainlyValidRow } from "../src/lib/imports/row-fast-path.ts";

const reference = { regionOfDepartement: new Map([["44", "52"], ["2A", "94"], ["75", "11"]]), regions: new Set(["52", "94", "11"]) };
const schema = createRowSchema(reference);

const valid = {
  code_insee: "44109",
  nom: "Nantes",
  type: "commune-actuelle",
  codes_postaux: ["44000", "44100", "44000"],
  departement_code: "44",
  region_code: "52",
  population: 320_732,
  latitude: 47.2186,
  longitude: -1.5541,
};

/** Each changes one thing the schema has an opinion on: valid variants and invalid ones alike. */
const variants: Record<string, unknown>[] = [
  valid,
  { ...valid, code_insee: " 2a004 ", departement_code: "2a", region_code: "94" },
  { ...valid, type: "" },
  { ...valid, type: undefined },
  { ...valid, type: "Commune-Actuelle" },
  { ...valid, nom: "  Saint-Herblain  " },
  { ...valid, nom: "   " },
  { ...valid, nom: "x".repeat(201) },
  { ...valid, nom: "tab\there" },
  { ...valid, codes_postaux: [] },
  { ...valid, codes_postaux: ["4400"] },
  { ...valid, codes_postaux: "44000" },
  { ...valid, departement_code: "99" },
  { ...valid, region_code: "11" },
  { ...valid, region_code: " 52 " },
  { ...valid, population: -1 },
  { ...valid, population: 1.5 },
  { ...valid, population: "12" },
  { ...valid, population: 2_147_483_648 },
  { ...valid, latitude: undefined, longitude: undefined },
  { ...valid, latitude: "", longitude: "" },
  { ...valid, latitude: 91 },
  { ...valid, longitude: undefined },
  { ...valid, latitude: Number.NaN },
  { ...valid, parent_code: "44110" },
  { ...valid, parent_code: " 44abc " },
  { ...valid, parent_code: "" },
  { ...valid, code_postal_principal: "44100" },
  { ...valid, code_postal_principal: "44300" },
  { ...valid, code_postal_principal: "" },
  { ...valid, extra: 1 },
];

describe("the row fast path", () => {
  it.each(variants.map((input, index) => [index, input] as const))("agrees with the schema on variant %i", (_, input) => {
    const fast = plainlyValidRow(reference, input);
    const slow = validateRow(schema, input);
    // The fast path may decline a valid row (the schema then decides), never accept an invalid one or shape it differently.
    if (fast) expect(slow).toEqual({ ok: true, row: fast });
  });

  it("accepts the plainly valid rows itself, so the chunk path rarely pays for zod", () => {
    const accepted = variants.filter((input) => plainlyValidRow(reference, input) !== undefined);
    const valid = variants.filter((input) => validateRow(schema, input).ok);
    expect(accepted).toEqual(valid);
  });
});
