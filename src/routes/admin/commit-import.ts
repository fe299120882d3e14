import { createRoute, z } from "@hono/zod-openapi";
import { adminErrorResponse, adminErrorResponses, adminRouter, adminSecurity } from "../../lib/api/admin.ts";
import { ImportJobSchema, presentJob } from "../../lib/api/import-job.ts";
import { commitImport } from "../../lib/imports/commit.ts";
import type { ImportCommitParams } from "../../workflows/import-commit.ts";
import { listChunks } from "../../lib/imports/chunks.ts";

const ParamsSchema = z.object({ id: z.string().uuid("must be a job id").openapi({ param: { name: "id", in: "path" } }) });

const route = createRoute({
  method: "post",
  path: "/admin/imports/{id}/commit",
  tags: ["admin"],
  summary: "Finish a job",
  description:
    "Hands the job to the commit Workflow and answers 202 at once with the job and its status URL (`Location`). The Workflow merges the staged rows (one transaction: all or nothing), syncs the search index, rebuilds the heavy prefixes and the typo dictionary, refreshes the stats views and bumps the cache generation; each step is retried with backoff and records `<step>_ms` in `timings` when it ends. Read the job until `status` is `done` or `failed` (with `failure`). Committing a job that is committing or done returns it unchanged; committing a failed job runs the steps again (each is idempotent).",
  security: adminSecurity,
  request: { params: ParamsSchema },
  responses: {
    200: { description: "The job was already done: returned unchanged", content: { "application/json": { schema: ImportJobSchema } } },
    202: {
      description: "The commit runs: follow the job at `Location`",
      headers: z.object({ Location: z.string().openapi({ example: "/v1/admin/imports/0e7b…" }) }),
      content: { "application/json": { schema: ImportJobSchema } },
    },
    ...adminErrorResponses,
    409: adminErrorResponse("A chunk is incomplete or failed, or the job has no chunks."),
    422: adminErrorResponse("A strict job has rejected rows: nothing was written."),
  },
});

export const commitImportRoute = adminRouter().openapi(route, async (c) => {
  const { id } = c.req.valid("param");
  const services = c.get("services");
  const workflow = c.env.IMPORT_COMMIT as Workflow<ImportCommitParams> | undefined;
  const job = await commitImport(services, id, async (instanceId, params) => {
    if (!workflow) throw new Error("the IMPORT_COMMIT Workflow binding is missing (wrangler.toml [[workflows]])");
    await workflow.create({ id: instanceId, params });
  });
  c.header("Location", `/v1/admin/imports/${id}`);
  const body = presentJob(job, await listChunks(services.databases.primary, id));
  return job.status === "done" ? c.json(body, 200) : c.json(body, 202);
});
