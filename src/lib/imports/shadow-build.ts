import { sql } from "drizzle-orm";
import type { Databases, TransactionDb } from "../db/client.ts";
import { upsertFromTable } from "./merge-sql.ts";
import { HEAVY_PREFIX_THRESHOLD, HEAVY_PREFIX_TOP_K } from "../search/heavy-prefixes.ts";
import { TYPO_DICTIONARY_SIZE } from "../search/typo-dictionary.ts";
import { buildsInOneProcess, type Catalog, onShadow, readCatalog, recreateOnShadow, rows, SHADOW, SHADOW_SEARCH_TABLES, SHADOW_TABLES, SWAPPED_TABLES, tablesOf } from "./shadow-catalog.ts";

/**
 * Large imports are built on a shadow copy of villes and ville_search_terms (schema
 * lieux_shadow, the tables' own names), then swapped in. The copy gets no index while it
 * fills: each index is built once, sorted, after the rows have landed, on a heap already
 * VACUUM FREEZEd, so neither the builds nor the readers after the swap set hint bits (with
 * data checksums each first write of a page after a checkpoint is a full-page image in the
 * WAL: measured at 5M rows, the reads right after a swap of unvacuumed tables took up to 25 s).
 *
 * The build is a series of committed stages rather than one transaction, because VACUUM
 * cannot run inside one. Its owner (the import job) is recorded in the shadow schema itself
 * and is the writer lease on villes: while it exists no other job merges (merge.ts), so the
 * live tables do not change under the copy. A stage that is cut off is run again, and the
 * swap is one short transaction: readers see the old tables or the new ones, never half.
 */
const LEASE = `${SHADOW}.build_owner`;

type Executor = Pick<TransactionDb, "execute">;
/** DDL and maintenance text: this file's constants, the caller's literal table name and definitions Postgres itself returns. */
const ddl = (db: Executor, text: string) => db.execute(sql.raw(text));
const MAINTENANCE_WORK_MEM = "set local maintenance_work_mem = '512MB'";

export interface ShadowLease {
  owner: string;
  /** The first stage's transaction time: every row the merge wrote carries it as updated_at. */
  mergedAt: string;
  rows: number;
}

/** Who holds the shadow build (and with it the write lease on villes), if anyone. */
export async function readShadowLease(db: Executor): Promise<ShadowLease | undefined> {
  const [exists] = await rows<{ exists: boolean }>(db, `select to_regclass('${LEASE}') is not null as exists`);
  if (!exists?.exists) return undefined;
  const [lease] = await rows<{ owner: string; merged_at: string; rows: number }>(db, `select owner, to_json(merged_at) #>> '{}' as merged_at, rows from ${LEASE}`);
  return lease && { owner: lease.owner, mergedAt: lease.merged_at, rows: Number(lease.rows) };
}

/** Drops a shadow build and its lease; the live tables are untouched. */
export const dropShadowBuild = (db: Executor) => ddl(db, `drop schema if exists ${SHADOW} cascade`);

/** A job that failed for good gives its build up: the disk goes back and no merge waits for it. */
export async function releaseShadowBuild(databases: Databases, owner: string): Promise<void> {
  await databases.transactional().transaction(async (tx) => {
    if ((await readShadowLease(tx))?.owner === owner) await dropShadowBuild(tx);
  });
}

async function timed(timings: Record<string, number>, step: string, run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await run();
  timings[`${step}_ms`] = Math.round(performance.now() - started);
}

/**
 * The first stage, in the caller's transaction (which holds the merge lock): copies villes,
 * applies `source` (one row per key) to the copy with the import's upsert, and writes the
 * search terms set-based (the copied rows' terms copied, the merged rows' computed), then
 * records `owner` as the build's lease. Any earlier shadow build is dropped first: the caller
 * has checked that it is abandoned.
 */
export async function startShadowBuild(tx: TransactionDb, source: string, lease: { owner: string; rows: number }, timings: Record<string, number>): Promise<void> {
  const catalog = await readCatalog(tx);
  const run = (text: string) => ddl(tx, text);
  await run(MAINTENANCE_WORK_MEM);
  await timed(timings, "shadow_copy", async () => {
    await dropShadowBuild(tx);
    await run(`create schema ${SHADOW}`);
    await run(`create table ${LEASE} (owner text not null, merged_at timestamptz not null, rows int not null)`);
    await tx.execute(sql`insert into lieux_shadow.build_owner values (${lease.owner}, now(), ${lease.rows})`);
    for (const table of SHADOW_TABLES) await run(`create table ${SHADOW}.${table} (like public.${table} including all excluding indexes)`);
    await run(`insert into ${SHADOW}.villes (${catalog.columns}) overriding system value select ${catalog.columns} from public.villes`);
    // The ON CONFLICT of the upsert needs the natural key's unique index; every other index waits.
    for (const def of catalog.uniqueIndexes.filter((def) => / ON public\.villes /.test(def))) await run(onShadow(def));
    // New rows continue the live sequence, so ids stay unique across the swap.
    await run(`select setval(pg_get_serial_sequence('${SHADOW}.villes', 'id'), nextval(pg_get_serial_sequence('public.villes', 'id')))`);
  });
  await timed(timings, "shadow_merge", () => run(upsertFromTable(`${SHADOW}.villes`, source)));
  await timed(timings, "search_terms", async () => {
    // Rows the merge wrote carry this transaction's now(): their terms are computed, the rest copied.
    await run(`insert into ${SHADOW}.ville_search_terms select t.* from public.ville_search_terms t
               where not exists (select 1 from ${SHADOW}.villes v where v.id = t.ville_id and v.updated_at = now())`);
    await run(`insert into ${SHADOW}.ville_search_terms (term, ville_id, word_position, population, type, departement_code, region_code)
               select st.term, v.id, st.word_position, v.population, v.type, v.departement_code, v.region_code
               from ${SHADOW}.villes v, lieux_search_terms(v.nom, v.nom_normalise, v.codes_postaux, v.code_insee) st
               where v.updated_at = now()`);
  });
}

export interface ShadowFinish {
  /** Receives each stage's duration as `<stage>_ms` once it has committed. */
  record(timings: Record<string, number>): Promise<void>;
  /** Runs inside the swap's transaction, after the swap: the caller records the merge with it. */
  onSwap(tx: TransactionDb, lease: ShadowLease): Promise<void>;
}

/** Thrown when the build this owner started is gone (dropped as abandoned): the merge starts over. */
export class ShadowBuildLostError extends Error {
  constructor(owner: string) {
    super(`the shadow build of ${owner} is gone; the merge starts over`);
  }
}

/** The stages after the first, each committed (or idempotent) on its own, then the swap. */
export async function finishShadowBuild(databases: Databases, owner: string, finish: ShadowFinish): Promise<void> {
  const session = databases.transactional();
  const lease = await readShadowLease(session);
  if (lease?.owner !== owner) throw new ShadowBuildLostError(owner);
  const catalog = await readCatalog(session);
  const stage = async (name: string, run: () => Promise<unknown>) => {
    const timings: Record<string, number> = {};
    await timed(timings, name, run);
    await finish.record(timings);
  };
  const inTransaction = (statements: (tx: TransactionDb) => Promise<unknown>) => session.transaction(async (tx) => void (await statements(tx)));
  const tables = SHADOW_TABLES.map((table) => `${SHADOW}.${table}`).join(", ");

  // Hint bits, freeze and visibility map in one pass while the copy has (almost) no index.
  await stage("shadow_freeze", () => ddl(session, `vacuum (freeze) ${tables}`));
  // The indexes Postgres builds with parallel workers, on both cores, one after another.
  await stage("shadow_indexes", () => buildIndexes(session, catalog, (statement) => !buildsInOneProcess(statement)));
  await stage("former_names", () => inTransaction((tx) => syncFormerNames(tx, lease.mergedAt)));
  // Only the pages the former names touched are left to freeze; the statistics are the copy's own.
  await stage("shadow_analyze", () => ddl(session, `vacuum (freeze, analyze) ${tables}`));
  // Two jobs that each run in one process, one per core: the GiST of the earth points beside
  // the search lists and the stats views (at 1M rows, 24 s and 23 s one after the other took
  // 24 s side by side). Neither writes what the other reads. Both are awaited before
  // anything fails, so a retried stage never races a build still running.
  await stage("shadow_lanes", async () => {
    const lanes = await Promise.allSettled([
      stage("shadow_serial_indexes", async () => {
        await buildIndexes(session, catalog, buildsInOneProcess);
        // ANALYZE keeps the statistics of index expressions, which the earlier one could not see.
        for (const table of tablesOf(recreateOnShadow(catalog).filter(buildsInOneProcess))) await ddl(session, `analyze ${SHADOW}.${table}`);
      }),
      (async () => {
        await stage("shadow_search", () => inTransaction(buildSearchTables));
        await stage("shadow_stats_views", () => buildStatsViews(session, catalog));
      })(),
    ]);
    const failed = lanes.find((lane) => lane.status === "rejected");
    if (failed) throw failed.reason;
  });
  await stage("shadow_swap", () => inTransaction((tx) => swap(tx, owner, finish)));
}

/** Builds the catalog's constraints and indexes that `which` selects and the copy lacks, one transaction each: a build that is cut off loses only itself. */
async function buildIndexes(session: TransactionDb, catalog: Catalog, which: (statement: string) => boolean): Promise<void> {
  const present = new Set((await rows<{ name: string }>(session, `select conname as name from pg_constraint where connamespace = '${SHADOW}'::regnamespace
    union all select relname from pg_class where relnamespace = '${SHADOW}'::regnamespace and relkind = 'i'`)).map((row) => row.name));
  for (const statement of recreateOnShadow(catalog, present).filter(which)) {
    await session.transaction(async (tx) => {
      await ddl(tx, MAINTENANCE_WORK_MEM);
      await ddl(tx, statement);
    });
  }
}

/** The stats views over the copy, those not built yet; the view's text names `villes` unqualified: with the shadow schema first, it means the copy. */
async function buildStatsViews(session: TransactionDb, catalog: Catalog): Promise<void> {
  const present = new Set((await rows<{ name: string }>(session, `select relname as name from pg_class where relnamespace = '${SHADOW}'::regnamespace and relkind = 'm'`)).map((row) => row.name));
  for (const view of catalog.views.filter((view) => !present.has(view.name))) {
    await session.transaction((tx) =>
      withShadowFirst(tx, async () => {
        await ddl(tx, `create materialized view ${SHADOW}.${view.name} as ${view.def.replace(/;\s*$/, "")}`);
        for (const def of view.indexes) await ddl(tx, onShadow(def));
      }),
    );
  }
}

/**
 * The heavy prefixes and the typo dictionary of the new data, rebuilt over the copy by their
 * own functions, swap in with it: no reader ever sees new villes ranked by the old lists.
 * Indexes keep their live names, which the functions use (gin_clean_pending_list).
 */
async function buildSearchTables(tx: TransactionDb): Promise<void> {
  const search = await readCatalog(tx, SHADOW_SEARCH_TABLES);
  for (const table of SHADOW_SEARCH_TABLES) {
    await ddl(tx, `drop table if exists ${SHADOW}.${table}`);
    await ddl(tx, `create table ${SHADOW}.${table} (like public.${table} including all excluding indexes)`);
  }
  for (const statement of recreateOnShadow(search)) await ddl(tx, statement);
  await withShadowFirst(tx, async () => {
    await tx.execute(sql`select lieux_rebuild_heavy_prefixes(${HEAVY_PREFIX_THRESHOLD}, ${HEAVY_PREFIX_TOP_K})`);
    await tx.execute(sql`select lieux_rebuild_typo_dictionary(${TYPO_DICTIONARY_SIZE})`);
  });
}

/** Unqualified names in `work` (a view's text, a SQL function's body) resolve to the copies, for this transaction only. */
async function withShadowFirst(tx: TransactionDb, work: () => Promise<unknown>): Promise<void> {
  await ddl(tx, `select set_config('search_path', '${SHADOW}, ' || current_setting('search_path'), true)`);
  await work();
  await ddl(tx, `select set_config('search_path', substr(current_setting('search_path'), length('${SHADOW}, ') + 1), true)`);
}

/**
 * The computed terms are each row's own; a commune nouvelle is also found by its former
 * communes' names, rewritten wherever a parent or a child changed (before or after the
 * merge), by the trigger's own function run on the copy. Idempotent.
 */
async function syncFormerNames(tx: TransactionDb, mergedAt: string): Promise<void> {
  const merged = sql`${mergedAt}::timestamptz`;
  await withShadowFirst(tx, () =>
    tx.execute(sql`select lieux_sync_former_name_terms(array(
      select d.parent_code from lieux_shadow.villes d
      where d.parent_code is not null and d.type in ('commune-deleguee', 'commune-associee')
        and (d.updated_at = ${merged} or exists (select 1 from lieux_shadow.villes p where p.code_insee = d.parent_code and p.updated_at = ${merged}))
      union
      select o.parent_code from public.villes o join lieux_shadow.villes d on d.id = o.id
      where d.updated_at = ${merged} and o.parent_code is not null and o.type in ('commune-deleguee', 'commune-associee')))`),
  );
}

/** Readers wait only for these catalog changes, milliseconds at any size. */
async function swap(tx: TransactionDb, owner: string, finish: ShadowFinish): Promise<void> {
  const live = SWAPPED_TABLES.map((table) => `public.${table}`).join(", ");
  await ddl(tx, `lock table ${live} in access exclusive mode`);
  // Under the lock: the lease is still this owner's and nothing else swapped meanwhile.
  const lease = await readShadowLease(tx);
  if (lease?.owner !== owner) throw new ShadowBuildLostError(owner);
  const catalog = await readCatalog(tx);
  const run = (text: string) => ddl(tx, text);
  for (const view of catalog.views) await run(`drop materialized view public.${view.name}`);
  await run(`drop table ${live}`);
  for (const table of SWAPPED_TABLES) await run(`alter table ${SHADOW}.${table} set schema public`);
  for (const view of catalog.views) await run(`alter materialized view ${SHADOW}.${view.name} set schema public`);
  for (const def of catalog.triggers) await run(def);
  await finish.onSwap(tx, lease);
  await dropShadowBuild(tx);
}
