import { bigint, doublePrecision, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Tables of drizzle/0005_import_chunks_and_staging.sql, which is custom SQL. This file is
 * deliberately outside drizzle-kit's schema path (drizzle.config.ts reads schema.ts only),
 * so `drizzle-kit generate` neither recreates nor drops them. The columns 0005 adds to
 * `imports` (started_at, rows_staged, failure) are read through SQL in lib/imports/jobs.ts.
 */

export const IMPORT_CHUNK_STATUSES = ["receiving", "done", "failed"] as const;
export type ImportChunkStatus = (typeof IMPORT_CHUNK_STATUSES)[number];

export interface ImportRowError {
  chunk: number;
  line: number;
  reason: string;
}

export const importChunks = pgTable(
  "import_chunks",
  {
    jobId: uuid("job_id").notNull(),
    n: integer("n").notNull(),
    attempt: uuid("attempt").notNull(),
    status: text("status", { enum: IMPORT_CHUNK_STATUSES }).notNull().default("receiving"),
    rowsReceived: integer("rows_received").notNull().default(0),
    rowsUpserted: integer("rows_upserted").notNull().default(0),
    rowsStaged: integer("rows_staged").notNull().default(0),
    rowsRejected: integer("rows_rejected").notNull().default(0),
    batches: integer("batches").notNull().default(0),
    lastLine: integer("last_line").notNull().default(0),
    bytes: bigint("bytes", { mode: "number" }),
    sha256: text("sha256"),
    errors: jsonb("errors").$type<ImportRowError[]>().notNull().default([]),
    timings: jsonb("timings").$type<Record<string, number>>().notNull().default({}),
    failure: text("failure"),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "string" }),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.n] })],
);
