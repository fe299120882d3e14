import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { commonErrorResponses } from "../../lib/api/errors.ts";
import { LatitudeParam, LongitudeParam } from "../../lib/api/geo-params.ts";
import { integerParam } from "../../lib/api/params.ts";
import { fieldsParam, FormatParam, GEOJSON_CONTENT_TYPE, geoJsonSchemas, pickFields, toFeatureCollection } from "../../lib/api/shape.ts";
import { presentVille, VilleSchema } from "../../lib/api/ville.ts";
import { cachedJson } from "../../lib/cache/http.ts";
import { nearestVilles } from "../../lib/db/queries/nearest.ts";

const NearestVilleSchema = VilleSchema.extend({
  distance_m: z.number().int().openapi({ example: 1830, description: "Great-circle distance from the given point to the commune's centre, in metres." }),
}).openapi("NearestVille");
const FIELDS = Object.keys(NearestVilleSchema.shape) as Array<keyof typeof NearestVilleSchema.shape>;

const QuerySchema = z
  .object({
    lat: LatitudeParam,
    lon: LongitudeParam,
    limit: integerParam({ min: 1, max: 50, default: 10, description: "Communes to return, 1–50." }),
    format: FormatParam,
    fields: fieldsParam(FIELDS),
  })
  .strict();

const ResponseSchema = z
  .object({
    query: z.object({ lat: z.number(), lon: z.number(), limit: z.number().int() }),
    results: z.array(z.union([NearestVilleSchema, NearestVilleSchema.partial().openapi("NearestVilleFields")])),
  })
  .openapi("Nearest");
const { collection } = geoJsonSchemas("Nearest", NearestVilleSchema.partial());

const route = createRoute({
  method: "get",
  path: "/villes/nearest",
  tags: ["villes"],
  summary: "Communes whose centre is nearest a point",
  description:
    "Nearest centre, not the commune containing the point: lieux has no contours. Only communes actuelles whose own point is known (`coordinates_precision` = `commune`) are candidates, closest first, found by a KNN scan of a spatial index (bounded work at any table size).",
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "The nearest communes, closest first. `fields` keeps only the named properties of each.",
      content: { "application/json": { schema: ResponseSchema }, [GEOJSON_CONTENT_TYPE]: { schema: collection } },
    },
    304: { description: "Not modified: `If-None-Match` matched the current `ETag`." },
    ...commonErrorResponses,
  },
});

export const nearestVillesRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { lat, lon, limit, format, fields } = c.req.valid("query");
  const { cache, databases } = c.get("services");
  const served = await cache.read("villes", { nearest: true, lat, lon, limit }, async () => {
    const rows = await databases.read((db) => nearestVilles(db, lat, lon, limit));
    return rows.map((row) => ({ ...presentVille(row), distance_m: row.distanceM }));
  });
  const query = { lat, lon, limit };
  const body = format === "geojson"
    ? toFeatureCollection(served.value, fields, { query })
    : { query, results: served.value.map((ville) => pickFields(ville, fields)) };
  // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  return cachedJson(c, { namespace: "villes", served, body, contentType: format === "geojson" ? GEOJSON_CONTENT_TYPE : undefined }) as never;
});
