import { createRoute, z } from "@hono/zod-openapi";
import { adminErrorResponse, adminErrorResponses, adminRouter, adminSecurity } from "../../lib/api/admin.ts";
import { ImportJobSchema, presentJob } from "../../lib/api/import-job.ts";
import { createJob } from "../../lib/imports/jobs.ts";

const BodySchema = z
  .object({
    format: z.enum(["csv", "ndjson"]).openapi({ description: "How every chunk of the job is encoded." }),
    mode: z.enum(["lenient", "strict"]).default("lenient").openapi({
      description: "`lenient`: bad rows are rejected, good rows land as chunks arrive. `strict`: all or nothing, applied at commit.",
    }),
    source: z.string().trim().min(1).max(500).optional().openapi({ example: "communes-2026.csv" }),
  })
  .strict()
  .openapi("NewImportJob");

const HeadersSchema = z.object({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, "must be 1–200 visible ASCII characters")
    .optional()
    .openapi({ description: "Retrying with the same key returns the job the first call created." }),
});

const route = createRoute({
  method: "post",
  path: "/admin/imports",
  tags: ["admin"],
  summary: "Open an import job",
  security: adminSecurity,
  request: { headers: HeadersSchema, body: { required: true, content: { "application/json": { schema: BodySchema } } } },
  responses: {
    201: { description: "The job (also on an idempotent retry, flagged by `Idempotent-Replayed: true`)", content: { "application/json": { schema: ImportJobSchema } } },
    ...adminErrorResponses,
    409: adminErrorResponse("The Idempotency-Key was used with different parameters."),
    415: adminErrorResponse("The body must be application/json."),
  },
});

export const createImportRoute = adminRouter().openapi(route, async (c) => {
  const body = c.req.valid("json");
  const { "idempotency-key": idempotencyKey } = c.req.valid("header");
  const { job, replayed } = await createJob(c.get("services").databases.primary, {
    format: body.format,
    mode: body.mode,
    source: body.source ?? null,
    idempotencyKey: idempotencyKey ?? null,
  });
  c.header("Location", `/v1/admin/imports/${job.id}`);
  if (replayed) c.header("Idempotent-Replayed", "true");
  return c.json(presentJob(job), 201);
});
