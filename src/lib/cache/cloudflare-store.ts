import { settle, type Entry, type Store } from "./store.ts";

/** A path no route serves, so an L1 entry can never be mistaken for a page of the API. */
const ENTRY_PATH = "/__lieux-cache";

/**
 * L1: the Workers Cache API of this data centre. The entry's own stale deadline becomes
 * a relative max-age (computed at write time, never from an absolute timestamp), so the
 * data centre drops it when it could no longer be served.
 */
export class CloudflareStore implements Store {
  readonly name = "l1";

  /**
   * Keys live on the Worker's own public origin, as Cloudflare asks: the Cache API is scoped
   * to the zone, and a key on another host name is not one the zone owns.
   */
  constructor(
    private readonly origin: string,
    private readonly cache: Cache = caches.default,
  ) {}

  private entryUrl(namespace: string, key: string) {
    return `${this.origin}${ENTRY_PATH}/${encodeURIComponent(namespace)}/${encodeURIComponent(key)}`;
  }

  get<T>(namespace: string, key: string) {
    return settle(async () => {
      const response = await this.cache.match(this.entryUrl(namespace, key));
      return response ? ((await response.json()) as Entry<T>) : undefined;
    });
  }

  set<T>(namespace: string, key: string, entry: Entry<T>) {
    return settle(async () => {
      const maxAgeSeconds = Math.max(1, Math.ceil((entry.staleUntil - Date.now()) / 1000));
      const response = new Response(JSON.stringify(entry), {
        headers: { "Content-Type": "application/json", "Cache-Control": `public, max-age=${maxAgeSeconds}` },
      });
      await this.cache.put(this.entryUrl(namespace, key), response);
    });
  }

  remove(namespace: string, key: string) {
    return settle(async () => {
      await this.cache.delete(this.entryUrl(namespace, key));
    });
  }
}
