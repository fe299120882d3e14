import type { z } from "zod";
import type { ImportJobSchema } from "../../src/lib/api/import-job.ts";
import { setTimeout as sleep } from "node:timers/promises";

const MAX_ATTEMPTS = 6;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

/** An answer the server will not change its mind about: retrying cannot help. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const error = (body as { error?: { code?: string; message?: string } })?.error;
    super(`HTTP ${status}${error ? ` ${error.code}: ${error.message}` : ""}`);
  }
}

export interface AdminApiOptions {
  baseUrl: string;
  token: string;
  /** Called before each retry, to show why the CLI is waiting. */
  onRetry?: (what: string, attempt: number, reason: string, waitMs: number) => void;
}

function backoffMs(attempt: number, response?: Response): number {
  const retryAfter = Number(response?.headers.get("Retry-After"));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.min(retryAfter * 1000, MAX_BACKOFF_MS);
  const exponential = Math.min(FIRST_BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS);
  return exponential / 2 + Math.random() * (exponential / 2);
}

/**
 * The admin routes over HTTP. Network errors, 429 and 5xx are retried with exponential
 * backoff (honouring Retry-After); any other error status is final and thrown.
 */
export function adminApi(options: AdminApiOptions) {
  async function call<T>(what: string, method: string, path: string, init: { body?: Buffer | string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      let reason: string;
      try {
        response = await fetch(new URL(`/v1/admin${path}`, options.baseUrl), {
          method,
          headers: { Authorization: `Bearer ${options.token}`, ...init.headers },
          body: init.body,
          signal: AbortSignal.timeout(init.timeoutMs ?? 300_000),
        });
        const text = await response.text();
        const body: unknown = text ? JSON.parse(text) : undefined;
        if (response.ok) return body as T;
        if (response.status !== 429 && response.status < 500) throw new AdminApiError(response.status, body);
        reason = `HTTP ${response.status}`;
      } catch (error) {
        if (error instanceof AdminApiError) throw error;
        reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (attempt >= MAX_ATTEMPTS) throw new Error(`${what} failed after ${attempt} attempts: ${reason}`);
      const waitMs = backoffMs(attempt, response);
      options.onRetry?.(what, attempt, reason, waitMs);
      await sleep(waitMs);
    }
  }

  return {
    createJob: (job: { format: string; mode: string; source: string }, idempotencyKey: string) =>
      call<ImportJobBody>("create job", "POST", "/imports", {
        body: JSON.stringify(job),
        headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
      }),
    getJob: (id: string) => call<ImportJobBody>("read job", "GET", `/imports/${id}`),
    putChunk: (id: string, n: number, body: Buffer, contentType: string) =>
      call<ChunkReceiptBody>(`chunk ${n}`, "PUT", `/imports/${id}/chunks/${n}`, { body, headers: { "Content-Type": contentType } }),
    commit: (id: string) => call<ImportJobBody>("commit", "POST", `/imports/${id}/commit`, { timeoutMs: 30 * 60_000 }),
  };
}

export interface ChunkReceiptBody {
  n: number;
  rows_received: number;
  rows_upserted: number;
  rows_staged: number;
  rows_rejected: number;
  sha256: string;
}

/** Exactly what the admin routes answer: the route's own response schema. */
export type ImportJobBody = z.infer<typeof ImportJobSchema>;
