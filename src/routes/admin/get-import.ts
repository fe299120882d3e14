import { createRoute, z } from "@hono/zod-openapi";
import { adminErrorResponses, adminRouter, adminSecurity } from "../../lib/api/admin.ts";
import { ImportJobSchema, presentJob } from "../../lib/api/import-job.ts";
import { listChunks } from "../../lib/imports/chunks.ts";
import { getJob } from "../../lib/imports/jobs.ts";

const ParamsSchema = z.object({ id: z.string().uuid("must be a job id").openapi({ param: { name: "id", in: "path" } }) });

const route = createRoute({
  method: "get",
  path: "/admin/imports/{id}",
  tags: ["admin"],
  summary: "A job's progress, counts, errors, timings and chunks",
  description: "Read from the primary, so progress is never behind a replica.",
  security: adminSecurity,
  request: { params: ParamsSchema },
  responses: {
    200: { description: "The job with its chunks", content: { "application/json": { schema: ImportJobSchema } } },
    ...adminErrorResponses,
  },
});

export const getImportRoute = adminRouter().openapi(route, async (c) => {
  const { id } = c.req.valid("param");
  const { primary } = c.get("services").databases;
  const [job, chunks] = await Promise.all([getJob(primary, id), listChunks(primary, id)]);
  return c.json(presentJob(job, chunks), 200);
});
