import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";

const dialect = new PgDialect();

/**
 * The bench runs the Worker's own query builders over a direct pg connection, so the
 * DB-time figures are for exactly the SQL the routes send.
 */
export function sqlOf(query: SQL | { toSQL(): { sql: string; params: unknown[] } }): { text: string; values: unknown[] } {
  const rendered = "toSQL" in query ? query.toSQL() : dialect.sqlToQuery(query);
  return { text: rendered.sql, values: rendered.params as unknown[] };
}
