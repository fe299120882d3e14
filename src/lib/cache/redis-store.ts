import type { Redis } from "@upstash/redis/cloudflare";
import { settle, type Entry, type Store } from "./store.ts";

/**
 * L2: Upstash Redis, shared by every data centre. Entries expire in Redis exactly when
 * they stop being servable (SET … PXAT staleUntil). The client carries the short
 * per-call deadline (REDIS_TIMEOUT_MS), so a slow Redis is a quick miss.
 */
export class RedisStore implements Store {
  readonly name = "l2";

  /** `writer` defaults to `redis`; give it a client with a longer deadline for background fills. */
  constructor(
    private readonly redis: Redis,
    private readonly writer: Redis = redis,
  ) {}

  private redisKey(namespace: string, key: string) {
    return `lieux:cache:${namespace}:${key}`;
  }

  get<T>(namespace: string, key: string) {
    return settle(async () => (await this.redis.get<Entry<T>>(this.redisKey(namespace, key))) ?? undefined);
  }

  set<T>(namespace: string, key: string, entry: Entry<T>) {
    return settle(async () => {
      await this.writer.set(this.redisKey(namespace, key), entry, { pxat: entry.staleUntil });
    });
  }

  remove(namespace: string, key: string) {
    return settle(async () => {
      await this.writer.del(this.redisKey(namespace, key));
    });
  }
}
