import { describe, expect, it } from "vitest";
import { CRON_SCHEDULE } from "../src/cron/schedule.ts";
import { recordPopularQuery } from "../src/lib/cache/popular.ts";
import { cronRunOf, jobLines, runCron, testServices } from "./helpers/cron.ts";
import { callWorker, CLOSED_PORT_URL } from "./helpers/worker.ts";

const JOB = "warm-popular-searches";

describe(`cron ${CRON_SCHEDULE.warmPopularSearches}: warm popular searches`, () => {
  it("loads the top queries into the cache, so the next request is a hit", async () => {
    const { services, settle } = testServices({ REDIS_TIMEOUT_MS: "1000" });
    // A limit no other test uses: the key cannot have been cached by a request.
    const query = { q: "Mende", limit: 19 };
    for (let i = 0; i < 50; i++) recordPopularQuery(services, query, 0);
    await settle();

    const [line] = jobLines(await runCron(CRON_SCHEDULE.warmPopularSearches), JOB);
    expect(line).toMatchObject({ outcome: "success", counts: { failed: 0 } });
    expect((line!.counts as { warmed: number }).warmed).toBeGreaterThanOrEqual(1);

    const response = await callWorker("/v1/villes/autocomplete?q=mende&limit=19");
    expect(response.status).toBe(200);
    expect(response.headers.get("Server-Timing")).toMatch(/cache;dur=\d+\.\d;desc="l[012]-hit"/);
    expect(await cronRunOf(JOB)).toMatchObject({ last_outcome: "success" });
  });

  it("fails, and records it, when Redis is unreachable", async () => {
    const [line] = jobLines(await runCron(CRON_SCHEDULE.warmPopularSearches, { UPSTASH_REDIS_REST_URL: CLOSED_PORT_URL }), JOB);
    expect(line).toMatchObject({ level: "error", outcome: "failure" });
    expect((await cronRunOf(JOB))?.last_failure_at).not.toBeNull();
  });
});
