import { neon } from "@neondatabase/serverless";
import { useLocalNeonEndpoint } from "../../src/lib/db/neon-local.ts";
import { measure, type Percentiles } from "./measure.ts";

/**
 * The bounded autocomplete SQL again, through the Worker's own driver (Neon's HTTP
 * protocol, to the local endpoint) from Node: between the pg round trip and the full
 * HTTP miss, it shows what the local Neon endpoint adds to every query.
 */
export function neonHttpTimes(proxyHost: string, databaseUrl: string, queries: ReadonlyArray<{ text: string; values: unknown[] }>): Promise<Percentiles> {
  useLocalNeonEndpoint(proxyHost);
  const sql = neon(databaseUrl);
  return measure((index) => sql.query(queries[index]!.text, queries[index]!.values), { iterations: queries.length, warmup: 10 });
}
