import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import LieuxWorker from "../../src/index.ts";
import type { WorkerEnv } from "../../src/env.ts";

/** The Worker's real bindings for this test run, as a plain record that tests may copy and alter. */
export const testEnv = env as unknown as Record<string, string>;

/**
 * Calls the real Worker entry point (all middleware, real services) with optional
 * binding overrides, and waits for its background work before returning.
 */
/**
 * The real default entrypoint, constructed as the runtime does for each invocation, with this
 * run's bindings and the overrides (so a test can run the Worker under another configuration).
 */
export function workerFor(ctx: ExecutionContext, envOverrides: Record<string, string | undefined> = {}): LieuxWorker {
  return new LieuxWorker(ctx, { ...testEnv, ...envOverrides } as unknown as WorkerEnv);
}

/** The origin test requests arrive on: the Worker keys its Cache API entries on it. */
export const WORKER_ORIGIN = "http://lieux.test";

export async function callWorker(
  path: string,
  init: RequestInit = {},
  envOverrides: Record<string, string | undefined> = {},
): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(new URL(path, WORKER_ORIGIN), init);
  const response = await workerFor(ctx, envOverrides).fetch(request);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A loopback address where nothing listens: connections are refused at once. */
export const CLOSED_PORT_URL = "http://127.0.0.1:9";
