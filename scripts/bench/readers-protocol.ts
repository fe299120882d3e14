/** What the bench and its readers' process (readers-process.ts) say to each other. */
export type ReadersCommand =
  | { type: "init"; origin: string; prefixes: string[]; departements: string[]; ratePerSecond: number; timeoutMs: number }
  | { type: "run"; id: number; durationMs: number }
  | { type: "stop" };

export interface Reading {
  path: string;
  status: number;
  latencyMs: number;
  /** Epoch milliseconds when sent, comparable across processes. */
  sentAtMs: number;
  /** The Worker's own account of its time waiting on Postgres (Server-Timing `db`), when it asked. */
  dbMs?: number;
}

export type ReadersReply = { type: "done"; id: number; readings: Reading[] };

export const AUTOCOMPLETE = "/v1/villes/autocomplete?";
export const LISTING = "/v1/villes?";
