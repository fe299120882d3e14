import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep, type WorkflowStepConfig } from "cloudflare:workers";
import { NonRetryableError } from "cloudflare:workflows";
import { buildServices } from "../compose-services.ts";
import { readConfig, type WorkerEnv } from "../env.ts";
import { loopbackEdgePurge, type EdgePurgeEntrypoint } from "../lib/cache/edge-cache.ts";
import { COMMIT_STEPS, runCommitStep, type CommitStep } from "../lib/imports/commit-steps.ts";
import { failCommit, finishCommit } from "../lib/imports/commit.ts";
import { LostStagingError } from "../lib/imports/lost-staging.ts";
import { releaseShadowBuild } from "../lib/imports/shadow-build.ts";
import { dropOrphanStagingTables } from "../lib/imports/staging.ts";
import { createLogger } from "../lib/logger.ts";
import type { Services } from "../lib/services.ts";

export interface ImportCommitParams {
  jobId: string;
}

/**
 * Every step is retried with exponential backoff (5 s, 10 s, 20 s, 40 s, 80 s): long enough
 * to ride out a database failover or a Redis blip, short enough that an admin following the
 * job sees it fail within a few minutes when the cause is permanent. The timeout covers a
 * 5M-row shadow build.
 */
export const COMMIT_STEP_CONFIG: WorkflowStepConfig = {
  retries: { limit: 5, delay: "5 seconds", backoff: "exponential" },
  timeout: "30 minutes",
};

/**
 * The commit of an import job as a Cloudflare Workflow: the commit route answers 202 at
 * once and this runs the follow-up work step by step. The Workflows engine persists each
 * step's completion, retries a failing step, and resumes an instance whose Worker died
 * from the first step not completed, so a stalled commit needs no takeover timer.
 */
export class ImportCommitWorkflow extends WorkflowEntrypoint<WorkerEnv, ImportCommitParams> {
  override async run(event: Readonly<WorkflowEvent<ImportCommitParams>>, step: WorkflowStep): Promise<Record<CommitStep, number>> {
    const { jobId } = event.payload;
    const timings = {} as Record<CommitStep, number>;
    try {
      for (const name of COMMIT_STEPS) {
        timings[name] = await step.do(name, COMMIT_STEP_CONFIG, () => this.withServices(jobId, (services) => runStep(services, jobId, name)));
      }
      await step.do("finish", COMMIT_STEP_CONFIG, () =>
        this.withServices(jobId, async (services) => {
          await finishCommit(services.databases.primary, jobId);
          await dropOrphanStagingTables(services.databases.primary);
        }),
      );
      return timings;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Only a committing job is marked: lost staged rows already re-opened it for those chunks.
      await step.do("mark_failed", COMMIT_STEP_CONFIG, () =>
        this.withServices(jobId, async (services) => {
          await failCommit(services.databases.primary, jobId, reason);
          await releaseShadowBuild(services.databases, jobId);
        }),
      );
      throw error;
    }
  }

  /** Services for one step attempt, closed after it: a step may run in another invocation than the last. */
  private async withServices<T>(jobId: string, run: (services: Services) => Promise<T>): Promise<T> {
    const parsed = readConfig(this.env);
    if (!parsed.ok) throw new NonRetryableError(`configuration: ${parsed.problems.join("; ")}`);
    // The generation bump's Workers Cache purge must run in the default entrypoint, whose cache public requests fill.
    const edgePurge = loopbackEdgePurge((this.ctx.exports as { default?: EdgePurgeEntrypoint }).default);
    const services = buildServices(parsed.config, createLogger({ workflow: "import-commit", jobId }), this.ctx, { edgePurge });
    try {
      return await run(services);
    } finally {
      await services.databases.close();
    }
  }
}

async function runStep(services: Services, jobId: string, name: CommitStep): Promise<number> {
  try {
    return await runCommitStep(services, jobId, name);
  } catch (error) {
    // Retrying cannot bring staged rows back: the admin re-sends the chunks.
    if (error instanceof LostStagingError) throw new NonRetryableError(error.message);
    throw error;
  }
}
