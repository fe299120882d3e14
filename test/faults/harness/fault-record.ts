import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import type { adminClient } from "../../../scripts/resilience/import-client.ts";
import type { LocalWorker } from "../../../scripts/resilience/local-worker.ts";
import type { FaultStack } from "./fault-stack.ts";
import { workerLogLines } from "./observe.ts";
import type { LoopSummary } from "../../../scripts/lib/request-loop.ts";

export interface FaultContext {
  stack: FaultStack;
  worker: LocalWorker;
  admin: ReturnType<typeof adminClient>;
  /** The admin token the Worker takes, for a case that runs the import CLI. */
  adminToken: string;
  /** Keeps a case's figures even when one of its assertions then fails. */
  report(record: FaultRecord): void;
}

/** What one fault case measured, as written to bench/results/faults-<date>.json: the client's figures, then the case's own. */
export interface FaultRecord extends Omit<LoopSummary, "responses"> {
  fault: string;
  expected: string;
  faultMs: number;
  rowsLost: number;
  /** Worker log lines printed while the case ran: error lines, and warnings by message. */
  logs: { errors: number; warningsByMessage: Record<string, number> };
  details: Record<string, unknown>;
}

export function logsSince(worker: LocalWorker, mark: number): FaultRecord["logs"] {
  const lines = workerLogLines(worker.lines.slice(mark));
  const warningsByMessage: Record<string, number> = {};
  for (const line of lines.filter((entry) => entry.level === "warn")) {
    warningsByMessage[line.message] = (warningsByMessage[line.message] ?? 0) + 1;
  }
  return { errors: lines.filter((entry) => entry.level === "error").length, warningsByMessage };
}

export function faultRecord(
  fault: string,
  expected: string,
  summary: LoopSummary,
  measured: { faultMs: number; rowsLost: number; logs: FaultRecord["logs"]; details?: Record<string, unknown> },
): FaultRecord {
  const { responses: _responses, ...figures } = summary;
  return { fault, expected, ...figures, faultMs: measured.faultMs, rowsLost: measured.rowsLost, logs: measured.logs, details: measured.details ?? {} };
}

/** Writes every case's figures, with enough about the machine to read them in context. */
export function writeFaultResults(records: FaultRecord[]): string {
  const directory = join(process.cwd(), "bench", "results");
  mkdirSync(directory, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const file = join(directory, `faults-${date}.json`);
  const machine = { cpus: cpus().length, node: process.version, loadAverage: loadavg().map((value) => Math.round(value * 100) / 100) };
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, cases: records }, null, 2)}\n`);
  return file;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes; returns it with the time it took. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<{ value: T | undefined; afterMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined || Date.now() - started > timeoutMs) return { value, afterMs: Date.now() - started };
    await sleep(everyMs);
  }
}
