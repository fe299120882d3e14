import type { Redis } from "@upstash/redis/cloudflare";
import type { Logger } from "../logger.ts";
import type { RedisCommandSender } from "../redis/batch.ts";
import { CloudflareStore } from "./cloudflare-store.ts";
import { isolateMemoryStore } from "./memory-store.ts";
import { currentGeneration, type CacheNamespace } from "./generation.ts";
import { CACHE_SCHEMA_VERSION } from "./policies.ts";
import { RedisStore } from "./redis-store.ts";
import type { Store } from "./store.ts";
import { TieredCache, type Cached } from "./swr.ts";

export type KeyParts = Record<string, string | number | boolean | undefined>;

/** `v{schema}:{namespace}:{generation}:{parts}`, parts sorted so equal requests share a key. */
export function cacheKey(namespace: CacheNamespace, generation: number, parts: KeyParts): string {
  const canonical = Object.keys(parts)
    .sort()
    .filter((name) => parts[name] !== undefined)
    .map((name) => `${name}=${encodeURIComponent(String(parts[name]))}`)
    .join("&");
  return `v${CACHE_SCHEMA_VERSION}:${namespace}:${generation}:${canonical}`;
}

export interface RequestCache {
  /** Serves from L1/L2 with stale-while-revalidate, or runs `loader` (coalesced) and fills both tiers. */
  read<T>(namespace: CacheNamespace, parts: KeyParts, loader: () => Promise<T>): Promise<Cached<T>>;
  /** Runs `loader` and stores the result now, whatever is cached: for warming. */
  refresh<T>(namespace: CacheNamespace, parts: KeyParts, loader: () => Promise<T>): Promise<T>;
}

export interface RequestCacheOptions {
  redis: Redis | null;
  /** Where fills and generation re-reads go after the response: the request's one pipeline. */
  redisBatch: RedisCommandSender | null;
  logger: Logger;
  background: (work: Promise<unknown>) => void;
  /** False skips the in-isolate memory tier (CACHE_L0=off), to measure L1 alone. */
  l0?: boolean;
  /** False skips the Cache API tier (CACHE_L1=off), to measure L2 alone. */
  l1?: boolean;
  /**
   * The Worker's public origin (PUBLIC_ORIGIN, else the request's own): Cache API keys must
   * be URLs on the zone the Worker serves. Without one (a cron run with no PUBLIC_ORIGIN),
   * L1 is skipped rather than filled under a host no request would look up.
   */
  origin?: string;
}

export function createRequestCache(options: RequestCacheOptions): RequestCache {
  const tiers: Store[] = options.l0 === false ? [] : [isolateMemoryStore];
  if (options.l1 !== false && options.origin) tiers.push(new CloudflareStore(options.origin));
  if (options.redis && options.redisBatch) tiers.push(new RedisStore(options.redis, options.redisBatch));
  const tiered = new TieredCache(tiers, options.background, options.logger);
  const keyFor = async (namespace: CacheNamespace, parts: KeyParts) =>
    cacheKey(namespace, await currentGeneration(options.redis, namespace, Date.now(), options.redisBatch ?? undefined), parts);
  return {
    async read(namespace, parts, loader) {
      // The Workers clock only moves across I/O, which is what a lookup is: the Cache API and Redis.
      const started = performance.now();
      const cached = await tiered.swr(namespace, await keyFor(namespace, parts), loader);
      return cached.layer === "miss" ? cached : { ...cached, lookupMs: performance.now() - started };
    },
    async refresh(namespace, parts, loader) {
      return tiered.refresh(namespace, await keyFor(namespace, parts), loader);
    },
  };
}
