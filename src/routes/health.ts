import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env.ts";
import { pingDatabase, timeCheck, type DependencyCheck } from "../lib/db/ping.ts";

const HEALTH_TIMEOUT_MS = 2_000;

const CheckSchema = z
  .object({
    status: z.enum(["up", "down", "not_configured"]),
    latencyMs: z.number().optional(),
    error: z.string().optional(),
  })
  .openapi("DependencyCheck");

const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded", "down"]),
    checks: z.object({ primary: CheckSchema, replica: CheckSchema, redis: CheckSchema, meilisearch: CheckSchema }),
  })
  .openapi("Health");

const route = createRoute({
  method: "get",
  path: "/health",
  tags: ["health"],
  summary: "Each dependency's status and latency",
  description: "200 while the primary database answers, even with other dependencies down (status `degraded`); 503 when the primary is down.",
  responses: {
    200: { description: "The primary is up", content: { "application/json": { schema: HealthSchema } } },
    503: { description: "The primary is down", content: { "application/json": { schema: HealthSchema } } },
  },
});

const notConfigured: DependencyCheck = { status: "not_configured" };

/** The replica check is the worst of all configured replicas. */
async function checkReplicas(urls: string[]): Promise<DependencyCheck> {
  if (urls.length === 0) return notConfigured;
  const checks = await Promise.all(urls.map((url) => pingDatabase(url, HEALTH_TIMEOUT_MS)));
  return checks.find((check) => check.status === "down") ?? checks[0]!;
}

export const healthRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { config, redis } = c.get("services");
  const [primary, replica, redisCheck, meilisearch] = await Promise.all([
    pingDatabase(config.DATABASE_URL, HEALTH_TIMEOUT_MS),
    checkReplicas(config.DATABASE_REPLICA_URLS),
    redis ? timeCheck(() => redis.ping(), HEALTH_TIMEOUT_MS) : notConfigured,
    config.MEILISEARCH_HOST
      ? timeCheck(async (signal) => {
          const response = await fetch(new URL("/health", config.MEILISEARCH_HOST), { signal });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
        }, HEALTH_TIMEOUT_MS)
      : notConfigured,
  ]);
  const checks = { primary, replica, redis: redisCheck, meilisearch };
  const anyDown = Object.values(checks).some((check) => check.status === "down");
  const status = primary.status === "down" ? "down" : anyDown ? "degraded" : "ok";
  c.header("Cache-Control", "no-store");
  return c.json({ status, checks }, status === "down" ? 503 : 200);
});
