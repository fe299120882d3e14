import { app } from "./app.ts";
import { runScheduled } from "./cron/dispatch.ts";
import type { WorkerEnv } from "./env.ts";

export { ImportCommitWorkflow } from "./workflows/import-commit.ts";

export default {
  fetch: app.fetch,
  scheduled: runScheduled,
} satisfies ExportedHandler<WorkerEnv>;
