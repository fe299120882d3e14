import type { Entry, Store, StoreResult } from "./store.ts";

/** L0 bounds: the hottest keys only. A Worker isolate has 128 MB; this tier may use a few. */
export const L0_MAX_ENTRIES = 2_000;
export const L0_MAX_BYTES = 8 * 2 ** 20;

interface Slot {
  entry: Entry<unknown>;
  bytes: number;
}

/** Freezes a cached value all the way down: every request that hits it gets the same object. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * L0: a bounded in-isolate memory tier in front of the Cache API, keyed by the same
 * generation-scoped keys, so an import's generation bump makes its entries unreachable too.
 * Least recently used entries go first once either bound is reached. It holds plain, frozen
 * data only (never a promise, stream or Response), so a hit shares no I/O across requests.
 * Its freshness is capped at L1's by the tiered cache, and it never serves stale: a stale
 * entry falls through to L1 and L2, which handle stale-while-revalidate.
 */
export class MemoryStore implements Store {
  readonly name = "l0";
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = L0_MAX_ENTRIES,
    private readonly maxBytes = L0_MAX_BYTES,
  ) {}

  get size(): { entries: number; bytes: number } {
    return { entries: this.slots.size, bytes: this.bytes };
  }

  async get<T>(namespace: string, key: string): Promise<StoreResult<Entry<T> | undefined>> {
    const id = `${namespace}\u0000${key}`;
    const slot = this.slots.get(id);
    if (!slot) return { ok: true, value: undefined };
    if (Date.now() >= slot.entry.staleUntil) {
      this.drop(id, slot);
      return { ok: true, value: undefined };
    }
    // Re-inserting marks it most recently used.
    this.slots.delete(id);
    this.slots.set(id, slot);
    return { ok: true, value: slot.entry as Entry<T> };
  }

  async set<T>(namespace: string, key: string, entry: Entry<T>): Promise<StoreResult<void>> {
    const id = `${namespace}\u0000${key}`;
    // UTF-16 in memory: two bytes per character of the value's JSON, plus the key.
    const bytes = 2 * (JSON.stringify(entry.value)?.length ?? 4) + 2 * id.length;
    if (bytes > this.maxBytes) return { ok: true, value: undefined };
    const previous = this.slots.get(id);
    if (previous) this.drop(id, previous);
    this.slots.set(id, { entry: deepFreeze({ ...entry, staleUntil: entry.freshUntil }), bytes });
    this.bytes += bytes;
    for (const [oldest, slot] of this.slots) {
      if (this.slots.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.drop(oldest, slot);
    }
    return { ok: true, value: undefined };
  }

  async remove(namespace: string, key: string): Promise<StoreResult<void>> {
    const id = `${namespace}\u0000${key}`;
    const slot = this.slots.get(id);
    if (slot) this.drop(id, slot);
    return { ok: true, value: undefined };
  }

  private drop(id: string, slot: Slot) {
    this.slots.delete(id);
    this.bytes -= slot.bytes;
  }
}

/** Module scope on purpose: the whole point of L0 is to outlive the request. */
export const isolateMemoryStore = new MemoryStore();
