import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
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
  const rows = await c.get("services").databases.read((db) => listDepartements(db, filters));
  return c.json({ results: rows.map(presentDepartement) }, 200);
});
