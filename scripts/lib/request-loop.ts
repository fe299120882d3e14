import { percentiles } from "../bench/measure.ts";

/** One request of a client loop: a path on the Worker and what to send. */
export interface LoopRequest {
  path: string;
  init?: RequestInit;
}

export interface LoopResponse {
  path: string;
  /** 0 when the request failed at the network level or hit its timeout. */
  status: number;
  latencyMs: number;
  /** Epoch milliseconds when it was sent (performance.timeOrigin-based: comparable across processes). */
  sentAtMs: number;
  headers: Headers | null;
  body: string;
}

export interface LoopSummary {
  requests: number;
  non2xx: number;
  status5xx: number;
  networkErrors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  responses: LoopResponse[];
}

export function summarize(responses: LoopResponse[]): LoopSummary {
  const latency = percentiles(responses.map((response) => response.latencyMs));
  return {
    requests: responses.length,
    non2xx: responses.filter((response) => response.status < 200 || response.status > 299).length,
    status5xx: responses.filter((response) => response.status >= 500).length,
    networkErrors: responses.filter((response) => response.status === 0).length,
    p50Ms: latency.p50,
    p99Ms: latency.p99,
    maxMs: latency.max,
    responses,
  };
}

async function timedFetch(origin: string, request: LoopRequest, timeoutMs: number): Promise<LoopResponse> {
  const started = performance.now();
  try {
    const response = await fetch(origin + request.path, { ...request.init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { path: request.path, status: response.status, latencyMs: performance.now() - started, sentAtMs: performance.timeOrigin + started, headers: response.headers, body };
  } catch (error) {
    return { path: request.path, status: 0, latencyMs: performance.now() - started, sentAtMs: performance.timeOrigin + started, headers: null, body: String(error) };
  }
}

/**
 * An open-loop client: request i starts at i / ratePerSecond seconds whatever the previous
 * ones are doing (a slow server does not slow the client down, as with real browsers), for
 * `durationMs` or until `stop` aborts, with a hard cap on requests in flight. It always
 * ends: at most rate × duration requests, each with its own timeout.
 */
export async function runRequestLoop(options: {
  origin: string;
  ratePerSecond: number;
  durationMs: number;
  next: (index: number) => LoopRequest;
  timeoutMs?: number;
  maxInFlight?: number;
  stop?: AbortSignal;
}): Promise<LoopSummary> {
  const total = Math.floor((options.ratePerSecond * options.durationMs) / 1000);
  const intervalMs = 1000 / options.ratePerSecond;
  const maxInFlight = options.maxInFlight ?? 50;
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  const responses: LoopResponse[] = [];
  for (let index = 0; index < total && !options.stop?.aborted; index++) {
    const due = started + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const pending = timedFetch(options.origin, options.next(index), options.timeoutMs ?? 10_000).then((response) => {
      responses.push(response);
      inFlight.delete(pending);
    });
    inFlight.add(pending);
  }
  await Promise.all(inFlight);
  return summarize(responses);
}

/** Runs `during` while a client loop runs, and returns both. */
export async function whileLooping<T>(
  loop: Parameters<typeof runRequestLoop>[0],
  during: () => Promise<T>,
): Promise<{ summary: LoopSummary; value: T }> {
  const looping = runRequestLoop(loop);
  const value = await during();
  return { summary: await looping, value };
}
