import type { components } from "./schema.js";

export type ErrorBody = components["schemas"]["Error"];

/** Any answer outside 2xx, with the API's error body (`{ error: { code, message, details, requestId } }`). */
export class LieuxApiError extends Error {
  override readonly name = "LieuxApiError";
  /** Seconds from `Retry-After` on a 429 or 503, when the API sent one. */
  readonly retryAfter: number | undefined;

  constructor(
    readonly status: number,
    readonly body: unknown,
    headers?: Headers,
  ) {
    const error = (body as Partial<ErrorBody> | undefined)?.error;
    super(`HTTP ${status}${error ? ` ${error.code}: ${error.message}` : ""}`);
    const retryAfter = Number(headers?.get("Retry-After") ?? Number.NaN);
    this.retryAfter = Number.isFinite(retryAfter) ? retryAfter : undefined;
  }

  /** The API's error code, e.g. `not_found` or `rate_limited`. */
  get code(): string | undefined {
    return (this.body as Partial<ErrorBody> | undefined)?.error?.code;
  }
}

/** openapi-fetch's `{ data, error, response }` as the data, or a thrown LieuxApiError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  throw new LieuxApiError(result.response.status, result.error, result.response.headers);
}
