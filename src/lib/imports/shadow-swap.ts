import { sql } from "drizzle-orm";
import type { TransactionDb } from "../db/client.ts";
import { upsertFromTable } from "./merge-sql.ts";

/**
 * Large imports are built on a shadow copy of villes and ville_search_terms in schema
 * lieux_shadow, under the tables' own names: the copy gets no index while it fills (each
 * index is then built once, sorted, instead of maintained row by row), its search terms are
 * written set-based (terms of unchanged rows copied, the others computed) instead of by the
 * trigger, and the stats views are computed over it. The swap moves the copies into public
 * in one short transaction step, so readers see the old tables or the new ones, never half.
 * Everything runs in the caller's transaction: a crash at any point leaves the old data and
 * nothing of the copy.
 */
const SHADOW = "lieux_shadow";
const TABLES = ["villes", "ville_search_terms"] as const;

async function rows<T>(tx: TransactionDb, text: string): Promise<T[]> {
  return (await tx.execute<T & Record<string, unknown>>(sql.raw(text))).rows as T[];
}

async function timed(timings: Record<string, number>, step: string, run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await run();
  timings[`${step}_ms`] = Math.round(performance.now() - started);
}

/** A plain view or a publication would keep pointing at the old table (by OID): those databases merge in place. */
export async function canSwapShadow(tx: TransactionDb): Promise<boolean> {
  const [check] = await rows<{ published: boolean; views: boolean }>(
    tx,
    `select exists (select 1 from pg_publication_tables where schemaname = 'public' and tablename in ('villes', 'ville_search_terms')) as published,
            exists (select 1 from pg_depend d join pg_rewrite r on r.oid = d.objid join pg_class c on c.oid = r.ev_class
                    where d.classid = 'pg_rewrite'::regclass and d.refobjid in ('public.villes'::regclass, 'public.ville_search_terms'::regclass)
                      and c.relkind = 'v') as views`,
  );
  return !check?.published && !check?.views;
}

interface Catalog {
  columns: string;
  triggers: string[];
  uniqueIndexes: string[];
  otherIndexes: string[];
  constraints: { table: string; name: string; def: string; foreign: boolean }[];
  views: { name: string; def: string; indexes: string[] }[];
}

/** Everything the copies need, read from the live tables, so a later migration's index or trigger is carried over too. */
async function readCatalog(tx: TransactionDb): Promise<Catalog> {
  const tables = `('public.villes'::regclass, 'public.ville_search_terms'::regclass)`;
  const [{ columns }] = (await rows<{ columns: string }>(
    tx,
    `select string_agg(quote_ident(attname), ', ' order by attnum) as columns from pg_attribute
     where attrelid = 'public.villes'::regclass and attnum > 0 and not attisdropped and attgenerated = ''`,
  )) as [{ columns: string }];
  const triggers = await rows<{ def: string }>(tx, `select pg_get_triggerdef(oid) as def from pg_trigger where tgrelid in ${tables} and not tgisinternal`);
  const indexes = await rows<{ def: string; uniq: boolean }>(
    tx,
    `select pg_get_indexdef(i.indexrelid) as def, i.indisunique as uniq from pg_index i where i.indrelid in ${tables}
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid and c.contype in ('p', 'u', 'x'))`,
  );
  const constraints = await rows<{ table: string; name: string; def: string; foreign: boolean }>(
    tx,
    `select c.conrelid::regclass::text as table, c.conname as name, pg_get_constraintdef(c.oid) as def, c.contype = 'f' as foreign
     from pg_constraint c where c.conrelid in ${tables} and c.contype in ('p', 'u', 'x', 'f') order by c.contype = 'f'`,
  );
  const views = await rows<{ oid: number; name: string; def: string }>(
    tx,
    `select distinct c.oid::int as oid, c.relname as name, pg_get_viewdef(c.oid) as def from pg_depend d
     join pg_rewrite r on r.oid = d.objid join pg_class c on c.oid = r.ev_class
     where d.classid = 'pg_rewrite'::regclass and d.refobjid in ${tables} and c.relkind = 'm' and c.oid <> d.refobjid`,
  );
  const viewIndexes = await rows<{ oid: number; def: string }>(
    tx,
    `select indrelid::int as oid, pg_get_indexdef(indexrelid) as def from pg_index where indrelid = any('{${views.map((view) => view.oid).join(",")}}'::oid[])`,
  );
  return {
    columns,
    triggers: triggers.map((trigger) => trigger.def),
    uniqueIndexes: indexes.filter((index) => index.uniq).map((index) => index.def),
    otherIndexes: indexes.filter((index) => !index.uniq).map((index) => index.def),
    constraints,
    views: views.map((view) => ({ ...view, indexes: viewIndexes.filter((index) => index.oid === view.oid).map((index) => index.def) })),
  };
}

/** `CREATE INDEX name ON public.t USING …` → the same index on the shadow copy (index names live in their table's schema). */
const onShadow = (indexDef: string) => indexDef.replace(/ ON public\.(\w+) /, ` ON ${SHADOW}.$1 `);

/**
 * Builds the shadow from villes plus `source` (the job's rows, one per key), then swaps it
 * in. `timings` receives each phase's duration.
 */
export async function buildShadowAndSwap(tx: TransactionDb, source: string, timings: Record<string, number>): Promise<void> {
  const catalog = await readCatalog(tx);
  const run = (text: string) => tx.execute(sql.raw(text));
  // Unqualified names in `work` (a view's text, a SQL function's body) resolve to the copies, for this transaction only.
  const withShadowFirst = async (work: () => Promise<unknown>) => {
    await run(`select set_config('search_path', '${SHADOW}, ' || current_setting('search_path'), true)`);
    await work();
    await run(`select set_config('search_path', substr(current_setting('search_path'), length('${SHADOW}, ') + 1), true)`);
  };
  await run("set local maintenance_work_mem = '512MB'");
  await timed(timings, "shadow_copy", async () => {
    await run(`drop schema if exists ${SHADOW} cascade`);
    await run(`create schema ${SHADOW}`);
    for (const table of TABLES) await run(`create table ${SHADOW}.${table} (like public.${table} including all excluding indexes)`);
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
  await timed(timings, "shadow_indexes", async () => {
    for (const constraint of catalog.constraints) {
      const table = constraint.table.replace(/^(public\.)?/, `${SHADOW}.`);
      await run(`alter table ${table} add constraint ${constraint.name} ${constraint.def}`);
    }
    for (const def of [...catalog.uniqueIndexes.filter((def) => !/ ON public\.villes /.test(def)), ...catalog.otherIndexes]) await run(onShadow(def));
  });
  await timed(timings, "former_names", async () => {
    // The computed terms above are each row's own; a commune nouvelle is also found by its former
    // communes' names, rewritten wherever a parent or a child changed (before or after the merge),
    // by the trigger's own function run on the copy (its unqualified names follow the search path).
    await withShadowFirst(() => run(`select lieux_sync_former_name_terms(array(
                 select d.parent_code from ${SHADOW}.villes d
                 where d.parent_code is not null and d.type in ('commune-deleguee', 'commune-associee')
                   and (d.updated_at = now() or exists (select 1 from ${SHADOW}.villes p where p.code_insee = d.parent_code and p.updated_at = now()))
                 union
                 select o.parent_code from public.villes o join ${SHADOW}.villes d on d.id = o.id
                 where d.updated_at = now() and o.parent_code is not null and o.type in ('commune-deleguee', 'commune-associee')))`));
    await run(`analyze ${SHADOW}.villes, ${SHADOW}.ville_search_terms`);
  });
  await timed(timings, "shadow_stats_views", async () => {
    // The views' text names `villes` unqualified: with the shadow schema first, it means the copy.
    await withShadowFirst(async () => {
      for (const view of catalog.views) {
        await run(`create materialized view ${SHADOW}.${view.name} as ${view.def.replace(/;\s*$/, "")}`);
        for (const def of view.indexes) await run(onShadow(def));
      }
    });
  });
  await timed(timings, "shadow_swap", async () => {
    // Readers wait only for these catalog changes, milliseconds at any size.
    await run("lock table public.villes, public.ville_search_terms in access exclusive mode");
    for (const view of catalog.views) await run(`drop materialized view public.${view.name}`);
    await run("drop table public.ville_search_terms, public.villes");
    for (const table of TABLES) await run(`alter table ${SHADOW}.${table} set schema public`);
    for (const view of catalog.views) await run(`alter materialized view ${SHADOW}.${view.name} set schema public`);
    for (const def of catalog.triggers) await run(def);
    await run(`drop schema ${SHADOW}`);
  });
}
