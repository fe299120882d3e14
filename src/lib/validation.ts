import type { Hook } from "@hono/zod-openapi";
import { ApiError } from "./errors.ts";

/** Turns any zod failure from a route schema into the API's 400, naming each offending field. */
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.join(".") || (issue as { keys?: string[] }).keys?.join(",") || "(input)",
    message: issue.message,
  }));
  throw new ApiError("invalid_parameter", `Invalid ${result.target}: ${issues.map((issue) => issue.field).join(", ")}.`, {
    details: issues,
  });
};
