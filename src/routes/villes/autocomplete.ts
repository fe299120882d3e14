import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { commonErrorResponses } from "../../lib/api/errors.ts";
import { DepartementCodeParam, integerParam, RegionCodeParam, VilleTypeParam } from "../../lib/api/params.ts";
import { NearParam, resolveNear } from "../../lib/api/geo-params.ts";
import { fieldsParam, FormatParam, GEOJSON_CONTENT_TYPE, geoJsonSchemas, pickFields, toFeatureCollection } from "../../lib/api/shape.ts";
import { VilleSchema } from "../../lib/api/ville.ts";
import { cachedJson, derivedBody } from "../../lib/cache/http.ts";
import { recordPopularQuery } from "../../lib/cache/popular.ts";
import { cachedAutocomplete } from "../../lib/villes/autocomplete-service.ts";
import { normalizeQuery } from "../../lib/search/query.ts";

const QuerySchema = z
  .object({
    q: z
      .string()
      .transform((value) => value.trim())
      .pipe(
        z
          .string()
          .min(1, "must not be empty")
          .max(100, "must be at most 100 characters")
          .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), "must not contain control characters")
          .refine((value) => normalizeQuery(value) !== "", "must contain at least one letter or digit"),
      )
      .openapi({ example: "nant", description: "What the user typed: 1–100 characters. Accents, case, hyphens and apostrophes are ignored; st/ste match saint/sainte; digits match postal codes and INSEE codes by prefix." }),
    limit: integerParam({ min: 1, max: 20, default: 10, description: "Results to return, 1–20." }),
    departement: DepartementCodeParam.optional(),
    region: RegionCodeParam.optional(),
    type: VilleTypeParam.optional().openapi({ description: "Only this type. Default: communes actuelles and arrondissements municipaux." }),
    near: NearParam.optional(),
    format: FormatParam,
    get fields() {
      return fieldsParam(FIELDS);
    },
  })
  .strict();

const ResultSchema = VilleSchema.extend({
  nom_highlight: z.string().openapi({ example: "<mark>Nant</mark>es", description: "`nom` with the matched part in <mark>, HTML-escaped." }),
  ancien_nom: z.string().optional().openapi({
    example: "Annecy-le-Vieux",
    description: "Present when the query matched a former name of this commune nouvelle (one of its communes déléguées or associées, by name or INSEE code) rather than its own: that former name.",
  }),
}).openapi("AutocompleteResult");
const FIELDS = Object.keys(ResultSchema.shape) as Array<keyof typeof ResultSchema.shape>;
const NearUsedSchema = z
  .object({ latitude: z.number(), longitude: z.number(), source: z.enum(["given", "auto"]) })
  .nullable()
  .optional()
  .openapi({ description: "Present when `near` was given: the rounded point the ranking used, or null when `auto` found no location for the caller (then the ranking is unbiased)." });

const ResponseSchema = z
  .object({
    query: z.object({ q: z.string(), normalized: z.string(), limit: z.number().int(), near: NearUsedSchema }),
    match: z.enum(["prefix", "fuzzy"]).openapi({ description: "`fuzzy` when nothing started with the query and typo-tolerant matches are shown instead." }),
    results: z.array(z.union([ResultSchema, ResultSchema.partial().openapi("AutocompleteResultFields")])),
  })
  .openapi("Autocomplete");
const { collection } = geoJsonSchemas("Autocomplete", ResultSchema.partial());

const route = createRoute({
  method: "get",
  path: "/villes/autocomplete",
  tags: ["villes"],
  summary: "Autocomplete commune names as the user types",
  description:
    "Every query word must start a word of the name (the last one as a prefix). Ranking blends match quality with population, so a large city the user is still typing comes before a tiny exact match, and short complete names stay reachable.",
  request: { query: QuerySchema },
  responses: {
    200: { description: "Ranked matches. Cacheable: `Cache-Control` with `stale-while-revalidate`, a strong `ETag`, and `Server-Timing` naming the cache layer (with the lookup's duration on a hit). An answer cut off at a deadline (the typo search past 100 ms) holds what was found in time and is `Cache-Control: no-store`, with `Server-Timing: partial;desc=\"typo_deadline\"`.", content: { "application/json": { schema: ResponseSchema }, [GEOJSON_CONTENT_TYPE]: { schema: collection } } },
    304: { description: "Not modified: `If-None-Match` matched the current `ETag`." },
    ...commonErrorResponses,
  },
});

export const autocompleteRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { near: nearParam, format, fields, ...input } = c.req.valid("query");
  const services = c.get("services");
  const near = nearParam === undefined ? undefined : resolveNear(nearParam, c.req.raw.cf);
  const served = await cachedAutocomplete(services, { ...input, near });
  const payload = served.value;
  recordPopularQuery(services, input);
  c.header("X-Search-Backend", payload.backend);
  const fromEngine = served.layer === "miss";
  const query = { q: input.q, normalized: normalizeQuery(input.q), limit: input.limit, ...(nearParam === undefined ? {} : { near: near ? { ...near, source: nearParam === "auto" ? "auto" : "given" } : null }) };
  return cachedJson(c, {
    namespace: "autocomplete",
    served,
    // Built from the cached payload: an L0 hit reuses the serialisation made for the same variant.
    body: derivedBody({ from: payload, variant: JSON.stringify([query, format, fields]), build: () => shapeBody(query, payload, format, fields) }),
    contentType: format === "geojson" ? GEOJSON_CONTENT_TYPE : undefined,
    // near=auto ranks around the caller's location, which the URL does not carry.
    perCaller: nearParam === "auto",
    // The engine that answered, when one was asked; `db` is added from the request's own queries.
    timings: [
      ...(fromEngine ? [{ name: "search", durationMs: payload.engineMs, description: payload.backend }] : []),
      ...(payload.partial ? [{ name: "partial", description: payload.partial }] : []),
    ],
    // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  }) as never;
});

/** The JSON shape, or a GeoJSON FeatureCollection with `query` and `match` as foreign members; `fields` applies to both. */
function shapeBody(query: Record<string, unknown>, payload: { match: string; results: Array<z.infer<typeof ResultSchema>> }, format: "json" | "geojson", fields: string[] | undefined) {
  if (format === "geojson") return toFeatureCollection(payload.results, fields, { query, match: payload.match });
  return { query, match: payload.match, results: payload.results.map((result) => pickFields(result, fields)) };
}
