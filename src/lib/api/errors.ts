import { z } from "@hono/zod-openapi";
import { ERROR_CODES } from "../errors.ts";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...Array<keyof typeof ERROR_CODES>]),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string(),
    }),
  })
  .openapi("Error");

const errorContent = (description: string) => ({ description, content: { "application/json": { schema: ErrorSchema } } });

/** The error responses every public route shares in the OpenAPI document. */
export const commonErrorResponses = {
  400: errorContent("Invalid parameter: the body names each offending field in `details`."),
  429: errorContent("Rate limited: see `Retry-After` and `RateLimit-*`."),
  503: errorContent("A backing service is unavailable: see `Retry-After`."),
} as const;

export const notFoundResponse = { 404: errorContent("No such resource.") } as const;
