import { createRoute, z } from "@hono/zod-openapi";
import { adminErrorResponses, adminRouter, adminSecurity } from "../../lib/api/admin.ts";
import { ImportJobSchema, presentJob } from "../../lib/api/import-job.ts";
import { integerParam } from "../../lib/api/params.ts";
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from "../../lib/cursor.ts";
import { IMPORT_STATUSES } from "../../lib/db/schema.ts";
import { listJobs } from "../../lib/imports/jobs.ts";

const ORDER = "-created_at";
const KeySchema = z.tuple([z.string().datetime({ offset: true }), z.string().uuid()]);

const QuerySchema = z
  .object({
    limit: integerParam({ min: 1, max: 100, default: 20, description: "Jobs per page, 1–100." }),
    status: z.enum(IMPORT_STATUSES).optional().openapi({ description: "Only jobs in this status." }),
    cursor: z.string().max(MAX_CURSOR_LENGTH).optional().openapi({ description: "Opaque; copy it from `next`." }),
  })
  .strict();

const ResponseSchema = z
  .object({
    results: z.array(ImportJobSchema),
    next: z.string().nullable().openapi({ description: "The next page's URL, or null on the last page." }),
  })
  .openapi("ImportJobPage");

const route = createRoute({
  method: "get",
  path: "/admin/imports",
  tags: ["admin"],
  summary: "Import jobs, newest first",
  description: "Keyset pagination on (created_at, id), both descending, through a signed opaque cursor.",
  security: adminSecurity,
  request: { query: QuerySchema },
  responses: {
    200: { description: "A page of jobs (without their chunks)", content: { "application/json": { schema: ResponseSchema } } },
    ...adminErrorResponses,
  },
});

export const listImportsRoute = adminRouter().openapi(route, async (c) => {
  const { limit, status, cursor } = c.req.valid("query");
  const services = c.get("services");
  const scope = { secret: services.config.CURSOR_SECRET, order: ORDER, filters: { status } };
  const after = cursor ? (await decodeCursor(cursor, { ...scope, keySchema: KeySchema })).key : undefined;
  const jobs = await listJobs(services.databases.primary, { limit: limit + 1, status, after });
  const page = jobs.slice(0, limit);
  const last = page.at(-1);
  let next: string | null = null;
  if (jobs.length > limit && last) {
    const url = new URL(c.req.url);
    url.searchParams.set("cursor", await encodeCursor({ direction: "next", key: [last.createdAt, last.id] }, scope));
    next = url.toString();
  }
  return c.json({ results: page.map((job) => presentJob(job)), next }, 200);
});
