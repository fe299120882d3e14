import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env.ts";
import { isOutage } from "../lib/outage.ts";
import { ApiError, type ErrorCode } from "../lib/errors.ts";
import { createLogger, describeError } from "../lib/logger.ts";

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "rate_limited",
  503: "service_unavailable",
};

/** Seconds a client should wait before retrying when a dependency is unreachable. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = "5";

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    const code = CODE_BY_STATUS[error.status] ?? (error.status >= 500 ? "internal_error" : "bad_request");
    return new ApiError(code, error.message || code.replaceAll("_", " "));
  }
  if (isOutage(error)) {
    return new ApiError("service_unavailable", "A backing service is unreachable; try again shortly.", {
      cause: error,
      headers: { "Retry-After": UNAVAILABLE_RETRY_AFTER_SECONDS },
    });
  }
  return new ApiError("internal_error", "Internal error.");
}

export function renderError(c: Context<AppEnv>, apiError: ApiError): Response {
  const requestId = c.get("requestId") ?? crypto.randomUUID();
  const response = c.json(apiError.toBody(requestId), apiError.status);
  for (const [name, value] of Object.entries(apiError.headers)) response.headers.set(name, value);
  response.headers.set("X-Request-Id", requestId);
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Cache-Control", "no-store");
  return response;
}

/** The only place an error becomes a response: one body shape for every route. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const apiError = toApiError(error);
  if (apiError.status >= 500) {
    // A 500 is a bug: its stack goes to the logs. A 503 is an outage: the dependency's error is enough.
    const bug = apiError.status === 500;
    createLogger({ requestId: c.get("requestId") }).log(bug ? "error" : "warn", bug ? "unhandled error" : "dependency unavailable", {
      method: c.req.method,
      path: c.req.path,
      status: apiError.status,
      ...describeError(error),
      ...(bug && error instanceof Error && error.stack ? { stack: error.stack.slice(0, 4000) } : {}),
    });
  }
  return renderError(c, apiError);
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  renderError(c, new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}.`));
