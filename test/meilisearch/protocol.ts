import type { AuthUsed, RecordedResponse } from "./fixtures.ts";

/** What the replay server and the workerd tests agree on; no Node import, so workerd can load it. */

/** The key every test sends; recording swaps it for the real server's key. */
export const REPLAY_API_KEY = "meilisearch-replay-test-key";
/** Not a status any Meilisearch sends: a missing recording can never pass for server behaviour. */
export const REPLAY_MISS_STATUS = 599;

/** Network faults, injected by the replay server and never recorded: `reset` drops the connection, `stall` never answers. */
export type ReplayFault = "reset" | "stall";

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: AuthUsed;
  body: unknown;
  /** `answered`: replayed from the recording, or (recording) forwarded to the real server. */
  outcome: "answered" | "miss" | ReplayFault;
  /** What the test's client received; null when a fault left it without an answer. */
  response: RecordedResponse | null;
}
