import type { Meilisearch, Task } from "meilisearch";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_POLLS_PER_WAIT, MeilisearchTaskTimeoutError, POLL_BACKOFF_MS, pollTasks, TASK_TIMEOUT_MS } from "../src/lib/search/meilisearch-tasks.ts";

/**
 * The poll loop's own arithmetic (how often, how many times), on a client that answers
 * from a script: what the server answers is the recorded contract's business
 * (test/meilisearch.contract.test.ts), how long we keep asking is ours.
 */
function scriptedClient(statuses: Task["status"][]) {
  const asked: number[] = [];
  const answer = (uid: number): Task => ({ uid, status: statuses[Math.min(asked.length - 1, statuses.length - 1)] }) as Task;
  const client = {
    tasks: {
      getTask: async (uid: number) => (asked.push(Date.now()), answer(uid)),
      getTasks: async ({ uids }: { uids: number[] }) => (asked.push(Date.now()), { results: uids.map(answer) }),
    },
  } as unknown as Meilisearch;
  return { client, asked };
}

afterEach(() => vi.useRealTimers());

describe("pollTasks", () => {
  it("backs off from 50 ms to 2 s between polls", async () => {
    vi.useFakeTimers({ now: 0 });
    const { client, asked } = scriptedClient([...Array(9).fill("processing"), "succeeded"]);
    const done = pollTasks(client, [7], "a task", (tasks) => tasks[0]!.status === "succeeded");
    await vi.runAllTimersAsync();
    await expect(done).resolves.toMatchObject([{ uid: 7, status: "succeeded" }]);
    const gaps = asked.slice(1).map((at, n) => at - asked[n]!);
    expect(gaps).toEqual([50, 100, 200, 400, 800, 1_600, 2_000, 2_000, 2_000]);
    expect(POLL_BACKOFF_MS.last).toBe(2_000);
  });

  it("gives up after MAX_POLLS_PER_WAIT polls, once the timeout has passed, with one request per poll for several tasks", async () => {
    vi.useFakeTimers({ now: 0 });
    const { client, asked } = scriptedClient(["processing"]);
    const done = pollTasks(client, [1, 2, 3], "three tasks", () => false);
    const failure = done.catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(await failure).toBeInstanceOf(MeilisearchTaskTimeoutError);
    expect(asked).toHaveLength(MAX_POLLS_PER_WAIT);
    expect(MAX_POLLS_PER_WAIT).toBeLessThan(320);
    expect(asked.at(-1)).toBeGreaterThanOrEqual(TASK_TIMEOUT_MS);
  });
});
