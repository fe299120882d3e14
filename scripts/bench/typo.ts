import type pg from "pg";
import { normalizeName } from "../../src/lib/normalize.ts";
import { FUZZY_MIN_SIMILARITY, fuzzySearchSql } from "../../src/lib/search/postgres-sql.ts";
import { FUZZY_TIMEOUT_MS } from "../../src/lib/search/postgres.ts";
import { DEFAULT_TYPE_SCOPE } from "../../src/lib/search/types.ts";
import { log, percentiles, speedup, type Percentiles } from "./measure.ts";
import { sqlOf } from "./sql-of.ts";

export interface Typo {
  query: string;
  /** The normalized real name the typo was made from. */
  intended: string;
}

/** One deletion or swap in a real name of 6+ letters: "marseile", "sant etienne". */
export function typoQueries(names: readonly string[], count: number): Typo[] {
  const long = names.map(normalizeName).filter((name) => name.length >= 6);
  return Array.from({ length: count }, (_, index) => {
    const name = long[(index * 7919) % long.length]!;
    const at = 1 + (index % (name.length - 2));
    const query = index % 2 ? name.slice(0, at) + name.slice(at + 1) : name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2);
    return { query, intended: name };
  });
}

/** The seed's approach: a trigram search over every row of villes (with its own GIN index, built here). */
const fullTableSql = (query: string) => ({
  text: `select id, nom from villes where nom_normalise % $1 and type = any($2)
         order by similarity(nom_normalise, $1) desc, population desc limit 10`,
  values: [query, DEFAULT_TYPE_SCOPE],
});

interface Outcome {
  samples: number[];
  timedOut: number;
  empty: number;
  /** The name the typo was made from is among the results. */
  found: number;
  slowest: Array<{ query: string; ms: number }>;
}

async function runTypos(client: pg.Client, typos: readonly Typo[], options: { deadlineMs: number | null; sql: (query: string) => { text: string; values: unknown[] } }): Promise<Outcome> {
  const outcome: Outcome = { samples: [], timedOut: 0, empty: 0, found: 0, slowest: [] };
  for (const typo of typos) {
    const started = performance.now();
    await client.query("begin");
    if (options.deadlineMs) await client.query(`set local statement_timeout = ${options.deadlineMs}`);
    await client.query(`set local pg_trgm.similarity_threshold = ${FUZZY_MIN_SIMILARITY}`);
    try {
      const result = await client.query(options.sql(typo.query));
      if (result.rowCount === 0) outcome.empty++;
      if (result.rows.some((row: { nom: string }) => normalizeName(row.nom) === typo.intended)) outcome.found++;
    } catch {
      outcome.timedOut++;
    }
    await client.query("rollback");
    outcome.samples.push(performance.now() - started);
  }
  // The tail's queries, so a p99 can be explained and re-run by hand.
  outcome.slowest = typos
    .map((typo, index) => ({ query: typo.query, ms: Math.round(outcome.samples[index]! * 10) / 10 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5);
  return outcome;
}

export interface TypoFigures {
  /** lieux: the engine's fallback over the typo dictionary, with its deadline. */
  fuzzy: Percentiles;
  timedOut: number;
  empty: number;
  found: number;
  queries: number;
  slowest: Array<{ query: string; ms: number }>;
  /** Baseline: trigram over all of villes, no deadline, on the first `baseline.queries` typos. */
  baseline: { fuzzy: Percentiles; found: number; queries: number; indexBuildMs: number };
  speedup: number;
}

/** The typo fallback exactly as the engine runs it (its deadline and threshold), against the full-table trigram search. */
export async function benchTypos(client: pg.Client, typos: readonly Typo[], baselineQueries: number): Promise<TypoFigures> {
  const lieux = await runTypos(client, typos, { deadlineMs: FUZZY_TIMEOUT_MS, sql: (query) => sqlOf(fuzzySearchSql(query, 10, {}, DEFAULT_TYPE_SCOPE)) });
  log("typo: building the baseline's full-table trigram index");
  const indexStarted = performance.now();
  await client.query("create index if not exists bench_villes_trgm_idx on villes using gin (nom_normalise gin_trgm_ops)");
  await client.query("analyze villes");
  const indexBuildMs = Math.round(performance.now() - indexStarted);
  try {
    const subset = typos.slice(0, baselineQueries);
    const baseline = await runTypos(client, subset, { deadlineMs: null, sql: fullTableSql });
    const figures = { fuzzy: percentiles(lieux.samples), baseline: percentiles(baseline.samples) };
    return {
      fuzzy: figures.fuzzy,
      timedOut: lieux.timedOut,
      empty: lieux.empty,
      found: lieux.found,
      queries: typos.length,
      slowest: lieux.slowest,
      baseline: { fuzzy: figures.baseline, found: baseline.found, queries: subset.length, indexBuildMs },
      speedup: speedup(figures.baseline, figures.fuzzy, "p99"),
    };
  } finally {
    await client.query("drop index if exists bench_villes_trgm_idx");
  }
}
