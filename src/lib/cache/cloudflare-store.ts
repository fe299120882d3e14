import { settle, type Entry, type Store } from "./store.ts";

/** Cache API keys must be URLs; this host never resolves, it only names entries. */
const SYNTHETIC_ORIGIN = "https://cache.lieux.internal";

const entryUrl = (namespace: string, key: string) => `${SYNTHETIC_ORIGIN}/${encodeURIComponent(namespace)}/${encodeURIComponent(key)}`;

/**
 * L1: the Workers Cache API of this data centre. The entry's own stale deadline becomes
 * a relative max-age (computed at write time, never from an absolute timestamp), so the
 * data centre drops it when it could no longer be served.
 */
export class CloudflareStore implements Store {
  readonly name = "l1";

  constructor(private readonly cache: Cache = caches.default) {}

  get<T>(namespace: string, key: string) {
    return settle(async () => {
      const response = await this.cache.match(entryUrl(namespace, key));
      return response ? ((await response.json()) as Entry<T>) : undefined;
    });
  }

  set<T>(namespace: string, key: string, entry: Entry<T>) {
    return settle(async () => {
      const maxAgeSeconds = Math.max(1, Math.ceil((entry.staleUntil - Date.now()) / 1000));
      const response = new Response(JSON.stringify(entry), {
        headers: { "Content-Type": "application/json", "Cache-Control": `public, max-age=${maxAgeSeconds}` },
      });
      await this.cache.put(entryUrl(namespace, key), response);
    });
  }

  remove(namespace: string, key: string) {
    return settle(async () => {
      await this.cache.delete(entryUrl(namespace, key));
    });
  }
}
