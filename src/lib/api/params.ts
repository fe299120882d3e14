import { z } from "@hono/zod-openapi";
import { VILLE_TYPES } from "../db/schema.ts";

/** Département codes: 01–95 with 2A/2B, 971–976 (DROM) and 975–989 (COM). Case-insensitive on input. */
export const DepartementCodeParam = z
  .string()
  .transform((value) => value.trim().toUpperCase())
  .pipe(z.string().regex(/^(?:\d{2}|2[AB]|9[78]\d)$/, "must be a département code such as 44, 2A or 974"))
  .openapi({ example: "44", description: "Département code (01–95, 2A, 2B, 971–976, COM codes)." });

export const RegionCodeParam = z
  .string()
  .trim()
  .regex(/^\d{2,3}$/, "must be a région code such as 52")
  .openapi({ example: "52", description: "Région code (INSEE)." });

export const VilleTypeParam = z.enum(VILLE_TYPES).openapi({ description: "Commune type." });

export const CodeInseeParam = z
  .string()
  .transform((value) => value.trim().toUpperCase())
  // Real codes start with a digit (2A/2B for Corsica); imported synthetic ones with a letter (A0000).
  .pipe(z.string().regex(/^(?:\d{5}|2[AB]\d{3}|[A-Z][0-9A-Z]{4})$/, "must be a five-character INSEE code such as 44109 or 2A004"))
  .openapi({ param: { name: "code_insee", in: "path" }, example: "44109" });

function boundedInteger(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** Integer query parameter with bounds and a default; rejects "abc", "1.5", "1e3" and "" with a clear message. */
export function integerParam(options: { min: number; max: number; default: number; description: string }) {
  return boundedInteger(options.min, options.max).default(options.default).openapi({ description: options.description, example: options.default });
}

/** The same, optional with no default. */
export function optionalIntegerParam(options: { min: number; max: number; description: string }) {
  return boundedInteger(options.min, options.max).optional().openapi({ description: options.description });
}
