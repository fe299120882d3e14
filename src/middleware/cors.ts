import { createMiddleware } from "hono/factory";
import { cors } from "hono/cors";
import type { AppEnv } from "../app-env.ts";

/** Browsers may cache a preflight this long: the policy only changes with a deploy. */
const PREFLIGHT_MAX_AGE_SECONDS = 86_400;

const publicCors = cors({
  origin: "*",
  allowMethods: ["GET", "HEAD", "OPTIONS"],
  allowHeaders: ["If-None-Match"],
  exposeHeaders: ["ETag", "Server-Timing", "X-Search-Backend", "X-Request-Id", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
  maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  // The API is public and anonymous: credentials are never allowed, so no cookie or token rides along.
  credentials: false,
});

/**
 * CORS for the public read API, so pages can call it straight from the browser. Admin
 * routes get no CORS headers at all: a browser on another origin cannot call them.
 */
export const publicApiCors = createMiddleware<AppEnv>(async function publicApiCors(c, next) {
  if (c.req.path.startsWith("/v1/admin")) return next();
  // Lets a page read Server-Timing across origins, for the demo's developer panel.
  c.header("Timing-Allow-Origin", "*");
  return publicCors(c, next);
});
