import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { ErrorSchema } from "./errors.ts";

const ADMIN_SCHEME = "adminBearer";

/** Every admin operation requires the bearer token (src/middleware/admin-auth.ts). */
export const adminSecurity = [{ [ADMIN_SCHEME]: [] }];

/** A sub-app for one admin route, with the bearer scheme registered so the document can reference it. */
export function adminRouter() {
  const router = new OpenAPIHono<AppEnv>();
  router.openAPIRegistry.registerComponent("securitySchemes", ADMIN_SCHEME, {
    type: "http",
    scheme: "bearer",
    description: "One of the comma-separated ADMIN_TOKEN values. Compared in constant time; never logged.",
  });
  return router;
}

const errorContent = (description: string) => ({ description, content: { "application/json": { schema: ErrorSchema } } });

/** The error responses every admin route shares in the OpenAPI document. */
export const adminErrorResponses = {
  400: errorContent("Invalid parameter, or an Authorization header that is not `Bearer <token>`."),
  401: errorContent("Missing or wrong admin token; see `WWW-Authenticate`."),
  404: errorContent("No such import job."),
  503: errorContent("The primary database is unreachable (see `Retry-After`), or ADMIN_TOKEN is not configured (`configuration_error`)."),
} as const;

export const adminErrorResponse = errorContent;
