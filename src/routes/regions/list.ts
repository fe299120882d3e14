import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { cachedJson } from "../../lib/cache/http.ts";
import { commonErrorResponses } from "../../lib/api/errors.ts";
import { presentRegion, RegionSchema, ZoneParam } from "../../lib/api/reference.ts";
import { listRegions } from "../../lib/db/queries/reference.ts";

const QuerySchema = z.object({ zone: ZoneParam.optional() }).strict();

const route = createRoute({
  method: "get",
  path: "/regions",
  tags: ["reference"],
  summary: "Every région, sorted by code",
  description: "The 18 régions (zones `metro` and `drom`) and the collectivités d'outre-mer (zone `com`). Filter with `zone`.",
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "Régions sorted by code",
      content: { "application/json": { schema: z.object({ results: z.array(RegionSchema) }).openapi("RegionList") } },
    },
    ...commonErrorResponses,
  },
});

export const listRegionsRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const filters = c.req.valid("query");
  const { cache, databases } = c.get("services");
  const served = await cache.read("reference", { list: "regions", ...filters }, async () => {
    const rows = await databases.read((db) => listRegions(db, filters));
    return { results: rows.map(presentRegion) };
  });
  // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  return cachedJson(c, { namespace: "reference", served, body: served.value }) as never;
});
