import { createRoute, z } from "@hono/zod-openapi";
import { adminErrorResponse, adminErrorResponses, adminRouter, adminSecurity } from "../../lib/api/admin.ts";
import { ImportJobSchema, presentJob } from "../../lib/api/import-job.ts";
import { commitImport } from "../../lib/imports/commit.ts";
import { listChunks } from "../../lib/imports/chunks.ts";

const ParamsSchema = z.object({ id: z.string().uuid("must be a job id").openapi({ param: { name: "id", in: "path" } }) });

const route = createRoute({
  method: "post",
  path: "/admin/imports/{id}/commit",
  tags: ["admin"],
  summary: "Finish a job",
  description:
    "Merges a strict job's rows (all or nothing), then syncs search, rebuilds the heavy prefixes and the typo dictionary, refreshes the stats views and bumps the cache generation; each step's duration lands in `timings`. Committing a done job returns it unchanged.",
  security: adminSecurity,
  request: { params: ParamsSchema },
  responses: {
    200: { description: "The committed job", content: { "application/json": { schema: ImportJobSchema } } },
    ...adminErrorResponses,
    409: adminErrorResponse("A chunk is incomplete or failed, the job has no chunks, or a commit is already running."),
    422: adminErrorResponse("A strict job has rejected rows: nothing was written."),
  },
});

export const commitImportRoute = adminRouter().openapi(route, async (c) => {
  const { id } = c.req.valid("param");
  const services = c.get("services");
  const job = await commitImport(services, id);
  return c.json(presentJob(job, await listChunks(services.databases.primary, id)), 200);
});
