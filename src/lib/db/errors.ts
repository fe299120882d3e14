/** SQLSTATE classes that mean "the server is not reachable or not accepting work", not "the query is wrong". */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Drizzle wraps driver errors ("Failed query: …"); the driver's error, with its SQLSTATE, is the innermost cause. */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth++) current = current.cause;
  return current;
}

/** The Postgres SQLSTATE of a failed query, if the query reached Postgres. */
export function sqlState(error: unknown): string | undefined {
  const code = (rootCause(error) as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && SQLSTATE.test(code) ? code : undefined;
}

/**
 * True when an error means the database could not be reached (network, proxy,
 * shutdown), so the caller may try another server or answer 503; false for errors
 * the query itself caused, which must surface unchanged.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = sqlState(error);
  if (code) return UNAVAILABLE_SQLSTATE.test(code);
  // No SQLSTATE: the request never reached Postgres (fetch failure, refused socket, proxy error).
  return true;
}
