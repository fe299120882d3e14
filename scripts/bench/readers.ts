import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ImportPhase } from "./import-phases.ts";
import { percentiles } from "./measure.ts";
import { AUTOCOMPLETE, LISTING, type Reading, type ReadersCommand, type ReadersReply } from "./readers-protocol.ts";

/** Paced like browsers (an open loop): a slow server does not slow the readers down. */
const READS_PER_SECOND = 20;
const IDLE_MS = 20_000;
/** Whatever the import's length, the readers stop when it ends; this only bounds a runaway. */
const LONGEST_IMPORT_MS = 60 * 60_000;

export interface ReaderLatency {
  requests: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ReaderPhase {
  autocomplete: ReaderLatency;
  listing: ReaderLatency;
}

export interface ReaderFigures {
  readsPerSecond: number;
  /** On the seeded communes before the import, and on the loaded table after it (vacuumed). */
  idleBefore: ReaderPhase;
  during: ReaderPhase;
  idleAfter: ReaderPhase;
  /** during p99 ÷ the lower idle p99 (the stricter baseline). */
  p99Ratio: { autocomplete: number; listing: number };
  /** Both routes' reads grouped by the part of the import they were sent in, with the Worker's Server-Timing `db` share. */
  byPart?: ({ part: string; seconds: number; dbP50Ms: number; beyondDbP50Ms: number } & ReaderLatency)[];
}

function latencyOf(responses: readonly Reading[]): ReaderLatency {
  const figures = percentiles(responses.map((response) => response.latencyMs));
  return { requests: responses.length, non2xx: responses.filter((response) => response.status < 200 || response.status > 299).length, p50Ms: figures.p50, p99Ms: figures.p99, maxMs: figures.max };
}

function phaseOf(responses: readonly Reading[]): ReaderPhase {
  return {
    autocomplete: latencyOf(responses.filter((response) => response.path.startsWith(AUTOCOMPLETE))),
    listing: latencyOf(responses.filter((response) => response.path.startsWith(LISTING))),
  };
}

/**
 * Readers that always reach Postgres: every URL is new to every cache tier (a prefix and a
 * limit, or a département and a limit, never sent before in this run), alternating
 * autocomplete and the listing, sent and timed from a process of their own
 * (readers-process.ts). `close()` ends that process.
 */
export function createReaders(origin: string, prefixes: readonly string[], departements: readonly string[]) {
  const child = fork(fileURLToPath(new URL("./readers-process.ts", import.meta.url)), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  child.send({ type: "init", origin, prefixes: [...prefixes], departements: [...departements], ratePerSecond: READS_PER_SECOND, timeoutMs: 30_000 } satisfies ReadersCommand);
  let runs = 0;
  const loop = (durationMs: number) =>
    new Promise<Reading[]>((resolve, reject) => {
      const id = ++runs;
      const onExit = (code: number | null) => reject(new Error(`the readers' process exited (${code}) during a run`));
      const onMessage = (reply: ReadersReply) => {
        if (reply.type !== "done" || reply.id !== id) return;
        child.off("message", onMessage).off("exit", onExit);
        resolve(reply.readings);
      };
      child.on("message", onMessage).once("exit", onExit);
      child.send({ type: "run", id, durationMs } satisfies ReadersCommand);
    });
  return {
    /** An idle baseline that is not all 200s measures nothing: the bench stops there. */
    async idle(): Promise<ReaderPhase> {
      const phase = phaseOf(await loop(IDLE_MS));
      const failed = phase.autocomplete.non2xx + phase.listing.non2xx;
      if (failed > 0) throw new Error(`readers: ${failed} idle reads were not 2xx`);
      return phase;
    },
    /** Reads for as long as `work` runs. */
    async during<T>(work: () => Promise<T>): Promise<{ value: T; phase: ReaderPhase; readings: Reading[] }> {
      const reading = loop(LONGEST_IMPORT_MS);
      const outcome = await work().then((value) => ({ value }), (error: unknown) => ({ error }));
      // The run ends on the stop and replies: waited for even when the work failed, so closing the process later rejects nothing.
      child.send({ type: "stop" } satisfies ReadersCommand);
      const readings = await reading;
      if ("error" in outcome) throw outcome.error;
      return { value: outcome.value, phase: phaseOf(readings), readings };
    },
    close: () => void child.kill(),
  };
}

/** Reads by the import part they were sent in; parts no read fell in are left out. */
export function readersByPart(responses: readonly Reading[], parts: readonly ImportPhase[]): ReaderFigures["byPart"] {
  return parts
    .map((part) => ({ part, reads: responses.filter((response) => response.sentAtMs >= part.startMs && response.sentAtMs < part.endMs) }))
    .filter(({ reads }) => reads.length > 0)
    .map(({ part, reads }) => {
      const timed = reads.filter((read) => read.dbMs !== undefined);
      return {
        part: part.name,
        seconds: Math.round((part.endMs - part.startMs) / 100) / 10,
        ...latencyOf(reads),
        dbP50Ms: percentiles(timed.map((read) => read.dbMs!)).p50,
        beyondDbP50Ms: percentiles(timed.map((read) => read.latencyMs - read.dbMs!)).p50,
      };
    });
}

export function readerFigures(idleBefore: ReaderPhase, during: ReaderPhase, idleAfter: ReaderPhase, byPart?: ReaderFigures["byPart"]): ReaderFigures {
  const ratio = (route: keyof ReaderPhase) => Math.round((during[route].p99Ms / Math.min(idleBefore[route].p99Ms, idleAfter[route].p99Ms)) * 100) / 100;
  return { readsPerSecond: READS_PER_SECOND, idleBefore, during, idleAfter, p99Ratio: { autocomplete: ratio("autocomplete"), listing: ratio("listing") }, byPart };
}
