import type { EnqueuedTask, Meilisearch, Task } from "meilisearch";

/**
 * Indexing 10,000 documents takes seconds on a real server; a settings change that
 * re-indexes millions takes minutes. Beyond this, the caller fails loudly.
 */
export const TASK_TIMEOUT_MS = 10 * 60_000;
/**
 * Polls back off from the first interval to the last: a small task is seen done after a
 * poll or two, a long one costs one poll per 2 s. Every poll is a Workers subrequest, so
 * one wait costs at most MAX_POLLS_PER_WAIT of them (about 306), however long the task.
 */
export const POLL_BACKOFF_MS = { first: 50, factor: 2, last: 2_000 } as const;
export const MAX_POLLS_PER_WAIT = (() => {
  let polls = 0;
  for (let waited = 0, interval: number = POLL_BACKOFF_MS.first; waited < TASK_TIMEOUT_MS; polls++) {
    waited += interval;
    interval = Math.min(interval * POLL_BACKOFF_MS.factor, POLL_BACKOFF_MS.last);
  }
  return polls + 1;
})();

const FINISHED = new Set(["succeeded", "failed", "canceled"]);
export const isFinished = (task: Pick<Task, "status">) => FINISHED.has(task.status);
export const hasFailed = (task: Pick<Task, "status">) => task.status === "failed" || task.status === "canceled";

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

export class MeilisearchTaskTimeoutError extends Error {
  override name = "MeilisearchTaskTimeoutError";
  constructor(what: string, uids: readonly number[]) {
    super(`Meilisearch task(s) ${uids.join(", ")} (${what}) still unfinished after ${TASK_TIMEOUT_MS} ms`);
  }
}

/**
 * Polls until `done(tasks)` holds for the tasks `uids` (one request per poll, whatever
 * their number), backing off between polls; returns the last answer, in uid order.
 */
export async function pollTasks(client: Meilisearch, uids: readonly number[], what: string, done: (tasks: Task[]) => boolean): Promise<Task[]> {
  let interval: number = POLL_BACKOFF_MS.first;
  for (let poll = 1; ; poll++) {
    const tasks =
      uids.length === 1 ? [await client.tasks.getTask(uids[0]!)] : (await client.tasks.getTasks({ uids: [...uids], limit: uids.length, reverse: true })).results;
    if (done(tasks)) return tasks;
    if (poll >= MAX_POLLS_PER_WAIT) throw new MeilisearchTaskTimeoutError(what, uids);
    await new Promise((resolve) => setTimeout(resolve, interval));
    interval = Math.min(interval * POLL_BACKOFF_MS.factor, POLL_BACKOFF_MS.last);
  }
}

/** Waits for an enqueued task and throws unless it succeeded. */
export async function waitForSuccess(client: Meilisearch, enqueued: Promise<EnqueuedTask>, what: string): Promise<Task> {
  const { taskUid } = await enqueued;
  const [task] = await pollTasks(client, [taskUid], what, (tasks) => tasks.every(isFinished));
  if (task!.status !== "succeeded") throw new MeilisearchTaskError(what, task!);
  return task!;
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
