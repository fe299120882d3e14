import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { commonErrorResponses } from "../../lib/api/errors.ts";
import { presentStats, StatsSchema } from "../../lib/api/stats.ts";
import { cachedJson } from "../../lib/cache/http.ts";
import { villeStatsQuery } from "../../lib/db/queries/stats.ts";
import { ApiError } from "../../lib/errors.ts";

const QuerySchema = z.object({}).strict();

const route = createRoute({
  method: "get",
  path: "/stats",
  tags: ["stats"],
  summary: "Totals over every commune",
  description:
    "Counts by type, départements and régions covered, and total population, read from the `ville_stats` materialized view (never computed live). `refreshed_at` says when the view was refreshed; the response is cached until the next refresh, every 15 minutes. No query parameters.",
  request: { query: QuerySchema },
  responses: {
    200: { description: "The totals and when they were computed", content: { "application/json": { schema: StatsSchema } } },
    ...commonErrorResponses,
  },
});

export const statsTotalsRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { cache, databases } = c.get("services");
  const served = await cache.read("stats", { view: "totals" }, async () => {
    const [row] = await databases.read((db) => villeStatsQuery(db));
    return row ? presentStats(row) : null;
  });
  if (!served.value) throw new ApiError("service_unavailable", "The stats view is empty: it has not been refreshed yet.");
  // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  return cachedJson(c, { namespace: "stats", served, body: served.value }) as never;
});
