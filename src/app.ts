import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.ts";
import { validationHook } from "./lib/validation.ts";
import { notFound, onError } from "./middleware/error-handler.ts";
import { requestId } from "./middleware/request-id.ts";
import { services } from "./middleware/services.ts";
import { healthRoute } from "./routes/health.ts";
import { openApiDocument } from "./routes/openapi.ts";

/** The table of contents: middleware in the order requests meet it, then the routes. */
export function buildApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(notFound);

  app.use("*", requestId);
  // The document describes every route below; it needs no services.
  app.route("/", openApiDocument(app));
  app.use("*", services);

  app.route("/", healthRoute);
  // villes: autocomplete
  // villes: listing, single commune, reference lists

  return app;
}

export const app = buildApp();
