import { Pool } from "@neondatabase/serverless";
import { sql as drizzleSql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { beforeAll, describe, expect, it } from "vitest";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";

const TYPED_ROW_SQL = `select 'é''x'::text as t, 42::int4 as i, 9007199254740993::int8 as b, 1.50::numeric as n,
  true as bool, array['a','b,c']::text[] as arr, '{"k":[1,null]}'::jsonb as j,
  '2026-01-02T03:04:05Z'::timestamptz as ts, '2026-01-02T03:04:05Z'::timestamptz::text as ts_text, null::text as nothing`;

/**
 * The first drizzle neon-http database an isolate builds makes both drivers return
 * timestamptz as text, isolate-wide. The Worker builds one on every request, so that is
 * what it sees; building one here first makes the drivers behave the same whatever ran before.
 */
beforeAll(() => void drizzle({ client: sqlOn(primaryUrl()) }));

function expectTypedRow(row: Record<string, unknown>) {
  expect(row.t).toBe("é'x");
  expect(row.i).toBe(42);
  // int8 and numeric stay strings so no precision is lost
  expect(row.b).toBe("9007199254740993");
  expect(row.n).toBe("1.50");
  expect(row.bool).toBe(true);
  expect(row.arr).toEqual(["a", "b,c"]);
  expect(row.j).toEqual({ k: [1, null] });
  // Postgres' own text form, in the server's time zone
  expect(row.ts).toBe(row.ts_text);
  expect(row.ts).toMatch(/^2026-01-0[12] \d\d:\d\d:05[+-]\d\d(:\d\d)?$/);
  expect(new Date(row.ts as string).toISOString()).toBe("2026-01-02T03:04:05.000Z");
  expect(row.nothing).toBeNull();
}

describe("Neon HTTP driver through the local endpoint", () => {
  it("returns correct JS types", async () => {
    const [row] = await sqlOn(primaryUrl()).query(TYPED_ROW_SQL);
    expectTypedRow(row as Record<string, unknown>);
  });

  it("surfaces the Postgres error code of a failing statement", async () => {
    await expect(sqlOn(primaryUrl()).query("select * from no_such_table")).rejects.toMatchObject({ code: "42P01" });
  });

  it("runs a drizzle batch atomically: one failing statement rolls back the others", async () => {
    const db = drizzle({ client: sqlOn(primaryUrl()) });
    await db.execute(drizzleSql`create table if not exists batch_probe (id int primary key)`);
    await db.execute(drizzleSql`truncate batch_probe`);
    await expect(
      db.batch([db.execute(drizzleSql`insert into batch_probe values (1)`), db.execute(drizzleSql`insert into batch_probe values (1)`)]),
    ).rejects.toMatchObject({ code: "23505" });
    const rows = await db.execute(drizzleSql`select count(*)::int as n from batch_probe`);
    expect(rows.rows[0]).toEqual({ n: 0 });
    await db.execute(drizzleSql`drop table batch_probe`);
  });
});

describe("Neon WebSocket driver (Pool) through the local endpoint", () => {
  it("returns correct JS types and error codes, and rolls back a failed transaction", async () => {
    sqlOn(primaryUrl()); // configures neonConfig for the local endpoint
    const pool = new Pool({ connectionString: primaryUrl() });
    pool.on("error", () => undefined);
    try {
      const { rows } = await pool.query(TYPED_ROW_SQL);
      expectTypedRow(rows[0]);
      await expect(pool.query("select * from no_such_table")).rejects.toMatchObject({ code: "42P01" });

      const client = await pool.connect();
      await client.query("create temp table tx_probe (id int primary key)");
      await client.query("begin");
      await client.query("insert into tx_probe values (1)");
      await expect(client.query("insert into tx_probe values (1)")).rejects.toMatchObject({ code: "23505" });
      await client.query("rollback");
      const count = await client.query("select count(*)::int as n from tx_probe");
      expect(count.rows[0]).toEqual({ n: 0 });
      client.release();
    } finally {
      await pool.end();
    }
  });
});
