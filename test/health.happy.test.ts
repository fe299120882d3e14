import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

describe("GET /health with every dependency up", () => {
  it("answers 200 with each dependency's status and latency, cacheable for the memo's 5 s", async () => {
    // Without Meilisearch, whatever MEILISEARCH_HOST the suite runs with: health.security checks a configured one.
    const response = await callWorker("/health", {}, { MEILISEARCH_HOST: undefined });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=5");
    expect(response.headers.get("X-Request-Id")).toMatch(/.{8,}/);
    const body = (await response.json()) as { status: string; checked_at: string; checks: Record<string, { status: string; latencyMs?: number }> };
    expect(body.status).toBe("ok");
    expect(body.checked_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Math.abs(Date.now() - Date.parse(body.checked_at))).toBeLessThan(60_000);
    for (const name of ["primary", "replica", "redis"]) {
      expect(body.checks[name]?.status, name).toBe("up");
      expect(body.checks[name]?.latencyMs, name).toBeGreaterThanOrEqual(0);
    }
    expect(body.checks.meilisearch).toEqual({ status: "not_configured" });
  });

  it("is described in the OpenAPI document", async () => {
    const response = await callWorker("/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toContain("/health");
    expect(Object.keys(document.paths)).toContain("/v1/admin/health");
  });
});
