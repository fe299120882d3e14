import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";

const INCOMING_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Every response carries an id that also appears in its log lines and error body. */
export const requestId = createMiddleware<AppEnv>(async function requestId(c, next) {
  const incoming = c.req.header("cf-ray") ?? c.req.header("x-request-id");
  const id = incoming && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", id);
  await next();
  c.header("X-Request-Id", id);
  c.header("X-Content-Type-Options", "nosniff");
});
