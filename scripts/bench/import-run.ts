import { spawn } from "node:child_process";
import type pg from "pg";
import { log } from "./measure.ts";
import { trackPeakRss } from "./memory.ts";
import { epochNow, watchImportPhases } from "./import-phases.ts";
import { readerFigures, readersByPart, type createReaders, type ReaderFigures } from "./readers.ts";

export interface ImportFigures {
  rows: number;
  generate: { ms: number; rowsPerSecond: number };
  cli: { ms: number; rowsPerSecond: number; peakRssMb: number; exitCode: number };
  /** Durations the job recorded for each server-side step (upload+upsert, prefix rebuild, views…). */
  jobTimings: Record<string, number>;
  jobCounts: { received: number; upserted: number; rejected: number };
  /** Summed over the job's chunks: time in the Worker per chunk, and the part spent waiting on Postgres writes. */
  chunks?: { count: number; totalMs: number; writeMs: number };
  vacuumMs: number;
  /** Then 1,000 new rows into the table just loaded: the small import's whole commit. */
  small?: { rows: number; cliMs: number; commitMs: number; jobTimings: Record<string, number> };
  /** Autocomplete and listing latency idle, while the import runs (upload and commit), and idle again. */
  readers?: ReaderFigures;
}

export const SMALL_IMPORT_ROWS = 1_000;

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; ms: number; peakRssMb: number }> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], env });
  const rss = trackPeakRss(child.pid!, 250);
  return new Promise((resolve) => {
    child.once("exit", (code) => {
      const ms = performance.now() - started;
      void rss.stop().then((peakRssMb) => resolve({ code: code ?? 1, ms, peakRssMb }));
    });
  });
}

/** The generator, then the import CLI against the running Worker's admin routes, timed step by step. */
export async function generateAndImport(
  client: pg.Client,
  options: { rows: number; file: string; url: string; token: string; readers?: ReturnType<typeof createReaders> },
): Promise<ImportFigures> {
  log(`generating ${options.rows} rows into ${options.file}`);
  const generated = await run("tsx", ["scripts/generate.ts", "--rows", String(options.rows), "--out", options.file]);
  if (generated.code !== 0) throw new Error("the generator failed");
  const readers = options.readers;
  const idleBefore = readers ? (log("readers: idle on the seeded communes"), await readers.idle()) : undefined;
  log(`importing through ${options.url}${readers ? ", readers on" : ""}`);
  const cli = () => run("tsx", ["scripts/import.ts", options.file, "--url", options.url, "--token", options.token, "--concurrency", "2"], { ...process.env, CI: "true" });
  const phases = watchImportPhases(client, epochNow());
  const { value: imported, phase: during, readings } = readers ? await readers.during(cli) : { value: await cli(), phase: undefined, readings: [] };
  const parts = await phases.stop(epochNow());
  const { rows: [job] } = await client.query(
    "select id, rows_received, rows_upserted, rows_rejected, timings from imports order by created_at desc limit 1",
  );
  const { rows: [chunks] } = await client.query(
    `select count(*)::int as count, coalesce(sum((timings->>'total_ms')::float8), 0) as total, coalesce(sum((timings->>'write_ms')::float8), 0) as write
     from import_chunks where job_id = $1 and status = 'done'`,
    [job?.id],
  );
  const vacuumStarted = performance.now();
  await client.query("vacuum (analyze) villes, ville_search_terms");
  const vacuumMs = Math.round(performance.now() - vacuumStarted);
  const idleAfter = readers ? (log("readers: idle on the loaded table"), await readers.idle()) : undefined;
  const perSecond = (ms: number) => Math.round(options.rows / (ms / 1000));
  return {
    rows: options.rows,
    generate: { ms: Math.round(generated.ms), rowsPerSecond: perSecond(generated.ms) },
    cli: { ms: Math.round(imported.ms), rowsPerSecond: perSecond(imported.ms), peakRssMb: imported.peakRssMb, exitCode: imported.code },
    jobTimings: job?.timings ?? {},
    jobCounts: { received: job?.rows_received ?? 0, upserted: job?.rows_upserted ?? 0, rejected: job?.rows_rejected ?? 0 },
    chunks: { count: chunks.count, totalMs: Math.round(chunks.total), writeMs: Math.round(chunks.write) },
    vacuumMs,
    readers: idleBefore && during && idleAfter ? readerFigures(idleBefore, during, idleAfter, readersByPart(readings, parts)) : undefined,
    small: await smallImport(client, options),
  };
}

/** 1,000 rows with codes after the big import's (new villes), through the same CLI and routes. */
async function smallImport(client: pg.Client, options: { rows: number; file: string; url: string; token: string }): Promise<ImportFigures["small"]> {
  const file = options.file.replace(/(\.\w+)$/, "-small$1");
  const generated = await run("tsx", ["scripts/generate.ts", "--rows", String(SMALL_IMPORT_ROWS), "--offset", String(options.rows), "--seed", "7", "--out", file]);
  if (generated.code !== 0) throw new Error("the generator failed");
  log(`importing ${SMALL_IMPORT_ROWS} rows into ${options.rows.toLocaleString("en")}`);
  const imported = await run("tsx", ["scripts/import.ts", file, "--url", options.url, "--token", options.token], { ...process.env, CI: "true" });
  if (imported.code !== 0) throw new Error("the small import failed");
  const { rows: [job] } = await client.query("select timings from imports order by created_at desc limit 1");
  const jobTimings: Record<string, number> = job?.timings ?? {};
  return { rows: SMALL_IMPORT_ROWS, cliMs: Math.round(imported.ms), commitMs: jobTimings.commit_total_ms ?? 0, jobTimings };
}
