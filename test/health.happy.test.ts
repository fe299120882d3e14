import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

describe("GET /health with every dependency up", () => {
  it("answers 200 with each dependency's status and latency", async () => {
    const response = await callWorker("/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(response.headers.get("X-Request-Id")).toMatch(/.{8,}/);
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string; latencyMs?: number }> };
    expect(body.status).toBe("ok");
    for (const name of ["primary", "replica", "redis"]) {
      expect(body.checks[name]?.status, name).toBe("up");
      expect(body.checks[name]?.latencyMs, name).toBeGreaterThanOrEqual(0);
    }
    expect(body.checks.meilisearch?.status).toBe("not_configured");
  });

  it("is described in the OpenAPI document", async () => {
    const response = await callWorker("/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toContain("/health");
  });
});
