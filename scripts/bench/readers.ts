import { runRequestLoop, type LoopRequest, type LoopResponse } from "../lib/request-loop.ts";
import type { ImportPhase } from "./import-phases.ts";
import { percentiles } from "./measure.ts";

/** Paced like browsers (an open loop): a slow server does not slow the readers down. */
const READS_PER_SECOND = 20;
const IDLE_MS = 20_000;
/** Whatever the import's length, the readers stop when it ends; this only bounds a runaway. */
const LONGEST_IMPORT_MS = 60 * 60_000;
const AUTOCOMPLETE = "/v1/villes/autocomplete?";
const LISTING = "/v1/villes?";

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
  /** Both routes' reads grouped by the part of the import they were sent in. */
  byPart?: ({ part: string; seconds: number } & ReaderLatency)[];
}

function latencyOf(responses: readonly LoopResponse[]): ReaderLatency {
  const figures = percentiles(responses.map((response) => response.latencyMs));
  return { requests: responses.length, non2xx: responses.filter((response) => response.status < 200 || response.status > 299).length, p50Ms: figures.p50, p99Ms: figures.p99, maxMs: figures.max };
}

function phaseOf(responses: readonly LoopResponse[]): ReaderPhase {
  return {
    autocomplete: latencyOf(responses.filter((response) => response.path.startsWith(AUTOCOMPLETE))),
    listing: latencyOf(responses.filter((response) => response.path.startsWith(LISTING))),
  };
}

/**
 * Readers that always reach Postgres: every URL is new to every cache tier (a prefix and a
 * limit, or a département and a limit, never sent before in this run), alternating
 * autocomplete and the listing. The counter runs across phases, so no phase reads what an
 * earlier one cached.
 */
export function createReaders(origin: string, prefixes: readonly string[], departements: readonly string[]) {
  let sent = 0;
  const next = (): LoopRequest => {
    const index = sent++;
    const round = Math.floor(index / 2);
    if (index % 2 === 0) {
      const prefix = prefixes[round % prefixes.length]!;
      const limit = 1 + (Math.floor(round / prefixes.length) % 20);
      return { path: `${AUTOCOMPLETE}q=${encodeURIComponent(prefix)}&limit=${limit}` };
    }
    const departement = departements[round % departements.length]!;
    const limit = 1 + (Math.floor(round / departements.length) % 100);
    return { path: `${LISTING}departement=${departement}&limit=${limit}` };
  };
  const loop = (durationMs: number, stop?: AbortSignal) =>
    runRequestLoop({ origin, ratePerSecond: READS_PER_SECOND, durationMs, next, stop, timeoutMs: 30_000 });
  return {
    /** An idle baseline that is not all 200s measures nothing: the bench stops there. */
    async idle(): Promise<ReaderPhase> {
      const phase = phaseOf((await loop(IDLE_MS)).responses);
      const failed = phase.autocomplete.non2xx + phase.listing.non2xx;
      if (failed > 0) throw new Error(`readers: ${failed} idle reads were not 2xx`);
      return phase;
    },
    /** Reads for as long as `work` runs. */
    async during<T>(work: () => Promise<T>): Promise<{ value: T; phase: ReaderPhase; responses: LoopResponse[] }> {
      const stop = new AbortController();
      const reading = loop(LONGEST_IMPORT_MS, stop.signal);
      try {
        const value = await work();
        const { responses } = await (stop.abort(), reading);
        return { value, phase: phaseOf(responses), responses };
      } finally {
        stop.abort();
      }
    },
  };
}

/** Reads by the import part they were sent in; parts no read fell in are left out. */
export function readersByPart(responses: readonly LoopResponse[], parts: readonly ImportPhase[]): ReaderFigures["byPart"] {
  return parts
    .map((part) => ({ part, reads: responses.filter((response) => response.sentAtMs >= part.startMs && response.sentAtMs < part.endMs) }))
    .filter(({ reads }) => reads.length > 0)
    .map(({ part, reads }) => ({ part: part.name, seconds: Math.round((part.endMs - part.startMs) / 100) / 10, ...latencyOf(reads) }));
}

export function readerFigures(idleBefore: ReaderPhase, during: ReaderPhase, idleAfter: ReaderPhase, byPart?: ReaderFigures["byPart"]): ReaderFigures {
  const ratio = (route: keyof ReaderPhase) => Math.round((during[route].p99Ms / Math.min(idleBefore[route].p99Ms, idleAfter[route].p99Ms)) * 100) / 100;
  return { readsPerSecond: READS_PER_SECOND, idleBefore, during, idleAfter, p99Ratio: { autocomplete: ratio("autocomplete"), listing: ratio("listing") }, byPart };
}
