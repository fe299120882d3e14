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
