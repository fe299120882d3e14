import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { cachedJson } from "../../lib/cache/http.ts";
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
  const { cache, databases } = c.get("services");
  const served = await cache.read("reference", { one: "departements", code }, async () => {
    const row = await databases.read((db) => findDepartement(db, code));
    return row ? presentDepartement(row) : null;
  });
  if (!served.value) throw new ApiError("not_found", `No département ${code}.`);
  // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  return cachedJson(c, { namespace: "reference", served, body: served.value }) as never;
});
