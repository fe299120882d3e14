/**
 * The task queue of the recorded-contract double (see meilisearch-contract-double.ts):
 * writes answer 202 with an enqueued task and take effect only when processed, so a
 * task can be accepted and still fail later, as on a real server.
 */
import { errorBody, json, problem, type ApiProblem } from "./meilisearch-contract-rules.ts";

interface ContractTask {
  uid: number;
  indexUid: string | null;
  type: string;
  status: "enqueued" | "processing" | "succeeded" | "failed";
  details: Record<string, unknown>;
  error: ReturnType<typeof errorBody> | null;
  enqueuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface QueuedTask {
  task: ContractTask;
  apply: () => ApiProblem | null;
}

export class ContractTaskQueue {
  readonly #tasks: QueuedTask[] = [];
  readonly #injectedFailures: Array<{ type: string; error: ApiProblem }> = [];

  /** The next task of `type` ends `failed` with this error instead of taking effect. */
  failNext(type: string, error: ApiProblem): void {
    this.#injectedFailures.push({ type, error });
  }

  enqueue(type: string, indexUid: string | null, details: Record<string, unknown>, apply: () => ApiProblem | null): Response {
    const enqueuedAt = new Date().toISOString();
    const task: ContractTask = { uid: this.#tasks.length, indexUid, type, status: "enqueued", details, error: null, enqueuedAt, startedAt: null, finishedAt: null };
    this.#tasks.push({ task, apply });
    return json(202, { taskUid: task.uid, indexUid, status: "enqueued", type, enqueuedAt });
  }

  /** `GET /tasks/{uid}`: the first poll sees `processing`; the next processes every earlier task in order, then this one. */
  poll(uid: number): Response {
    const entry = this.#tasks[uid];
    if (!entry) return json(404, errorBody(problem("task_not_found", `Task \`${uid}\` not found.`, 404)));
    const { task } = entry;
    if (task.status === "enqueued") {
      task.status = "processing";
      task.startedAt = new Date().toISOString();
    } else if (task.status === "processing") {
      for (const pending of this.#tasks.slice(0, uid + 1)) this.#process(pending);
    }
    return json(200, { ...task, batchUid: task.uid, canceledBy: null, duration: task.finishedAt ? "PT0.001S" : null });
  }

  #process({ task, apply }: QueuedTask): void {
    if (task.status === "succeeded" || task.status === "failed") return;
    const injected = this.#injectedFailures.findIndex((failure) => failure.type === task.type);
    const failure = injected >= 0 ? this.#injectedFailures.splice(injected, 1)[0]!.error : apply();
    task.status = failure ? "failed" : "succeeded";
    task.error = failure ? errorBody(failure) : null;
    task.startedAt ??= new Date().toISOString();
    task.finishedAt = new Date().toISOString();
  }
}
