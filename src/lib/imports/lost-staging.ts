import { sql } from "drizzle-orm";
import type { TransactionDb } from "../db/client.ts";
import { ApiError } from "../errors.ts";
import { recomputeJobCounters } from "./jobs.ts";
import { stagingTable, stagingTableName } from "./staging.ts";

/** The merge found fewer staged rows than the chunks recorded: the job is open again for those chunks. */
export class LostStagingError extends ApiError {
  constructor(jobId: string, chunks: number[]) {
    super(
      "conflict",
      `The staged rows of chunk(s) ${chunks.join(", ")} were lost (a database restart empties staging tables): re-send them (npm run import -- <file> --resume ${jobId}), then commit again.`,
      { details: { chunks } },
    );
  }
}

/**
 * Done chunks whose current attempt has fewer rows in staging than the chunk recorded.
 * Staging tables are UNLOGGED, so a Postgres crash empties them while import_chunks (logged)
 * still says "done"; merging anyway would silently drop those rows.
 */
export async function findLostChunks(tx: TransactionDb, jobId: string): Promise<number[]> {
  const table = `public.${stagingTableName(jobId)}`;
  const exists = await tx.execute<{ found: boolean }>(sql`select to_regclass(${table}) is not null as found`);
  const staged = exists.rows[0]?.found
    ? sql`(select chunk_n, attempt, count(*)::int as rows from ${stagingTable(jobId)} group by chunk_n, attempt)`
    : sql`(select null::int as chunk_n, null::uuid as attempt, 0 as rows where false)`;
  const lost = await tx.execute<{ n: number }>(sql`
    select c.n from import_chunks c left join ${staged} s on s.chunk_n = c.n and s.attempt = c.attempt
    where c.job_id = ${jobId} and c.status = 'done' and c.rows_staged <> coalesce(s.rows, 0) order by c.n`);
  return lost.rows.map((row) => Number(row.n));
}

/** Marks the chunks failed and the job open again, so `--resume` re-sends exactly those chunks. */
export async function reopenForLostChunks(tx: TransactionDb, jobId: string, chunks: number[]): Promise<void> {
  const failure = "staged rows lost in a database restart: re-send this chunk";
  await tx.execute(sql`update import_chunks set status = 'failed', rows_staged = 0, failure = ${failure} where job_id = ${jobId} and n = any(${sql.param(chunks)}::int[])`);
  await tx.execute(recomputeJobCounters(jobId));
  await tx.execute(sql`update imports set status = 'open', failure = ${`chunk(s) ${chunks.join(", ")}: ${failure}`}, updated_at = now() where id = ${jobId}`);
}
