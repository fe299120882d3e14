/** Latency summary of one measured operation, in milliseconds. */
export interface Percentiles {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (value: number) => Math.round(value * 1000) / 1000;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, mean: round(mean), p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) };
}

/**
 * Runs `operation` `warmup` times unmeasured (to fill caches and plans as in steady
 * state), then `iterations` times, and summarises the wall-clock times.
 */
export async function measure(operation: (iteration: number) => Promise<unknown>, options: { iterations: number; warmup?: number }): Promise<Percentiles> {
  for (let i = 0; i < (options.warmup ?? 3); i++) await operation(i);
  const samples: number[] = [];
  for (let i = 0; i < options.iterations; i++) {
    const started = performance.now();
    await operation(i);
    samples.push(performance.now() - started);
  }
  return percentiles(samples);
}

/** `baseline / candidate`, rounded: how many times faster the candidate is. */
export function speedup(baseline: Percentiles, candidate: Percentiles, key: keyof Omit<Percentiles, "n"> = "p50"): number {
  return Math.round((baseline[key] / Math.max(candidate[key], 0.001)) * 10) / 10;
}

export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** The Worker's own account of its time waiting on Postgres: the `db` metric of a Server-Timing header, when it asked. */
export function serverTimingDbMs(header: string | null | undefined): number | undefined {
  const ms = /(?:^|, )db;dur=([\d.]+)/.exec(header ?? "")?.[1];
  return ms === undefined ? undefined : Number(ms);
}
