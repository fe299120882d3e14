import { neon } from "@neondatabase/serverless";
import { useLocalNeonEndpoint } from "../../src/lib/db/neon-local.ts";
import { testEnv } from "./worker.ts";

/** The real Neon HTTP driver, through the local endpoint, on any of this run's databases. */
export function sqlOn(url: string) {
  if (testEnv.NEON_LOCAL_PROXY) useLocalNeonEndpoint(testEnv.NEON_LOCAL_PROXY);
  return neon(url);
}

export const primaryUrl = () => testEnv.DATABASE_URL!;
export const replicaUrl = () => testEnv.DATABASE_REPLICA_URLS!.split(",")[0]!;

/**
 * Waits until the replica, where the API reads, counts `expected` rows with `countSql`
 * (a query returning `n`). Read straight from the replica: a poll through the API could be
 * answered by a cached "not found" forever.
 */
export async function untilReplicaCounts(countSql: string, params: unknown[], expected: number): Promise<void> {
  const replica = sqlOn(replicaUrl());
  let n = -1;
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    [{ n }] = (await replica.query(countSql, params)) as [{ n: number }];
    if (n === expected) return;
  }
  throw new Error(`the replica still counts ${n}, not ${expected}, after 15 s: ${countSql} ${JSON.stringify(params).slice(0, 200)}`);
}

/** Waits until the replica holds exactly `count` of the villes with these codes (all of them by default). */
export const untilReplicaHolds = (codes: readonly string[], count = codes.length) =>
  untilReplicaCounts("select count(*)::int as n from villes where code_insee = any($1)", [codes], count);
