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
}

/**
 * Sequential misses, one new key each (a limit no other section asks for and a département
 * filter per request), timed from the client and split with Server-Timing's `db`.
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
  for (let i = 0; i < count; i++) {
    const departement = String(1 + (i % 89)).padStart(2, "0");
    const { ms, timing } = await timed(`/v1/villes/autocomplete?q=${encodeURIComponent(prefixes[i % prefixes.length]!)}&limit=18&departement=${departement}`);
    const dbMs = /(?:^|, )db;dur=([\d.]+)/.exec(timing)?.[1];
    if (!/cache;desc="miss"/.test(timing) || dbMs === undefined) continue;
    total.push(ms);
    db.push(Number(dbMs));
  }
  const own = total.map((ms, index) => ms - db[index]!);
  const figures = { total: percentiles(total), db: percentiles(db), own: percentiles(own), ping: percentiles(ping) };
  return { ...figures, ownBeyondPingP50: Math.round((figures.own.p50 - figures.ping.p50) * 1000) / 1000 };
}
