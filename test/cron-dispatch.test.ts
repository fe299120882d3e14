/// <reference types="vite/client" />
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { dispatchCron } from "../src/cron/dispatch.ts";
import type { CronJob } from "../src/cron/job.ts";
import { CRON_JOBS } from "../src/cron/jobs.ts";
import { ADVISORY_LOCK_NAMESPACE, jobLockKey } from "../src/cron/lock.ts";
import { CRON_SCHEDULE } from "../src/cron/schedule.ts";
import wranglerToml from "../wrangler.toml?raw";
import { captureLogs, cronRunOf, jobLines, runCron, testServices } from "./helpers/cron.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";
import { CLOSED_PORT_URL, testEnv } from "./helpers/worker.ts";

const RECONCILE = "reconcile-search-index";
const injected = [`test-failing-${crypto.randomUUID()}`, `test-ok-${crypto.randomUUID()}`];

afterAll(async () => {
  await sqlOn(primaryUrl())`delete from cron_runs where job = any(${injected})`;
});

describe("scheduled() dispatch", () => {
  it("is triggered by exactly the CRON_SCHEDULE expressions, each owned by one job", () => {
    const crons = JSON.parse(/^crons\s*=\s*(\[.*\])$/m.exec(wranglerToml)![1]!) as string[];
    expect(crons.sort()).toEqual(Object.values(CRON_SCHEDULE).sort());
    expect(CRON_JOBS.map((job) => job.cron).sort()).toEqual(crons.sort());
  });

  it("logs and ignores an unknown cron expression", async () => {
    const lines = await runCron("0 0 31 2 *");
    expect(jobLines(lines)).toHaveLength(0);
    expect(lines).toContainEqual(expect.objectContaining({ level: "warn", message: "unknown cron expression ignored", cron: "0 0 31 2 *" }));
  });

  it("never throws: a broken configuration is logged as a failure of each due job", async () => {
    const lines = await runCron(CRON_SCHEDULE.reconcileSearchIndex, { DATABASE_URL: undefined });
    expect(jobLines(lines, RECONCILE)).toEqual([expect.objectContaining({ level: "error", outcome: "failure" })]);
    expect(String(jobLines(lines)[0]!.error)).toContain("DATABASE_URL");
  });

  it.skipIf(Boolean(testEnv.MEILISEARCH_HOST))("skips the reconcile job without Meilisearch, and records the run as done", async () => {
    const started = Date.now();
    const [line] = jobLines(await runCron(CRON_SCHEDULE.reconcileSearchIndex), RECONCILE);
    expect(line).toMatchObject({ level: "info", outcome: "skipped: Meilisearch not configured" });
    const record = await cronRunOf(RECONCILE);
    expect(record?.last_outcome).toBe("skipped: Meilisearch not configured");
    expect(new Date(record!.last_success_at!).getTime()).toBeGreaterThanOrEqual(started - 1_000);
  });

  it("skips a run while another holds the job's Redis lock, and leaves that lock alone", async () => {
    const redis = testServices({ REDIS_TIMEOUT_MS: "1000" }).services.redis!;
    await redis.set(jobLockKey(RECONCILE), "held-by-test", { px: 30_000 });
    try {
      expect(jobLines(await runCron(CRON_SCHEDULE.reconcileSearchIndex), RECONCILE)).toEqual([
        expect.objectContaining({ level: "info", outcome: "skipped: another run holds the redis lock" }),
      ]);
      expect(await redis.get(jobLockKey(RECONCILE))).toBe("held-by-test");
    } finally {
      await redis.del(jobLockKey(RECONCILE));
    }
  });

  it("with Redis down, locks through a Postgres advisory lock", async () => {
    const redisDown = { UPSTASH_REDIS_REST_URL: CLOSED_PORT_URL };
    const { services } = testServices();
    const held = await services.databases.transactional().transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_NAMESPACE}, hashtext(${RECONCILE}))`);
      return jobLines(await runCron(CRON_SCHEDULE.reconcileSearchIndex, redisDown), RECONCILE);
    });
    await services.databases.close();
    expect(held).toEqual([expect.objectContaining({ level: "info", outcome: "skipped: another run holds the postgres lock" })]);

    const lines = await runCron(CRON_SCHEDULE.reconcileSearchIndex, redisDown);
    expect(lines).toContainEqual(expect.objectContaining({ level: "warn", message: "cron lock: Redis unavailable, using a Postgres advisory lock", job: RECONCILE }));
    const ranOnItsOwn = testEnv.MEILISEARCH_HOST ? "success" : "skipped: Meilisearch not configured";
    expect(jobLines(lines, RECONCILE)).toEqual([expect.objectContaining({ level: "info", outcome: ranOnItsOwn })]);
  });

  it("records a failing job and still runs the next job of the same cron", async () => {
    const cron = "59 23 * * *";
    const ran: string[] = [];
    const jobs: CronJob[] = [
      { name: injected[0]!, cron, run: async () => { ran.push("failing"); throw new Error("dependency exploded"); } },
      { name: injected[1]!, cron, run: async () => { ran.push("ok"); return { outcome: "success", counts: { rows: 3 } }; } },
    ];
    const ctx = createExecutionContext();
    const { value: reports, lines } = await captureLogs(() => dispatchCron(cron, testEnv, ctx, jobs));
    await waitOnExecutionContext(ctx);

    expect(ran).toEqual(["failing", "ok"]);
    expect(reports.map((report) => report.outcome)).toEqual(["failure", "success"]);
    expect(jobLines(lines).map((line) => [line.job, line.level])).toEqual([[injected[0], "error"], [injected[1], "info"]]);
    expect(await cronRunOf(injected[0]!)).toMatchObject({ last_outcome: "failure", last_error: "dependency exploded", last_success_at: null });
    expect(await cronRunOf(injected[1]!)).toMatchObject({ last_outcome: "success", last_counts: { rows: 3 }, last_failure_at: null });
  });
});
