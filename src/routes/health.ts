import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env.ts";
import { readCronRuns } from "../cron/cron-runs.ts";
import { readJobHealth } from "../cron/job-health.ts";
import { CRON_JOBS } from "../cron/jobs.ts";
import { pingDatabase, timeCheck, type DependencyCheck } from "../lib/db/ping.ts";
import { pingMeilisearch } from "../lib/search/meilisearch.ts";
import type { CircuitState } from "../lib/search/circuit-breaker.ts";
import { meilisearchCircuit } from "../lib/search/select-engine.ts";

const HEALTH_TIMEOUT_MS = 2_000;

const CheckSchema = z
  .object({
    status: z.enum(["up", "down", "not_configured"]),
    latencyMs: z.number().optional(),
    error: z.enum(["timeout", "unreachable"]).optional(),
    circuit: z
      .enum(["closed", "open", "half_open"])
      .optional()
      .openapi({ description: "Meilisearch only: this isolate's circuit breaker. `open`: autocomplete is answered by Postgres." }),
  })
  .openapi("DependencyCheck");

const JobSchema = z
  .object({
    schedule: z.string().openapi({ example: "2,17,32,47 * * * *" }),
    last_success_at: z.string().nullable(),
    last_failure_at: z.string().nullable(),
    last_error: z.string().nullable().openapi({ description: "The error of the last failure, kept after later successes." }),
    last_outcome: z.string().nullable().openapi({ example: "success", description: "`success`, `failure` or `skipped: <why>`." }),
    never_run: z.boolean().openapi({ description: "No run recorded yet (fresh stack): reported, not degrading." }),
    failing: z.boolean().openapi({ description: "The last run failed." }),
    stale: z.boolean().openapi({ description: "No success for twice the job's interval: the status is `degraded`." }),
  })
  .openapi("CronJobHealth");

const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded", "down"]),
    checks: z.object({ primary: CheckSchema, replica: CheckSchema, redis: CheckSchema, meilisearch: CheckSchema }),
    jobs: z
      .record(z.string(), JobSchema)
      .optional()
      .openapi({ description: "Each Cron Trigger job's last runs, from `cron_runs` on the primary; absent when the primary cannot be read." }),
  })
  .openapi("Health");

const route = createRoute({
  method: "get",
  path: "/health",
  tags: ["health"],
  summary: "Each dependency's status and latency",
  description:
    "200 while the primary database answers, even with other dependencies down or a cron job stale (status `degraded`); 503 when the primary is down.",
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

async function checkMeilisearch(host: string, apiKey: string | undefined): Promise<DependencyCheck & { circuit: CircuitState }> {
  const check = await timeCheck((signal) => pingMeilisearch({ host, apiKey }, signal), HEALTH_TIMEOUT_MS);
  return { ...check, circuit: meilisearchCircuit(host).state() };
}

export const healthRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { config, redis, databases } = c.get("services");
  const [primary, replica, redisCheck, meilisearch, jobs] = await Promise.all([
    pingDatabase(config.DATABASE_URL, HEALTH_TIMEOUT_MS),
    checkReplicas(config.DATABASE_REPLICA_URLS),
    redis ? timeCheck(() => redis.ping(), HEALTH_TIMEOUT_MS) : notConfigured,
    config.MEILISEARCH_HOST ? checkMeilisearch(config.MEILISEARCH_HOST, config.MEILISEARCH_API_KEY) : notConfigured,
    readJobHealth(CRON_JOBS, () => readCronRuns(databases.primary), HEALTH_TIMEOUT_MS),
  ]);
  const checks = { primary, replica, redis: redisCheck, meilisearch };
  for (const [name, check] of Object.entries(checks)) {
    if (check.detail) c.get("services").logger.log("warn", "health check failed", { dependency: name, error: check.detail });
    delete check.detail;
  }
  const anyDown = Object.values(checks).some((check) => check.status === "down");
  const anyStale = Object.values(jobs ?? {}).some((job) => job.stale);
  const status = primary.status === "down" ? "down" : anyDown || anyStale ? "degraded" : "ok";
  c.header("Cache-Control", "no-store");
  return c.json({ status, checks, ...(jobs ? { jobs } : {}) }, status === "down" ? 503 : 200);
});
