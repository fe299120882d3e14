import { createRoute, z } from "@hono/zod-openapi";
import { adminErrorResponse, adminErrorResponses, adminRouter, adminSecurity } from "../../lib/api/admin.ts";
import { integerParam } from "../../lib/api/params.ts";
import { ChunkReceiptSchema, presentReceipt } from "../../lib/api/import-job.ts";
import { MAX_CHUNK_BYTES } from "../../lib/imports/chunk-body.ts";
import { receiveChunk } from "../../lib/imports/receive-chunk.ts";
import { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE } from "../../lib/imports/staging-writer.ts";

export const MAX_CHUNK_NUMBER = 100_000;

const ParamsSchema = z.object({
  id: z.string().uuid("must be a job id").openapi({ param: { name: "id", in: "path" } }),
  n: z
    .string()
    .regex(/^\d{1,6}$/, `must be a chunk number from 1 to ${MAX_CHUNK_NUMBER}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be a chunk number from 1 to ${MAX_CHUNK_NUMBER}`).max(MAX_CHUNK_NUMBER))
    .openapi({ param: { name: "n", in: "path" }, example: "1" }),
});

const QuerySchema = z
  .object({
    batch_size: integerParam({ min: 100, max: MAX_BATCH_SIZE, default: DEFAULT_BATCH_SIZE, description: "Rows per staging statement (one transaction each). Smaller batches keep the isolate free for other requests between them; a large value lands a chunk in one statement." }),
  })
  .strict();

const route = createRoute({
  method: "put",
  path: "/admin/imports/{id}/chunks/{n}",
  tags: ["admin"],
  summary: "Upload chunk n of a job",
  description:
    `At most ${MAX_CHUNK_BYTES} bytes of CSV (text/csv, header line first, columns code_insee, nom, type, codes_postaux ('|'-separated), departement_code, region_code, population, optionally latitude, longitude, parent_code, code_postal_principal) ` +
    "or NDJSON (application/x-ndjson, one object per line with the same keys, codes_postaux an array). Rows are validated and staged; the commit merges them into villes. Re-sending chunk n replaces it: counters are not doubled.",
  security: adminSecurity,
  request: {
    params: ParamsSchema,
    query: QuerySchema,
    body: {
      required: true,
      content: { "text/csv": { schema: z.string() }, "application/x-ndjson": { schema: z.string() } },
    },
  },
  responses: {
    200: { description: "The chunk's counts", content: { "application/json": { schema: ChunkReceiptSchema } } },
    ...adminErrorResponses,
    409: adminErrorResponse("The job is committing or committed: it takes no more chunks."),
    413: adminErrorResponse(`The chunk is over ${MAX_CHUNK_BYTES} bytes.`),
    415: adminErrorResponse("The Content-Type does not match the job's format."),
    422: adminErrorResponse("The chunk cannot be read (unbalanced quotes, wrong header or delimiter, broken JSON, binary data); `details` gives the line."),
  },
});

export const putChunkRoute = adminRouter().openapi(route, async (c) => {
  const { id, n } = c.req.valid("param");
  const { batch_size } = c.req.valid("query");
  const receipt = await receiveChunk(c.get("services"), {
    jobId: id,
    n,
    contentType: c.req.header("Content-Type"),
    contentLength: c.req.header("Content-Length"),
    body: c.req.raw.body,
    batchSize: batch_size,
  });
  return c.json(presentReceipt(receipt), 200);
});
