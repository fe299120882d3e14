import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { cachedJson } from "../../lib/cache/http.ts";
import { commonErrorResponses } from "../../lib/api/errors.ts";
import { RegionCodeParam } from "../../lib/api/params.ts";
import { DepartementSchema, presentDepartement, ZoneParam } from "../../lib/api/reference.ts";
import { listDepartements } from "../../lib/db/queries/reference.ts";

const QuerySchema = z.object({ region: RegionCodeParam.optional(), zone: ZoneParam.optional() }).strict();

const route = createRoute({
  method: "get",
  path: "/departements",
  tags: ["reference"],
  summary: "Every département, sorted by code",
  description:
    "The 101 départements (zones `metro` and `drom`) and the collectivités d'outre-mer (zone `com`), each with its région. Filter with `region` or `zone`.",
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "Départements sorted by code",
      content: { "application/json": { schema: z.object({ results: z.array(DepartementSchema) }).openapi("DepartementList") } },
    },
    ...commonErrorResponses,
  },
});

export const listDepartementsRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const filters = c.req.valid("query");
  const { cache, databases } = c.get("services");
  const served = await cache.read("reference", { list: "departements", ...filters }, async () => {
    const rows = await databases.read((db) => listDepartements(db, filters));
    return { results: rows.map(presentDepartement) };
  });
  // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  return cachedJson(c, { namespace: "reference", served, body: served.value }) as never;
});
