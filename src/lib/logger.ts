/** One JSON object per line, so Workers Logs and `wrangler tail` can filter on fields. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(baseFields: Record<string, unknown> = {}): Logger {
  return {
    log(level, message, fields = {}) {
      const line = JSON.stringify({ level, message, ...baseFields, ...fields, time: new Date().toISOString() });
      if (level === "error") console.error(line);
      else if (level === "warn") console.warn(line);
      else console.log(line);
    },
    child(fields) {
      return createLogger({ ...baseFields, ...fields });
    },
  };
}

/** Renders an unknown thrown value for a log line without leaking huge objects. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? { cause: describeError(error.cause) } : {};
    return { error: error.message.slice(0, 500), errorName: error.name, ...(code ? { errorCode: code } : {}), ...cause };
  }
  return { error: String(error).slice(0, 500) };
}
