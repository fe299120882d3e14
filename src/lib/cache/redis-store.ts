import type { Redis } from "@upstash/redis/cloudflare";
import type { RedisCommandSender } from "../redis/batch.ts";
import { settle, type Entry, type Store } from "./store.ts";

/**
 * L2: Upstash Redis, shared by every data centre. Entries expire in Redis exactly when
 * they stop being servable (SET … PXAT staleUntil). Reads carry the short per-call deadline
 * (REDIS_TIMEOUT_MS), so a slow Redis is a quick miss. Writes happen after the response, in
 * the request's one background pipeline (`writer`), as JSON text that the reads parse back.
 */
export class RedisStore implements Store {
  readonly name = "l2";

  constructor(
    private readonly redis: Redis,
    private readonly writer: RedisCommandSender,
  ) {}

  private redisKey(namespace: string, key: string) {
    return `lieux:cache:${namespace}:${key}`;
  }

  get<T>(namespace: string, key: string) {
    return settle(async () => (await this.redis.get<Entry<T>>(this.redisKey(namespace, key))) ?? undefined);
  }

  set<T>(namespace: string, key: string, entry: Entry<T>) {
    return settle(async () => {
      await this.writer.send(["SET", this.redisKey(namespace, key), JSON.stringify(entry), "PXAT", entry.staleUntil]);
    });
  }

  remove(namespace: string, key: string) {
    return settle(async () => {
      await this.writer.send(["DEL", this.redisKey(namespace, key)]);
    });
  }
}
