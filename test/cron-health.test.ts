/// <reference types="vite/client" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import migration0006 from "../drizzle/0006_stats_views_and_cron_runs.sql?raw";
import type { CronRunRow } from "../src/cron/cron-runs.ts";
import { jobHealth, outcomeKind, publicJobHealth } from "../src/cron/job-health.ts";
import { CRON_JOBS } from "../src/cron/jobs.ts";
import { authorization } from "./helpers/admin.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";
import { callWorker } from "./helpers/worker.ts";

const MINUTE = 60_000;
const now = Date.parse("2026-05-04T10:20:00Z");
const ago = (ms: number) => new Date(now - ms);

function row(job: string, fields: Partial<CronRunRow>): CronRunRow {
  return { job, firstStartedAt: ago(24 * 60 * MINUTE), lastStartedAt: null, lastSuccessAt: null, lastFailureAt: null, lastOutcome: null, lastError: null, lastDurationMs: null, lastCounts: null, runs: 1, ...fields };
}

describe("a job's health", () => {
  it("reports a job that never ran without calling it stale", () => {
    const health = jobHealth(CRON_JOBS, []);
    for (const job of CRON_JOBS) expect(health[job.name]).toMatchObject({ never_run: true, stale: false, failing: false, last_success_at: null });
  });

  it("is stale after two intervals without a success (15 min job: 30 min; daily job: 48 h)", () => {
    const health = jobHealth(
      CRON_JOBS,
      [
        row("refresh-stats-views", { lastSuccessAt: ago(29 * MINUTE) }),
        row("warm-popular-searches", { lastSuccessAt: ago(121 * MINUTE) }),
        row("rebuild-heavy-prefixes", { lastSuccessAt: ago(47 * 60 * MINUTE) }),
      ],
      now,
    );
    expect(health["refresh-stats-views"]).toMatchObject({ stale: false, never_run: false });
    expect(health["warm-popular-searches"]).toMatchObject({ stale: true });
    expect(health["rebuild-heavy-prefixes"]).toMatchObject({ stale: false });
  });

  it("flags a failing job, and counts a job that never succeeded from its first start", () => {
    const health = jobHealth(
      CRON_JOBS,
      [
        row("refresh-stats-views", { lastSuccessAt: ago(20 * MINUTE), lastFailureAt: ago(5 * MINUTE), lastError: "boom" }),
        row("warm-popular-searches", { lastSuccessAt: ago(5 * MINUTE), lastFailureAt: ago(20 * MINUTE), lastError: "old" }),
        row("reconcile-search-index", { firstStartedAt: ago(3 * 60 * MINUTE), lastFailureAt: ago(10 * MINUTE), lastError: "down" }),
        row("rebuild-heavy-prefixes", { firstStartedAt: ago(MINUTE), lastFailureAt: ago(MINUTE) }),
      ],
      now,
    );
    expect(health["refresh-stats-views"]).toMatchObject({ failing: true, stale: false, last_error: "boom" });
    expect(health["warm-popular-searches"]).toMatchObject({ failing: false, stale: false, last_error: "old" });
    expect(health["reconcile-search-index"]).toMatchObject({ failing: true, stale: true });
    expect(health["rebuild-heavy-prefixes"]).toMatchObject({ failing: true, stale: false });
  });

  it("shows the public only status, duration and timestamps: never the error text nor the reason of a skip", () => {
    const health = jobHealth(
      CRON_JOBS,
      [
        row("refresh-stats-views", {
          lastStartedAt: ago(5 * MINUTE),
          lastSuccessAt: ago(20 * MINUTE),
          lastFailureAt: ago(5 * MINUTE),
          lastOutcome: "failure",
          lastError: "replica postgres://lieux:pw@10.1.2.3:5432/lieux unreachable",
          lastDurationMs: 17,
          runs: 9,
        }),
        row("reconcile-search-index", { lastSuccessAt: ago(MINUTE), lastOutcome: "skipped: Meilisearch not configured" }),
      ],
      now,
    );
    expect(health["refresh-stats-views"]).toMatchObject({ last_error: expect.stringContaining("10.1.2.3"), runs: 9, last_duration_ms: 17 });
    const failed = publicJobHealth(health["refresh-stats-views"]!);
    expect(failed).toEqual({
      last_started_at: ago(5 * MINUTE).toISOString(),
      last_success_at: ago(20 * MINUTE).toISOString(),
      last_failure_at: ago(5 * MINUTE).toISOString(),
      last_duration_ms: 17,
      last_outcome: "failure",
      never_run: false,
      failing: true,
      stale: false,
    });
    expect(publicJobHealth(health["reconcile-search-index"]!).last_outcome).toBe("skipped");
    expect(JSON.stringify(publicJobHealth(health["reconcile-search-index"]!))).not.toContain("Meilisearch");
    expect(publicJobHealth(health["warm-popular-searches"]!)).toMatchObject({ never_run: true, last_outcome: null, last_started_at: null });
    expect([outcomeKind("success"), outcomeKind("failure"), outcomeKind("skipped: nothing to do"), outcomeKind(null)]).toEqual(["success", "failure", "skipped", null]);
  });
});

describe("GET /health with a stale job", () => {
  // A database of its own, so a stale row here cannot degrade other files' /health.
  const database = `lieux_health_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const databaseUrl = () => Object.assign(new URL(primaryUrl()), { pathname: `/${database}` }).href;

  beforeAll(async () => {
    await sqlOn(primaryUrl()).query(`create database ${database}`);
    const createCronRuns = migration0006.split("--> statement-breakpoint").find((statement) => statement.includes("CREATE TABLE IF NOT EXISTS cron_runs"));
    await sqlOn(databaseUrl()).query(createCronRuns!);
  });

  afterAll(async () => {
    await sqlOn(primaryUrl()).query(`drop database if exists ${database} with (force)`);
  });

  it("answers 200 with status degraded, the stale job flagged and the others reported as never run", async () => {
    await sqlOn(databaseUrl()).query(
      "insert into cron_runs (job, last_started_at, last_success_at, last_outcome, runs) values ('refresh-stats-views', now() - interval '2 hours', now() - interval '2 hours', 'success', 3)",
    );
    const response = await callWorker("/health", {}, { DATABASE_URL: databaseUrl() });
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string }>; jobs: Record<string, Record<string, unknown>> };
    expect(response.status).toBe(200);
    expect(body.checks.primary?.status).toBe("up");
    expect(body.status).toBe("degraded");
    expect(body.jobs["refresh-stats-views"]).toMatchObject({ stale: true, never_run: false, failing: false, last_outcome: "success" });
    expect(body.jobs["refresh-stats-views"]).not.toHaveProperty("schedule");
    expect(body.jobs["warm-popular-searches"]).toMatchObject({ stale: false, never_run: true });

    const adminResponse = await callWorker("/v1/admin/health", { headers: authorization() }, { DATABASE_URL: databaseUrl() });
    expect(adminResponse.status).toBe(200);
    const details = (await adminResponse.json()) as { status: string; jobs: Record<string, Record<string, unknown>> };
    expect(details.status).toBe("degraded");
    expect(details.jobs["refresh-stats-views"]).toMatchObject({ stale: true, schedule: "2,17,32,47 * * * *", last_outcome: "success", runs: 3, last_error: null });
  });
});
