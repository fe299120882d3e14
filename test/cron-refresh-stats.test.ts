import { afterAll, describe, expect, it } from "vitest";
import { CRON_SCHEDULE } from "../src/cron/schedule.ts";
import { currentGeneration } from "../src/lib/cache/generation.ts";
import { captureLogs, cronRunOf, deleteTestVilles, fireScheduled, insertTestVilles, jobLines, runCron, testServices } from "./helpers/cron.ts";
import { callWorker } from "./helpers/worker.ts";

const DEAD_REPLICA = "postgres://lieux:lieux@127.0.0.1:9/lieux";

const JOB = "refresh-stats-views";
const CODES = ["99411", "99412", "99413"];

afterAll(() => deleteTestVilles(CODES));

interface DepartementStats {
  departement: { code: string };
  villes: { total: number; communes_actuelles: number };
  population: number;
}

/** Lozère's figures as the API serves them (from the replica's view, through the cache). */
async function lozere() {
  const response = await callWorker("/v1/stats/departements?region=76");
  expect(response.status).toBe(200);
  const body = (await response.json()) as { results: DepartementStats[]; refreshed_at: string };
  return { row: body.results.find((result) => result.departement.code === "48")!, refreshedAt: Date.parse(body.refreshed_at) };
}

describe(`cron ${CRON_SCHEDULE.refreshStatsViews}: refresh the stats views`, () => {
  it("refreshes primary and replica views, moves refreshed_at, counts new rows, purges the stats cache and records the run", async () => {
    expect(jobLines(await runCron(CRON_SCHEDULE.refreshStatsViews), JOB)[0]?.outcome).toBe("success");
    const before = await lozere();
    const { services } = testServices();
    const generationBefore = await currentGeneration(services.redis, "stats", Date.now() + 60_000);

    await insertTestVilles(CODES, 1_000);
    const started = Date.now();
    const lines = await runCron(CRON_SCHEDULE.refreshStatsViews);

    expect(jobLines(lines)).toHaveLength(1);
    const [line] = jobLines(lines, JOB);
    expect(line).toMatchObject({ level: "info", job: JOB, outcome: "success", cron: CRON_SCHEDULE.refreshStatsViews });
    expect(line!.durationMs).toEqual(expect.any(Number));
    expect(line!.counts).toMatchObject({ replicasRefreshed: 1, replicaErrors: [] });

    const after = await lozere();
    expect(after.refreshedAt).toBeGreaterThan(before.refreshedAt);
    expect(after.row.villes.total).toBe(before.row.villes.total + CODES.length);
    expect(after.row.population).toBe(before.row.population + 1_000 * CODES.length);
    expect(await currentGeneration(services.redis, "stats", Date.now() + 60_000)).toBeGreaterThan(generationBefore);

    const record = await cronRunOf(JOB);
    expect(Date.parse(record!.last_success_at!)).toBeGreaterThanOrEqual(started - 1_000);
    expect(record!.last_outcome).toBe("success");
    expect(Number(record!.runs)).toBeGreaterThanOrEqual(2);
    expect(record!.last_counts).toMatchObject({ replicasRefreshed: 1 });
  });

  it("lets only one of two overlapping runs refresh; the other is logged as skipped", async () => {
    const { lines } = await captureLogs(() =>
      Promise.all([fireScheduled(CRON_SCHEDULE.refreshStatsViews), fireScheduled(CRON_SCHEDULE.refreshStatsViews)]),
    );
    const outcomes = jobLines(lines, JOB).map((line) => line.outcome).sort();
    expect(outcomes).toEqual(["skipped: another run holds the redis lock", "success"]);
  });

  it("records a failure when a replica cannot be refreshed; /health flags the job and stays 200", async () => {
    const started = Date.now();
    const lines = await runCron(CRON_SCHEDULE.refreshStatsViews, { DATABASE_REPLICA_URLS: DEAD_REPLICA });

    const [line] = jobLines(lines, JOB);
    expect(line).toMatchObject({ level: "error", outcome: "failure" });
    expect(String(line!.error)).toContain("127.0.0.1:9");
    const record = await cronRunOf(JOB);
    expect(new Date(record!.last_failure_at!).getTime()).toBeGreaterThanOrEqual(started - 1_000);
    expect(record!.last_outcome).toBe("failure");
    expect(record!.last_error).toContain("replica");

    // The public body says the job failed, never why: the reason (a replica's host) is admin-only.
    const response = await callWorker("/health");
    expect(response.status).toBe(200);
    const text = await response.text();
    const body = JSON.parse(text) as { jobs: Record<string, Record<string, unknown>> };
    expect(body.jobs[JOB]).toMatchObject({ failing: true, stale: false, last_outcome: "failure" });
    expect(body.jobs[JOB]).not.toHaveProperty("last_error");
    expect(text).not.toContain("127.0.0.1");
  });
});
