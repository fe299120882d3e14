import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FUZZY_TIMEOUT_MS } from "../../src/lib/search/postgres.ts";
import type { Percentiles } from "./measure.ts";
import { peerLines } from "./peer.ts";
import type { TypoFigures } from "./typo.ts";
import { lineChartSvg } from "./svg.ts";

/** Everything one run measured; sections are absent when --only skipped them. */
export interface BenchResults {
  meta: Record<string, unknown>;
  import?: import("./import-run.ts").ImportFigures;
  importCost?: import("./import-cost.ts").ImportCostFigures;
  pagination?: import("./pagination.ts").PaginationFigures;
  stats?: import("./stats.ts").StatsFigures;
  autocomplete?: import("./autocomplete.ts").AutocompleteFigures & { httpSampled?: Percentiles };
  typo?: TypoFigures;
  http?: Array<
    import("./http.ts").LayerFigures & {
      l2?: { l2Hit: import("./http.ts").LoadFigures; l2Lookup?: Percentiles; fraction: number; serverTiming: string | null };
      l1Only?: { l2Hit: import("./http.ts").LoadFigures; l2Lookup?: Percentiles; fraction: number; serverTiming: string | null };
      l1WithoutRedis?: { l1Hit: import("./http.ts").LoadFigures; fraction: number; middlewareOnly?: import("./http.ts").LoadFigures; middlewareFraction?: number };
      missTime?: import("./miss-time.ts").MissTimeFigures;
    }
  >;
  peer?: import("./peer.ts").PeerFigures;
  partitioning?: import("./partitioning.ts").PartitioningFigures;
  meilisearch?: import("./meilisearch.ts").MeilisearchFigures;
  relevance?: import("./relevance.ts").RelevanceFigures;
  /** With MEILISEARCH_HOST: the same measures on both engines, and where they disagree. */
  relevanceEngines?: import("./relevance-engines.ts").EngineRelevance;
  geo?: import("./geo.ts").GeoFigures;
  /** One Redis GET through the Upstash bridge from Node: the yardstick for an L2 lookup. */
  redisRoundTrip?: Percentiles;
  memory?: { stackPeakRssMb: number; importCliPeakRssMb?: number };
}

const ms = (value: number | undefined) => (value === undefined ? "—" : value < 1 ? `${value.toFixed(3)} ms` : `${value.toFixed(1)} ms`);

function table(results: BenchResults): string[] {
  const lines = ["| measure | seed claim | baseline measured here | lieux measured here | ratio |", "|---|---|---|---|---|"];
  const p = results.pagination?.page10k;
  if (p) lines.push(`| page 10,000 (\`/v1/villes\`, 50 per page) | 5–10 s OFFSET → 10–50 ms cursor | OFFSET p50 ${ms(p.offset.p50)} | keyset p50 ${ms(p.keyset.p50)}, p99 ${ms(p.keyset.p99)} | ${p.speedup}× |`);
  const s = results.stats;
  if (s) lines.push(`| stats | 2–5 s COUNT → 1–5 ms MV | live aggregates p50 ${ms(s.live.p50)} | view p50 ${ms(s.view.p50)} | ${s.speedup}× |`);
  const saint = results.autocomplete?.fixed.find((entry) => entry.q === "saint");
  const sampled = results.autocomplete?.sampled;
  if (saint && sampled) {
    lines.push(`| autocomplete "saint", by population | 50–500 ms → 5–20 ms | \`LIKE 'saint%' ORDER BY population\` p50 ${ms(saint.naive.p50)} | bounded p50 ${ms(saint.bounded.p50)}, p99 ${ms(saint.bounded.p99)} | ${saint.speedup}× |`);
    lines.push(`| autocomplete, ${sampled.bounded.n} sampled prefixes | — | naive p99 ${ms(sampled.naive.p99)}, max ${ms(sampled.naive.max)} | bounded p99 ${ms(sampled.bounded.p99)}, max ${ms(sampled.bounded.max)}${sampled.boundedInPostgres ? `; inside Postgres (plan + execute) p99 ${ms(sampled.boundedInPostgres.p99)}, max ${ms(sampled.boundedInPostgres.max)}` : ""} | ${Math.round((sampled.naive.p99 / Math.max(sampled.bounded.p99, 0.001)) * 10) / 10}× at p99 |`);
  }
  const t = results.typo;
  if (t) {
    lines.push(
      `| fuzzy typo fallback, ${t.queries} one-letter typos of real names | — (trigram 300 ms) | trigram over all villes p50 ${ms(t.baseline.fuzzy.p50)}, p99 ${ms(t.baseline.fuzzy.p99)}; intended name found ${t.baseline.found}/${t.baseline.queries} | typo dictionary p50 ${ms(t.fuzzy.p50)}, p99 ${ms(t.fuzzy.p99)}, max ${ms(t.fuzzy.max)}; ${t.timedOut} hit the ${FUZZY_TIMEOUT_MS} ms deadline; intended name found ${t.found}/${t.queries} | ${t.speedup}× at p99 |`,
    );
  }
  const m = results.meilisearch;
  if (m) {
    lines.push(`| Meilisearch ${m.version}: indexing ${m.indexing.documents.toLocaleString("en")} villes (reindex from Postgres) | — | — | ${m.indexing.documentsPerSecond.toLocaleString("en")} docs/s (${m.indexing.seconds} s); documents ${m.indexing.indexSizeMb} MB, database ${m.indexing.databaseSizeMb} MB on disk; ${m.indexing.requests?.requests ?? "?"} requests (${m.indexing.requests?.documentBatches ?? "?"} document batches, ${m.indexing.requests?.taskPolls ?? "?"} task polls) | — |`);
    lines.push(`| autocomplete, ${m.prefixes.postgres.n} sampled prefixes: Postgres bounded vs Meilisearch (same prefixes, from Node over loopback) | — | Postgres p50 ${ms(m.prefixes.postgres.p50)}, p99 ${ms(m.prefixes.postgres.p99)}, max ${ms(m.prefixes.postgres.max)} | Meilisearch p50 ${ms(m.prefixes.meilisearch.p50)}, p99 ${ms(m.prefixes.meilisearch.p99)}, max ${ms(m.prefixes.meilisearch.max)} (its own processingTimeMs p99 ${ms(m.prefixes.meilisearchProcessing.p99)}; through Node's fetch p50 ${ms(m.prefixes.meilisearchViaNodeFetch?.p50 ?? NaN)}, a loopback delayed-ACK artifact) | ${Math.round((m.prefixes.postgres.p99 / Math.max(m.prefixes.meilisearch.p99, 0.001)) * 100) / 100}× at p99 |`);
    lines.push(`| typos, ${m.typos.total} one-letter typos: Meilisearch | — | — | p50 ${ms(m.typos.meilisearch.p50)}, p99 ${ms(m.typos.meilisearch.p99)}, max ${ms(m.typos.meilisearch.max)}; intended name found ${m.typos.found}/${m.typos.total} | — |`);
    lines.push(`| import sync of ${m.importSync.rows} changed villes to Meilisearch | — | — | ${m.importSync.requests} requests (${m.importSync.documentBatches} document batches, ${m.importSync.taskPolls} task polls), ${m.importSync.seconds} s | Workers limit: 10,000 subrequests per invocation (Paid default) |`);
  }
  for (const r of results.relevanceEngines ? [results.relevanceEngines.postgres, results.relevanceEngines.meilisearch] : results.relevance ? [results.relevance] : []) {
    const at = (k: "at1" | "at5" | "at10") => `${r.recall[k].found}/${r.recall[k].ceiling} (${r.recall[k].ofCeiling} of ceiling)`;
    lines.push(`| exact-name recall, ${r.sampled.toLocaleString("en")} sampled communes (seed ${r.seed}), ${r.backend} | — | ceiling: fewer than k larger homonyms | @1 ${at("at1")}, @5 ${at("at5")}, @10 ${at("at10")} | — |`);
    lines.push(`| typing fraction, ${r.typing.communes} communes ≥ 20,000, ${r.backend} | — | geo.api.gouv.fr 0.513 (issue 18) | ${r.typing.meanFraction} of the name typed before it comes first; never first: ${r.typing.neverFirst.length} | — |`);
  }
  const e = results.relevanceEngines;
  if (e) {
    const names = (list: string[]) => `${list.length}${list.length ? `: ${list.slice(0, 12).join(", ")}${list.length > 12 ? ", …" : ""}` : ""}`;
    lines.push(`| engines disagree: complete name missed at 10 by one engine only | — | Postgres only ${names(e.missedAt10Only.postgres)} | Meilisearch only ${names(e.missedAt10Only.meilisearch)} | — |`);
    lines.push(`| engines disagree: complete name (no larger homonym) not first on one engine only | — | Postgres only ${names(e.missedAt1Only.postgres)} | Meilisearch only ${names(e.missedAt1Only.meilisearch)} | — |`);
    lines.push(`| engines disagree: commune ≥ 20,000 never first on one engine only | — | Postgres only ${names(e.neverFirstOnly.postgres)} | Meilisearch only ${names(e.neverFirstOnly.meilisearch)} | — |`);
  }
  const g = results.geo;
  if (g) {
    lines.push(`| nearest centre, ${g.points} random points in France (limit 10) | — | target ≤ 5 ms p99 inside Postgres | inside Postgres p50 ${ms(g.nearest.inPostgres.p50)}, p99 ${ms(g.nearest.inPostgres.p99)}; wall clock p99 ${ms(g.nearest.wallClock.p99)}; KNN index entries read: ${g.nearest.indexEntriesRead}; slowest 10 re-timed (min of 5): ${g.nearest.slowestAgainMinMs.join(", ")} ms | — |`);
    if (g.atScale) lines.push(`| nearest centre at ${g.atScale.rows.toLocaleString("en")} synthetic points (same index and query) | — | target ≤ 5 ms p99 inside Postgres | inside Postgres p50 ${ms(g.atScale.inPostgres.p50)}, p99 ${ms(g.atScale.inPostgres.p99)}, max ${ms(g.atScale.inPostgres.max)}; KNN entries read ≤ ${g.atScale.indexEntriesRead}; slowest 10 re-timed (min of 5): ${g.atScale.slowestAgainMinMs.join(", ")} ms | — |`);
    lines.push(`| autocomplete with \`near\`, ${g.near.prefixes} sampled prefixes (Postgres work) | — | unbiased p50 ${ms(g.near.unbiased.p50)}, p99 ${ms(g.near.unbiased.p99)} | near p50 ${ms(g.near.near.p50)}, p99 ${ms(g.near.near.p99)} | ${g.near.p99Ratio}× at p99 (target ≤ 1.5×) |`);
  }
  const i = results.import;
  if (i) lines.push(`| import ${i.rows.toLocaleString("en")} rows end to end (CLI → routes → Postgres) | — | — | ${i.cli.rowsPerSecond.toLocaleString("en")} rows/s (${(i.cli.ms / 1000).toFixed(1)} s) | — |`);
  if (i?.small) lines.push(`| commit of ${i.small.rows.toLocaleString("en")} rows into ${i.rows.toLocaleString("en")} | — | — | ${(i.small.commitMs / 1000).toFixed(2)} s | < 5 s |`);
  const r = i?.readers;
  if (r) {
    for (const route of ["autocomplete", "listing"] as const) {
      const idle = (phase: typeof r.idleBefore) => `p99 ${ms(phase[route].p99Ms)}`;
      lines.push(
        `| readers: ${route} p99 during the import (${r.readsPerSecond} req/s of both routes, each URL new to every cache) | — | idle ${idle(r.idleBefore)} (seeded), ${idle(r.idleAfter)} (loaded) | ` +
          `p50 ${ms(r.during[route].p50Ms)}, p99 ${ms(r.during[route].p99Ms)}, max ${ms(r.during[route].maxMs)}; ${r.during[route].non2xx} of ${r.during[route].requests} not 2xx | ${r.p99Ratio[route]}× the lower idle p99 (target ≤ 2×) |`,
      );
    }
    for (const part of r.byPart ?? []) {
      lines.push(`| readers (both routes) sent during ${part.part} (${part.seconds} s) | — | — | ${part.requests} reads: p50 ${ms(part.p50Ms)}, p99 ${ms(part.p99Ms)}, max ${ms(part.maxMs)}; Server-Timing db p50 ${ms(part.dbP50Ms)}, the rest p50 ${ms(part.beyondDbP50Ms)} | — |`);
    }
  }
  for (const h of results.http ?? []) {
    lines.push(`| HTTP ${h.runtime}, 10 connections: ceiling (/ping, the run before the first hit; each fraction below is of the /ping run just before its own workload) | 10k–50k req/s (fleet) | — | ${h.ceiling.requestsPerSecond} req/s | 1.0 |`);
    const tally = (layers: Record<string, number> | undefined) => Object.entries(layers ?? {}).map(([layer, count]) => `${layer} ${count}`).join(", ");
    lines.push(`| HTTP ${h.runtime}: hit, every tier on (answered by: ${tally(h.l1Hit.layers)}) | — | — | ${h.l1Hit.requestsPerSecond} req/s, p99 ${h.l1Hit.p99Ms} ms | ${h.fractionOfCeiling.l1Hit} of ceiling |`);
    if (h.l1Only) lines.push(`| HTTP ${h.runtime}: L1 hit (CACHE_L0=off; answered by: ${tally(h.l1Only.l2Hit.layers)}) | — | — | ${h.l1Only.l2Hit.requestsPerSecond} req/s, p99 ${h.l1Only.l2Hit.p99Ms} ms | ${h.l1Only.fraction} of ceiling |`);
    const bare = h.l1WithoutRedis;
    if (bare) {
      lines.push(`| HTTP ${h.runtime}: L1 hit, no Redis configured (no rate-limit traffic) | — | — | ${bare.l1Hit.requestsPerSecond} req/s, p99 ${bare.l1Hit.p99Ms} ms | ${bare.fraction} of ceiling |`);
      if (bare.middlewareOnly) {
        lines.push(`| HTTP ${h.runtime}: middleware only (a 400 from the query schema), no Redis | — | — | ${bare.middlewareOnly.requestsPerSecond} req/s, p99 ${bare.middlewareOnly.p99Ms} ms | ${bare.middlewareFraction} of ceiling |`);
      }
    }
    if (h.l2) lines.push(`| HTTP ${h.runtime}: L2 hit (CACHE_L0=off, CACHE_L1=off) | — | — | ${h.l2.l2Hit.requestsPerSecond} req/s, p99 ${h.l2.l2Hit.p99Ms} ms | ${h.l2.fraction} of ceiling |`);
    const l1 = h.l1Lookup;
    if (l1) lines.push(`| ${h.runtime}: L1 hit lookup inside the Worker (Server-Timing, sequential) | — | — | mean ${ms(l1.mean)}, p50 ${ms(l1.p50)}, p99 ${ms(l1.p99)} (the Worker clock ticks in whole ms) | target < 1 ms |`);
    const l2 = h.l2?.l2Lookup;
    const trip = results.redisRoundTrip;
    if (l2) lines.push(`| ${h.runtime}: L2 hit lookup inside the Worker (Server-Timing, sequential) | — | one Redis GET via the bridge from Node: mean ${ms(trip?.mean)}, p50 ${ms(trip?.p50)} | mean ${ms(l2.mean)}, p50 ${ms(l2.p50)}, p99 ${ms(l2.p99)} | ${trip ? `${Math.round((l2.mean / Math.max(trip.mean, 0.001)) * 10) / 10} round trips (means)` : "—"} |`);
    lines.push(`| HTTP ${h.runtime}: miss (a new key on every request; answered by: ${tally(h.miss.layers)}) | — | — | ${h.miss.requestsPerSecond} req/s, p50 ${h.miss.p50Ms} ms, p99 ${h.miss.p99Ms} ms | ${h.fractionOfCeiling.miss} of ceiling |`);
    const t = h.missTime;
    if (t) lines.push(`| ${h.runtime}: a miss, sequential: total − db (Server-Timing) | — | /ping p50 ${ms(t.ping.p50)} (the runtime's way in and out) | total p50 ${ms(t.total.p50)}, db p50 ${ms(t.db.p50)}, total − db p50 ${ms(t.own.p50)}, p99 ${ms(t.own.p99)} | ${ms(t.ownBeyondPingP50)} beyond /ping (median of each miss less the /ping just before it; target ≤ 2 ms) |`);
    if (t?.hit) lines.push(`| ${h.runtime}: the same answer from L0, sequential (same body, no I/O) | — | /ping p50 ${ms(t.ping.p50)} | total p50 ${ms(t.hit.p50)}, p99 ${ms(t.hit.p99)} (${t.hit.n} hits) | the miss's total − db is ${ms(t.ownBeyondHitP50)} beyond it |`);
  }
  lines.push(...peerLines(results.peer));
  return lines;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The import's steps, each as time and rows/s: where a slow import spends it. */
function importLines(results: BenchResults): string[] {
  const i = results.import;
  if (!i) return [];
  const perSecond = (ms: number) => `${Math.round(i.rows / (ms / 1000)).toLocaleString("en")} rows/s`;
  const commitMs = i.jobTimings.commit_total_ms ?? 0;
  const steps = Object.entries(i.jobTimings)
    .filter(([name]) => name.endsWith("_ms") && name !== "commit_total_ms")
    .map(([name, ms]) => `${name.replace(/_ms$/, "")} ${seconds(ms)}`);
  const lines = [
    `Import steps: generator ${seconds(i.generate.ms)} (${perSecond(i.generate.ms)}); upload and upsert ${seconds(i.cli.ms - commitMs)} (${perSecond(i.cli.ms - commitMs)}), ` +
      // Result files from before chunk timings were collected have no `chunks`.
      (i.chunks ? `of which the Worker spent ${seconds(i.chunks.writeMs)} of ${seconds(i.chunks.totalMs)} chunk time waiting on Postgres writes (summed over ${i.chunks.count} chunks, 2 in flight); ` : "") +
      `commit ${seconds(commitMs)}: ${steps.join(", ")}; then VACUUM ANALYZE ${seconds(i.vacuumMs)}.`,
  ];
  if (i.small) {
    const smallSteps = Object.entries(i.small.jobTimings)
      .filter(([name]) => name.endsWith("_ms") && name !== "commit_total_ms")
      .map(([name, ms]) => `${name.replace(/_ms$/, "")} ${seconds(ms)}`);
    const incremental = i.small.jobTimings.heavy_prefixes_incremental === 1 ? "incremental" : "full";
    lines.push(
      `Then ${i.small.rows.toLocaleString("en")} new rows into ${i.rows.toLocaleString("en")}: ${seconds(i.small.cliMs)} end to end, commit ${seconds(i.small.commitMs)} ` +
        `(target 5 s; ${incremental} heavy-prefix and typo rebuilds${i.small.jobTimings.stats_views_deferred === 1 ? ", stats views left to their Cron refresh" : ""}): ${smallSteps.join(", ")}.`,
    );
  }
  const c = results.importCost;
  if (c) {
    lines.push(
      `Import cost per row in Postgres (${c.sampleRows.toLocaleString("en")} rows, rolled back): heap and generated column ${c.heapUs} µs; ` +
        `with villes' ${c.villesIndexes} indexes and foreign keys ${c.indexesUs} µs; with the search-terms trigger (${c.termsPerRow} terms per row) ${c.fullUs} µs, ` +
        `a ceiling of ${c.postgresCeilingRowsPerSecond.toLocaleString("en")} rows/s for Postgres alone.`,
    );
  }
  return lines;
}

/** Writes `<date>-<rows>.json` and `.md`, the SVG charts, and refreshes bench/README.md's latest table. */
export function writeReport(results: BenchResults, directory: string, rows: number, stamp = new Date().toISOString().slice(0, 10)): string[] {
  const base = join(directory, `${stamp}-${rows}`);
  const markdown = [`# lieux bench, ${rows.toLocaleString("en")} rows, ${stamp}`, "", ...table(results), ""];
  if (results.partitioning) markdown.push(`Partitioning by région: listing ${results.partitioning.listing.partitionedSpeedup}×, autocomplete ${results.partitioning.autocomplete.partitionedSpeedup}× (partitioned vs composite index). Verdict: ${results.partitioning.verdict}.`, "");
  const a = results.autocomplete;
  if (a) {
    const spread = (label: string, p: Percentiles | undefined) => (p ? `${label} p50 ${ms(p.p50)}, p95 ${ms(p.p95)}, p99 ${ms(p.p99)}, max ${ms(p.max)}` : undefined);
    const layers = [
      spread("inside Postgres (plan + execute)", a.sampled.boundedInPostgres),
      spread("pg round trip", a.sampled.bounded),
      spread("through the local Neon HTTP endpoint (the Worker's driver, from Node)", a.sampled.boundedViaNeonHttp),
      spread("through the Worker over HTTP, cache bypassed", a.httpSampled),
    ].filter(Boolean);
    markdown.push(`Bounded autocomplete, ${a.sampled.bounded.n} sampled prefixes one at a time: ${layers.join("; ")}.`, "");
  }
  const tail = results.autocomplete?.slowest;
  if (tail) markdown.push(`Autocomplete's slowest sampled prefixes, timed again (first → best of 5 → Postgres execution): ${tail.map((entry) => `"${entry.q}"${entry.heavy ? " (heavy)" : ""} ${entry.firstMs} → ${entry.againMinMs} → ${entry.executionMs} ms`).join("; ")}.`, "");
  for (const line of importLines(results)) markdown.push(line, "");
  if (results.memory) markdown.push(`Peak memory (PSS summed over each process tree, so shared buffers count once): dev stack ${results.memory.stackPeakRssMb} MB; import CLI ${results.memory.importCliPeakRssMb ?? "—"} MB.`, "");
  writeFileSync(`${base}.json`, JSON.stringify(results, null, 2));
  writeFileSync(`${base}.md`, markdown.join("\n"));
  const written = [`${base}.json`, `${base}.md`];
  if (results.pagination) {
    const svg = lineChartSvg("Listing latency by page number", "page (50 rows each)", "p50 latency", [
      { name: "OFFSET", color: "#c0392b", points: results.pagination.byPage.map((entry) => [entry.page, entry.offset.p50]) },
      { name: "keyset cursor", color: "#1b6ac9", points: results.pagination.byPage.map((entry) => [entry.page, entry.keyset.p50]) },
    ], { logX: true });
    writeFileSync(`${base}-pagination.svg`, svg);
    written.push(`${base}-pagination.svg`);
  }
  if (results.autocomplete) {
    const svg = lineChartSvg("Autocomplete latency by prefix length", "prefix length", "max latency", [
      { name: "naive LIKE + sort", color: "#c0392b", points: results.autocomplete.byPrefixLength.map((entry) => [entry.length, entry.naiveMax]) },
      { name: "bounded (heavy prefixes)", color: "#1b6ac9", points: results.autocomplete.byPrefixLength.map((entry) => [entry.length, entry.boundedMax]) },
    ]);
    writeFileSync(`${base}-autocomplete.svg`, svg);
    written.push(`${base}-autocomplete.svg`);
  }
  const readme = join(directory, "..", "README.md");
  const marker = `<!-- latest:${rows} -->`;
  const section = `${marker}\n### ${rows.toLocaleString("en")} rows (${stamp})\n\n${markdown.slice(2).join("\n")}\n${marker}`;
  const current = existsSync(readme) ? readFileSync(readme, "utf8") : "# Benchmarks\n";
  const pattern = new RegExp(`${marker}[\\s\\S]*?${marker}`);
  writeFileSync(readme, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`);
  return written;
}
