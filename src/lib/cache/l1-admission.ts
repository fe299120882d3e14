import { L0_MAX_ENTRIES } from "./memory-store.ts";
import type { Entry } from "./store.ts";

/**
 * L1 admission: a loaded answer enters the Cache API on its key's second request in this
 * isolate (its first L0 hit), not on its first load. Most autocomplete keys are one-off
 * prefixes of the long tail, Workers Cache already keeps every cacheable answer at the edge,
 * and a Cache API write per miss is work whose entry is rarely read. A key asked for twice is
 * hot enough to share with the data centre's other isolates.
 *
 * Module scope on purpose: a key's first load and its repeat are different requests. It
 * holds plain entries (the L0 entry's frozen value, shared), never I/O, and as many keys as
 * L0, oldest first out: a key L0 has forgotten would not be hit there anyway.
 */
const entriesAwaitingL1 = new Map<string, Entry<unknown>>();

const idOf = (namespace: string, key: string) => `${namespace}\u0000${key}`;

/** Keeps a loaded entry until its key is asked for again. */
export function awaitL1Admission<T>(namespace: string, key: string, entry: Entry<T>): void {
  const id = idOf(namespace, key);
  entriesAwaitingL1.delete(id);
  entriesAwaitingL1.set(id, entry);
  if (entriesAwaitingL1.size > L0_MAX_ENTRIES) entriesAwaitingL1.delete(entriesAwaitingL1.keys().next().value!);
}

/** On a repeat (an L0 hit): the entry to write to L1 now, once; undefined if already admitted. */
export function admitToL1<T>(namespace: string, key: string): Entry<T> | undefined {
  const id = idOf(namespace, key);
  const entry = entriesAwaitingL1.get(id);
  if (entry) entriesAwaitingL1.delete(id);
  return entry as Entry<T> | undefined;
}
