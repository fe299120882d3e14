import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { cachedJson } from "../../lib/cache/http.ts";
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
  const { cache, databases } = c.get("services");
  const served = await cache.read("reference", { one: "regions", code }, async () => {
    const row = await databases.read((db) => findRegion(db, code));
    return row ? presentRegion(row) : null;
  });
  if (!served.value) throw new ApiError("not_found", `No région ${code}.`);
  // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  return cachedJson(c, { namespace: "reference", served, body: served.value }) as never;
});
