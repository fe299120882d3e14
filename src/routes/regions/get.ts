import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { commonErrorResponses, notFoundResponse } from "../../lib/api/errors.ts";
import { RegionCodeParam } from "../../lib/api/params.ts";
import { presentRegion, RegionSchema } from "../../lib/api/reference.ts";
import { findRegion } from "../../lib/db/queries/reference.ts";
import { ApiError } from "../../lib/errors.ts";

const route = createRoute({
  method: "get",
  path: "/regions/{code}",
  tags: ["reference"],
  summary: "One région by code",
  request: {
    params: z.object({ code: RegionCodeParam.openapi({ param: { name: "code", in: "path" } }) }),
    query: z.object({}).strict(),
  },
  responses: {
    200: { description: "The région", content: { "application/json": { schema: RegionSchema } } },
    ...commonErrorResponses,
    ...notFoundResponse,
  },
});

export const getRegionRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { code } = c.req.valid("param");
  const row = await c.get("services").databases.read((db) => findRegion(db, code));
  if (!row) throw new ApiError("not_found", `No région ${code}.`);
  return c.json(presentRegion(row), 200);
});
