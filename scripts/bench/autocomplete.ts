import type pg from "pg";
import { normalizeName } from "../../src/lib/normalize.ts";
import { defaultScopeSearchSql } from "../../src/lib/search/postgres-sql.ts";
import { normalizeQuery } from "../../src/lib/search/query.ts";
import { DEFAULT_TYPE_SCOPE } from "../../src/lib/search/types.ts";
import { measure, percentiles, speedup, type Percentiles } from "./measure.ts";
import { sqlOf } from "./sql-of.ts";

const FIXED_PREFIXES = ["s", "sa", "saint", "saint-", "la", "le", "ville"];

/** A deterministic sample of prefixes of real names, of every length from 1 to 12. */
export function samplePrefixes(names: readonly string[], count: number, seed = 7): string[] {
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const prefixes: string[] = [];
  while (prefixes.length < count) {
    const normalized = normalizeName(names[Math.floor(random() * names.length)]!);
    const length = 1 + Math.floor(random() * Math.min(12, normalized.length));
    const prefix = normalized.slice(0, length).trim();
    if (prefix) prefixes.push(prefix);
  }
  return prefixes;
}

/** The seed's approach: every match sorted by population (uses the prefix B-tree, then sorts them all). */
const naiveSql = (prefix: string) => ({
  text: `select id, nom, population from villes where nom_normalise like $1 and type = any($2) order by population desc limit 10`,
  values: [`${prefix}%`, DEFAULT_TYPE_SCOPE],
});

export interface AutocompleteFigures {
  fixed: Array<{ q: string; naive: Percentiles; bounded: Percentiles; speedup: number }>;
  sampled: { naive: Percentiles; bounded: Percentiles; boundedInPostgres?: Percentiles; boundedViaNeonHttp?: Percentiles };
  byPrefixLength: Array<{ length: number; naiveP50: number; boundedP50: number; naiveMax: number; boundedMax: number }>;
  /** The bounded pass's slowest prefixes, timed again: is the tail the query's work, or the machine? */
  slowest: Array<{ q: string; heavy: boolean; firstMs: number; againMinMs: number; executionMs: number }>;
}

/** The engine's default-scope SQL for one prefix, as the route sends it. */
export const boundedSql = (prefix: string) => sqlOf(defaultScopeSearchSql(prefix, 10, DEFAULT_TYPE_SCOPE));

/** One query's wall-clock time over the pg connection. */
async function timeQuery(client: pg.Client, query: { text: string; values: unknown[] }): Promise<number> {
  const started = performance.now();
  await client.query(query);
  return performance.now() - started;
}

/** Postgres's own time for a query, without the round trip. */
async function postgresTime(client: pg.Client, query: { text: string; values: unknown[] }): Promise<{ planningMs: number; executionMs: number }> {
  const result = await client.query({ text: `explain (analyze, timing off, format json) ${query.text}`, values: query.values });
  const explained = result.rows[0]["QUERY PLAN"][0];
  return { planningMs: explained["Planning Time"], executionMs: explained["Execution Time"] };
}

/**
 * Re-times each of the slowest prefixes five times and reads Postgres's own execution
 * time: a prefix that is fast on every retry was slow because of the machine (the dev
 * stack shares two cores), one that stays slow is the query's work.
 */
async function explainTail(client: pg.Client, sampled: readonly string[], bounded: readonly number[], count = 10): Promise<AutocompleteFigures["slowest"]> {
  const slowest = sampled.map((q, index) => ({ q, firstMs: bounded[index]! })).sort((a, b) => b.firstMs - a.firstMs).slice(0, count);
  const tail = [];
  for (const { q, firstMs } of slowest) {
    const query = boundedSql(q);
    const again = [];
    for (let i = 0; i < 5; i++) again.push(await timeQuery(client, query));
    const { executionMs } = await postgresTime(client, query);
    const heavy = (await client.query("select 1 from heavy_prefixes where prefix = $1", [q])).rowCount === 1;
    const round = (value: number) => Math.round(value * 100) / 100;
    tail.push({ q, heavy, firstMs: round(firstMs), againMinMs: round(Math.min(...again)), executionMs: round(executionMs) });
  }
  return tail;
}

export async function benchAutocomplete(client: pg.Client, sampled: readonly string[], iterations: number): Promise<AutocompleteFigures> {
  const fixed = [];
  for (const q of FIXED_PREFIXES) {
    const normalized = normalizeQuery(q);
    const bounded = await measure(() => client.query(boundedSql(normalized)), { iterations });
    const naive = await measure(() => client.query(naiveSql(normalized)), { iterations: Math.max(3, Math.floor(iterations / 5)) });
    fixed.push({ q, naive, bounded, speedup: speedup(naive, bounded) });
  }
  // Two passes, not interleaved: a naive query reads a large part of villes, and the
  // bounded query timed right after it would pay for the pages it evicted.
  const samples = { naive: [] as number[], bounded: [] as number[] };
  for (const prefix of sampled) samples.bounded.push(await timeQuery(client, boundedSql(prefix)));
  for (const prefix of sampled) samples.naive.push(await timeQuery(client, naiveSql(prefix)));
  const byLength = new Map<number, { naive: number[]; bounded: number[] }>();
  sampled.forEach((prefix, index) => {
    const bucket = byLength.get(prefix.length) ?? { naive: [], bounded: [] };
    bucket.naive.push(samples.naive[index]!);
    bucket.bounded.push(samples.bounded[index]!);
    byLength.set(prefix.length, bucket);
  });
  const byPrefixLength = [...byLength.entries()]
    .sort(([a], [b]) => a - b)
    .map(([length, bucket]) => {
      const naive = percentiles(bucket.naive);
      const bounded = percentiles(bucket.bounded);
      return { length, naiveP50: naive.p50, boundedP50: bounded.p50, naiveMax: naive.max, boundedMax: bounded.max };
    });
  const slowest = await explainTail(client, sampled, samples.bounded);
  const inPostgres = [];
  for (const prefix of sampled) {
    const { planningMs, executionMs } = await postgresTime(client, boundedSql(prefix));
    inPostgres.push(planningMs + executionMs);
  }
  return { fixed, sampled: { naive: percentiles(samples.naive), bounded: percentiles(samples.bounded), boundedInPostgres: percentiles(inPostgres) }, byPrefixLength, slowest };
}
