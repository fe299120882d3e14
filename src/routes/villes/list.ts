import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { commonErrorResponses } from "../../lib/api/errors.ts";
import { DepartementCodeParam, integerParam, optionalIntegerParam, RegionCodeParam, VilleTypeParam } from "../../lib/api/params.ts";
import { fieldsParam, FormatParam, GEOJSON_CONTENT_TYPE, geoJsonSchemas, pickFields, toFeatureCollection } from "../../lib/api/shape.ts";
import { presentVille, VILLE_FIELDS, VilleFieldsSchema, VilleSchema } from "../../lib/api/ville.ts";
import { cachedJson } from "../../lib/cache/http.ts";
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH, type CursorScope } from "../../lib/cursor.ts";
import { keyOf, keySchemaFor, LISTING_ORDERS, listVilles, type ListingPageRequest } from "../../lib/db/queries/listing.ts";

const QuerySchema = z
  .object({
    limit: integerParam({ min: 1, max: 100, default: 50, description: "Rows per page, 1–100." }),
    cursor: z
      .string()
      .max(MAX_CURSOR_LENGTH, `must be at most ${MAX_CURSOR_LENGTH} characters`)
      .optional()
      .openapi({ description: "Opaque, signed position from a previous response's `next` or `previous` link. Only valid with the same filters and order." }),
    departement: DepartementCodeParam.optional(),
    region: RegionCodeParam.optional(),
    type: VilleTypeParam.optional(),
    population_min: optionalIntegerParam({ min: 0, max: 100_000_000, description: "Only communes with at least this population." }),
    order: z
      .enum(LISTING_ORDERS)
      .default("nom")
      .openapi({ description: "`nom` (A→Z), `-population` (largest first) or `-created_at` (newest first); ties break on id.", example: "-population" }),
    format: FormatParam,
    fields: fieldsParam(VILLE_FIELDS),
  })
  .strict();

const PageSchema = z
  .object({
    results: z.array(z.union([VilleSchema, VilleFieldsSchema])),
    next: z.string().url().nullable().openapi({ description: "Absolute link to the following page; null on the last page.", example: "https://lieux.example/v1/villes?departement=44&limit=50&cursor=eyJ2…" }),
    previous: z.string().url().nullable().openapi({ description: "Absolute link to the preceding page; null on the first page." }),
  })
  .openapi("VillePage");
const { collection } = geoJsonSchemas("VillePage", VilleSchema.partial());

const route = createRoute({
  method: "get",
  path: "/villes",
  tags: ["villes"],
  summary: "List communes, one keyset page at a time",
  description:
    "Pages through communes in a stable order using signed cursors: rows inserted or deleted between two requests never cause a duplicate or a skip. There is no total count and no offset; follow `next` and `previous`.",
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "One page of communes. `fields` keeps only the named properties of each; `format=geojson` gives a FeatureCollection with `next` and `previous` as foreign members.",
      content: { "application/json": { schema: PageSchema }, [GEOJSON_CONTENT_TYPE]: { schema: collection } },
    },
    ...commonErrorResponses,
  },
});

/** The request URL with only `cursor` replaced, so every filter, the limit and the shape carry over. */
function pageLink(requestUrl: string, cursor: string): string {
  const url = new URL(requestUrl);
  url.searchParams.set("cursor", cursor);
  return url.toString();
}

export const listVillesRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { format, fields, ...query } = c.req.valid("query");
  const { config, databases, cache } = c.get("services");
  const filters = { departement: query.departement, region: query.region, type: query.type, populationMin: query.population_min };
  const scope: CursorScope = { secret: config.CURSOR_SECRET, order: query.order, filters };

  const request: ListingPageRequest = { order: query.order, filters, limit: query.limit };
  if (query.cursor !== undefined) {
    request.from = await decodeCursor(query.cursor, { ...scope, keySchema: keySchemaFor(query.order) });
  }
  const served = await cache.read("villes", { ...filters, order: query.order, limit: query.limit, cursor: query.cursor }, async () => {
    const rows = await databases.read((db) => listVilles(db, request));
    const first = rows.rows[0];
    const last = rows.rows.at(-1);
    return {
      results: rows.rows.map(presentVille),
      hasMore: rows.hasMore,
      firstKey: first ? keyOf(query.order, first) : null,
      lastKey: last ? keyOf(query.order, last) : null,
    };
  });
  const page = served.value;

  const readingBackwards = request.from?.direction === "previous";
  // Beyond the rows read there are more when hasMore says so; behind them there are
  // always more once a cursor was followed, since it was issued by a neighbouring page.
  const hasNext = readingBackwards ? true : page.hasMore;
  const hasPrevious = readingBackwards ? page.hasMore : request.from !== undefined;
  const link = async (direction: "next" | "previous", key: ReturnType<typeof keyOf>) =>
    pageLink(c.req.url, await encodeCursor({ direction, key }, scope));

  const links = {
    next: hasNext && page.lastKey ? await link("next", page.lastKey) : null,
    previous: hasPrevious && page.firstKey ? await link("previous", page.firstKey) : null,
  };
  return cachedJson(c, {
    namespace: "villes",
    served,
    body: format === "geojson"
      ? toFeatureCollection(page.results, fields, links)
      : { results: page.results.map((ville) => pickFields(ville, fields)), ...links },
    contentType: format === "geojson" ? GEOJSON_CONTENT_TYPE : undefined,
    // cachedJson may answer 304 with no body, which the typed 200 response cannot express
  }) as never;
});
