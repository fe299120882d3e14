import { neon } from "@neondatabase/serverless";

export interface DependencyCheck {
  status: "up" | "down" | "not_configured";
  latencyMs?: number;
  /** A category, never the raw message: /health is public and raw errors name internal hosts. */
  error?: "timeout" | "unreachable";
  /** The raw message, for the log line only; the route strips it from the response. */
  detail?: string;
}

/** Times one trivial round trip; the deadline keeps /health fast when a server hangs. */
export async function timeCheck(run: (signal: AbortSignal) => Promise<unknown>, timeoutMs: number): Promise<DependencyCheck> {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await Promise.race([
      run(signal),
      new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error(`timed out after ${timeoutMs} ms`)))),
    ]);
    return { status: "up", latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    return {
      status: "down",
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      error: signal.aborted ? "timeout" : "unreachable",
      detail: error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200),
    };
  }
}

export function pingDatabase(url: string, timeoutMs: number): Promise<DependencyCheck> {
  const sql = neon(url);
  return timeCheck((signal) => sql.query("select 1", [], { fetchOptions: { signal } }), timeoutMs);
}
