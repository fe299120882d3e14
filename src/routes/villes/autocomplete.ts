import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env.ts";
import { commonErrorResponses } from "../../lib/api/errors.ts";
import { DepartementCodeParam, integerParam, RegionCodeParam, VilleTypeParam } from "../../lib/api/params.ts";
import { presentVille, VilleSchema } from "../../lib/api/ville.ts";
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
  })
  .strict();

const ResultSchema = VilleSchema.extend({
  nom_highlight: z.string().openapi({ example: "<mark>Nant</mark>es", description: "`nom` with the matched part in <mark>, HTML-escaped." }),
}).openapi("AutocompleteResult");

const ResponseSchema = z
  .object({
    query: z.object({ q: z.string(), normalized: z.string(), limit: z.number().int() }),
    match: z.enum(["prefix", "fuzzy"]).openapi({ description: "`fuzzy` when nothing started with the query and typo-tolerant matches are shown instead." }),
    results: z.array(ResultSchema),
  })
  .openapi("Autocomplete");

const route = createRoute({
  method: "get",
  path: "/villes/autocomplete",
  tags: ["villes"],
  summary: "Autocomplete commune names as the user types",
  description:
    "Every query word must start a word of the name (the last one as a prefix). Ranking blends match quality with population, so a large city the user is still typing comes before a tiny exact match, and short complete names stay reachable.",
  request: { query: QuerySchema },
  responses: {
    200: { description: "Ranked matches", content: { "application/json": { schema: ResponseSchema } } },
    ...commonErrorResponses,
  },
});

export const autocompleteRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { q, limit, departement, region, type } = c.req.valid("query");
  const { search } = c.get("services");
  const result = await search.autocomplete({ q, limit, filters: { departement, region, type } });
  c.header("X-Search-Backend", result.backend);
  c.header("Server-Timing", `search;dur=${result.engineMs.toFixed(1)};desc="${result.backend}", db;dur=${result.engineMs.toFixed(1)}`);
  return c.json(
    {
      query: { q, normalized: normalizeQuery(q), limit },
      match: result.match,
      results: result.hits.map((hit) => ({ ...presentVille(hit.ville), nom_highlight: hit.nomHighlight })),
    },
    200,
  );
});
