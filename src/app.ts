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
import { departementStatsRoute } from "./routes/stats/departements.ts";
import { regionStatsRoute } from "./routes/stats/regions.ts";
import { statsTotalsRoute } from "./routes/stats/totals.ts";
import { getVilleRoute } from "./routes/villes/get.ts";
import { listVillesRoute } from "./routes/villes/list.ts";
import { nearestVillesRoute } from "./routes/villes/nearest.ts";
import { adminAuth } from "./middleware/admin-auth.ts";
import { commitImportRoute } from "./routes/admin/commit-import.ts";
import { adminHealthRoute } from "./routes/admin/health.ts";
import { createImportRoute } from "./routes/admin/create-import.ts";
import { getImportRoute } from "./routes/admin/get-import.ts";
import { listImportsRoute } from "./routes/admin/list-imports.ts";
import { putChunkRoute } from "./routes/admin/put-chunk.ts";

const publicRateLimit = rateLimit("public");

/** The table of contents: middleware in the order requests meet it, then the routes. */
export function buildApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(notFound);

  // No I/O at all: the bench measures the runtime's own ceiling on this route.
  app.get("/ping", (c) => c.text("ok", 200, { "X-Content-Type-Options": "nosniff" }));
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
  app.route("/v1", nearestVillesRoute);
  app.route("/v1", getVilleRoute);
  app.route("/v1", listDepartementsRoute);
  app.route("/v1", getDepartementRoute);
  app.route("/v1", listRegionsRoute);
  app.route("/v1", getRegionRoute);
  // stats
  app.route("/v1", statsTotalsRoute);
  app.route("/v1", regionStatsRoute);
  app.route("/v1", departementStatsRoute);
  // admin
  app.use("/v1/admin/*", adminAuth);
  app.route("/v1", createImportRoute);
  app.route("/v1", listImportsRoute);
  app.route("/v1", getImportRoute);
  app.route("/v1", putChunkRoute);
  app.route("/v1", commitImportRoute);
  app.route("/v1", adminHealthRoute);

  return app;
}

export const app = buildApp();
