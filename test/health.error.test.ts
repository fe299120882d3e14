import { describe, expect, it } from "vitest";
import { CLOSED_PORT_URL, callWorker } from "./helpers/worker.ts";

type Health = { status: string; checks: Record<string, Record<string, unknown> & { status: string }> };

describe("GET /health with a dependency down", () => {
  it("stays 200 and shows Redis down when Redis is unreachable", async () => {
    const started = Date.now();
    const response = await callWorker("/health", {}, { UPSTASH_REDIS_REST_URL: CLOSED_PORT_URL });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Health;
    expect(body.status).toBe("degraded");
    expect(body.checks.redis?.status).toBe("down");
    expect(body.checks.primary?.status).toBe("up");
    expect(Object.keys(body.checks.redis!).sort()).toEqual(["latencyMs", "status"]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("shows the replica down and stays 200 when the replica is unreachable", async () => {
    const response = await callWorker("/health", {}, { DATABASE_REPLICA_URLS: "postgres://lieux:lieux@127.0.0.1:9/lieux" });
    expect(response.status).toBe(200);
    const text = await response.text();
    const body = JSON.parse(text) as Health;
    expect(body.status).toBe("degraded");
    expect(body.checks.replica?.status).toBe("down");
    expect(Object.keys(body.checks.replica!).sort()).toEqual(["latencyMs", "status"]);
    expect(text).not.toContain("127.0.0.1");
  });

  it("answers 503 when the primary is unreachable", async () => {
    const response = await callWorker("/health", {}, { DATABASE_URL: "postgres://lieux:lieux@127.0.0.1:9/lieux" });
    expect(response.status).toBe(503);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=5");
    const text = await response.text();
    const body = JSON.parse(text) as Health & { jobs?: unknown };
    expect(body.status).toBe("down");
    expect(body.checks.primary?.status).toBe("down");
    expect(Object.keys(body.checks.primary!).sort()).toEqual(["latencyMs", "status"]);
    expect(body.jobs).toBeUndefined();
    expect(text).not.toContain("127.0.0.1");
  });
});

describe("a missing binding", () => {
  it("answers one clear error naming the variable, not a crash", async () => {
    const response = await callWorker("/health", {}, { DATABASE_URL: undefined });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string; details: { problems: string[] }; requestId: string } };
    expect(body.error.code).toBe("configuration_error");
    expect(body.error.details.problems.join(" ")).toContain("DATABASE_URL");
    expect(body.error.requestId).toBe(response.headers.get("X-Request-Id"));
  });

  // The Neon driver accepts these at construction and throws at the first query: a 500 before.
  it.each([
    ["DATABASE_URL", "postgres://127.0.0.1:5432/lieux", "DATABASE_URL must be postgres://user:password@host/dbname"],
    ["DATABASE_URL", "https://lieux:lieux@127.0.0.1/lieux", "DATABASE_URL must be postgres://user:password@host/dbname"],
    ["DATABASE_URL", "lieux", "DATABASE_URL must be postgres://user:password@host/dbname"],
    ["DATABASE_REPLICA_URLS", "postgres://lieux:lieux@127.0.0.1/lieux,postgres:///lieux", "each of DATABASE_REPLICA_URLS must be postgres://user:password@host/dbname"],
  ])("answers 503 configuration_error for %s=%s, naming the variable", async (name, value, problem) => {
    const response = await callWorker("/v1/villes/autocomplete?q=nan", {}, { [name]: value });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; details: { problems: string[] } } };
    expect(body.error).toMatchObject({ code: "configuration_error", details: { problems: [`${name}: ${problem}`] } });
  });

  it("answers an unknown route with a 404 in the error shape", async () => {
    const response = await callWorker("/no/such/route");
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe("not_found");
  });
});
