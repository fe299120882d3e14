import { and, eq, ne, sql, type SQL } from "drizzle-orm";
import type { HttpDb, TransactionDb } from "../db/client.ts";
import { importStaging } from "../db/import-tables.ts";
import { positionalSql } from "../db/positional-sql.ts";
import { UPSERT_VILLES_SQL, upsertVillesParams } from "../db/upsert-villes.ts";
import type { ChunkAttempt, LinedRow } from "./chunk-attempt.ts";

/** Same parallel-array shape as UPSERT_VILLES_SQL, plus the chunk, attempt and line of each row. */
const STAGE_ROWS_SQL = `
INSERT INTO import_staging (job_id, chunk_n, attempt, line, code_insee, type, parent_code, nom, codes_postaux,
                            code_postal_principal, departement_code, region_code, population, latitude, longitude)
SELECT $1::uuid, $2::int, $3::uuid, batch.*
FROM unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
            $11::text[], $12::text[], $13::int[], $14::float8[], $15::float8[]) AS batch`;

export function stageRowsStatement(chunk: ChunkAttempt, rows: readonly LinedRow[]): SQL {
  return positionalSql(STAGE_ROWS_SQL, [
    chunk.jobId,
    chunk.n,
    chunk.attempt,
    rows.map((row) => row.line),
    ...upsertVillesParams(rows.map((row) => row.row)),
  ]);
}

/** Rows left by earlier uploads of this chunk: a re-sent chunk replaces them. */
export function clearSupersededStaging(db: HttpDb, chunk: ChunkAttempt) {
  const s = importStaging;
  return db.delete(s).where(and(eq(s.jobId, chunk.jobId), eq(s.chunkN, chunk.n), ne(s.attempt, chunk.attempt)));
}

/**
 * Applies every staged row of the job to villes with the shared upsert, in batches, inside
 * the caller's transaction, then empties the job's staging. Returns the rows applied.
 */
export async function mergeStaging(tx: TransactionDb, jobId: string, batchSize: number): Promise<number> {
  const merged = await tx.execute<{ merged: string }>(sql`select lieux_merge_import_staging(${jobId}, ${UPSERT_VILLES_SQL}, ${batchSize}) as merged`);
  await tx.delete(importStaging).where(eq(importStaging.jobId, jobId));
  return Number(merged.rows[0]?.merged ?? 0);
}
