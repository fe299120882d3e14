import type { EnqueuedTask, Meilisearch, Task } from "meilisearch";

/**
 * Indexing 10,000 documents takes seconds on a real server; a settings change that
 * re-indexes millions takes minutes. Beyond this, the caller fails loudly.
 */
export const TASK_TIMEOUT_MS = 10 * 60_000;
const TASK_POLL_INTERVAL_MS = 100;

/** A task that ended `failed` or `canceled`, carrying the task's own error code and message. */
export class MeilisearchTaskError extends Error {
  override name = "MeilisearchTaskError";
  readonly code: string | undefined;

  constructor(
    readonly what: string,
    readonly task: Task,
  ) {
    const reason = task.error ? `${task.error.message} (${task.error.code})` : "no error given";
    super(`Meilisearch task ${task.uid} (${what}) ${task.status}: ${reason}`);
    this.code = task.error?.code;
  }
}

/** Waits for an enqueued task and throws unless it succeeded. */
export async function waitForSuccess(client: Meilisearch, enqueued: Promise<EnqueuedTask>, what: string): Promise<Task> {
  const task = await client.tasks.waitForTask(await enqueued, { timeout: TASK_TIMEOUT_MS, interval: TASK_POLL_INTERVAL_MS });
  if (task.status !== "succeeded") throw new MeilisearchTaskError(what, task);
  return task;
}

/**
 * The Meilisearch error code (`index_not_found`, …) of a thrown error, if any: the client's
 * MeilisearchApiError keeps the server's `{message, code, type, link}` as its `cause`, and
 * MeilisearchTaskError carries the failed task's code itself.
 */
export function meilisearchErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
