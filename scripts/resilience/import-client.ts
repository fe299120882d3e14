import { loadReferenceData } from "../data/communes.ts";
import { createSyntheticRows, SYNTHETIC_CSV_HEADER, syntheticCodeInsee, toCsvLine } from "../lib/synthetic-communes.ts";

/**
 * The admin import routes called one request at a time with no retry, so the caller sees
 * every status a fault produces (scripts/lib/admin-api.ts retries them away, as a CLI should).
 */
export interface AdminAnswer<T = unknown> {
  status: number;
  retryAfter: string | null;
  body: T;
}

export interface JobBody {
  id: string;
  status: string;
  rows_received: number;
  rows_upserted: number;
  rows_rejected: number;
  failure?: string | null;
  timings?: Record<string, number>;
  chunks?: Array<{ n: number; status: string; rows_upserted: number; rows_staged: number; batches: number; last_line: number }>;
}

export function adminClient(origin: string, token: string) {
  async function call<T>(method: string, path: string, body?: string, contentType?: string): Promise<AdminAnswer<T>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (contentType) headers["Content-Type"] = contentType;
    try {
      const response = await fetch(`${origin}/v1/admin${path}`, { method, headers, body, signal: AbortSignal.timeout(120_000) });
      const text = await response.text();
      return { status: response.status, retryAfter: response.headers.get("Retry-After"), body: (text ? JSON.parse(text) : {}) as T };
    } catch (error) {
      return { status: 0, retryAfter: null, body: { error: String(error) } as T };
    }
  }
  return {
    createJob: () => call<JobBody>("POST", "/imports", JSON.stringify({ format: "csv", mode: "lenient", source: "resilience" }), "application/json"),
    putChunk: (id: string, n: number, csv: string, batchSize?: number) =>
      call<{ rows_upserted: number }>("PUT", `/imports/${id}/chunks/${n}${batchSize ? `?batch_size=${batchSize}` : ""}`, csv, "text/csv"),
    commit: (id: string, query = "") => call<JobBody>("POST", `/imports/${id}/commit${query}`),
    getJob: (id: string) => call<JobBody>("GET", `/imports/${id}`),
    /**
     * POST commit (202: the server's Workflow runs the steps), then the job read until it
     * leaves "committing": the POST's status with the job as it ended.
     */
    async commitToEnd(id: string, timeoutMs = 600_000, query = ""): Promise<AdminAnswer<JobBody>> {
      const accepted = await call<JobBody>("POST", `/imports/${id}/commit${query}`);
      if (accepted.status !== 202) return accepted;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await call<JobBody>("GET", `/imports/${id}`);
        if ((job.status === 200 && job.body.status !== "committing") || Date.now() > deadline) return { ...accepted, body: job.body };
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
  };
}

let rowAt: ReturnType<typeof createSyntheticRows> | undefined;

/**
 * `count` synthetic communes from `firstIndex` on, as one CSV chunk with its header. Their
 * codes start with a letter, so they never collide with a real commune, and one index
 * range per caller keeps two imports' rows apart.
 */
export function syntheticCsv(firstIndex: number, count: number): { csv: string; codes: string[] } {
  rowAt ??= createSyntheticRows(loadReferenceData().villes.filter((ville) => ville.type === "commune-actuelle"), 42);
  const lines = [SYNTHETIC_CSV_HEADER];
  const codes: string[] = [];
  for (let index = firstIndex; index < firstIndex + count; index++) {
    lines.push(toCsvLine(rowAt(index)));
    codes.push(syntheticCodeInsee(index));
  }
  return { csv: `${lines.join("\n")}\n`, codes };
}
