import type pg from "pg";
import { measure, speedup, type Percentiles } from "./measure.ts";

/**
 * DESIGN.md §5's open question: does a copy of villes partitioned by région beat the
 * unpartitioned table with composite indexes, on région-filtered queries? Both sides get
 * the same two indexes (one per partition on the partitioned side); the copy is dropped
 * afterwards.
 */
const SETUP = [
  "drop table if exists bench_villes_part",
  `create table bench_villes_part (like villes including defaults) partition by list (region_code)`,
  `do $$ declare r record; begin
     for r in select code from regions loop
       execute format('create table bench_villes_part_%s partition of bench_villes_part for values in (%L)', r.code, r.code);
     end loop; end $$`,
  `insert into bench_villes_part select * from villes`,
  "create index on bench_villes_part (nom, id)",
  "create index on bench_villes_part (nom_normalise text_pattern_ops, population desc)",
  "create index if not exists bench_villes_region_prefix_idx on villes (region_code, nom_normalise text_pattern_ops, population desc)",
  "analyze bench_villes_part",
  "analyze villes",
];
const TEARDOWN = ["drop table if exists bench_villes_part", "drop index if exists bench_villes_region_prefix_idx"];

const listing = (table: string) => `select id, nom from ${table} where region_code = $1 order by nom, id limit 50`;
const autocomplete = (table: string) =>
  `select id, nom, population from ${table} where region_code = $1 and nom_normalise >= $2 and nom_normalise < $3 order by population desc limit 10`;

export interface PartitioningFigures {
  listing: { unpartitioned: Percentiles; partitioned: Percentiles; partitionedSpeedup: number };
  autocomplete: { unpartitioned: Percentiles; partitioned: Percentiles; partitionedSpeedup: number };
  setupMs: number;
  verdict: string;
}

export async function benchPartitioning(client: pg.Client, iterations: number): Promise<PartitioningFigures> {
  const started = performance.now();
  for (const statement of SETUP) await client.query(statement);
  const setupMs = Math.round(performance.now() - started);
  try {
    const regions = ["11", "84", "76", "44", "32"];
    const prefixes = ["sa", "saint", "la", "mont", "b"];
    const run = (sql: string, values: (i: number) => unknown[]) => measure((i) => client.query(sql, values(i)), { iterations });
    const region = (i: number) => regions[i % regions.length]!;
    const prefixValues = (i: number) => [region(i), prefixes[i % prefixes.length]!, `${prefixes[i % prefixes.length]!}{`];
    const figures = {
      listing: { unpartitioned: await run(listing("villes"), (i) => [region(i)]), partitioned: await run(listing("bench_villes_part"), (i) => [region(i)]) },
      autocomplete: { unpartitioned: await run(autocomplete("villes"), prefixValues), partitioned: await run(autocomplete("bench_villes_part"), prefixValues) },
    };
    const listingSpeedup = speedup(figures.listing.unpartitioned, figures.listing.partitioned);
    const autocompleteSpeedup = speedup(figures.autocomplete.unpartitioned, figures.autocomplete.partitioned);
    const wins = [listingSpeedup > 1.2 && `listing (${listingSpeedup}×)`, autocompleteSpeedup > 1.2 && `prefix search ranked by population (${autocompleteSpeedup}×)`].filter(Boolean);
    return {
      listing: { ...figures.listing, partitionedSpeedup: listingSpeedup },
      autocomplete: { ...figures.autocomplete, partitionedSpeedup: autocompleteSpeedup },
      setupMs,
      verdict:
        wins.length === 2
          ? "partitioning by région wins on both région-filtered queries: worth adopting"
          : wins.length === 1
            ? `mixed: partitioning wins on ${wins[0]} only; not adopted, because lieux answers région-filtered autocomplete from the search terms' (region_code, term) index, bounded at T rows, and partitioning would multiply every other index`
            : "not adopted: the composite indexes match or beat partitioning on région-filtered queries",
    };
  } finally {
    for (const statement of TEARDOWN) await client.query(statement);
  }
}
