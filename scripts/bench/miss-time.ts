import { percentiles, type Percentiles } from "./measure.ts";
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
  /** own − ping p50: what is left for the Worker's code and its cache lookups. */
  ownBeyondPingP50: number;
  /** The same request again right after each miss, answered from L0: the same body and middleware, no I/O. */
  hit: Percentiles;
  /** own − hit p50: what a miss costs the Worker beyond serving the same answer from memory. */
  ownBeyondHitP50: number;
}

/**
 * Sequential misses, one new key each (a limit no other section asks for and a département
 * filter per request), timed from the client and split with Server-Timing's `db`; each is
 * asked again at once, an L0 hit with the same body, to separate the miss's own work from
 * what any answer of that size costs on its way through the runtime.
 */
export async function missTime(runtime: WorkerRuntime, prefixes: readonly string[], count = 200): Promise<MissTimeFigures> {
  const timed = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`${runtime.url}${path}`);
    await response.arrayBuffer();
    return { ms: performance.now() - started, timing: response.headers.get("Server-Timing") ?? "" };
  };
  const ping: number[] = [];
  for (let i = 0; i < count; i++) ping.push((await timed("/ping")).ms);
  const total: number[] = [];
  const db: number[] = [];
  const hit: number[] = [];
  for (let i = 0; i < count; i++) {
    const departement = String(1 + (i % 89)).padStart(2, "0");
    const path = `/v1/villes/autocomplete?q=${encodeURIComponent(prefixes[i % prefixes.length]!)}&limit=18&departement=${departement}`;
    const { ms, timing } = await timed(path);
    const dbMs = /(?:^|, )db;dur=([\d.]+)/.exec(timing)?.[1];
    if (!/cache;desc="miss"/.test(timing) || dbMs === undefined) continue;
    total.push(ms);
    db.push(Number(dbMs));
    const again = await timed(path);
    if (/desc="l0-hit"/.test(again.timing)) hit.push(again.ms);
  }
  const own = total.map((ms, index) => ms - db[index]!);
  const figures = { total: percentiles(total), db: percentiles(db), own: percentiles(own), ping: percentiles(ping), hit: percentiles(hit) };
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { ...figures, ownBeyondPingP50: round(figures.own.p50 - figures.ping.p50), ownBeyondHitP50: round(figures.own.p50 - figures.hit.p50) };
}
