import { createRoute, z } from "@hono/zod-openapi";
import { adminErrorResponse, adminRouter, adminSecurity } from "../../lib/api/admin.ts";
import { ErrorSchema } from "../../lib/api/errors.ts";
import { collectHealth } from "../../lib/health/collect.ts";
import { healthMemoKey, rememberHealth } from "../../lib/health/memo.ts";
import { AdminHealthSchema, presentAdmin } from "../../lib/health/present.ts";
import { meilisearchCircuit } from "../../lib/search/select-engine.ts";

const route = createRoute({
  method: "get",
  path: "/admin/health",
  tags: ["admin"],
  summary: "Every dependency's and cron job's health, with the errors",
  description:
    "What `GET /health` leaves out: each replica by position and host:port, each failed check's error message (URL credentials removed), " +
    "each job's schedule, run count, outcome and last error, and why `cron_runs` could not be read. Always computed afresh (it also refreshes the public memo); never cached. " +
    "200 while the primary answers, 503 with the same body when it is down.",
  security: adminSecurity,
  responses: {
    200: { description: "The primary is up", content: { "application/json": { schema: AdminHealthSchema } } },
    400: adminErrorResponse("An Authorization header that is not `Bearer <token>`."),
    401: adminErrorResponse("Missing or wrong admin token; see `WWW-Authenticate`."),
    429: adminErrorResponse("Rate limited: see `Retry-After` and `RateLimit-*`."),
    503: {
      description: "The primary is down (an AdminHealth body), or ADMIN_TOKEN is not configured (`configuration_error`)",
      content: { "application/json": { schema: z.union([AdminHealthSchema, ErrorSchema]) } },
    },
  },
});

export const adminHealthRoute = adminRouter().openapi(route, async (c) => {
  const services = c.get("services");
  const { config } = services;
  const report = await collectHealth(services);
  rememberHealth(healthMemoKey(config), report);
  const circuit = config.MEILISEARCH_HOST ? meilisearchCircuit(config.MEILISEARCH_HOST).state() : undefined;
  c.header("Cache-Control", "no-store");
  return c.json(presentAdmin(report, circuit), report.status === "down" ? 503 : 200);
});
