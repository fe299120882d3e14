import type { Redis } from "@upstash/redis/cloudflare";
import type { RedisCommandSender } from "../redis/batch.ts";
import { purgeEdgeCache, type EdgePurge } from "./edge-cache.ts";

/** Every cached namespace; each has its own generation so one can be invalidated alone. */
export const CACHE_NAMESPACES = ["autocomplete", "ville", "villes", "reference", "stats"] as const;
export type CacheNamespace = (typeof CACHE_NAMESPACES)[number];

/**
 * How long an isolate trusts the generation it read: a bump reaches every isolate
 * within this time, and Redis sees at most one GET per namespace per isolate per period.
 */
export const GENERATION_MEMO_MS = 3_000;

/**
 * Past the memo period, an isolate that has a sender keeps using its memo while the re-read
 * rides the request's background pipeline, up to this age; older, the request reads it first.
 * So a busy isolate never waits on Redis for it, and an idle one never trusts an old value.
 */
export const GENERATION_STALE_MS = 10_000;

const generationKey = (namespace: CacheNamespace) => `lieux:generation:${namespace}`;

/** Module scope on purpose: the memo must outlive the request to save the Redis round trip. */
const memoizedGenerations = new Map<CacheNamespace, { value: number; readAt: number; rereadAt?: number }>();

/**
 * The namespace's current generation, part of every cache key. With Redis down it
 * returns the last value this isolate saw (or 0), so an outage never blocks a request.
 * With `background`, a memo between GENERATION_MEMO_MS and GENERATION_STALE_MS old is
 * used as is and re-read in the background (once per memo period per isolate).
 */
export async function currentGeneration(redis: Redis | null, namespace: CacheNamespace, now = Date.now(), background?: RedisCommandSender): Promise<number> {
  const memo = memoizedGenerations.get(namespace);
  if (memo && now - memo.readAt < GENERATION_MEMO_MS) return memo.value;
  if (memo && background && now - memo.readAt < GENERATION_STALE_MS) {
    if (memo.rereadAt === undefined || now - memo.rereadAt >= GENERATION_MEMO_MS) {
      memo.rereadAt = now;
      background.send<string | null>(["GET", generationKey(namespace)]).then(
        (value) => {
          // A bump in this isolate meanwhile wrote a newer memo: keep it.
          if (memoizedGenerations.get(namespace) === memo) memoizedGenerations.set(namespace, { value: Number(value ?? 0), readAt: Date.now() });
        },
        () => undefined,
      );
    }
    return memo.value;
  }
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
 * Makes every entry of the given namespaces unreachable (they expire on their own), and
 * purges their responses from Workers Cache where the runtime offers it (`purge`: outside
 * the default entrypoint, loopbackEdgePurge). Imports bump every data namespace; a stats
 * refresh bumps "stats" only.
 */
export async function bumpGeneration(redis: Redis | null, namespaces: readonly CacheNamespace[] = CACHE_NAMESPACES, purge: EdgePurge = purgeEdgeCache): Promise<Record<string, number>> {
  const bumped: Record<string, number> = {};
  if (redis) {
    const pipeline = redis.pipeline();
    for (const namespace of namespaces) pipeline.incr(generationKey(namespace));
    const values = (await pipeline.exec()) as number[];
    const now = Date.now();
    namespaces.forEach((namespace, index) => {
      memoizedGenerations.set(namespace, { value: values[index]!, readAt: now });
      bumped[namespace] = values[index]!;
    });
  }
  // The same answers, cached at the edge by URL, are purged by their namespace's tag, Redis or not.
  await purge(namespaces);
  return bumped;
}
