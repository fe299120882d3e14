import { sql } from "drizzle-orm";
import type { TransactionDb } from "../db/client.ts";
import { HEAVY_PREFIX_THRESHOLD, HEAVY_PREFIX_TOP_K } from "../search/heavy-prefixes.ts";
import { TYPO_DICTIONARY_SIZE } from "../search/typo-dictionary.ts";
import { type Catalog, onShadow, readCatalog, recreateOnShadow, rows, SHADOW, SHADOW_SEARCH_TABLES } from "./shadow-catalog.ts";

/**
 * The work of the shadow build's stages after the first (shadow-build.ts runs them in
 * order). Each is idempotent: a stage cut off is run again and does only what is missing.
 */

type Executor = Pick<TransactionDb, "execute">;
/** DDL and maintenance text: these files' constants, the caller's literal table name and definitions Postgres itself returns. */
export const ddl = (db: Executor, text: string) => db.execute(sql.raw(text));
export const MAINTENANCE_WORK_MEM = "set local maintenance_work_mem = '512MB'";

/**
 * Lanes of the search-terms stage, each in its own transaction over its share of the merged
 * rows (`id % TERMS_LANES`). No parallel plan takes the terms function (its inlined lateral
 * subquery), so one statement runs on one core: over the 5M bench rows, 44.5-47.2 s in one
 * transaction, 29.0-31.7 s in two, on the bench's two cores (1M: 9.5-11.9 s, 5.7-6.1 s).
 */
export const TERMS_LANES = 2;
/** The lanes that committed, written in each lane's own transaction: a resumed stage runs only the others. */
export const LANES_DONE = `${SHADOW}.lanes_done`;

export async function computeSearchTerms(tx: TransactionDb, lane: number, mergedAt: string): Promise<void> {
  const name = `search_terms_${lane}`;
  // A build started before the lanes existed computed every term in its first stage.
  const [state] = await rows<{ lanes: boolean }>(tx, `select to_regclass('${LANES_DONE}') is not null as lanes`);
  if (!state?.lanes) return;
  if ((await tx.execute(sql`select 1 from lieux_shadow.lanes_done where lane = ${name}`)).rows.length > 0) return;
  await tx.execute(sql`insert into lieux_shadow.ville_search_terms (term, ville_id, word_position, population, type, departement_code, region_code)
    select st.term, v.id, st.word_position, v.population, v.type, v.departement_code, v.region_code
    from lieux_shadow.villes v, lieux_search_terms(v.nom, v.nom_normalise, v.codes_postaux, v.code_insee) st
    where v.updated_at = ${mergedAt}::timestamptz and v.id % ${TERMS_LANES} = ${lane}`);
  await tx.execute(sql`insert into lieux_shadow.lanes_done values (${name})`);
}

/** Runs `lanes` side by side and waits for all before failing, so a retried stage never races one still running. */
export async function sideBySide(lanes: readonly Promise<unknown>[]): Promise<void> {
  const settled = await Promise.allSettled(lanes);
  const failed = settled.find((lane) => lane.status === "rejected");
  if (failed) throw failed.reason;
}

/** Builds the catalog's constraints and indexes that `which` selects and the copy lacks, one transaction each: a build that is cut off loses only itself. */
export async function buildIndexes(session: TransactionDb, catalog: Catalog, which: (statement: string) => boolean): Promise<void> {
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
export async function buildStatsViews(session: TransactionDb, catalog: Catalog): Promise<void> {
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
export async function buildSearchTables(tx: TransactionDb): Promise<void> {
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
export async function withShadowFirst(tx: TransactionDb, work: () => Promise<unknown>): Promise<void> {
  await ddl(tx, `select set_config('search_path', '${SHADOW}, ' || current_setting('search_path'), true)`);
  await work();
  await ddl(tx, `select set_config('search_path', substr(current_setting('search_path'), length('${SHADOW}, ') + 1), true)`);
}

/**
 * The computed terms are each row's own; a commune nouvelle is also found by its former
 * communes' names, rewritten wherever a parent or a child changed (before or after the
 * merge), by the trigger's own function run on the copy. Idempotent.
 */
export async function syncFormerNames(tx: TransactionDb, mergedAt: string): Promise<void> {
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
