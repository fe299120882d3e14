import { z } from "zod";
import { VILLE_TYPES } from "../db/schema.ts";
import type { VilleWrite } from "../db/upsert-villes.ts";
import type { ReferenceCodes } from "./reference-codes.ts";

export const REQUIRED_COLUMNS = ["code_insee", "nom", "type", "codes_postaux", "departement_code", "region_code", "population"] as const;
const OPTIONAL_COLUMNS = ["latitude", "longitude", "parent_code", "code_postal_principal"] as const;
export const KNOWN_COLUMNS: ReadonlySet<string> = new Set([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);

/**
 * Five characters: an INSEE code (five digits, or 2A/2B and three digits for Corse), or a
 * synthetic code (a letter, then four letters or digits) as scripts/generate writes. Every
 * INSEE code starts with a digit, so the synthetic namespace can never overwrite a real commune.
 */
export const CODE_INSEE = /^(?:\d{5}|2[AB]\d{3}|[A-Z][0-9A-Z]{4})$/;
export const CODE_POSTAL = /^\d{5}$/;
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
export const MAX_INT4 = 2_147_483_647;

const blankToUndefined = (value: unknown) => (value === "" || value === null ? undefined : value);
const code = (pattern: RegExp, message: string) => z.string().trim().toUpperCase().regex(pattern, message);
const coordinate = (limit: number) =>
  z.preprocess(blankToUndefined, z.number({ error: "must be a number" }).min(-limit, `must be within ±${limit}`).max(limit, `must be within ±${limit}`).optional());

/** One schema for both formats: the CSV reader first turns its strings into these JSON types. */
export function createRowSchema(reference: ReferenceCodes) {
  return z
    .object({
      code_insee: code(CODE_INSEE, "must be five characters, such as 44109 or 2A004"),
      nom: z
        .string({ error: "is required" })
        .trim()
        .min(1, "must not be empty")
        .max(200, "must be at most 200 characters")
        .refine((value) => !CONTROL_CHARACTERS.test(value), "must not contain control characters"),
      type: z.preprocess(blankToUndefined, z.enum(VILLE_TYPES, { error: `must be one of ${VILLE_TYPES.join(", ")}` }).default("commune-actuelle")),
      codes_postaux: z.array(z.string().regex(CODE_POSTAL, "must be five digits"), { error: "must be a list of postal codes" }).max(100),
      departement_code: z
        .string({ error: "is required" })
        .trim()
        .toUpperCase()
        .refine((value) => reference.regionOfDepartement.has(value), "is not a known département"),
      region_code: z
        .string({ error: "is required" })
        .trim()
        .refine((value) => reference.regions.has(value), "is not a known région"),
      population: z.number({ error: "must be a whole number" }).int("must be a whole number").min(0, "must be ≥ 0").max(MAX_INT4, "is too large"),
      latitude: coordinate(90),
      longitude: coordinate(180),
      parent_code: z.preprocess(blankToUndefined, code(CODE_INSEE, "must be an INSEE code").optional()),
      code_postal_principal: z.preprocess(blankToUndefined, z.string().regex(CODE_POSTAL, "must be five digits").optional()),
    })
    .strict()
    .superRefine((row, context) => {
      const expectedRegion = reference.regionOfDepartement.get(row.departement_code);
      if (expectedRegion !== undefined && expectedRegion !== row.region_code && reference.regions.has(row.region_code)) {
        context.addIssue({ code: "custom", path: ["region_code"], message: `département ${row.departement_code} is in région ${expectedRegion}` });
      }
      if ((row.latitude === undefined) !== (row.longitude === undefined)) {
        context.addIssue({ code: "custom", path: ["latitude"], message: "latitude and longitude go together" });
      }
      if (row.code_postal_principal !== undefined && !row.codes_postaux.includes(row.code_postal_principal)) {
        context.addIssue({ code: "custom", path: ["code_postal_principal"], message: "must be one of codes_postaux" });
      }
    });
}

export type RowSchema = ReturnType<typeof createRowSchema>;

export type RowValidation = { ok: true; row: VilleWrite } | { ok: false; reason: string };

export function validateRow(schema: RowSchema, input: unknown): RowValidation {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".") || "row"}: ${issue.message}`)
      .join("; ");
    return { ok: false, reason };
  }
  const row = parsed.data;
  const codesPostaux = [...new Set(row.codes_postaux)];
  return {
    ok: true,
    row: {
      codeInsee: row.code_insee,
      type: row.type,
      nom: row.nom,
      parentCode: row.parent_code ?? null,
      codesPostaux,
      codePostalPrincipal: row.code_postal_principal ?? codesPostaux[0] ?? null,
      departementCode: row.departement_code,
      regionCode: row.region_code,
      population: row.population,
      latitude: row.latitude ?? null,
      longitude: row.longitude ?? null,
    },
  };
}
