import { Pool } from "@neondatabase/serverless";
import { eq, sql as drizzleSql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/env.ts";
import { createDatabases } from "../src/lib/db/client.ts";
import { regions } from "../src/lib/db/schema.ts";
import { replicaUrl, sqlOn } from "./helpers/sql.ts";
import { testEnv } from "./helpers/worker.ts";

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not replicated within ${timeoutMs} ms`);
}

describe("read/write routing", () => {
  it("writes on the primary and serves selects from the replica, which lags until replication catches up", async () => {
    const parsed = readConfig(testEnv);
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const { read, primary } = createDatabases(parsed.config);
    const code = `T${Date.now() % 100_000}`;

    // SHARE mode blocks the replica's apply worker (it needs ROW EXCLUSIVE) but not
    // readers, so the lag is certain rather than a race.
    sqlOn(replicaUrl());
    const replicaPool = new Pool({ connectionString: replicaUrl() });
    replicaPool.on("error", () => undefined);
    const lockHolder = await replicaPool.connect();
    await lockHolder.query("begin");
    await lockHolder.query("lock table regions in share mode");
    try {
      await primary.insert(regions).values({ code, nom: "Région de test", zone: "metro" });
      const onPrimary = await primary.select().from(regions).where(eq(regions.code, code));
      expect(onPrimary).toHaveLength(1);
      const onReplicaWhileLagging = await read((db) => db.select().from(regions).where(eq(regions.code, code)));
      expect(onReplicaWhileLagging).toHaveLength(0);
    } finally {
      await lockHolder.query("commit");
      lockHolder.release();
      await replicaPool.end();
    }

    const replicated = await waitFor(async () => {
      const rows = await read((db) => db.select().from(regions).where(eq(regions.code, code)));
      return rows.length ? rows : undefined;
    }, 10_000);
    expect(replicated[0]?.nom).toBe("Région de test");

    await primary.delete(regions).where(eq(regions.code, code));
    await waitFor(async () => ((await read((db) => db.select().from(regions).where(eq(regions.code, code)))).length ? undefined : true), 10_000);
    const { rows } = await primary.execute(drizzleSql`select count(*)::int as n from regions where code = ${code}`);
    expect(rows[0]).toEqual({ n: 0 });
  });
});
