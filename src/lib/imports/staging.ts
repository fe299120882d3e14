import { sql, type SQL } from "drizzle-orm";
import type { HttpDb } from "../db/client.ts";
import { positionalSql } from "../db/positional-sql.ts";
import type { VilleWrite } from "../db/upsert-villes.ts";
import type { ChunkAttempt } from "./chunk-attempt.ts";

/**
 * Each job parks its rows in a table of its own until the commit merges them: UNLOGGED
 * (no WAL), no index, no trigger, autovacuum off, so a row costs a heap append and nothing
 * else; dropping the table at the merge frees it at once, where a shared table would need
 * a DELETE of millions of rows. The price of UNLOGGED: a Postgres crash empties it, which
 * the merge detects (staged counts against the chunks' own) and answers by re-opening the
 * job for those chunks (lost-staging.ts).
 */
export function stagingTableName(jobId: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(jobId)) throw new RangeError(`not a job id: ${jobId}`);
  return `import_rows_${jobId.replaceAll("-", "").toLowerCase()}`;
}

export const stagingTable = (jobId: string): SQL => sql`${sql.identifier(stagingTableName(jobId))}`;

/** Run under the job row's lock (registerChunk), so two first chunks cannot both create it. */
export const createStagingTable = (jobId: string): SQL => sql`
  create unlogged table if not exists ${stagingTable(jobId)} (
    chunk_n integer not null, attempt uuid not null, line integer not null,
    code_insee text not null, type text not null, parent_code text, nom text not null,
    codes_postaux text not null, code_postal_principal text, departement_code text not null,
    region_code text not null, population integer not null, latitude double precision, longitude double precision
  ) with (autovacuum_enabled = false)`;

export const dropStagingTable = (jobId: string): SQL => sql`drop table if exists ${stagingTable(jobId)}`;

/**
 * Staging tables whose job is gone (deleted) or done: a merge drops its own, but a job
 * deleted while open leaves one behind. Failed jobs keep theirs for the next commit run.
 */
export async function dropOrphanStagingTables(db: HttpDb): Promise<number> {
  const orphans = await db.execute<{ name: string }>(sql`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and c.relname ~ '^import_rows_[0-9a-f]{32}$'
      and not exists (select 1 from imports i where replace(i.id::text, '-', '') = substr(c.relname, 13) and i.status <> 'done')`);
  for (const { name } of orphans.rows) await db.execute(sql`drop table if exists ${sql.identifier(name)}`);
  return orphans.rows.length;
}

/**
 * Rows kept as parallel columns of primitives while a chunk streams in: a 10 MB chunk is
 * about 100,000 rows, and column arrays hold them in a fraction of the memory row objects
 * would, so several chunks in one isolate stay well under its limit.
 */
export class StagingBatch {
  readonly line: number[] = [];
  readonly codeInsee: string[] = [];
  readonly type: string[] = [];
  readonly parentCode: (string | null)[] = [];
  readonly nom: string[] = [];
  readonly codesPostaux: string[] = [];
  readonly codePostalPrincipal: (string | null)[] = [];
  readonly departementCode: string[] = [];
  readonly regionCode: string[] = [];
  readonly population: number[] = [];
  readonly latitude: (number | null)[] = [];
  readonly longitude: (number | null)[] = [];

  get size(): number {
    return this.line.length;
  }

  get lastLine(): number {
    return this.line.at(-1) ?? 0;
  }

  push(line: number, row: VilleWrite): void {
    this.line.push(line);
    this.codeInsee.push(row.codeInsee);
    this.type.push(row.type);
    this.parentCode.push(row.parentCode);
    this.nom.push(row.nom);
    // '|'-joined: unnest cannot take ragged 2-D arrays (the shape UPSERT_VILLES_SQL reads).
    this.codesPostaux.push(row.codesPostaux.join("|"));
    this.codePostalPrincipal.push(row.codePostalPrincipal);
    this.departementCode.push(row.departementCode);
    this.regionCode.push(row.regionCode);
    this.population.push(row.population);
    this.latitude.push(row.latitude);
    this.longitude.push(row.longitude);
  }
}

/** One statement for the whole batch, whatever its size: twelve typed arrays unnested into the heap. */
export function stageBatchStatement(chunk: ChunkAttempt, batch: StagingBatch): SQL {
  const text = `insert into import_rows (chunk_n, attempt, line, code_insee, type, parent_code, nom, codes_postaux, code_postal_principal,
      departement_code, region_code, population, latitude, longitude)
    select $1::int, $2::uuid, b.* from unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
      $10::text[], $11::text[], $12::int[], $13::float8[], $14::float8[]) as b`;
  const [before, after] = text.split("import_rows");
  return sql.join([
    sql.raw(before!),
    stagingTable(chunk.jobId),
    positionalSql(after!, [
      chunk.n,
      chunk.attempt,
      batch.line,
      batch.codeInsee,
      batch.type,
      batch.parentCode,
      batch.nom,
      batch.codesPostaux,
      batch.codePostalPrincipal,
      batch.departementCode,
      batch.regionCode,
      batch.population,
      batch.latitude,
      batch.longitude,
    ]),
  ]);
}
