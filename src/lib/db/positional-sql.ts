import { sql, type SQL } from "drizzle-orm";

/**
 * Wraps SQL text written with `$1…$n` placeholders (like UPSERT_VILLES_SQL, shared with the
 * seed's node-postgres client) as a Drizzle SQL object, so it can run through
 * `db.execute` and join other statements in a `db.batch` transaction. Each value stays one
 * parameter: arrays are not expanded into lists as they would be inside a `sql` template.
 */
export function positionalSql(text: string, params: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  return sql.join(
    parts.map((part, index) => {
      if (index % 2 === 0) return sql.raw(part);
      const position = Number(part);
      if (position < 1 || position > params.length) throw new RangeError(`placeholder $${position} has no value`);
      return sql.param(params[position - 1]);
    }),
  );
}
