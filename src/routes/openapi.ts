import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env.ts";

const DOCUMENT_INFO = {
  openapi: "3.1.0",
  info: {
    title: "lieux",
    version: "1.0.0",
    description:
      "Place autocomplete for French communes, served from the edge. Commune points: GeoNames (https://www.geonames.org/), cities500, licensed CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/); each ville states how good its point is in `coordinates_precision`.",
  },
} as const;

/** Serves the OpenAPI document generated from every route schema registered on `app`. */
export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  return new OpenAPIHono<AppEnv>().get("/openapi.json", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(app.getOpenAPI31Document(DOCUMENT_INFO));
  });
}
