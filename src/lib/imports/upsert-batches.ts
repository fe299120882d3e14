import { sql } from "drizzle-orm";
import type { HttpDb } from "../db/client.ts";
import { sqlState } from "../db/errors.ts";
import { positionalSql } from "../db/positional-sql.ts";
import { UPSERT_VILLES_SQL, upsertVillesParams, type VilleWrite } from "../db/upsert-villes.ts";
import { stageRowsStatement } from "./staging.ts";
import type { ChunkAttempt, LinedRow } from "./chunk-attempt.ts";

export const DEFAULT_BATCH_SIZE = 5_000;


/** Deadlock and serialization failures are safe to retry: the batch's transaction rolled back whole. */
const RETRYABLE_SQLSTATES = new Set(["40P01", "40001"]);
const MAX_ATTEMPTS = 4;

async function withRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !RETRYABLE_SQLSTATES.has(sqlState(error) ?? "")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));
    }
  }
}

/**
 * ON CONFLICT cannot touch one row twice in a statement, so a key repeated within a batch
 * keeps its last occurrence; sorting by key makes concurrent chunks lock rows in one order.
 */
function lastOccurrenceByKey(rows: readonly LinedRow[]): VilleWrite[] {
  const byKey = new Map<string, VilleWrite>();
  for (const { row } of rows) byKey.set(`${row.codeInsee}\u0000${row.type}`, row);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

const progress = (chunk: ChunkAttempt, column: "rows_upserted" | "rows_staged", rows: number, lastLine: number) =>
  sql`update import_chunks set ${sql.identifier(column)} = ${sql.identifier(column)} + ${rows}, batches = batches + 1, last_line = ${lastLine}
      where job_id = ${chunk.jobId} and n = ${chunk.n} and attempt = ${chunk.attempt}`;

export type BatchSink = (rows: readonly LinedRow[]) => Promise<void>;

/** Lenient jobs: each batch is upserted into villes, with the chunk's progress, in one transaction. */
export function upsertIntoVilles(db: HttpDb, chunk: ChunkAttempt): BatchSink {
  return (rows) =>
    withRetry(() =>
      db.batch([
        db.execute(positionalSql(UPSERT_VILLES_SQL, upsertVillesParams(lastOccurrenceByKey(rows)))),
        db.execute(progress(chunk, "rows_upserted", rows.length, rows.at(-1)!.line)),
      ]),
    ).then(() => undefined);
}

/** Strict jobs: each batch is parked in import_staging, with the chunk's progress, in one transaction. */
export function stageForCommit(db: HttpDb, chunk: ChunkAttempt): BatchSink {
  return (rows) =>
    withRetry(() => db.batch([db.execute(stageRowsStatement(chunk, rows)), db.execute(progress(chunk, "rows_staged", rows.length, rows.at(-1)!.line))])).then(
      () => undefined,
    );
}

/**
 * Cuts a stream of valid rows into batches and writes them through `sink`, one batch in
 * flight while the next is parsed. A batch is one transaction, so an interrupted chunk
 * leaves whole batches behind, never part of one.
 */
export class BatchWriter {
  batches = 0;
  writeMs = 0;
  private pending: LinedRow[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly sink: BatchSink,
    private readonly batchSize: number = DEFAULT_BATCH_SIZE,
  ) {}

  async add(row: LinedRow): Promise<void> {
    this.pending.push(row);
    if (this.pending.length >= this.batchSize) await this.dispatch();
  }

  /** Sends the last partial batch and waits for every write. */
  async finish(): Promise<void> {
    if (this.pending.length > 0) await this.dispatch();
    await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Waits for the batch already sent, dropping rows not yet sent: used when the chunk is abandoned. */
  async abandon(): Promise<void> {
    this.pending = [];
    await this.inFlight;
  }

  private async dispatch(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
    const started = performance.now();
    // Errors are kept, not left as a rejected promise nobody awaits yet.
    this.inFlight = this.sink(batch).then(
      () => {
        this.batches++;
        this.writeMs += performance.now() - started;
      },
      (error: unknown) => {
        this.failure = error;
      },
    );
  }
}
