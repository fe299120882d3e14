import { UPSERT_VILLES_SQL } from "../db/upsert-villes.ts";

/**
 * The import's upsert (one definition of what "apply a row" means: which columns change,
 * when updated_at moves, how coordinates keep their precision) rewritten to read a table
 * instead of parameter arrays and to write `target`, which may be the shadow copy. The
 * alias keeps the statement's own `villes.` references pointing at the target.
 */
const ARRAY_SOURCE = /FROM unnest\([^)]*\)\s+AS batch\(([^)]*)\)/;
const TARGET = "INSERT INTO villes (";

const sourceMatch = ARRAY_SOURCE.exec(UPSERT_VILLES_SQL);
if (!sourceMatch || !UPSERT_VILLES_SQL.includes(TARGET)) throw new Error("UPSERT_VILLES_SQL no longer reads `FROM unnest(…) AS batch(…)` into villes: update merge-sql.ts");

/** The columns the upsert reads from its source, in order. */
export const UPSERT_SOURCE_COLUMNS = sourceMatch[1]!.split(",").map((column) => column.trim());

/** Staging keeps postal codes '|'-joined under their own name; the upsert calls them `codes`. */
const STAGING_COLUMN: Record<string, string> = { codes: "codes_postaux" };
export const stagingColumnFor = (column: string) => STAGING_COLUMN[column] ?? column;

export function upsertFromTable(target: string, source: string): string {
  return UPSERT_VILLES_SQL.replace(ARRAY_SOURCE, `FROM ${source} AS batch`).replace(TARGET, `INSERT INTO ${target} AS villes (`);
}
