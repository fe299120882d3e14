import type { Redis } from "@upstash/redis/cloudflare";

/** Every cached namespace; each has its own generation so one can be invalidated alone. */
export const CACHE_NAMESPACES = ["autocomplete", "ville", "villes", "reference", "stats"] as const;
export type CacheNamespace = (typeof CACHE_NAMESPACES)[number];

/**
 * How long an isolate trusts the generation it read: a bump reaches every isolate
 * within this time, and Redis sees at most one GET per namespace per isolate per period.
 */
export const GENERATION_MEMO_MS = 3_000;

const generationKey = (namespace: CacheNamespace) => `lieux:generation:${namespace}`;

/** Module scope on purpose: the memo must outlive the request to save the Redis round trip. */
const memoizedGenerations = new Map<CacheNamespace, { value: number; readAt: number }>();

/**
 * The namespace's current generation, part of every cache key. With Redis down it
 * returns the last value this isolate saw (or 0), so an outage never blocks a request.
 */
export async function currentGeneration(redis: Redis | null, namespace: CacheNamespace, now = Date.now()): Promise<number> {
  const memo = memoizedGenerations.get(namespace);
  if (memo && now - memo.readAt < GENERATION_MEMO_MS) return memo.value;
  if (!redis) return memo?.value ?? 0;
  try {
    const value = Number((await redis.get<number>(generationKey(namespace))) ?? 0);
    memoizedGenerations.set(namespace, { value, readAt: now });
    return value;
  } catch {
    // Retry Redis only after another memo period, so an outage costs one timeout per period.
    memoizedGenerations.set(namespace, { value: memo?.value ?? 0, readAt: now });
    return memo?.value ?? 0;
  }
}

/**
 * Makes every entry of the given namespaces unreachable (they expire on their own).
 * Imports bump every data namespace; a stats refresh bumps "stats" only.
 */
export async function bumpGeneration(redis: Redis | null, namespaces: readonly CacheNamespace[] = CACHE_NAMESPACES): Promise<Record<string, number>> {
  if (!redis) return {};
  const pipeline = redis.pipeline();
  for (const namespace of namespaces) pipeline.incr(generationKey(namespace));
  const values = (await pipeline.exec()) as number[];
  const now = Date.now();
  const bumped: Record<string, number> = {};
  namespaces.forEach((namespace, index) => {
    memoizedGenerations.set(namespace, { value: values[index]!, readAt: now });
    bumped[namespace] = values[index]!;
  });
  return bumped;
}
