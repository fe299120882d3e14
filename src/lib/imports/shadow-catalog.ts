import { sql } from "drizzle-orm";
import type { TransactionDb } from "../db/client.ts";

/**
 * What a shadow build needs to know about the live tables, read from the catalog each
 * time, so a later migration's index, constraint, trigger or materialized view is carried
 * over to the copy without a change here. The copies live in schema SHADOW under the live
 * tables' own names.
 */
export const SHADOW = "lieux_shadow";
export const SHADOW_TABLES = ["villes", "ville_search_terms"] as const;
/** Derived from the two above by the search rebuilds; a shadow build computes them over the copy and swaps them in too. */
export const SHADOW_SEARCH_TABLES = ["heavy_prefixes", "typo_dictionary"] as const;
/** Every table the swap replaces. */
export const SWAPPED_TABLES = [...SHADOW_TABLES, ...SHADOW_SEARCH_TABLES] as const;

/** Runs any query, on a transaction or on the pool's plain session. */
type Executor = Pick<TransactionDb, "execute">;

export async function rows<T>(db: Executor, text: string): Promise<T[]> {
  return (await db.execute<T & Record<string, unknown>>(sql.raw(text))).rows as T[];
}

/** A plain view or a publication would keep pointing at the old table (by OID): those databases merge in place. */
export async function canSwapShadow(tx: Executor): Promise<boolean> {
  const [check] = await rows<{ published: boolean; views: boolean }>(
    tx,
    `select exists (select 1 from pg_publication_tables where schemaname = 'public'
                      and tablename in (${SWAPPED_TABLES.map((table) => `'${table}'`).join(", ")})) as published,
            exists (select 1 from pg_depend d join pg_rewrite r on r.oid = d.objid join pg_class c on c.oid = r.ev_class
                    where d.classid = 'pg_rewrite'::regclass and c.relkind = 'v'
                      and d.refobjid in (${SWAPPED_TABLES.map((table) => `'public.${table}'::regclass`).join(", ")})) as views`,
  );
  return !check?.published && !check?.views;
}

export interface Catalog {
  columns: string;
  triggers: string[];
  uniqueIndexes: string[];
  otherIndexes: string[];
  constraints: { table: string; name: string; def: string; foreign: boolean }[];
  views: { name: string; def: string; indexes: string[] }[];
}

/** Everything the copies of `of` need, read from the live tables (`columns` are always villes'). */
export async function readCatalog(db: Executor, of: readonly string[] = SHADOW_TABLES): Promise<Catalog> {
  const tables = `(${of.map((table) => `'public.${table}'::regclass`).join(", ")})`;
  const [{ columns }] = (await rows<{ columns: string }>(
    db,
    `select string_agg(quote_ident(attname), ', ' order by attnum) as columns from pg_attribute
     where attrelid = 'public.villes'::regclass and attnum > 0 and not attisdropped and attgenerated = ''`,
  )) as [{ columns: string }];
  const triggers = await rows<{ def: string }>(db, `select pg_get_triggerdef(oid) as def from pg_trigger where tgrelid in ${tables} and not tgisinternal`);
  const indexes = await rows<{ def: string; uniq: boolean }>(
    db,
    `select pg_get_indexdef(i.indexrelid) as def, i.indisunique as uniq from pg_index i where i.indrelid in ${tables}
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid and c.contype in ('p', 'u', 'x'))`,
  );
  const constraints = await rows<{ table: string; name: string; def: string; foreign: boolean }>(
    db,
    `select c.conrelid::regclass::text as table, c.conname as name, pg_get_constraintdef(c.oid) as def, c.contype = 'f' as foreign
     from pg_constraint c where c.conrelid in ${tables} and c.contype in ('p', 'u', 'x', 'f') order by c.contype = 'f'`,
  );
  const views = await rows<{ oid: number; name: string; def: string }>(
    db,
    `select distinct c.oid::int as oid, c.relname as name, pg_get_viewdef(c.oid) as def from pg_depend d
     join pg_rewrite r on r.oid = d.objid join pg_class c on c.oid = r.ev_class
     where d.classid = 'pg_rewrite'::regclass and d.refobjid in ${tables} and c.relkind = 'm' and c.oid <> d.refobjid`,
  );
  const viewIndexes = await rows<{ oid: number; def: string }>(
    db,
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
export const onShadow = (indexDef: string) => indexDef.replace(/ ON public\.(\w+) /, ` ON ${SHADOW}.$1 `);

/** The name of the index a definition creates. */
const indexName = (indexDef: string) => /^CREATE (?:UNIQUE )?INDEX (\S+) ON /.exec(indexDef)?.[1] ?? indexDef;

/** The shadow table a live table's constraint belongs on. */
const shadowTableOf = (table: string) => table.replace(/^(public\.)?/, `${SHADOW}.`);

/** The statements that give the copies the catalog's constraints (keys first, then foreign keys) and indexes, under their live names, but those in `present`. */
export function recreateOnShadow(catalog: Catalog, present: ReadonlySet<string> = new Set()): string[] {
  return [
    ...catalog.constraints.filter((constraint) => !present.has(constraint.name)).map((constraint) => `alter table ${shadowTableOf(constraint.table)} add constraint ${constraint.name} ${constraint.def}`),
    ...[...catalog.uniqueIndexes, ...catalog.otherIndexes].filter((def) => !present.has(indexName(def))).map(onShadow),
  ];
}

/**
 * Postgres builds B-tree, GIN and BRIN indexes with parallel workers; any other method
 * (the GiST of the earth points) in the one process that asked, on one core.
 */
export const buildsInOneProcess = (statement: string) => / USING (?!btree|gin|brin)\w+ /i.test(statement);

/** The shadow tables that `statements` (from recreateOnShadow) build on, each once. */
export const tablesOf = (statements: readonly string[]) => [...new Set(statements.map((statement) => new RegExp(` ${SHADOW}\\.(\\w+) `).exec(statement)?.[1]).filter((table) => table !== undefined))];
