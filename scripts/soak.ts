import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
// Not from src/cron/refresh-stats-views.ts: that module reaches cloudflare:workers, which Node cannot load.
import { CRON_SCHEDULE, REFRESH_STATS_VIEWS_JOB } from "../src/cron/schedule.ts";
import { adminClient, syntheticCsv } from "./resilience/import-client.ts";
import { startLocalWorker, type LocalWorker } from "./resilience/local-worker.ts";
import { countVilles, queryPostgres } from "./resilience/primary-reads.ts";
import { createRequestMix } from "./soak/request-mix.ts";
import { startStack } from "./stack.ts";

/**
 * `npm run soak [-- --seconds 30 --connections 10 --rows 5000]`: the local stack and
 * `wrangler dev`, then a bounded autocannon run on 127.0.0.1 mixing cached and uncached
 * autocomplete, listings, communes and stats, while an import and stats-refresh crons run
 * alongside. Writes bench/results/soak-<date>.json; exits 1 on any 5xx or lost row.
 */
const MAX_SECONDS = 60;
const ADMIN_TOKEN = "soak-admin-token-0123456789abcdef";
const CHUNK_ROWS = 1_000;
/** Synthetic codes starting with "S": no real commune and no test uses them. */
const FIRST_INDEX = 18 * 36 ** 4;

const { values } = parseArgs({ options: { seconds: { type: "string", default: "30" }, connections: { type: "string", default: "10" }, rows: { type: "string", default: "5000" } } });
const seconds = Math.min(MAX_SECONDS, Math.max(5, Number(values.seconds)));
const connections = Math.min(50, Math.max(1, Number(values.connections)));
const rows = Math.min(50_000, Math.max(CHUNK_ROWS, Number(values.rows)));

const dataDir = join(process.cwd(), ".lieux", `soak-${process.pid}`);
const log = (line: string) => console.log(`[soak] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runImport(admin: ReturnType<typeof adminClient>) {
  const started = Date.now();
  const job = await admin.createJob();
  if (job.status !== 201) return { ok: false, detail: `create ${job.status}`, codes: [] as string[], ms: 0 };
  const codes: string[] = [];
  for (let n = 1; n * CHUNK_ROWS <= rows; n++) {
    const chunk = syntheticCsv(FIRST_INDEX + (n - 1) * CHUNK_ROWS, CHUNK_ROWS);
    codes.push(...chunk.codes);
    const answer = await admin.putChunk(job.body.id, n, chunk.csv);
    if (answer.status !== 200) return { ok: false, detail: `chunk ${n}: ${answer.status}`, codes, ms: Date.now() - started };
  }
  const committed = await admin.commitToEnd(job.body.id);
  return { ok: committed.status === 202 && committed.body.status === "done", detail: `commit ${committed.status} ${committed.body.status} rows_upserted=${committed.body.rows_upserted}`, codes, ms: Date.now() - started };
}

/** Fires the stats-refresh cron every few seconds while the load runs. */
async function runCrons(origin: string, until: number) {
  const runs: Array<{ status: number; ms: number }> = [];
  const path = `/cdn-cgi/local/scheduled?cron=${encodeURIComponent(CRON_SCHEDULE.refreshStatsViews)}`;
  while (Date.now() < until - 2_000) {
    await sleep(Math.min(8_000, (until - Date.now()) / 3));
    const started = Date.now();
    const status = await fetch(origin + path, { signal: AbortSignal.timeout(30_000) }).then((response) => response.status, () => 0);
    runs.push({ status, ms: Date.now() - started });
  }
  return runs;
}

/** What really landed, read from the primary beside the Worker: the imported rows and the cron's own record. */
async function readOutcome(url: string, codes: string[]) {
  const [cron] = await queryPostgres(url, "select runs::int, last_outcome, last_success_at from cron_runs where job = $1", [REFRESH_STATS_VIEWS_JOB]);
  return { landed: await countVilles(url, codes), cron: cron ?? null };
}

rmSync(dataDir, { recursive: true, force: true });
const stack = await startStack({ dataDir, ports: { primary: 0, replica: 0, neonProxy: 0, upstash: 0 }, overrides: {}, log: () => undefined });
let exitCode = 1;
let worker: LocalWorker | undefined;
try {
  worker = await startLocalWorker({
    dataDir,
    vars: { ...stack.vars, ADMIN_TOKEN, CURSOR_SECRET: "soak-cursor-secret-0123456789abcdef", RATE_LIMIT_PER_MINUTE: "100000000", ADMIN_RATE_LIMIT_PER_MINUTE: "1000000" },
  });
  const mix = createRequestMix();
  for (let index = 0; index < 40; index++) await fetch(worker.origin + mix.next().path).then((response) => response.text());
  log(`stack and wrangler dev ready on ${worker.origin}; ${seconds} s, ${connections} connections, import of ${rows} rows`);

  const until = Date.now() + seconds * 1000;
  const admin = adminClient(worker.origin, ADMIN_TOKEN);
  const [load, imported, crons] = await Promise.all([
    autocannon({
      url: worker.origin,
      connections,
      duration: seconds,
      timeout: 10,
      requests: [
        {
          setupRequest: (request) => {
            const next = mix.next();
            return { ...request, method: "GET", path: next.path, headers: next.headers ?? {} };
          },
        },
      ],
    }),
    runImport(admin),
    runCrons(worker.origin, until),
  ]);
  const { landed, cron } = await readOutcome(stack.primaryUrl, imported.codes);

  const statusCodes = Object.fromEntries(Object.entries(load.statusCodeStats ?? {}).map(([code, stat]) => [code, Number(stat.count ?? 0)]));
  const status5xx = Object.entries(statusCodes).reduce((sum, [code, count]) => sum + (Number(code) >= 500 ? count : 0), 0);
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverage: loadavg().map((value) => Math.round(value * 100) / 100) },
    options: { seconds, connections, importRows: rows },
    requests: load.requests.total,
    requestsPerSecond: load.requests.average,
    latencyMs: { p50: load.latency.p50, p90: load.latency.p90, p99: load.latency.p99, max: load.latency.max },
    errors: load.errors,
    timeouts: load.timeouts,
    non2xx: load.non2xx,
    status5xx,
    statusCodes,
    mix: mix.counts,
    import: { ...imported, codes: undefined, expectedRows: imported.codes.length, landedRows: landed },
    rowsLost: imported.codes.length - landed,
    statsRefreshCrons: { calls: crons, recorded: cron },
  };
  const directory = join(process.cwd(), "bench", "results");
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `soak-${result.date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`${result.requests} requests, ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.latencyMs.p99} ms, ${result.errors} errors, ${status5xx} 5xx, ${result.rowsLost} rows lost → ${file}`);
  const importFailed = !imported.ok || crons.some((run) => run.status !== 200);
  exitCode = status5xx > 0 || result.rowsLost > 0 || importFailed ? 1 : 0;
  if (importFailed) log(`import or cron failed: ${imported.detail}; crons ${JSON.stringify(crons)}`);
} finally {
  await worker?.stop();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
