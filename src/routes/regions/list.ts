import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
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
  const rows = await c.get("services").databases.read((db) => listRegions(db, filters));
  return c.json({ results: rows.map(presentRegion) }, 200);
});
