import { createLieuxClient, type ImportJob, type RetryOptions } from "../../packages/client/src/index.ts";

export { LieuxApiError as AdminApiError, ImportUploadError } from "../../packages/client/src/index.ts";

export interface AdminApiOptions {
  baseUrl: string;
  token: string;
  /** Called before each retry, to show why the CLI is waiting. */
  onRetry?: RetryOptions["onRetry"];
}

/**
 * The admin routes through @lieux/client: network errors, 429 and 5xx are retried with
 * exponential backoff (honouring Retry-After); any other error status is final and thrown.
 */
export function adminApi(options: AdminApiOptions) {
  return createLieuxClient({ baseUrl: options.baseUrl, token: options.token, retry: { attempts: 6, ...(options.onRetry ? { onRetry: options.onRetry } : {}) } }).admin;
}

/** Exactly what the admin routes answer, as the OpenAPI document describes it. */
export type ImportJobBody = ImportJob;
