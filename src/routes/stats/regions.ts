import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { commonErrorResponses } from "../../lib/api/errors.ts";
import { ZoneParam } from "../../lib/api/reference.ts";
import { presentRegionStats, RegionStatsListSchema } from "../../lib/api/stats.ts";
import { cachedJson } from "../../lib/cache/http.ts";
import { regionStatsQuery } from "../../lib/db/queries/stats.ts";

const QuerySchema = z.object({ zone: ZoneParam.optional().openapi({ example: "drom" }) }).strict();

const route = createRoute({
  method: "get",
  path: "/stats/regions",
  tags: ["stats"],
  summary: "Figures for each région",
  description:
    "For every région, sorted by code: communes by type, départements covered, population and the most populous commune, read from the `ville_stats_by_region` materialized view. Cached until the next refresh (every 15 minutes); `refreshed_at` says when the figures were computed. Filter with `zone`.",
  request: { query: QuerySchema },
  responses: {
    200: { description: "One entry per région", content: { "application/json": { schema: RegionStatsListSchema } } },
    ...commonErrorResponses,
  },
});

export const regionStatsRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const filters = c.req.valid("query");
  const { cache, databases } = c.get("services");
  const served = await cache.read("stats", { view: "regions", ...filters }, async () =>
    presentRegionStats(await databases.read((db) => regionStatsQuery(db, filters))),
  );
  // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  return cachedJson(c, { namespace: "stats", served, body: served.value }) as never;
});
