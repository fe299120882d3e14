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
