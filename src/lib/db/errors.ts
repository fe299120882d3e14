/** SQLSTATE classes that mean "the server is not reachable or not accepting work", not "the query is wrong". */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)/;

/**
 * True when an error means the database could not be reached (network, proxy,
 * shutdown), so the caller may try another server or answer 503; false for errors
 * the query itself caused, which must surface unchanged.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_SQLSTATE.test(code);
  // No SQLSTATE: the request never reached Postgres (fetch failure, refused socket, proxy error).
  return true;
}
