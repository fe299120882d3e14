import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { commonErrorResponses } from "../../lib/api/errors.ts";
import { RegionCodeParam } from "../../lib/api/params.ts";
import { ZoneParam } from "../../lib/api/reference.ts";
import { DepartementStatsListSchema, presentDepartementStats } from "../../lib/api/stats.ts";
import { cachedJson } from "../../lib/cache/http.ts";
import { departementStatsQuery } from "../../lib/db/queries/stats.ts";

const QuerySchema = z.object({ region: RegionCodeParam.optional(), zone: ZoneParam.optional() }).strict();

const route = createRoute({
  method: "get",
  path: "/stats/departements",
  tags: ["stats"],
  summary: "Figures for each département",
  description:
    "For every département and collectivité d'outre-mer, sorted by code: communes by type, population and the most populous commune, read from the `ville_stats_by_departement` materialized view. Cached until the next refresh (every 15 minutes); `refreshed_at` says when the figures were computed. Filter with `region` or `zone`.",
  request: { query: QuerySchema },
  responses: {
    200: { description: "One entry per département", content: { "application/json": { schema: DepartementStatsListSchema } } },
    ...commonErrorResponses,
  },
});

export const departementStatsRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const filters = c.req.valid("query");
  const { cache, databases } = c.get("services");
  const served = await cache.read("stats", { view: "departements", ...filters }, async () =>
    presentDepartementStats(await databases.read((db) => departementStatsQuery(db, filters))),
  );
  // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  return cachedJson(c, { namespace: "stats", served, body: served.value }) as never;
});
