import { describe, expect, it } from "vitest";
import { expectInvalidParameter } from "./helpers/pages.ts";
import { callWorker } from "./helpers/worker.ts";

const ROUTES = ["/v1/stats", "/v1/stats/regions", "/v1/stats/departements"];

describe("stats routes under hostile input", () => {
  // No parameter can ask for live aggregates or skip the cache: the routes only read the views.
  it.each(ROUTES.flatMap((route) => ["live=true", "refresh=1", "nocache=1", "group_by=nom"].map((query) => [route, query])))(
    "rejects %s?%s instead of computing anything live",
    async (route, query) => {
      await expectInvalidParameter(await callWorker(`${route}?${query}`), query.split("=")[0]!);
    },
  );

  it.each([
    ["/v1/stats/departements?region=52'%20OR%201=1--", "region"],
    ["/v1/stats/departements?region=52;%20refresh%20materialized%20view%20ville_stats", "region"],
    ["/v1/stats/regions?zone=metro'--", "zone"],
  ])("rejects injection attempts: %s", async (path, field) => {
    await expectInvalidParameter(await callWorker(path), field);
  });

  it("sets nosniff on answers and errors", async () => {
    for (const path of [...ROUTES, "/v1/stats?x=1"]) {
      expect((await callWorker(path)).headers.get("X-Content-Type-Options"), path).toBe("nosniff");
    }
  });

  it("answers a request with credentials from the shared cache like any other: they cannot force a miss", async () => {
    await callWorker("/v1/stats/regions");
    const response = await callWorker("/v1/stats/regions", { headers: { Authorization: "Bearer someone" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+, stale-while-revalidate=\d+$/);
    expect(response.headers.get("Server-Timing")).toMatch(/cache;dur=[\d.]+;desc="l[012]-hit"/);
  });
});
