import type { AppConfig } from "../../env.ts";
import type { HealthReport } from "./collect.ts";

/** How long a computed /health stays in this isolate, and how long caches may keep the response. */
export const HEALTH_MEMO_MS = 5_000;

/** Configurations remembered at once: production has one; tests run several side by side. */
const MAX_ENTRIES = 16;

/**
 * The last report per configuration, at module scope. Plain data only — the finished
 * report and when it was computed, never a promise: Workers forbids a request awaiting
 * I/O started by another request. Concurrent first requests may each compute a report.
 */
const memos = new Map<string, { computedAt: number; report: HealthReport }>();

/** The dependencies a report describes: a report is only ever served for the configuration that produced it. */
export function healthMemoKey(config: AppConfig): string {
  return JSON.stringify([config.DATABASE_URL, config.DATABASE_REPLICA_URLS, config.UPSTASH_REDIS_REST_URL ?? null, config.MEILISEARCH_HOST ?? null]);
}

/** The report computed less than HEALTH_MEMO_MS ago for this configuration, if any. */
export function recallHealth(key: string, now = Date.now()): HealthReport | undefined {
  const memo = memos.get(key);
  if (!memo) return undefined;
  if (now - memo.computedAt < HEALTH_MEMO_MS && now >= memo.computedAt) return memo.report;
  memos.delete(key);
  return undefined;
}

export function rememberHealth(key: string, report: HealthReport, now = Date.now()): void {
  memos.delete(key);
  memos.set(key, { computedAt: now, report });
  while (memos.size > MAX_ENTRIES) memos.delete(memos.keys().next().value!);
}
