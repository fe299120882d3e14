import { sqlState } from "./db/errors.ts";

/**
 * What a known outage looks like, and nothing else: a refused, reset or timed-out
 * connection; SQLSTATE classes 08 (connection), 53 (insufficient resources) and 57P
 * (operator intervention: shutdown, crash); a 5xx or a network failure from the Neon
 * endpoint, Upstash or Meilisearch. Everything else is a bug and must read as one (500).
 */
const OUTAGE_SQLSTATE = /^(08|53|57P)/;

/** Socket-level codes of a refused, reset or timed-out connection (Node and the pg wire driver). */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED"]);

/**
 * workerd's own messages for a fetch or socket that failed on the network. They are matched
 * exactly because workerd reports them as plain Error/TypeError, the same classes a bug throws.
 */
const NETWORK_FAILURE_MESSAGES = [
  /^Network connection lost\.?$/,
  /^fetch failed$/,
  /Connection refused/,
  /^connect ECONNREFUSED/,
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
  /^timeout exceeded when trying to connect$/,
];

/** The Neon HTTP driver: `fetch` threw (it keeps the cause as `sourceError`) or the endpoint answered 5xx. */
function isNeonEndpointOutage(error: Error): boolean {
  if (error.name !== "NeonDbError") return false;
  if ((error as { sourceError?: unknown }).sourceError !== undefined) return true;
  return /^Server error \(HTTP status 5\d\d\)/.test(error.message);
}

/**
 * The Meilisearch client (meilisearch 0.62, its own `name` fields): no answer (network,
 * timeout), or a 5xx. A 4xx is our request's fault. (The names once checked here were an older
 * client's spelling, "MeiliSearch…", which this client never throws: only the network failure,
 * through its cause, was recognised.)
 */
function isMeilisearchOutage(error: Error): boolean {
  if (error.name === "MeilisearchRequestError" || error.name === "MeilisearchRequestTimeOutError") return true;
  if (error.name !== "MeilisearchApiError") return false;
  const status = (error as { response?: { status?: number } }).response?.status;
  return typeof status === "number" && status >= 500;
}

/** Our own deadlines (AbortSignal.timeout) on a dependency's call. */
const isDeadline = (error: Error) => error.name === "TimeoutError";

function isOutageError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  return (
    isNeonEndpointOutage(error) ||
    isMeilisearchOutage(error) ||
    isDeadline(error) ||
    NETWORK_FAILURE_MESSAGES.some((pattern) => pattern.test(error.message))
  );
}

/**
 * True only for a known outage of a backing service, so the caller may try another server
 * or answer 503 with Retry-After. A query Postgres rejected keeps its SQLSTATE and is judged
 * by it alone; wrappers (Drizzle's "Failed query", AggregateError) are looked through.
 */
export function isOutage(error: unknown): boolean {
  const state = sqlState(error);
  // "EPIPE" has the shape of a SQLSTATE: socket codes are told apart first.
  if (state && !CONNECTION_CODES.has(state)) return OUTAGE_SQLSTATE.test(state);
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.size < 10) {
    const current = pending.shift();
    if (!(current instanceof Error) || seen.has(current)) continue;
    seen.add(current);
    if (isOutageError(current)) return true;
    if (current.cause !== undefined) pending.push(current.cause);
    if (current instanceof AggregateError) pending.push(...current.errors);
  }
  return false;
}
