import { afterAll, describe, expect, it } from "vitest";
import { admin, commitAndFollow, countVilles, createJob, csv, getJob, introspectCommitRun, putChunkOk, removeSyntheticRows, syntheticRows, type ErrorResponseBody, type JobBody } from "./helpers/admin.ts";
import { callWorker } from "./helpers/worker.ts";

/**
 * Committing a job that is already committing: left alone while its Workflow runs, started
 * again when that Workflow has ended without settling the job, and started again on request
 * (`restart=true`) when it makes no progress, as after a local `wrangler dev` was killed
 * mid-merge (the fault suite's case; the local engine does not resume such an instance).
 */
const LETTER = "Q";
const codes = (rows: { code_insee: string }[]) => rows.map((row) => row.code_insee);
const recommit = (jobId: string, query = "") => admin(`/imports/${jobId}/commit${query}`, { method: "POST" });

async function stagedJob(rows: number, offset: number) {
  const synthetic = await syntheticRows(LETTER, rows, 42, offset);
  const job = await createJob();
  await putChunkOk(job.id, 1, csv(synthetic));
  return { job, rows: synthetic };
}

describe("committing a job that is committing", () => {
  afterAll(() => removeSyntheticRows(LETTER), 60_000);

  it("starts the next run when the Workflow errored without settling the job", async () => {
    const { job, rows } = await stagedJob(12, 0);
    const stranded = await commitAndFollow(job.id, async (m) => {
      await m.mockStepError({ name: "merge" }, new Error("primary unreachable"));
      // Nor can it mark the job failed: the job stays committing with no Workflow behind it.
      await m.mockStepError({ name: "mark_failed" }, new Error("primary unreachable"));
    });
    expect(stranded.outcome).toBe("errored");
    expect(stranded.job).toMatchObject({ status: "committing", rows_upserted: 0 });
    expect(await countVilles(codes(rows))).toBe(0);

    const next = await introspectCommitRun(job.id, 2);
    try {
      await next.modify((m) => m.disableRetryDelays());
      const response = await recommit(job.id);
      expect(response.status, await response.clone().text()).toBe(202);
      expect(((await response.json()) as JobBody).timings.commit_runs).toBe(2);
      await next.waitForStatus("complete");
    } finally {
      await next.dispose();
    }
    expect(await getJob(job.id)).toMatchObject({ status: "done", rows_upserted: 12, failure: null });
    expect(await countVilles(codes(rows))).toBe(12);
  });

  it("leaves a running commit alone, and restart=true stops it and runs the commit again to the end", async () => {
    const { job, rows } = await stagedJob(15, 100);
    const first = await introspectCommitRun(job.id, 1);
    const second = await introspectCommitRun(job.id, 2);
    try {
      // Run 1 keeps failing its merge and waits out its retry delays (5 s, 10 s, …): it is running, not progressing.
      await first.modify((m) => m.mockStepError({ name: "merge" }, new Error("stalled")));
      await second.modify((m) => m.disableRetryDelays());
      expect((await recommit(job.id)).status).toBe(202);

      const plain = await recommit(job.id);
      expect(plain.status).toBe(202);
      expect(((await plain.json()) as JobBody).timings.commit_runs).toBe(1);

      const restarted = await recommit(job.id, "?restart=true");
      expect(restarted.status, await restarted.clone().text()).toBe(202);
      expect(((await restarted.json()) as JobBody).timings.commit_runs).toBe(2);
      await first.waitForStatus("terminated");
      await second.waitForStatus("complete");
    } finally {
      await first.dispose();
      await second.dispose();
    }
    const done = await getJob(job.id);
    expect(done).toMatchObject({ status: "done", rows_upserted: 15, failure: null });
    expect(await countVilles(codes(rows))).toBe(15);

    // A done job is returned unchanged, restart or not.
    const again = await recommit(job.id, "?restart=true");
    expect(again.status).toBe(200);
    expect(((await again.json()) as JobBody).timings.commit_runs).toBe(2);
  });

  it("answers 400 for a restart that is not true or false, and 401 without the admin token", async () => {
    const { job } = await stagedJob(3, 200);
    const bad = await recommit(job.id, "?restart=yes");
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as ErrorResponseBody;
    expect(body.error).toMatchObject({ code: "invalid_parameter" });
    expect(JSON.stringify(body.error.details)).toContain("restart");
    expect((await getJob(job.id)).status).toBe("open");

    const anonymous = await callWorker(`/v1/admin/imports/${job.id}/commit?restart=true`, { method: "POST" });
    expect(anonymous.status).toBe(401);
    expect((await getJob(job.id)).status).toBe("open");
  });
});
