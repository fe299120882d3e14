import { createRoute, z } from "@hono/zod-openapi";
import { adminErrorResponse, adminErrorResponses, adminRouter, adminSecurity } from "../../lib/api/admin.ts";
import { ImportJobSchema, presentJob } from "../../lib/api/import-job.ts";
import { commitImport, type CommitWorkflows } from "../../lib/imports/commit.ts";
import type { ImportCommitParams } from "../../workflows/import-commit.ts";
import { listChunks } from "../../lib/imports/chunks.ts";

const ParamsSchema = z.object({ id: z.string().uuid("must be a job id").openapi({ param: { name: "id", in: "path" } }) });
const QuerySchema = z.object({
  restart: z
    .enum(["true", "false"], { message: "must be true or false" })
    .optional()
    .openapi({
      param: { name: "restart", in: "query" },
      description:
        "For a job that is committing: stop its Workflow and run the commit again from the first step (every step is idempotent; a merge that committed is skipped). For a commit that makes no progress, e.g. after the process running it locally was killed. Ignored for other jobs.",
    }),
});

/** The Workflow binding as lib/ uses it. */
function commitWorkflows(binding: Workflow<ImportCommitParams> | undefined): CommitWorkflows {
  const workflow = () => {
    if (!binding) throw new Error("the IMPORT_COMMIT Workflow binding is missing (wrangler.toml [[workflows]])");
    return binding;
  };
  return {
    create: async (id, params) => void (await workflow().create({ id, params })),
    status: async (id) => {
      try {
        return (await (await workflow().get(id)).status()).status;
      } catch (error) {
        if (error instanceof Error && /not[_ ]found/i.test(error.message)) return "missing";
        throw error;
      }
    },
    terminate: async (id) => {
      try {
        await (await workflow().get(id)).terminate();
      } catch (error) {
        // An instance that ended meanwhile cannot be terminated: it stopped either way.
        if (!(error instanceof Error && /finite state|cannot_terminate|not[_ ]found/i.test(error.message))) throw error;
      }
    },
  };
}

const route = createRoute({
  method: "post",
  path: "/admin/imports/{id}/commit",
  tags: ["admin"],
  summary: "Finish a job",
  description:
    "Hands the job to the commit Workflow and answers 202 at once with the job and its status URL (`Location`). The Workflow merges the staged rows (one transaction: all or nothing), syncs the search index, rebuilds the heavy prefixes and the typo dictionary, refreshes the stats views and bumps the cache generation; each step is retried with backoff and records `<step>_ms` in `timings` when it ends. Read the job until `status` is `done` or `failed` (with `failure`). Committing a job that is committing or done returns it unchanged; committing a failed job runs the steps again (each is idempotent). A committing job whose Workflow has ended without settling it is started again, and `restart=true` stops a committing job's Workflow and starts it again.",
  security: adminSecurity,
  request: { params: ParamsSchema, query: QuerySchema },
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
  const { restart } = c.req.valid("query");
  const services = c.get("services");
  const workflows = commitWorkflows(c.env.IMPORT_COMMIT as Workflow<ImportCommitParams> | undefined);
  const job = await commitImport(services, id, workflows, { restart: restart === "true" });
  c.header("Location", `/v1/admin/imports/${id}`);
  const body = presentJob(job, await listChunks(services.databases.primary, id));
  return job.status === "done" ? c.json(body, 200) : c.json(body, 202);
});
