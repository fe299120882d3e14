import pg from "pg";

/** A configuration the local stack cannot use: one line for the user, no stack trace. */
export class StackConfigError extends Error {
  override name = "StackConfigError";
}

/** host:port of a Postgres URL, never its credentials. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}`;
  } catch {
    return "an unparsable URL";
  }
}

/**
 * Connects once to a database the caller supplied, so that an unreachable server fails
 * with the variable's name and the reason instead of a stack from deep inside migrations.
 */
export async function checkDatabaseUrl(variable: string, url: string, timeoutMs = 5_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A refused socket also emits "error" on the client; connect() rejects with the same error.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === "string" ? `${code}${error instanceof Error && !error.message.includes(code) ? ` (${error.message})` : ""}` : error instanceof Error ? error.message : String(error);
    throw new StackConfigError(`${variable}: cannot connect to ${describeTarget(url)}: ${reason.replace(url, "<url>")}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
