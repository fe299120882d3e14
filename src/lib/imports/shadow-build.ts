import { sql } from "drizzle-orm";
import type { Databases, TransactionDb } from "../db/client.ts";
import { upsertFromTable } from "./merge-sql.ts";
import type { ShadowStage } from "./commit-step-names.ts";
import { buildsInOneProcess, onShadow, readCatalog, recreateOnShadow, rows, SHADOW, SHADOW_TABLES, SWAPPED_TABLES, tablesOf } from "./shadow-catalog.ts";
import {
  buildIndexes, buildSearchTables, buildStatsViews, computeSearchTerms, ddl, LANES_DONE, MAINTENANCE_WORK_MEM, sideBySide, syncFormerNames, TERMS_LANES,
} from "./shadow-stages.ts";

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

async function timed(timings: Record<string, number>, step: ShadowStage, run: () => Promise<unknown>): Promise<void> {
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
    await run(`create table ${LANES_DONE} (lane text primary key)`);
    await tx.execute(sql`insert into lieux_shadow.build_owner values (${lease.owner}, now(), ${lease.rows})`);
    for (const table of SHADOW_TABLES) await run(`create table ${SHADOW}.${table} (like public.${table} including all excluding indexes)`);
    await run(`insert into ${SHADOW}.villes (${catalog.columns}) overriding system value select ${catalog.columns} from public.villes`);
    // The ON CONFLICT of the upsert needs the natural key's unique index; every other index waits.
    for (const def of catalog.uniqueIndexes.filter((def) => / ON public\.villes /.test(def))) await run(onShadow(def));
    // New rows continue the live sequence, so ids stay unique across the swap.
    await run(`select setval(pg_get_serial_sequence('${SHADOW}.villes', 'id'), nextval(pg_get_serial_sequence('public.villes', 'id')))`);
  });
  await timed(timings, "shadow_merge", () => run(upsertFromTable(`${SHADOW}.villes`, source)));
  // Rows the merge wrote carry this transaction's now(): the rest keep their terms, copied here;
  // theirs are computed by the next stage (computeSearchTerms).
  await timed(timings, "search_terms", () =>
    run(`insert into ${SHADOW}.ville_search_terms select t.* from public.ville_search_terms t
         where not exists (select 1 from ${SHADOW}.villes v where v.id = t.ville_id and v.updated_at = now())`),
  );
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
  const stage = async (name: ShadowStage, run: () => Promise<unknown>) => {
    const timings: Record<string, number> = {};
    await timed(timings, name, run);
    await finish.record(timings);
  };
  const inTransaction = (statements: (tx: TransactionDb) => Promise<unknown>) => session.transaction(async (tx) => void (await statements(tx)));
  const tables = SHADOW_TABLES.map((table) => `${SHADOW}.${table}`).join(", ");

  await stage("search_terms_lanes", () =>
    sideBySide(Array.from({ length: TERMS_LANES }, (_, lane) => inTransaction((tx) => computeSearchTerms(tx, lane, lease.mergedAt)))),
  );
  // Hint bits, freeze and visibility map in one pass while the copy has (almost) no index.
  await stage("shadow_freeze", () => ddl(session, `vacuum (freeze) ${tables}`));
  // The indexes Postgres builds with parallel workers, on both cores, one after another.
  await stage("shadow_indexes", () => buildIndexes(session, catalog, (statement) => !buildsInOneProcess(statement)));
  await stage("former_names", () => inTransaction((tx) => syncFormerNames(tx, lease.mergedAt)));
  // Only the pages the former names touched are left to freeze; the statistics are the copy's own.
  await stage("shadow_analyze", () => ddl(session, `vacuum (freeze, analyze) ${tables}`));
  // Two jobs that each run in one process, one per core: the GiST of the earth points beside
  // the search lists and the stats views (over the 5M bench rows, 103 s and 144 s one after
  // the other took 144 s side by side). Neither writes what the other reads.
  await stage("shadow_lanes", () =>
    sideBySide([
      stage("shadow_serial_indexes", async () => {
        await buildIndexes(session, catalog, buildsInOneProcess);
        // ANALYZE keeps the statistics of index expressions, which the earlier one could not see.
        for (const table of tablesOf(recreateOnShadow(catalog).filter(buildsInOneProcess))) await ddl(session, `analyze ${SHADOW}.${table}`);
      }),
      (async () => {
        await stage("shadow_search", () => inTransaction(buildSearchTables));
        await stage("shadow_stats_views", () => buildStatsViews(session, catalog));
      })(),
    ]),
  );
  await stage("shadow_swap", () => inTransaction((tx) => swap(tx, owner, finish)));
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
