import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/env.ts";
import { recordPopularQuery, warmPopular } from "../src/lib/cache/popular.ts";
import { createLogger } from "../src/lib/logger.ts";
import { buildServices } from "../src/compose-services.ts";
import { callWorker, testEnv } from "./helpers/worker.ts";

function services() {
  const parsed = readConfig(testEnv);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const ctx = createExecutionContext();
  return { services: buildServices(parsed.config, createLogger({ test: "popular" }), ctx), ctx };
}

describe("popular searches", () => {
  it("counts a sample of queries and warms the top ones through the same cache path", async () => {
    const { services: s, ctx } = services();
    const query = { q: "Poitiers", limit: 17 };
    for (let i = 0; i < 5; i++) recordPopularQuery(s, query, 0);
    recordPopularQuery(s, { q: "never-counted", limit: 17 }, 0.99);
    await waitOnExecutionContext(ctx);
    const member = JSON.stringify({ q: "poitiers", limit: 17 });
    // other test files count their own queries in the same set, so check this member's own score
    expect(await s.redis!.zscore("lieux:popular:autocomplete", member)).toBeGreaterThanOrEqual(5);

    const warm = services();
    const result = await warmPopular(warm.services, 1_000);
    await waitOnExecutionContext(warm.ctx);
    expect(result.warmed).toBeGreaterThanOrEqual(1);
    expect(result.failed).toBe(0);
    const response = await callWorker("/v1/villes/autocomplete?q=poitiers&limit=17");
    expect(response.headers.get("Server-Timing")).toMatch(/cache;dur=\d+\.\d;desc="l[12]-hit"/);
    expect(await s.redis!.zscore("lieux:popular:autocomplete", JSON.stringify({ q: "never-counted", limit: 17 }))).toBeNull();
  });
});
