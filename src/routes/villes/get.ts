import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { commonErrorResponses, notFoundResponse } from "../../lib/api/errors.ts";
import { CodeInseeParam, VilleTypeParam } from "../../lib/api/params.ts";
import { fieldsParam, FormatParam, GEOJSON_CONTENT_TYPE, geoJsonSchemas, pickFields, toFeature } from "../../lib/api/shape.ts";
import { presentVille, VILLE_FIELDS, VilleFieldsSchema, VilleSchema } from "../../lib/api/ville.ts";
import { cachedJson } from "../../lib/cache/http.ts";
import { findVilleByCode } from "../../lib/db/queries/ville-by-code.ts";
import { ApiError } from "../../lib/errors.ts";

const QuerySchema = z
  .object({
    type: VilleTypeParam.optional().openapi({
      description: "Which row to return when several types share the code, e.g. `commune-deleguee`. Default: the commune actuelle, else the arrondissement, else the only row.",
    }),
    format: FormatParam,
    fields: fieldsParam(VILLE_FIELDS),
  })
  .strict();
const { feature } = geoJsonSchemas("Ville", VilleSchema.partial());

// The pattern also keeps sibling paths such as /villes/autocomplete from matching here.
const route = createRoute({
  method: "get",
  path: "/villes/{code_insee}",
  tags: ["villes"],
  summary: "One commune by INSEE code",
  description:
    "A commune nouvelle shares its INSEE code with one of its communes déléguées: without `type`, the commune actuelle is returned.",
  request: { params: z.object({ code_insee: CodeInseeParam }), query: QuerySchema },
  responses: {
    200: {
      description: "The commune; `fields` keeps only the named properties, `format=geojson` gives a Feature (a Point, or `geometry: null` without a point).",
      content: { "application/json": { schema: z.union([VilleSchema, VilleFieldsSchema]) }, [GEOJSON_CONTENT_TYPE]: { schema: feature } },
    },
    ...commonErrorResponses,
    ...notFoundResponse,
  },
});

export const getVilleRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { code_insee: codeInsee } = c.req.valid("param");
  const { type, format, fields } = c.req.valid("query");
  const { cache, databases } = c.get("services");
  const served = await cache.read("ville", { code: codeInsee, type }, async () => {
    const row = await databases.read((db) => findVilleByCode(db, codeInsee, type));
    return row ? presentVille(row) : null;
  });
  if (!served.value) {
    const what = type ? `${type} ${codeInsee}` : `commune ${codeInsee}`;
    throw new ApiError("not_found", `No ${what}.`);
  }
  // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  const ville = served.value;
  const body = format === "geojson" ? toFeature(ville, fields) : pickFields(ville, fields);
  return cachedJson(c, { namespace: "ville", served, body, contentType: format === "geojson" ? GEOJSON_CONTENT_TYPE : undefined }) as never;
});
