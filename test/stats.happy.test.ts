import { describe, expect, it } from "vitest";
import { getJson, liveStats, refreshStatsNow, servedStats } from "./helpers/stats.ts";
import { callWorker } from "./helpers/worker.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("GET /v1/stats, /v1/stats/regions, /v1/stats/departements", () => {
  it("serve exactly the live aggregates of the primary, after a refresh and the replica's catch-up", async () => {
    // Other files write villes meanwhile, and the replica lags: retry until one refresh saw a quiet moment.
    let live: Awaited<ReturnType<typeof liveStats>> | undefined;
    let served: Awaited<ReturnType<typeof servedStats>> | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      const started = Date.now();
      live = await liveStats();
      await refreshStatsNow();
      served = await servedStats();
      const unchanged = JSON.stringify(await liveStats()) === JSON.stringify(live);
      if (unchanged && JSON.stringify(served.figures) === JSON.stringify(live)) {
        for (const at of served.refreshedAt) expect(at).toBeGreaterThanOrEqual(started - 1_000);
        break;
      }
      await sleep(250);
    }
    expect(served!.figures).toEqual(live);
    expect(live!.totals.villes.total).toBeGreaterThan(30_000);
    expect(live!.regions.length).toBeGreaterThanOrEqual(18);
  });

  it("name the largest commune of a région and of a département", async () => {
    const regions = (await getJson<{ results: Array<{ region: { code: string }; largest_commune: { nom: string } | null }> }>("/v1/stats/regions")).body;
    expect(regions.results.find((row) => row.region.code === "11")?.largest_commune?.nom).toBe("Paris");
    const departements = (await getJson<{ results: Array<{ departement: { code: string }; largest_commune: { code_insee: string } }> }>("/v1/stats/departements?region=52")).body;
    expect(departements.results.map((row) => row.departement.code)).toEqual(["44", "49", "53", "72", "85"]);
    expect(departements.results[0]?.largest_commune.code_insee).toBe("44109");
  });

  it("filter régions and départements by zone", async () => {
    const drom = (await getJson<{ results: Array<{ zone: string }> }>("/v1/stats/regions?zone=drom")).body.results;
    expect(drom.length).toBe(5);
    expect(drom.every((row) => row.zone === "drom")).toBe(true);
    const metro = (await getJson<{ results: Array<{ zone: string; region: { code: string } }> }>("/v1/stats/departements?zone=metro&region=93")).body.results;
    expect(metro.map((row) => row.zone)).toEqual(["metro", "metro", "metro", "metro", "metro", "metro"]);
  });

  it("are cached until the next refresh, with an ETag", async () => {
    const first = await callWorker("/v1/stats");
    const maxAge = Number(/max-age=(\d+)/.exec(first.headers.get("Cache-Control") ?? "")?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(1);
    expect(maxAge).toBeLessThanOrEqual(15 * 60);
    const second = await callWorker("/v1/stats");
    expect(second.headers.get("Server-Timing")).toMatch(/cache;dur=\d+\.\d;desc="l[012]-hit"/);
    const notModified = await callWorker("/v1/stats", { headers: { "If-None-Match": second.headers.get("ETag")! } });
    expect(notModified.status).toBe(304);
  });
});
