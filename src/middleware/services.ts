import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { buildServices } from "../compose-services.ts";
import { nextTurn } from "../lib/next-turn.ts";
import { readConfig } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { createLogger } from "../lib/logger.ts";
import { currentRequestTimings, RequestTimings } from "../lib/timing.ts";

/** Builds the request's services once; handlers read them with `c.get("services")`. */
export const services = createMiddleware<AppEnv>(async function services(c, next) {
  const parsed = readConfig(c.env);
  if (!parsed.ok) {
    throw new ApiError("configuration_error", "The service is misconfigured: a required binding is missing or invalid.", {
      details: { problems: parsed.problems },
    });
  }
  const logger = createLogger({ requestId: c.get("requestId") });
  // Public routes answer the same data whoever asks, so credentials never bypass the shared caches.
  const built = buildServices(parsed.config, logger, c.executionCtx, { publicOrigin: new URL(c.req.url).origin, holdRedisWrites: true });
  c.set("config", parsed.config);
  c.set("services", built);
  try {
    await currentRequestTimings.run(new RequestTimings(), next);
  } finally {
    // Everything the request owes Redis, in one pipeline, once the response has been handed
    // back (a timer runs after it): not even its serialisation delays the answer.
    // Most hits owe nothing: no timer then, and anything queued later goes out as it comes.
    const batch = built.redisBatch;
    if (batch && batch.queuedCount === 0) void batch.flush();
    else if (batch) built.background(nextTurn().then(() => batch.flush()));
    c.executionCtx.waitUntil(built.databases.close());
  }
});
