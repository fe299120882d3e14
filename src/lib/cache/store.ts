/** A cached value with its own freshness: served as is until freshUntil, served while refreshing until staleUntil. */
export interface Entry<T> {
  value: T;
  freshUntil: number;
  staleUntil: number;
}

export type StoreResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * One cache tier. Every method resolves to a result and never throws: a failing tier
 * is a miss, never an error the request sees.
 */
export interface Store {
  readonly name: string;
  get<T>(namespace: string, key: string): Promise<StoreResult<Entry<T> | undefined>>;
  set<T>(namespace: string, key: string, entry: Entry<T>): Promise<StoreResult<void>>;
  remove(namespace: string, key: string): Promise<StoreResult<void>>;
}

/** Wraps a tier operation so that a thrown error becomes a result. */
export async function settle<T>(operation: () => Promise<T>): Promise<StoreResult<T>> {
  try {
    return { ok: true, value: await operation() };
  } catch (error) {
    return { ok: false, error };
  }
}
