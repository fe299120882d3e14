import { neon } from "@neondatabase/serverless";
import { useLocalNeonEndpoint } from "../../src/lib/db/neon-local.ts";
import { percentiles, type Percentiles } from "./measure.ts";

/**
 * The bounded autocomplete SQL again, through the Worker's own driver (Neon's HTTP
 * protocol, to the local endpoint) from Node: between the pg round trip and the full
 * HTTP miss, it shows what the local Neon endpoint adds to every query.
 */
export async function neonHttpTimes(proxyHost: string, databaseUrl: string, queries: ReadonlyArray<{ text: string; values: unknown[] }>): Promise<Percentiles> {
  useLocalNeonEndpoint(proxyHost);
  const sql = neon(databaseUrl);
  for (const query of queries.slice(0, 10)) await sql.query(query.text, query.values);
  const samples: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    await sql.query(query.text, query.values);
    samples.push(performance.now() - started);
  }
  return percentiles(samples);
}
