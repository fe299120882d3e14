import type { EnqueuedTask, Meilisearch } from "meilisearch";
import { hasFailed, isFinished, MeilisearchTaskError, pollTasks } from "./meilisearch-tasks.ts";

/**
 * Tasks enqueued and not yet seen finished: 160,000 documents at SYNC_BATCH_SIZE. Each batch
 * Meilisearch runs pays a fixed cost that grows with the index (seconds at 200,000 documents),
 * so a deep queue makes fewer, larger batches.
 */
export const DEFAULT_TASKS_IN_FLIGHT = 16;

/**
 * Keeps up to `limit` Meilisearch tasks enqueued at once instead of waiting for each before
 * sending the next. Meilisearch merges the document additions queued for one index into a
 * single batch (autobatching), so a queue that never runs dry indexes several tasks per
 * pass instead of one, and the sender's page reads overlap the indexing. Memory stays
 * bounded: the documents of an enqueued task live on the server, not here.
 *
 * A task seen failed stops everything: `enqueue` and `drain` throw its MeilisearchTaskError,
 * and no task is sent after that. Tasks already enqueued behind it may still succeed: every
 * document write here is an idempotent replace, so the caller's retry repairs the rest.
 */
export class TaskWindow {
  readonly #pending: { uid: number; what: string }[] = [];
  #failure: MeilisearchTaskError | null = null;

  constructor(
    private readonly client: Meilisearch,
    private readonly limit = DEFAULT_TASKS_IN_FLIGHT,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("the task window must hold at least one task");
  }

  /** Sends one task once the window has room; resolves when it is enqueued, not done. */
  async enqueue(send: () => Promise<EnqueuedTask>, what: string): Promise<void> {
    if (this.#failure) throw this.#failure;
    while (this.#pending.length >= this.limit) await this.#settleOldest();
    const { taskUid } = await send();
    this.#pending.push({ uid: taskUid, what });
  }

  /** Waits for every enqueued task; throws the first failure. */
  async drain(): Promise<void> {
    while (this.#pending.length > 0) await this.#settleOldest();
    if (this.#failure) throw this.#failure;
  }

  /** One poll loop over every pending task (one request per poll) until the oldest is finished or any has failed. */
  async #settleOldest(): Promise<void> {
    const uids = this.#pending.map((task) => task.uid);
    const tasks = await pollTasks(this.client, uids, this.#pending[0]!.what, (answer) => answer.some(hasFailed) || answer.some((task) => task.uid === uids[0] && isFinished(task)));
    // In uid order, so the first failed is the oldest.
    const failed = tasks.find(hasFailed);
    if (failed) {
      this.#failure = new MeilisearchTaskError(this.#pending.find((pending) => pending.uid === failed.uid)?.what ?? "a queued task", failed);
      this.#pending.length = 0;
      throw this.#failure;
    }
    // Meilisearch runs one index's tasks in enqueue order: retire the finished head of the queue.
    const finished = new Set(tasks.filter(isFinished).map((task) => task.uid));
    while (this.#pending.length > 0 && finished.has(this.#pending[0]!.uid)) this.#pending.shift();
  }
}
