import { percentiles, serverTimingDbMs, type Percentiles } from "./measure.ts";
import type { WorkerRuntime } from "./runtime.ts";

export interface MissTimeFigures {
  /** What the client waited for a miss, sequentially (no queueing). */
  total: Percentiles;
  /** The database's share, from the miss's Server-Timing `db`. */
  db: Percentiles;
  /** total − db per request: the Worker's own time, plus the runtime's way in and out. */
  own: Percentiles;
  /** /ping the same way: the runtime's way in and out with no Worker work at all. */
  ping: Percentiles;
  /** The median over misses of (own − the /ping just before it): what is left for the Worker's code and its cache lookups. */
  ownBeyondPingP50: number;
  /** The same request again right after each miss, answered from L0: the same body and middleware, no I/O. */
  hit: Percentiles;
  /** own − hit p50: what a miss costs the Worker beyond serving the same answer from memory. */
  ownBeyondHitP50: number;
}

/**
 * Sequential misses, one new key each (a limit no other section asks for and a département
 * filter per request), timed from the client and split with Server-Timing's `db`. Each miss
 * comes right after a /ping, and the beyond-/ping figure is the median of those pairs' own
 * differences, so both sides of each pair meet the same moment of a shared, noisy machine.
 * Each key is then asked twice more: the first repeat moves the answer into L1 (l1-admission),
 * the second, an L0 hit with the same body and no I/O, is timed: what an answer of that size
 * costs through the runtime and the middleware, beside what the miss costs.
 */
export async function missTime(runtime: WorkerRuntime, prefixes: readonly string[], count = 400): Promise<MissTimeFigures> {
  const timed = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`${runtime.url}${path}`);
    await response.arrayBuffer();
    return { ms: performance.now() - started, timing: response.headers.get("Server-Timing") ?? "" };
  };
  const ping: number[] = [];
  const total: number[] = [];
  const db: number[] = [];
  const hit: number[] = [];
  const beyondPing: number[] = [];
  for (let i = 0; i < count; i++) {
    const departement = String(1 + (i % 89)).padStart(2, "0");
    const path = `/v1/villes/autocomplete?q=${encodeURIComponent(prefixes[i % prefixes.length]!)}&limit=18&departement=${departement}`;
    const before = (await timed("/ping")).ms;
    const { ms, timing } = await timed(path);
    const dbMs = serverTimingDbMs(timing);
    if (!/cache;desc="miss"/.test(timing) || dbMs === undefined) continue;
    ping.push(before);
    total.push(ms);
    db.push(dbMs);
    beyondPing.push(ms - dbMs - before);
    await timed(path);
    const again = await timed(path);
    if (/desc="l0-hit"/.test(again.timing)) hit.push(again.ms);
  }
  const own = total.map((ms, index) => ms - db[index]!);
  const figures = { total: percentiles(total), db: percentiles(db), own: percentiles(own), ping: percentiles(ping), hit: percentiles(hit) };
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { ...figures, ownBeyondPingP50: percentiles(beyondPing).p50, ownBeyondHitP50: round(figures.own.p50 - figures.hit.p50) };
}
