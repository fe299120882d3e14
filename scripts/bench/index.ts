import { mkdirSync, rmSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { loadReferenceData } from "../data/communes.ts";
import { startStack } from "../stack.ts";
import { benchAutocomplete, boundedSql, samplePrefixes } from "./autocomplete.ts";
import { redisRoundTrip } from "./cache-lookup.ts";
import { benchL1WithoutRedis, benchL2, benchLayers, httpEngineLatency } from "./http.ts";
import { missTime } from "./miss-time.ts";
import { benchPeer } from "./peer.ts";
import { benchImportCost } from "./import-cost.ts";
import { generateAndImport } from "./import-run.ts";
import { createReaders } from "./readers.ts";
import { neonHttpTimes } from "./neon-round-trip.ts";
import { log } from "./measure.ts";
import { trackPeakRss } from "./memory.ts";
import { benchPagination } from "./pagination.ts";
import { benchMeilisearch } from "./meilisearch.ts";
import { benchPartitioning } from "./partitioning.ts";
import { benchRelevance } from "./relevance.ts";
import { benchRelevanceOnBothEngines } from "./relevance-engines.ts";
import { benchGeo } from "./geo.ts";
import { writeReport, type BenchResults } from "./report.ts";
import { startMiniflare, startWranglerDev, type WorkerRuntime } from "./runtime.ts";
import { benchStats } from "./stats.ts";
import { benchTypos, typoQueries } from "./typo.ts";

/**
 * `npm run bench -- --rows N [--only import,pagination,stats,autocomplete,typo,http,partitioning,meilisearch,relevance]`
 * (relevance: `--only relevance` on the real communes alone; `--sample 5000 --seed 18`)
 * (meilisearch runs only when MEILISEARCH_HOST is set, with an admin MEILISEARCH_API_KEY)
 * Builds its own stack and data (generator + import CLI through the routes), measures each
 * figure against its baseline in this one run, and writes bench/results/.
 */
const SECTIONS = ["import", "pagination", "stats", "autocomplete", "typo", "http", "partitioning", "meilisearch", "relevance", "geo"] as const;
const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, only: { type: "string" }, iterations: { type: "string", default: "50" }, seconds: { type: "string", default: "10" }, sample: { type: "string", default: "5000" }, seed: { type: "string", default: "18" }, peer: { type: "string" } },
});
const rows = Number(values.rows);
const iterations = Number(values.iterations);
const only = new Set(values.only ? values.only.split(",") : SECTIONS);
if (!Number.isInteger(rows) || rows < 1 || ![...only].every((name) => (SECTIONS as readonly string[]).includes(name))) {
  console.error(`usage: npm run bench -- --rows N [--only ${SECTIONS.join(",")}] [--iterations 50] [--seconds 10] [--peer URL]`);
  process.exit(2);
}
const TOKEN = "bench-admin-token";
const workDir = join(process.cwd(), ".lieux", `bench-${process.pid}`);
mkdirSync(workDir, { recursive: true });
const memory = trackPeakRss(process.pid, 1_000);
const stack = await startStack({ dataDir: workDir, ports: { primary: 0, replica: 0, neonProxy: 0, upstash: 0 }, overrides: {}, replica: false, log });
const vars: Record<string, string> = { ...stack.vars, ADMIN_TOKEN: TOKEN, CURSOR_SECRET: "bench-cursor-secret-0123456789", RATE_LIMIT_PER_MINUTE: "100000000", ADMIN_RATE_LIMIT_PER_MINUTE: "100000000",
  // Under a 10-connection load on two cores the local bridge is often slower than the 50 ms production budget.
  REDIS_TIMEOUT_MS: "250" };
const client = new pg.Client({ connectionString: stack.primaryUrl });
await client.connect();
const results: BenchResults = { meta: { rows, date: new Date().toISOString(), cpus: cpus().length, loadAverageAtStart: loadavg().map((load) => Math.round(load * 10) / 10), cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, postgres: (await client.query("show server_version")).rows[0].server_version } };
const runtimes: WorkerRuntime[] = [];
let cleaning: Promise<void> | undefined;
/** wrangler dev runs in its own process group, so Ctrl-C must stop it (and the stack) from here. */
const cleanUp = () =>
  (cleaning ??= (async () => {
    for (const runtime of runtimes.reverse()) await runtime.stop().catch(() => undefined);
    await client.end().catch(() => undefined);
    await stack.stop();
    if (!process.env.BENCH_KEEP) rmSync(workDir, { recursive: true, force: true });
  })());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
try {
  let runtime = await startWranglerDev(vars, workDir);
  runtimes.push(runtime);
  const reference = loadReferenceData();
  const names = reference.villes.map((ville) => ville.nom);
  const sampled = samplePrefixes(names, 1_000);
  if (only.has("import")) {
    const readers = createReaders(runtime.url, sampled, reference.departements.map((departement) => departement.code));
    try {
      results.import = await generateAndImport(client, { rows, file: join(workDir, "rows.csv"), url: runtime.url, token: TOKEN, readers });
    } finally {
      readers.close();
    }
    log(`import: ${results.import.cli.rowsPerSecond} rows/s end to end`);
    results.importCost = await benchImportCost(client);
    log(`import cost per row: ${JSON.stringify(results.importCost)}`);
  }
  if (only.has("pagination")) results.pagination = await memory.quiet(() => benchPagination(client, rows, iterations));
  if (only.has("stats")) results.stats = await memory.quiet(() => benchStats(client, iterations));
  if (only.has("autocomplete")) {
    results.autocomplete = await memory.quiet(async () => {
      const figures = await benchAutocomplete(client, sampled, iterations);
      if (vars.NEON_LOCAL_PROXY) figures.sampled.boundedViaNeonHttp = await neonHttpTimes(vars.NEON_LOCAL_PROXY, vars.DATABASE_URL!, sampled.map(boundedSql));
      return { ...figures, httpSampled: await httpEngineLatency(runtime, sampled) };
    });
  }
  if (only.has("geo")) {
    // Beyond the real communes, the nearest scan is also measured on a synthetic copy of `rows` points.
    results.geo = await memory.quiet(() => benchGeo(stack.primaryUrl, sampled, { scaleRows: rows > 100_000 ? rows : undefined }));
    log(`geo: nearest p99 ${results.geo.nearest.inPostgres.p99} ms in Postgres; near autocomplete p99 ${results.geo.near.near.p99} ms vs ${results.geo.near.unbiased.p99} ms (${results.geo.near.p99Ratio}×)`);
  }
  if (only.has("typo")) results.typo = await memory.quiet(() => benchTypos(client, typoQueries(names, 200), 50));
  if (only.has("http")) {
    const options = { connections: 10, seconds: Number(values.seconds), quiet: memory.quiet };
    const withoutRedis: Record<string, string> = Object.fromEntries(Object.entries(vars).filter(([name]) => !name.startsWith("UPSTASH_REDIS_REST_")));
    const restart = async (overrides: Record<string, string>) => {
      await runtime.stop();
      runtimes.pop();
      runtime = await startWranglerDev(overrides, workDir);
      runtimes.push(runtime);
      return runtime;
    };
    if (vars.UPSTASH_REDIS_REST_URL) results.redisRoundTrip = await memory.quiet(() => redisRoundTrip(vars.UPSTASH_REDIS_REST_URL!, vars.UPSTASH_REDIS_REST_TOKEN!));
    const wranglerLayers = await benchLayers(runtime, sampled, options);
    const wranglerMissTime = await memory.quiet(() => missTime(runtime, sampled));
    // --peer URL: the same hit and miss workloads against another API on this machine.
    if (values.peer) results.peer = await benchPeer(values.peer, sampled, options, { hit: wranglerLayers.l1Hit, miss: wranglerLayers.miss });
    const wranglerL1Only = await benchL2(await restart({ ...vars, CACHE_L0: "off" }), options);
    const wranglerL2 = await benchL2(await restart({ ...vars, CACHE_L0: "off", CACHE_L1: "off" }), options);
    const wranglerNoRedis = await benchL1WithoutRedis(await restart(withoutRedis), options);
    results.http = [{ ...wranglerLayers, missTime: wranglerMissTime, l1Only: wranglerL1Only, l2: wranglerL2, l1WithoutRedis: wranglerNoRedis }];
    const lean = await startMiniflare(vars, workDir);
    runtimes.push(lean);
    const leanLayers = await benchLayers(lean, sampled, options);
    const leanMissTime = await memory.quiet(() => missTime(lean, sampled));
    const leanNoL1 = await startMiniflare({ ...vars, CACHE_L0: "off", CACHE_L1: "off" }, workDir);
    runtimes.push(leanNoL1);
    const leanNoRedis = await startMiniflare(withoutRedis, workDir);
    runtimes.push(leanNoRedis);
    results.http.push({ ...leanLayers, missTime: leanMissTime, l2: await benchL2(leanNoL1, options), l1WithoutRedis: await benchL1WithoutRedis(leanNoRedis, options) });
  }
  if (only.has("relevance")) {
    // Generated rows from an import section compete too: --only relevance measures the real communes alone.
    const relevanceOptions = { sample: Number(values.sample), seed: Number(values.seed) };
    const meilisearch = process.env.MEILISEARCH_HOST ? { host: process.env.MEILISEARCH_HOST, apiKey: process.env.MEILISEARCH_API_KEY } : undefined;
    if (meilisearch) {
      const restartWith = async (overrides: Record<string, string>) => {
        await runtime.stop();
        runtimes.pop();
        runtime = await startWranglerDev(overrides, workDir);
        runtimes.push(runtime);
        return runtime.url;
      };
      const engines = await memory.quiet(() => benchRelevanceOnBothEngines({ client, vars, restart: restartWith, villes: reference.villes, ...relevanceOptions, meilisearch }));
      results.relevance = engines.postgres;
      results.relevanceEngines = engines;
    } else {
      results.relevance = await memory.quiet(() => benchRelevance(runtime.url, reference.villes, relevanceOptions));
    }
  }
  if (only.has("partitioning")) results.partitioning = await benchPartitioning(client, iterations);
  const meilisearchHost = process.env.MEILISEARCH_HOST;
  if (only.has("meilisearch") && meilisearchHost) {
    results.meilisearch = await memory.quiet(() => benchMeilisearch(client, meilisearchHost, process.env.MEILISEARCH_API_KEY, sampled, typoQueries(names, 200)));
  } else if (only.has("meilisearch")) log("meilisearch: skipped, MEILISEARCH_HOST is not set");
  results.memory = { stackPeakRssMb: await memory.stop(), importCliPeakRssMb: results.import?.cli.peakRssMb };
  for (const file of writeReport(results, join(process.cwd(), "bench", "results"), rows)) log(`wrote ${file}`);
} finally {
  await cleanUp();
}
process.exit(0);
