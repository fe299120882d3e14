import { sql } from "drizzle-orm";
import type { HttpDb } from "../db/client.ts";
import { sqlState } from "../db/errors.ts";
import type { VilleWrite } from "../db/upsert-villes.ts";
import type { ChunkAttempt } from "./chunk-attempt.ts";
import { stageBatchStatement, StagingBatch } from "./staging.ts";

/**
 * Rows per staging statement. Building and sending one is synchronous work in the isolate
 * (column arrays, their text form, the JSON body), which every other request in the isolate
 * waits behind: a whole 60,000-row chunk in one statement held readers up for hundreds of
 * ms. At 5,000 rows, one batch in flight while the next parses, the upload was faster too
 * (1M rows: 53,115 rows/s against 40,000–47,000 in one statement; readers' p99 during the
 * upload 198 ms against 482–819 ms; bench/results/2026-12-04-1000000-*). `batch_size` can
 * still land a chunk in one statement.
 */
export const DEFAULT_BATCH_SIZE = 5_000;
export const MAX_BATCH_SIZE = 200_000;

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

const progress = (chunk: ChunkAttempt, rows: number, lastLine: number) =>
  sql`update import_chunks set rows_staged = rows_staged + ${rows}, batches = batches + 1, last_line = ${lastLine}
      where job_id = ${chunk.jobId} and n = ${chunk.n} and attempt = ${chunk.attempt}`;

/**
 * Writes a chunk's valid rows into the job's staging table, `batchSize` rows per
 * statement, each with the chunk's progress in one transaction: an interrupted chunk leaves
 * whole batches behind, never part of one, and its progress says how far it got. Rows
 * reach villes only at the commit's merge.
 */
export class StagingWriter {
  batches = 0;
  writeMs = 0;
  private pending = new StagingBatch();
  private inFlight: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly db: HttpDb,
    private readonly chunk: ChunkAttempt,
    private readonly batchSize: number = DEFAULT_BATCH_SIZE,
  ) {}

  async add(line: number, row: VilleWrite): Promise<void> {
    this.pending.push(line, row);
    if (this.pending.size >= this.batchSize) await this.dispatch();
  }

  /** Sends the last partial batch and waits for every write. */
  async finish(): Promise<void> {
    if (this.pending.size > 0) await this.dispatch();
    await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Waits for the batch already sent, dropping rows not yet sent: used when the chunk is abandoned. */
  async abandon(): Promise<void> {
    this.pending = new StagingBatch();
    await this.inFlight;
  }

  private async dispatch(): Promise<void> {
    const batch = this.pending;
    this.pending = new StagingBatch();
    // One batch in flight while the next is parsed.
    await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
    const started = performance.now();
    const write = () => this.db.batch([this.db.execute(stageBatchStatement(this.chunk, batch)), this.db.execute(progress(this.chunk, batch.size, batch.lastLine))]);
    // Errors are kept, not left as a rejected promise nobody awaits yet.
    this.inFlight = withRetry(write).then(
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
