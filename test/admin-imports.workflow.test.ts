import { afterAll, describe, expect, it } from "vitest";
import { COMMIT_STEPS } from "../src/lib/imports/commit-step-names.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";
import { commit, commitAndFollow, commitOk, countVilles, createJob, csv, getJob, putChunkOk, removeSyntheticRows, syntheticRows, introspectCommitRun, type JobBody } from "./helpers/admin.ts";

const LETTER = "W";
const codes = (rows: { code_insee: string }[]) => rows.map((row) => row.code_insee);

describe("the commit Workflow", () => {
  afterAll(() => removeSyntheticRows(LETTER), 60_000);

  it("runs every step, retrying one that fails once, and records each step's duration", async () => {
    const rows = await syntheticRows(LETTER, 40);
    const job = await createJob();
    await putChunkOk(job.id, 1, csv(rows));
    const followed = await commitAndFollow(job.id, async (m) => {
      await m.mockStepError({ name: "heavy_prefixes" }, new Error("transient: connection reset"), 1);
    });
    expect(followed.accepted).toMatchObject({ status: "committing", rows_upserted: 0 });
    expect(followed.outcome).toBe("complete");
    expect(followed.job).toMatchObject({ status: "done", failure: null, rows_upserted: 40 });
    for (const step of COMMIT_STEPS) expect(followed.job.timings[`${step}_ms`], step).toEqual(expect.any(Number));
    expect(followed.job.timings.commit_total_ms).toEqual(expect.any(Number));
    expect(await countVilles(codes(rows))).toBe(40);
    // A small in-place merge refreshes the search structures from its own changes (drizzle/0014).
    expect(followed.job.timings).toMatchObject({ merge_shadow: 0, heavy_prefixes_incremental: 1, typo_dictionary_incremental: 1, stats_views_deferred: 1 });
    // The suite's villes number fewer than the typo dictionary's size: every imported one is in it.
    const [{ n }] = (await sqlOn(primaryUrl()).query(
      "select count(*)::int as n from typo_dictionary d join villes v on v.id = d.ville_id where v.code_insee = any($1) and d.typo_key = lieux_typo_key(v.nom_normalise)",
      [codes(rows)],
    )) as [{ n: number }];
    expect(n).toBe(40);
  });

  it("marks the job failed with the reason when a step fails for good, serves the old data, and completes when committed again", async () => {
    const rows = await syntheticRows(LETTER, 30, 42, 100);
    const job = await createJob();
    await putChunkOk(job.id, 1, csv(rows));
    const failed = await commitAndFollow(job.id, async (m) => {
      await m.mockStepError({ name: "merge" }, new Error("primary unreachable"));
    });
    expect(failed.outcome).toBe("errored");
    expect(failed.job).toMatchObject({ status: "failed", failure: "primary unreachable" });
    expect(failed.job.timings.merge_ms).toBeUndefined();
    expect(await countVilles(codes(rows))).toBe(0);

    // A second run is a new Workflow instance; the staged rows were kept.
    const done = await commitOk(job.id);
    expect(done).toMatchObject({ status: "done", failure: null, rows_upserted: 30 });
    expect(done.timings.commit_runs).toBe(2);
    expect(await countVilles(codes(rows))).toBe(30);
  });

  it("drops the staging table of a job deleted while open when a commit finishes", async () => {
    const rows = await syntheticRows(LETTER, 10, 42, 400);
    const abandoned = await createJob();
    await putChunkOk(abandoned.id, 1, csv(rows.slice(0, 5)));
    const table = `import_rows_${abandoned.id.replaceAll("-", "")}`;
    const exists = async () => ((await sqlOn(primaryUrl()).query("select to_regclass($1) is not null as found", [table]))[0] as { found: boolean }).found;
    expect(await exists()).toBe(true);
    await sqlOn(primaryUrl()).query("delete from imports where id = $1", [abandoned.id]);
    const job = await createJob();
    await putChunkOk(job.id, 1, csv(rows.slice(5)));
    await commitOk(job.id);
    expect(await exists()).toBe(false);
  });

  it("starts one Workflow for two commits of one job sent at once", async () => {
    const rows = await syntheticRows(LETTER, 10, 42, 300);
    const job = await createJob();
    await putChunkOk(job.id, 1, csv(rows));
    const instance = await introspectCommitRun(job.id, 1);
    const [first, second] = await Promise.all([commit(job.id), commit(job.id)]);
    expect([first.status, second.status]).toEqual([202, 202]);
    // Only the open → committing transition starts an instance: the job's run counter says one.
    const runs = [(await first.json()) as JobBody, (await second.json()) as JobBody].map((body) => body.timings.commit_runs);
    expect(runs).toEqual([1, 1]);
    await instance.waitForStatus("complete");
    await instance.dispose();
    const done = await getJob(job.id);
    expect(done).toMatchObject({ status: "done", rows_upserted: 10 });
    expect(done.timings.commit_runs).toBe(1);
  });

  it("skips a merge that already committed when a later step is retried in a new run", async () => {
    const rows = await syntheticRows(LETTER, 20, 42, 200);
    const job = await createJob();
    await putChunkOk(job.id, 1, csv(rows));
    const failed = await commitAndFollow(job.id, async (m) => {
      await m.mockStepError({ name: "cache_generation" }, new Error("redis down"));
    });
    expect(failed.job).toMatchObject({ status: "failed", failure: "redis down", rows_upserted: 20 });
    const merged = failed.job.timings.merge_ms;
    expect(merged).toEqual(expect.any(Number));
    // The merge already happened: the new data is served while the job shows the failed step.
    expect(await countVilles(codes(rows))).toBe(20);
    const done = await commitOk(job.id);
    expect(done.timings.merge_ms).toBe(merged);
    expect((await getJob(job.id)).status).toBe("done");
  });
});
