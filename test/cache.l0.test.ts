import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/lib/cache/memory-store.ts";
import { freshCaches } from "./helpers/cache.ts";
import { callWorker } from "./helpers/worker.ts";

const layerOf = (response: Response) => response.headers.get("Server-Timing")?.match(/cache(?:;dur=[\d.]+)?;desc="([^"]+)"/)?.[1];
const entry = (value: unknown, ttlMs = 60_000) => ({ value, freshUntil: Date.now() + ttlMs, staleUntil: Date.now() + 10 * ttlMs });

describe("L0, the in-isolate memory tier", () => {
  it("answers a repeat from memory, names it l0-hit, and a generation bump (an import) makes it unreachable", async () => {
    const path = "/v1/villes/autocomplete?q=brest&limit=6";
    expect(layerOf(await callWorker(path))).toBe("miss");
    const hit = await callWorker(path);
    expect(layerOf(hit)).toBe("l0-hit");
    expect(((await hit.json()) as { results: Array<{ nom: string }> }).results[0]!.nom).toBe("Brest");
    await freshCaches(["autocomplete"]);
    expect(layerOf(await callWorker(path))).toBe("miss");
  });

  it("reuses a hit's serialised body only for the same variant: each spelling and field list gets its own body and ETag", async () => {
    const body = async (path: string) => {
      const response = await callWorker(path);
      return { layer: layerOf(response), etag: response.headers.get("ETag"), json: (await response.json()) as { query: { q: string }; results: Array<Record<string, unknown>> } };
    };
    const first = await body("/v1/villes/autocomplete?q=Vannes&limit=4");
    const again = await body("/v1/villes/autocomplete?q=Vannes&limit=4");
    expect([first.layer, again.layer]).toEqual(["miss", "l0-hit"]);
    expect(again.etag).toBe(first.etag);
    expect(again.json).toEqual(first.json);
    // Same cache key (the query is normalised), another spelling echoed back: its own body.
    const spelled = await body("/v1/villes/autocomplete?q=VANNES&limit=4");
    expect(spelled.layer).toBe("l0-hit");
    expect(spelled.json.query.q).toBe("VANNES");
    expect(spelled.etag).not.toBe(first.etag);
    expect(spelled.json.results).toEqual(first.json.results);
    const narrowed = await body("/v1/villes/autocomplete?q=Vannes&limit=4&fields=nom");
    expect(Object.keys(narrowed.json.results[0]!)).toEqual(["nom"]);
    expect((await body("/v1/villes/autocomplete?q=Vannes&limit=4")).json).toEqual(first.json);
  });

  it("is bounded by entries: the least recently used goes first", async () => {
    const store = new MemoryStore(3, 1_000_000);
    for (const key of ["a", "b", "c"]) await store.set("autocomplete", key, entry(key));
    await store.get("autocomplete", "a"); // a is now the most recently used
    await store.set("autocomplete", "d", entry("d"));
    expect(store.size.entries).toBe(3);
    expect((await store.get("autocomplete", "b")).ok && (await store.get("autocomplete", "b"))).toEqual({ ok: true, value: undefined });
    expect(await store.get("autocomplete", "a")).toMatchObject({ ok: true, value: { value: "a" } });
  });

  it("is bounded by bytes, and refuses a value larger than the whole tier", async () => {
    const store = new MemoryStore(1_000, 400);
    for (let i = 0; i < 10; i++) await store.set("autocomplete", `k${i}`, entry("x".repeat(50)));
    expect(store.size.bytes).toBeLessThanOrEqual(400);
    expect(store.size.entries).toBeLessThan(10);
    expect(store.size.entries).toBeGreaterThan(0);
    await store.set("autocomplete", "huge", entry("y".repeat(1_000)));
    expect(await store.get("autocomplete", "huge")).toEqual({ ok: true, value: undefined });
  });

  it("never serves past the entry's freshness, and never a stale copy", async () => {
    const store = new MemoryStore();
    await store.set("autocomplete", "k", { value: "v", freshUntil: Date.now() - 1, staleUntil: Date.now() + 60_000 });
    expect(await store.get("autocomplete", "k")).toEqual({ ok: true, value: undefined });
    expect(store.size.entries).toBe(0);
  });

  it("shares only frozen plain data across requests: a handler cannot alter what the next request reads", async () => {
    const store = new MemoryStore();
    const value = { results: [{ nom: "Brest" }] };
    await store.set("autocomplete", "k", entry(value));
    const read = await store.get<typeof value>("autocomplete", "k");
    expect(read.ok).toBe(true);
    const cached = read.ok ? read.value!.value : undefined;
    expect(Object.isFrozen(cached)).toBe(true);
    expect(() => {
      (cached!.results[0] as { nom: string }).nom = "Altered";
    }).toThrow(TypeError);
    expect(cached).not.toBeInstanceOf(Promise);
    expect(cached).not.toBeInstanceOf(Response);
  });
});
