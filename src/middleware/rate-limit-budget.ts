/**
 * What one isolate knows of one client's budget, as plain data (it outlives requests, so it
 * may hold no promise or stream): Redis's last answer, and what was admitted since.
 */
export interface ClientBudget {
  limit: number;
  /** Remaining in the window according to Redis's last answer. */
  remaining: number;
  /** When the window resets (epoch ms), from that answer. */
  reset: number;
  /** Admitted since that answer was asked for: counted here, not yet known to Redis's answer. */
  admittedSince: number;
  /** Admitted and not yet sent to Redis. */
  unsent: number;
  /** When the last count was sent (epoch ms). */
  sentAt: number;
}

/**
 * Requests a client may make in one isolate before their count goes to Redis: a twentieth
 * of the limit, between 1 and 50. The count also goes after FLUSH_INTERVAL_MS.
 */
export const flushEvery = (limit: number) => Math.max(1, Math.min(50, Math.floor(limit / 20)));
export const FLUSH_INTERVAL_MS = 1_000;

/** What this isolate may still admit for the client: Redis's remaining less what it admitted since. */
export const localRemaining = (budget: ClientBudget) => budget.remaining - budget.admittedSince;

/** The count to send now, if any: when enough requests piled up, or enough time passed. */
export function countToSend(budget: ClientBudget, now: number): number {
  if (budget.unsent === 0) return 0;
  const due = budget.unsent >= flushEvery(budget.limit) || now - budget.sentAt >= FLUSH_INTERVAL_MS;
  return due ? budget.unsent : 0;
}
