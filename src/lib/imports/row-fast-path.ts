import { VILLE_TYPES, type VilleType } from "../db/schema.ts";
import type { VilleWrite } from "../db/upsert-villes.ts";
import type { ReferenceCodes } from "./reference-codes.ts";
import { CODE_INSEE, CODE_POSTAL, CONTROL_CHARACTERS, KNOWN_COLUMNS, MAX_INT4, validateRow, type RowSchema, type RowValidation } from "./row-schema.ts";

const TYPES: ReadonlySet<string> = new Set(VILLE_TYPES);
const blank = (value: unknown) => value === undefined || value === null || value === "";

function coordinate(value: unknown, limit: number): number | null | false {
  if (blank(value)) return null;
  return typeof value === "number" && Number.isFinite(value) && value >= -limit && value <= limit ? value : false;
}

function optionalCode(value: unknown, pattern: RegExp, upper: boolean): string | null | false {
  if (blank(value)) return null;
  if (typeof value !== "string") return false;
  const code = upper ? value.trim().toUpperCase() : value;
  return pattern.test(code) ? code : false;
}

/**
 * The row schema's verdict for a row that is plainly valid, without zod: the same checks
 * and the same output, written out by hand because zod cost more per row than everything
 * else in a chunk put together. Anything not plainly valid returns undefined and goes
 * through the schema, which alone words the rejection (row-schema.ts stays the reference).
 */
export function plainlyValidRow(reference: ReferenceCodes, input: unknown): VilleWrite | undefined {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return undefined;
  const row = input as Record<string, unknown>;
  for (const key in row) if (!KNOWN_COLUMNS.has(key)) return undefined;
  const { code_insee, nom, type, codes_postaux, departement_code, region_code, population } = row;
  if (typeof code_insee !== "string" || typeof nom !== "string" || typeof departement_code !== "string" || typeof region_code !== "string") return undefined;
  const codeInsee = code_insee.trim().toUpperCase();
  const name = nom.trim();
  if (!CODE_INSEE.test(codeInsee) || name.length === 0 || name.length > 200 || CONTROL_CHARACTERS.test(name)) return undefined;
  const villeType = blank(type) ? "commune-actuelle" : type;
  if (typeof villeType !== "string" || !TYPES.has(villeType)) return undefined;
  if (!Array.isArray(codes_postaux) || codes_postaux.length > 100 || !codes_postaux.every((code) => typeof code === "string" && CODE_POSTAL.test(code))) return undefined;
  const departementCode = departement_code.trim().toUpperCase();
  const regionCode = region_code.trim();
  if (reference.regionOfDepartement.get(departementCode) !== regionCode || !reference.regions.has(regionCode)) return undefined;
  if (typeof population !== "number" || !Number.isInteger(population) || population < 0 || population > MAX_INT4) return undefined;
  const latitude = coordinate(row.latitude, 90);
  const longitude = coordinate(row.longitude, 180);
  if (latitude === false || longitude === false || (latitude === null) !== (longitude === null)) return undefined;
  const parentCode = optionalCode(row.parent_code, CODE_INSEE, true);
  const principal = optionalCode(row.code_postal_principal, CODE_POSTAL, false);
  if (parentCode === false || principal === false || (principal !== null && !codes_postaux.includes(principal))) return undefined;
  const codesPostaux = [...new Set(codes_postaux as string[])];
  return {
    codeInsee,
    type: villeType as VilleType,
    nom: name,
    parentCode,
    codesPostaux,
    codePostalPrincipal: principal ?? codesPostaux[0] ?? null,
    departementCode,
    regionCode,
    population,
    latitude,
    longitude,
  };
}

/** The fast path first, the schema for everything else (and for every rejection's wording). */
export function createRowValidator(reference: ReferenceCodes, schema: RowSchema): (input: unknown) => RowValidation {
  return (input) => {
    const row = plainlyValidRow(reference, input);
    return row ? { ok: true, row } : validateRow(schema, input);
  };
}
