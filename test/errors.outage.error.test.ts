import { beforeEach, describe, expect, it } from "vitest";
import { freshCaches } from "./helpers/cache.ts";
import { callWorker, CLOSED_PORT_URL } from "./helpers/worker.ts";

/** A Postgres URL whose port refuses connections: what a stopped server looks like to the local Neon endpoint. */
const STOPPED_DATABASE_URL = `postgres://lieux:lieux@${new URL(CLOSED_PORT_URL).host}/lieux`;

describe("a stopped database", () => {
  beforeEach(async () => {
    await freshCaches();
  });

  it("a stopped replica still answers 200 from the primary", async () => {
    const response = await callWorker("/v1/villes/35238", {}, { DATABASE_REPLICA_URLS: STOPPED_DATABASE_URL });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { nom: string }).nom).toBe("Rennes");
  });

  it("a stopped primary (and replica) answers 503 with Retry-After and the error shape", async () => {
    const response = await callWorker("/v1/villes/35238", {}, { DATABASE_URL: STOPPED_DATABASE_URL, DATABASE_REPLICA_URLS: STOPPED_DATABASE_URL });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
    const body = (await response.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe("service_unavailable");
    expect(body.error.requestId).toBe(response.headers.get("X-Request-Id"));
  });
});
