import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { commonErrorResponses, notFoundResponse } from "../../lib/api/errors.ts";
import { DepartementCodeParam } from "../../lib/api/params.ts";
import { DepartementSchema, presentDepartement } from "../../lib/api/reference.ts";
import { findDepartement } from "../../lib/db/queries/reference.ts";
import { ApiError } from "../../lib/errors.ts";

const route = createRoute({
  method: "get",
  path: "/departements/{code}",
  tags: ["reference"],
  summary: "One département by code",
  request: {
    params: z.object({ code: DepartementCodeParam.openapi({ param: { name: "code", in: "path" }, example: "2A" }) }),
    query: z.object({}).strict(),
  },
  responses: {
    200: { description: "The département", content: { "application/json": { schema: DepartementSchema } } },
    ...commonErrorResponses,
    ...notFoundResponse,
  },
});

export const getDepartementRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { code } = c.req.valid("param");
  const row = await c.get("services").databases.read((db) => findDepartement(db, code));
  if (!row) throw new ApiError("not_found", `No département ${code}.`);
  return c.json(presentDepartement(row), 200);
});
