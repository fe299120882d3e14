import pg from "pg";

/** Reads straight from Postgres, beside the Worker: what was really written. */
export async function queryPostgres<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  // A server that crashes mid-query also emits "error" on the client: the rejected query
  // below reports it, so the event must not become an uncaught exception.
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Rows in villes, all of them or those with the given codes. */
export async function countVilles(url: string, codes?: string[]): Promise<number> {
  const rows = codes
    ? await queryPostgres<{ n: number }>(url, "select count(*)::int as n from villes where code_insee = any($1)", [codes])
    : await queryPostgres<{ n: number }>(url, "select count(*)::int as n from villes");
  return rows[0]!.n;
}
