// Dev check, not a vitest test: drives the real Neon driver (HTTP and WebSocket) and drizzle
// through scripts/neon-proxy.ts against a local Postgres.
//   tsx test/neon-proxy.node-check.ts
//   DATABASE_URL=postgres://…  SCRAM_DATABASE_URL=postgres://user:pass@127.0.0.1:port/db  (optional)
import assert from "node:assert/strict";
import { neon, neonConfig, Pool } from "@neondatabase/serverless";
import { sql as dsql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { integer, pgTable } from "drizzle-orm/pg-core";
import WebSocket from "ws";
import { startNeonProxy } from "../scripts/neon-proxy.ts";
import { useLocalNeonEndpoint } from "../src/lib/db/neon-local.ts";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const scramUrl = process.env.SCRAM_DATABASE_URL;
const table = "neon_proxy_check_tmp";
const checkTable = pgTable(table, { id: integer("id").notNull() });

let failures = 0;
async function check(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
    console.log(`ok    ${name}`);
  } catch (error) {
    failures++;
    console.log(`FAIL  ${name}\n      ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function rejects(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try { await promise; } catch (error) { return error as Record<string, unknown>; }
  throw new Error("expected a rejection");
}

function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("unexpected-response", (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.on("open", () => { ws.close(); reject(new Error("upgrade unexpectedly accepted")); });
    ws.on("error", () => {});
  });
}

const proxy = await startNeonProxy();
console.log(`proxy on ${proxy.host}`);
useLocalNeonEndpoint(proxy.host);
neonConfig.webSocketConstructor = WebSocket;
const sql = neon(databaseUrl);

await check("HTTP: text, int4, int8, numeric, bool, text[], jsonb, timestamptz, null parse to JS types", async () => {
  const [row] = await sql`select 'a'::text as t, 42::int4 as i, 9007199254740993::int8 as b, 1.50::numeric as n,
    true as bo, array['x','y']::text[] as arr, '{"k":[1,2]}'::jsonb as j,
    '2024-01-02T03:04:05Z'::timestamptz as ts, null::text as nul`;
  assert.deepEqual({ ...row, ts: undefined }, { t: "a", i: 42, b: "9007199254740993", n: "1.50", bo: true,
    arr: ["x", "y"], j: { k: [1, 2] }, ts: undefined, nul: null });
  assert.ok(row?.ts instanceof Date && row.ts.toISOString() === "2024-01-02T03:04:05.000Z");
});

await check("HTTP: params as text (array, null, Date, object) round-trip", async () => {
  const when = new Date("2025-06-07T08:09:10.123Z");
  const [row] = await sql`select ${[1, 2]}::int[] as a, ${null}::text as n, ${when}::timestamptz as d, ${{ a: 1 }}::jsonb as j`;
  assert.deepEqual(row, { a: [1, 2], n: null, d: when, j: { a: 1 } });
});

await check("HTTP: fullResults carries command, rowCount and fields", async () => {
  const result = await sql.query("select 1 as one", [], { fullResults: true, arrayMode: true });
  assert.equal(result.command, "SELECT");
  assert.equal(result.rowCount, 1);
  assert.deepEqual(result.rows, [[1]]);
  assert.deepEqual(result.fields[0], { name: "one", dataTypeID: 23, tableID: 0, columnID: 0,
    dataTypeSize: 4, dataTypeModifier: -1, format: "text" });
});

await check("HTTP: missing table surfaces code 42P01 on NeonDbError", async () => {
  const error = await rejects(sql`select * from no_such_table`);
  assert.equal(error.code, "42P01");
  assert.equal(error.name, "NeonDbError");
  assert.match(String(error.message), /no_such_table/);
  assert.equal(error.severity, "ERROR");
});

await check("HTTP: several statements in one query are refused, as on Neon", async () => {
  assert.equal((await rejects(sql.query("select 1; select 2"))).code, "42601");
});

await sql.query(`create table ${table} (id int not null)`);
try {
  await check("HTTP: transaction whose second statement fails rolls back the first", async () => {
    const error = await rejects(sql.transaction([sql.query(`insert into ${table} values (1)`), sql`select 1/0`]));
    assert.equal(error.code, "22012");
    assert.deepEqual(await sql.query(`select count(*)::int as c from ${table}`), [{ c: 0 }]);
  });

  await check("HTTP: batch isolation / read-only / deferrable headers reach Postgres", async () => {
    const [iso, ro, def] = await sql.transaction(
      [sql`show transaction_isolation`, sql`show transaction_read_only`, sql`show transaction_deferrable`],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true });
    assert.deepEqual([iso, ro, def], [[{ transaction_isolation: "serializable" }],
      [{ transaction_read_only: "on" }], [{ transaction_deferrable: "on" }]]);
  });

  await check("drizzle neon-http: execute and batch (insert + select in one transaction)", async () => {
    const db = drizzle({ client: sql });
    const executed = await db.execute(dsql`select 1 as one`);
    assert.deepEqual(executed.rows, [{ one: 1 }]);
    const [inserted, selected] = await db.batch([
      db.insert(checkTable).values([{ id: 7 }, { id: 8 }]).returning(),
      db.select().from(checkTable).orderBy(checkTable.id),
    ]);
    assert.deepEqual(inserted, [{ id: 7 }, { id: 8 }]);
    assert.deepEqual(selected, [{ id: 7 }, { id: 8 }]);
  });

  await check("WebSocket Pool: query, error code and interactive transaction rollback", async () => {
    const pool = new Pool({ connectionString: databaseUrl });
    try {
      const { rows } = await pool.query("select $1::int + 1 as x, current_user as u", [41]);
      assert.deepEqual(rows, [{ x: 42, u: new URL(databaseUrl).username }]);
      assert.equal((await rejects(pool.query("select * from no_such_table"))).code, "42P01");
      const client = await pool.connect();
      await client.query("begin");
      await client.query(`insert into ${table} values (99)`);
      await client.query("rollback");
      client.release();
      assert.deepEqual((await pool.query(`select count(*)::int as c from ${table} where id = 99`)).rows, [{ c: 0 }]);
    } finally {
      await pool.end();
    }
  });
} finally {
  await sql.query(`drop table if exists ${table}`);
}

if (scramUrl) {
  await check("SCRAM role through WebSocket Pool and HTTP", async () => {
    const pool = new Pool({ connectionString: scramUrl });
    try {
      const user = new URL(scramUrl).username;
      assert.deepEqual((await pool.query("select current_user as u")).rows, [{ u: user }]);
      assert.deepEqual(await neon(scramUrl)`select current_user as u`, [{ u: user }]);
      const wrong = new URL(scramUrl);
      wrong.password = "wrong-password";
      const wrongPool = new Pool({ connectionString: wrong.href });
      assert.equal((await rejects(wrongPool.query("select 1"))).code, "28P01");
      await wrongPool.end();
    } finally {
      await pool.end();
    }
  });
} else {
  console.log("skip  SCRAM (set SCRAM_DATABASE_URL to a password-authenticated role)");
}

await check("guards: non-loopback targets get 403, oversized body 413, other paths 404", async () => {
  assert.equal(await upgradeStatus(`ws://${proxy.host}/v1?address=10.1.2.3:5432`), 403);
  const post = (body: string, connectionString = databaseUrl, path = "/sql") => fetch(`http://${proxy.host}${path}`,
    { method: "POST", body, headers: { "Neon-Connection-String": connectionString } });
  assert.equal((await post('{"query":"select 1"}', "postgres://u@example.com/db")).status, 403);
  assert.equal((await post("x".repeat(17 * 1024 * 1024))).status, 413);
  assert.equal((await post('{"query":"select 1"}', databaseUrl, "/nope")).status, 404);
  assert.equal((await post('{"query":"select 1"}', databaseUrl, "/anything/sql/")).status, 200);
});

await proxy.close();
console.log(failures === 0 ? "all checks passed; proxy closed" : `${failures} check(s) failed`);
process.exitCode = failures === 0 ? 0 : 1;
