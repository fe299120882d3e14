import type pg from "pg";
import { UPSERT_VILLES_SQL } from "../../src/lib/db/upsert-villes.ts";

/** Synthetic codes use letters from A upwards (1.68M rows per letter): Y is free at any bench size. */
const SAMPLE_LETTER = "Y";

export interface ImportCostFigures {
  sampleRows: number;
  villesIndexes: number;
  termsPerRow: number;
  /** Microseconds per row, each step including the ones before it. */
  heapUs: number;
  /** The new chunk path: one unnest statement into an UNLOGGED, unindexed staging table (src/lib/imports/staging.ts). */
  stagingUs: number;
  indexesUs: number;
  fullUs: number;
  /** 1e6 / fullUs: what Postgres alone could take with the schema as it is. */
  postgresCeilingRowsPerSecond: number;
}

const ROWS_SQL = `select '${SAMPLE_LETTER}' || substr(code_insee, 2) as code_insee, type, parent_code, nom,
  array_to_string(codes_postaux, '|') as codes, code_postal_principal, departement_code, region_code, population, latitude, longitude
  from villes where code_insee ~ '^[A-X]' limit $1`;

/** The import's statement without its ON CONFLICT clause, aimed at another table. */
const plainInsertInto = (table: string) => UPSERT_VILLES_SQL.slice(0, UPSERT_VILLES_SQL.indexOf("ON CONFLICT")).replace("INSERT INTO villes", `INSERT INTO ${table}`);

async function timedInTransaction(client: pg.Client, setup: string[], statement: string, params: unknown[], after?: string): Promise<{ ms: number; after?: number }> {
  await client.query("begin");
  try {
    for (const line of setup) await client.query(line);
    const started = performance.now();
    await client.query(statement, params);
    const ms = performance.now() - started;
    const counted = after ? Number((await client.query(after)).rows[0].n) : undefined;
    return { ms, after: counted };
  } finally {
    await client.query("rollback");
  }
}

/**
 * Where an imported row's time goes in Postgres, on `sample` rows copied from the imported
 * data under fresh codes, each variant in its own rolled-back transaction: the heap alone
 * (an unindexed copy of villes, generated column included), then villes with its indexes
 * and foreign keys but the search-terms trigger disabled, then the import's statement as
 * imports run it.
 */
export async function benchImportCost(client: pg.Client, sample = 50_000): Promise<ImportCostFigures> {
  const { rows } = await client.query(ROWS_SQL, [sample]);
  const columns = ["code_insee", "type", "parent_code", "nom", "codes", "code_postal_principal", "departement_code", "region_code", "population", "latitude", "longitude"];
  const params = columns.map((column) => rows.map((row) => row[column]));
  const heap = await timedInTransaction(client, ["create table bench_import_heap (like villes including defaults including generated including identity)"], plainInsertInto("bench_import_heap"), params);
  const staging = await timedInTransaction(
    client,
    [`create unlogged table bench_import_staging (chunk_n int not null, attempt uuid not null, line int not null, code_insee text not null, type text not null,
       parent_code text, nom text not null, codes_postaux text not null, code_postal_principal text, departement_code text not null, region_code text not null,
       population int not null, latitude float8, longitude float8) with (autovacuum_enabled = false)`],
    `insert into bench_import_staging select 1, '00000000-0000-4000-8000-000000000001'::uuid, b.* from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::text[], $9::text[], $10::int[], $11::float8[], $12::float8[]) as b`,
    [rows.map((_, index) => index + 2), ...params],
  );
  const indexes = await timedInTransaction(client, ["alter table villes disable trigger villes_search_terms_insert"], UPSERT_VILLES_SQL, params);
  const full = await timedInTransaction(client, [], UPSERT_VILLES_SQL, params,
    `select count(*) as n from ville_search_terms t join villes v on v.id = t.ville_id where v.code_insee like '${SAMPLE_LETTER}%'`);
  const { rows: [indexCount] } = await client.query("select count(*)::int as n from pg_index where indrelid = 'villes'::regclass");
  const perRow = (ms: number) => Math.round((ms * 1000 * 10) / rows.length) / 10;
  return {
    sampleRows: rows.length,
    villesIndexes: indexCount.n,
    termsPerRow: Math.round(((full.after ?? 0) / rows.length) * 10) / 10,
    heapUs: perRow(heap.ms),
    stagingUs: perRow(staging.ms),
    indexesUs: perRow(indexes.ms),
    fullUs: perRow(full.ms),
    postgresCeilingRowsPerSecond: Math.round(1e6 / perRow(full.ms)),
  };
}
