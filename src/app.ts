import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.ts";
import { validationHook } from "./lib/validation.ts";
import { notFound, onError } from "./middleware/error-handler.ts";
import { publicApiCors } from "./middleware/cors.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestId } from "./middleware/request-id.ts";
import { services } from "./middleware/services.ts";
import { docsRoutes } from "./routes/docs/index.ts";
import { healthRoute } from "./routes/health.ts";
import { autocompleteRoute } from "./routes/villes/autocomplete.ts";
import { openApiDocument } from "./routes/openapi.ts";
import { getDepartementRoute } from "./routes/departements/get.ts";
import { listDepartementsRoute } from "./routes/departements/list.ts";
import { getRegionRoute } from "./routes/regions/get.ts";
import { listRegionsRoute } from "./routes/regions/list.ts";
import { getVilleRoute } from "./routes/villes/get.ts";
import { listVillesRoute } from "./routes/villes/list.ts";

const publicRateLimit = rateLimit("public");

/** The table of contents: middleware in the order requests meet it, then the routes. */
export function buildApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(notFound);

  app.use("*", requestId);
  app.use("/v1/*", publicApiCors);
  // The document describes every route below; it needs no services.
  app.route("/", openApiDocument(app));
  app.route("/", docsRoutes);
  app.use("*", services);
  app.use("/v1/admin/*", rateLimit("admin"));
  app.use("/v1/*", async (c, next) => (c.req.path.startsWith("/v1/admin") ? next() : publicRateLimit(c, next)));

  app.route("/", healthRoute);
  // villes: autocomplete
  app.route("/v1", autocompleteRoute);
  // villes: listing, single commune, reference lists
  app.route("/v1", listVillesRoute);
  app.route("/v1", getVilleRoute);
  app.route("/v1", listDepartementsRoute);
  app.route("/v1", getDepartementRoute);
  app.route("/v1", listRegionsRoute);
  app.route("/v1", getRegionRoute);

  return app;
}

export const app = buildApp();
