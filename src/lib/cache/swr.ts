import { describeError, type Logger } from "../logger.ts";
import type { CacheNamespace } from "./generation.ts";
import { policyFor } from "./policies.ts";
import type { Entry, Store } from "./store.ts";

/** Which layer answered, for Server-Timing: a hit in a tier, a stale copy being refreshed, or a load. */
export type CacheLayer = "l1-hit" | "l2-hit" | "stale" | "miss";

export interface Cached<T> {
  value: T;
  layer: CacheLayer;
  /** Time to find the answer in the cache (the generation, then each tier), for Server-Timing; absent on a load. */
  lookupMs?: number;
}

/** How an answer was served, without the answer: what a response's headers describe. */
export type Served = Omit<Cached<unknown>, "value">;

/**
 * Module scope on purpose: concurrent misses for one key in this isolate share one load,
 * and a stale key is refreshed once, whichever requests see it.
 */
const inFlightLoads = new Map<string, Promise<unknown>>();

/** Tiers currently failing in this isolate, so an outage is logged on change, not per request. */
const failingTiers = new Set<string>();

function coalesce<T>(key: string, load: () => Promise<T>): Promise<T> {
  const running = inFlightLoads.get(key);
  if (running) return running as Promise<T>;
  const started = load().finally(() => inFlightLoads.delete(key));
  inFlightLoads.set(key, started);
  return started;
}

/**
 * Stale-while-revalidate over ordered tiers (L1 then L2). A tier's error is a miss in
 * that tier; a hit in a slower tier backfills the faster ones; writes go to every tier,
 * in the background. `null` is a value: a cached "not found", kept for less time.
 */
export class TieredCache {
  constructor(
    private readonly tiers: Store[],
    private readonly background: (work: Promise<unknown>) => void,
    private readonly logger: Logger,
  ) {}

  async swr<T>(namespace: CacheNamespace, key: string, loader: () => Promise<T>): Promise<Cached<T>> {
    const now = Date.now();
    let stale: Entry<T> | undefined;
    for (let index = 0; index < this.tiers.length; index++) {
      const tier = this.tiers[index]!;
      const result = await tier.get<T>(namespace, key);
      this.reportTierHealth(tier.name, result.ok ? undefined : result.error);
      if (!result.ok || !result.value || now >= result.value.staleUntil) continue;
      const entry = result.value;
      if (now >= entry.freshUntil) {
        // A slower tier may hold a fresher copy (refreshed elsewhere): look before reloading.
        stale ??= entry;
        continue;
      }
      if (index > 0) this.background(this.writeTiers(namespace, key, entry, index));
      return { value: entry.value, layer: tier.name === "l1" ? "l1-hit" : "l2-hit" };
    }
    if (stale) {
      this.background(this.refresh(namespace, key, loader).catch((error) => this.logger.log("warn", "background refresh failed", { namespace, ...describeError(error) })));
      return { value: stale.value, layer: "stale" };
    }
    const value = await coalesce(`${namespace}\u0000${key}`, loader);
    this.background(this.store(namespace, key, value));
    return { value, layer: "miss" };
  }

  /** Logs a tier going down and coming back once each, not once per request. */
  private reportTierHealth(tier: string, error: unknown) {
    const failing = error !== undefined;
    if (failingTiers.has(tier) === failing) return;
    if (failing) {
      failingTiers.add(tier);
      this.logger.log("warn", "cache tier unavailable: treating it as a miss", { tier, ...describeError(error) });
    } else {
      failingTiers.delete(tier);
      this.logger.log("info", "cache tier available again", { tier });
    }
  }

  /** Loads and stores now; used by warmers and by the stale path. */
  async refresh<T>(namespace: CacheNamespace, key: string, loader: () => Promise<T>): Promise<T> {
    return coalesce(`${namespace}\u0000${key}`, async () => {
      const value = await loader();
      await this.store(namespace, key, value);
      return value;
    });
  }

  private store<T>(namespace: CacheNamespace, key: string, value: T): Promise<unknown> {
    const policy = policyFor(namespace);
    const now = Date.now();
    const l2Fresh = value === null ? Math.min(policy.negativeFreshMs, policy.l2FreshMs) : policy.l2FreshMs;
    const entry: Entry<T> = { value, freshUntil: now + l2Fresh, staleUntil: now + l2Fresh + policy.staleMs };
    return this.writeTiers(namespace, key, entry, this.tiers.length);
  }

  /** Writes `entry` to the tiers before `untilTier`; L1 gets its shorter freshness. */
  private async writeTiers<T>(namespace: CacheNamespace, key: string, entry: Entry<T>, untilTier: number): Promise<void> {
    const policy = policyFor(namespace);
    const writes = this.tiers.slice(0, untilTier).map((tier) => {
      const freshUntil = tier.name === "l1" ? Math.min(entry.freshUntil, Date.now() + policy.l1FreshMs) : entry.freshUntil;
      return tier.set(namespace, key, { ...entry, freshUntil });
    });
    const results = await Promise.all(writes);
    results.forEach((result, index) => this.reportTierHealth(this.tiers[index]!.name, result.ok ? undefined : result.error));
  }
}

/** Tests only: nothing in flight survives between tests. */
export const inFlightLoadCount = () => inFlightLoads.size;
