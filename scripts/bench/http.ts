import autocannon from "autocannon";
import { lookupTimes } from "./cache-lookup.ts";
import { measure, percentiles, type Percentiles } from "./measure.ts";
import type { WorkerRuntime } from "./runtime.ts";

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** How many responses each cache layer answered (Server-Timing `cache;desc`). */
  layers: Record<string, number>;
}

/** The cache layer named in a response's Server-Timing, whatever shape autocannon gives the headers in. */
function layerOf(headers: unknown): string {
  const list = Array.isArray(headers) ? headers : Object.entries((headers ?? {}) as Record<string, string>).flat();
  for (let i = 0; i < list.length - 1; i += 2) {
    if (String(list[i]).toLowerCase() === "server-timing") return /cache(?:;dur=[\d.]+)?;desc="([^"]+)"/.exec(String(list[i + 1]))?.[1] ?? "none";
  }
  return "none";
}

/** A fixed-concurrency, fixed-duration run against loopback only. */
export async function load(url: string, requests: Array<{ path: string; headers?: Record<string, string> }>, options: { connections: number; seconds: number }): Promise<LoadFigures> {
  const layers: Record<string, number> = {};
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    requests: requests.map((request) => ({
      method: "GET",
      path: request.path,
      headers: request.headers,
      onResponse: (_status: number, _body: string, _context: unknown, headers: unknown) => {
        const layer = layerOf(headers);
        layers[layer] = (layers[layer] ?? 0) + 1;
      },
    })),
  } as autocannon.Options);
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    layers,
  };
}

/**
 * Requests that all miss: every sampled prefix at every limit is its own cache key (credentials
 * no longer bypass the shared caches), more keys than a run can send.
 */
export function missRequests(prefixes: readonly string[]): Array<{ path: string }> {
  const requests: Array<{ path: string }> = [];
  for (let limit = 1; limit <= 20; limit++) for (const q of prefixes) requests.push({ path: `/v1/villes/autocomplete?q=${encodeURIComponent(q)}&limit=${limit}` });
  return requests;
}

export interface LayerFigures {
  runtime: WorkerRuntime["name"];
  ceiling: LoadFigures;
  l1Hit: LoadFigures;
  miss: LoadFigures;
  l2Hit?: LoadFigures;
  /** The L1 hit's own lookup time inside the Worker, from Server-Timing. */
  l1Lookup?: Percentiles & { layers: Record<string, number> };
  fractionOfCeiling: Record<string, number>;
}

/** Load options; `quiet` runs a sequential timing with the memory sampler paused. */
export interface LoadOptions {
  connections: number;
  seconds: number;
  quiet: <T>(timed: () => Promise<T>) => Promise<T>;
}

/**
 * A workload's throughput as a fraction of the /ping ceiling measured just before it on the
 * same runtime: a ceiling taken minutes earlier drifts with a shared 2-core machine (290 to
 * 750 req/s on wrangler dev between runs of one day), and so did every fraction taken from it.
 */
async function againstCeiling(runtime: WorkerRuntime, requests: Array<{ path: string }>, options: { connections: number; seconds: number }) {
  const ceiling = await load(runtime.url, [{ path: "/ping" }], options);
  const figures = await load(runtime.url, requests, options);
  return { figures, ceiling, fraction: Math.round((figures.requestsPerSecond / Math.max(1, ceiling.requestsPerSecond)) * 1000) / 1000 };
}

export async function benchLayers(runtime: WorkerRuntime, prefixes: readonly string[], options: LoadOptions): Promise<LayerFigures> {
  const hit = "/v1/villes/autocomplete?q=saint&limit=10";
  await fetch(`${runtime.url}${hit}`);
  const l1Hit = await againstCeiling(runtime, [{ path: hit }], options);
  const l1Lookup = await options.quiet(() => lookupTimes(runtime.url, hit));
  const miss = await againstCeiling(runtime, missRequests(prefixes), options);
  return { runtime: runtime.name, ceiling: l1Hit.ceiling, l1Hit: l1Hit.figures, l1Lookup, miss: miss.figures, fractionOfCeiling: { l1Hit: l1Hit.fraction, miss: miss.fraction } };
}

/** With CACHE_L1=off every repeat is answered from Redis: the L2 hit on its own. */
export async function benchL2(runtime: WorkerRuntime, options: LoadOptions) {
  const hit = "/v1/villes/autocomplete?q=saint&limit=10";
  await fetch(`${runtime.url}${hit}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const layer = await fetch(`${runtime.url}${hit}`).then((response) => response.headers.get("Server-Timing"));
  const l2Hit = await againstCeiling(runtime, [{ path: hit }], options);
  const l2Lookup = await options.quiet(() => lookupTimes(runtime.url, hit));
  return { l2Hit: l2Hit.figures, l2Lookup, serverTiming: layer, fraction: l2Hit.fraction };
}

/**
 * The L1 hit again on a runtime with no Redis configured: no rate-limit counting in
 * waitUntil, no bridge or redis-server sharing the cores. The gap to the plain L1 hit is
 * what the limiter's background Redis traffic costs; the gap to the ceiling is the
 * middleware and the Cache API.
 */
export async function benchL1WithoutRedis(runtime: WorkerRuntime, options: { connections: number; seconds: number }) {
  const hit = "/v1/villes/autocomplete?q=saint&limit=10";
  await fetch(`${runtime.url}${hit}`).then((response) => response.arrayBuffer());
  await new Promise((resolve) => setTimeout(resolve, 200));
  const l1Hit = await againstCeiling(runtime, [{ path: hit }], options);
  // Every middleware, then a 400 from the query schema: the stack's own cost, with no I/O at all.
  const middlewareOnly = await againstCeiling(runtime, [{ path: "/v1/villes/autocomplete?q=" }], options);
  return { l1Hit: l1Hit.figures, fraction: l1Hit.fraction, middlewareOnly: middlewareOnly.figures, middlewareFraction: middlewareOnly.fraction };
}

/** Sequential latency of the engine through HTTP, for each sampled prefix, on a limit no other section asks (so every one is a miss). */
export async function httpEngineLatency(runtime: WorkerRuntime, prefixes: readonly string[]): Promise<Percentiles> {
  const samples: number[] = [];
  await measure(async (index) => {
    const started = performance.now();
    const response = await fetch(`${runtime.url}/v1/villes/autocomplete?q=${encodeURIComponent(prefixes[index % prefixes.length]!)}&limit=19`);
    await response.arrayBuffer();
    samples.push(performance.now() - started);
  }, { iterations: prefixes.length, warmup: 0 });
  return percentiles(samples);
}
