/// <reference types="vite/client" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import migration0006 from "../drizzle/0006_stats_views_and_cron_runs.sql?raw";
import type { CronRunRow } from "../src/cron/cron-runs.ts";
import { jobHealth } from "../src/cron/job-health.ts";
import { CRON_JOBS } from "../src/cron/jobs.ts";
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
    expect(body.jobs["refresh-stats-views"]).toMatchObject({ stale: true, never_run: false, failing: false, schedule: "2,17,32,47 * * * *" });
    expect(body.jobs["warm-popular-searches"]).toMatchObject({ stale: false, never_run: true });
  });
});
