import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env.ts";
import { ErrorSchema } from "../lib/api/errors.ts";
import { collectHealth } from "../lib/health/collect.ts";
import { HEALTH_MEMO_MS, healthMemoKey, recallHealth, rememberHealth } from "../lib/health/memo.ts";
import { HealthSchema, presentPublic } from "../lib/health/present.ts";
import { meilisearchCircuit } from "../lib/search/select-engine.ts";

const MAX_AGE_S = HEALTH_MEMO_MS / 1000;

const route = createRoute({
  method: "get",
  path: "/health",
  tags: ["health"],
  summary: "Each dependency's and cron job's status, latency and timestamps",
  description:
    "200 while the primary database answers, even with other dependencies down or a cron job stale (status `degraded`); 503 when the primary is down. " +
    "The body carries statuses, latencies, timestamps and flags only: no error text, host name or URL. Why a dependency failed goes to the logs and to `GET /v1/admin/health`. " +
    `The result is memoised in each isolate for ${MAX_AGE_S} s, so repeated calls do not multiply the load on the stores: ` +
    `responses within that window repeat the same \`checked_at\`, and carry \`Cache-Control: public, max-age=${MAX_AGE_S}\`. ` +
    "Only Meilisearch's `circuit` (in-memory state) is read afresh on every call.",
  responses: {
    200: { description: "The primary is up", content: { "application/json": { schema: HealthSchema } } },
    503: {
      description: "The primary is down (a Health body), or a binding is missing (`configuration_error`)",
      content: { "application/json": { schema: z.union([HealthSchema, ErrorSchema]) } },
    },
  },
});

export const healthRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const services = c.get("services");
  const { config } = services;
  const key = healthMemoKey(config);
  let report = recallHealth(key);
  if (!report) {
    report = await collectHealth(services);
    rememberHealth(key, report);
  }
  const circuit = config.MEILISEARCH_HOST ? meilisearchCircuit(config.MEILISEARCH_HOST).state() : undefined;
  c.header("Cache-Control", `public, max-age=${MAX_AGE_S}`);
  return c.json(presentPublic(report, circuit), report.status === "down" ? 503 : 200);
});
