import { nextTurn } from "../next-turn.ts";
import { describeError, type Logger } from "../logger.ts";
import type { CacheNamespace } from "./generation.ts";
import { admitToL1, awaitL1Admission } from "./l1-admission.ts";
import { policyFor } from "./policies.ts";
import type { Entry, Store } from "./store.ts";

/** Which layer answered, for Server-Timing: a hit in a tier, a stale copy being refreshed, or a load. */
export type CacheLayer = "l0-hit" | "l1-hit" | "l2-hit" | "stale" | "miss";

export interface Cached<T> {
  value: T;
  layer: CacheLayer;
  /** Time to find the answer in the cache (the generation, then each tier), for Server-Timing; absent on a load. */
  lookupMs?: number;
  /** The load's answer was marked notCached: no tier kept it, and no HTTP cache may. */
  uncached?: true;
}

/**
 * Module scope on purpose: answers a loader marked as not to be kept (a degraded answer, such
 * as a search cut off at its deadline). Weak, so an entry lives as long as its request's value.
 */
const notCachedValues = new WeakSet<object>();

/** Marks a loader's answer so that no tier stores it; the caller still gets it. */
export function notCached<T extends object>(value: T): T {
  notCachedValues.add(value);
  return value;
}

const keeps = (value: unknown) => !(typeof value === "object" && value !== null && notCachedValues.has(value));

/** How an answer was served, without the answer: what a response's headers describe. */
export type Served = Omit<Cached<unknown>, "value">;

/**
 * How long a request waits for a load another request started before it loads for itself:
 * far above a healthy miss (tens of ms), and the most a shared load can add to a request.
 */
export const SHARED_LOAD_WAIT_MS = 250;

interface SharedLoad {
  startedAt: number;
  result: Promise<unknown>;
}

/**
 * Module scope on purpose: concurrent misses for one key in this isolate share one load,
 * and a stale key is refreshed once, whichever requests see it.
 *
 * But Workers cancels a request's I/O when that request ends, unless it was handed to
 * waitUntil, so a load belongs to the request that started it. That request hands it to its
 * own waitUntil, so it finishes even if its client goes away; any other request only races
 * it against a deadline of its own (SHARED_LOAD_WAIT_MS from the start), then loads for
 * itself. A load that was cancelled anyway therefore costs a waiter one short wait, never a
 * hang nor I/O on behalf of a request that has ended; and once it is older than the
 * deadline, nobody joins it.
 */
const sharedLoads = new Map<string, SharedLoad>();

/** Tiers currently failing in this isolate, so an outage is logged on change, not per request. */
const failingTiers = new Set<string>();

async function coalesce<T>(key: string, load: () => Promise<T>, background: (work: Promise<unknown>) => void): Promise<T> {
  const shared = sharedLoads.get(key);
  const waitMs = shared ? shared.startedAt + SHARED_LOAD_WAIT_MS - Date.now() : 0;
  if (shared && waitMs > 0) {
    const outcome = await withinDeadline(shared.result, waitMs);
    if (outcome !== LATE) return outcome as T;
  }
  const own = { startedAt: Date.now() } as SharedLoad;
  const result = load().finally(() => {
    if (sharedLoads.get(key) === own) sharedLoads.delete(key);
  });
  own.result = result;
  sharedLoads.set(key, own);
  // Kept alive past the response; the caller reports a failure, so it is not logged twice.
  background(result.catch(() => undefined));
  return result;
}

const LATE = Symbol("late");

/** What `result` settles to (its error is shared too), or LATE after `ms`. */
async function withinDeadline(result: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), ms);
  });
  try {
    return await Promise.race([result, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stale-while-revalidate over ordered tiers (L0, L1, then L2). A tier's error is a miss in
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
    const skipL2 = !this.readsL2(namespace);
    for (let index = 0; index < this.tiers.length; index++) {
      const tier = this.tiers[index]!;
      if (skipL2 && tier.name === "l2") continue;
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
      else this.admitRepeatToL1(namespace, key);
      return { value: entry.value, layer: `${tier.name}-hit` as CacheLayer };
    }
    if (stale) {
      this.background(this.refresh(namespace, key, loader).catch((error) => this.logger.log("warn", "background refresh failed", { namespace, ...describeError(error) })));
      return { value: stale.value, layer: "stale" };
    }
    // Only the request that runs the load stores its value: one write per load, not per waiter.
    // The store (serialising the value for each tier) waits for a timer, so it runs once the
    // response is on its way, not before it; L1 waits for the key's next request (l1-admission.ts).
    const load = async () => {
      const value = await loader();
      if (keeps(value)) this.background(nextTurn().then(() => this.store(namespace, key, value, { l1OnRepeat: true })));
      return value;
    };
    const value = await coalesce(`${namespace}\u0000${key}`, load, this.background);
    return keeps(value) ? { value, layer: "miss" } : { value, layer: "miss", uncached: true };
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
    const load = async () => {
      const value = await loader();
      if (keeps(value)) await this.store(namespace, key, value);
      return value;
    };
    return coalesce(`${namespace}\u0000${key}`, load, this.background);
  }

  /**
   * Writes a loaded value to every tier; with `l1OnRepeat` and an L0 in front, L1 gets it
   * only when the key is asked for again in this isolate (an L0 hit: admitRepeatToL1).
   */
  private store<T>(namespace: CacheNamespace, key: string, value: T, options: { l1OnRepeat?: boolean } = {}): Promise<unknown> {
    const policy = policyFor(namespace);
    const now = Date.now();
    const l2Fresh = value === null ? Math.min(policy.negativeFreshMs, policy.l2FreshMs) : policy.l2FreshMs;
    const entry: Entry<T> = { value, freshUntil: now + l2Fresh, staleUntil: now + l2Fresh + policy.staleMs };
    const deferL1 = options.l1OnRepeat === true && this.tiers[0]?.name === "l0" && this.tiers.some((tier) => tier.name === "l1");
    if (deferL1) awaitL1Admission(namespace, key, entry);
    return this.writeTiers(namespace, key, entry, this.tiers.length, deferL1 ? (tier) => tier.name !== "l1" : undefined);
  }

  /**
   * Whether this namespace's L2 is read here: not autocomplete's behind L1 (policies.ts). An L2
   * that is never read is never written either: behind L1, an autocomplete miss owes Redis no
   * fill, and most misses (all but the popular-query sample) owe it nothing at all.
   */
  private readsL2(namespace: CacheNamespace): boolean {
    return !(policyFor(namespace).l2Read === "without-l1" && this.tiers.some((tier) => tier.name === "l1"));
  }

  /** An L0 hit on a key whose load skipped L1: writes the loaded entry to L1 now, once. */
  private admitRepeatToL1(namespace: CacheNamespace, key: string) {
    const entry = admitToL1(namespace, key);
    if (entry) this.background(this.writeTiers(namespace, key, entry, this.tiers.length, (tier) => tier.name === "l1"));
  }

  /** Writes `entry` to the tiers before `untilTier` (those `only` accepts); L0 and L1 get L1's shorter freshness. */
  private async writeTiers<T>(namespace: CacheNamespace, key: string, entry: Entry<T>, untilTier: number, only?: (tier: Store) => boolean): Promise<void> {
    const policy = policyFor(namespace);
    const writesL2 = this.readsL2(namespace);
    const tiers = this.tiers.slice(0, untilTier).filter((tier) => (!only || only(tier)) && (writesL2 || tier.name !== "l2"));
    const writes = tiers.map((tier) => {
      const freshUntil = tier.name === "l1" || tier.name === "l0" ? Math.min(entry.freshUntil, Date.now() + policy.l1FreshMs) : entry.freshUntil;
      return tier.set(namespace, key, { ...entry, freshUntil });
    });
    const results = await Promise.all(writes);
    results.forEach((result, index) => this.reportTierHealth(tiers[index]!.name, result.ok ? undefined : result.error));
  }
}
