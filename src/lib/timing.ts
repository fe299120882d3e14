import { AsyncLocalStorage } from "node:async_hooks";

/** Durations one request spent on each dependency, summed, for its Server-Timing header. */
export class RequestTimings {
  private readonly totals = new Map<string, number>();

  add(metric: string, durationMs: number): void {
    this.totals.set(metric, (this.totals.get(metric) ?? 0) + durationMs);
  }

  /** The metric's total, or undefined when the dependency was never asked in this request. */
  total(metric: string): number | undefined {
    return this.totals.get(metric);
  }
}

/**
 * The current request's timings. Drivers are isolate-wide (the Neon driver's fetch is
 * global), so the request they are working for travels with the async context instead.
 */
export const currentRequestTimings = new AsyncLocalStorage<RequestTimings>();

/** Adds to the current request's metric; outside a request (a cron run) it is a no-op. */
export function recordTiming(metric: string, durationMs: number): void {
  currentRequestTimings.getStore()?.add(metric, durationMs);
}
