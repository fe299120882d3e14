/// <reference types="vite/client" />
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import migration0006 from "../drizzle/0006_stats_views_and_cron_runs.sql?raw";
import { CRON_JOBS } from "../src/cron/jobs.ts";
import { authorization } from "./helpers/admin.ts";
import { captureLogs } from "./helpers/cron.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";
import { callWorker } from "./helpers/worker.ts";

/** Nothing listens there: the replica check fails at once, with the host in the driver's message. */
const DEAD_REPLICA = "postgres://lieux:lieux@127.0.0.1:9/lieux";
/** What a failed replica refresh leaves in cron_runs.last_error: a host, a URL and its credentials. */
const JOB = "refresh-stats-views";
const SECRET_HOST = "10.9.8.7";
const PASSWORD = "hunter2-health";
const JOB_ERROR = `refresh on replica postgres://lieux:${PASSWORD}@${SECRET_HOST}:5432/lieux failed: connect ECONNREFUSED ${SECRET_HOST}:5432`;

const PUBLIC_BODY_KEYS = ["checked_at", "checks", "jobs", "status"];
const DEPENDENCIES = ["meilisearch", "primary", "redis", "replica"];
const PUBLIC_JOB_KEYS = ["failing", "last_duration_ms", "last_failure_at", "last_outcome", "last_started_at", "last_success_at", "never_run", "stale"];

type PublicBody = { status: string; checked_at: string; checks: Record<string, Record<string, unknown>>; jobs: Record<string, Record<string, unknown>> };
type AdminBody = {
  status: string;
  checked_at: string;
  checks: Record<string, { status: string; error?: string; detail?: string; circuit?: string }>;
  replicas: Array<{ replica: number; host: string; status: string; error?: string; detail?: string }>;
  jobs: Record<string, { schedule: string; last_error: string | null; last_outcome: string | null; failing: boolean }> | null;
  jobs_error: string | null;
};

const sortedKeys = (value: object | undefined) => Object.keys(value ?? {}).sort();

/**
 * A Meilisearch host of its own per call (a closed port, refused at once): a configuration
 * no other test uses, so a fresh /health memo and circuit, and a name to look for in bodies.
 */
function deadMeilisearch() {
  const path = `meili-${crypto.randomUUID().slice(0, 8)}`;
  return { path, env: { MEILISEARCH_HOST: `http://127.0.0.1:9/${path}`, MEILISEARCH_API_KEY: "meili-key-never-shown" } };
}

/** Every outbound fetch (Neon HTTP, Upstash REST, Meilisearch) the Worker makes while `run` executes, by URL. */
async function countFetches<T>(run: () => Promise<T>): Promise<{ value: T; fetches: number; urls: string[] }> {
  const spy = vi.spyOn(globalThis, "fetch");
  try {
    const value = await run();
    const urls = spy.mock.calls.map(([input]) => (input instanceof Request ? input.url : String(input)));
    return { value, fetches: urls.length, urls };
  } finally {
    spy.mockRestore();
  }
}

/** The calls a health check makes: a Neon query (its HTTP endpoint ends in /sql) or a Meilisearch ping. */
const healthCheckCalls = (urls: string[]) => urls.filter((url) => new URL(url).pathname.endsWith("/sql") || url.includes("/meili-"));

afterEach(() => vi.restoreAllMocks());

describe("GET /health with dependencies down and a job that failed with a host in its error", () => {
  // A database of its own, so the failed job here cannot flag other files' /health.
  const database = `lieux_health_sec_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const databaseUrl = () => Object.assign(new URL(primaryUrl()), { pathname: `/${database}` }).href;
  let meilisearch = deadMeilisearch();
  const env = () => ({ DATABASE_URL: databaseUrl(), DATABASE_REPLICA_URLS: DEAD_REPLICA, ...meilisearch.env });

  beforeAll(async () => {
    await sqlOn(primaryUrl()).query(`create database ${database}`);
    const createCronRuns = migration0006.split("--> statement-breakpoint").find((statement) => statement.includes("CREATE TABLE IF NOT EXISTS cron_runs"));
    await sqlOn(databaseUrl()).query(createCronRuns!);
    await sqlOn(databaseUrl()).query(
      `insert into cron_runs (job, last_started_at, last_success_at, last_failure_at, last_outcome, last_error, last_duration_ms, runs)
       values ($1, now(), now() - interval '10 minutes', now(), 'failure', $2, 42, 5)`,
      [JOB, JOB_ERROR],
    );
  });

  afterAll(async () => {
    await sqlOn(primaryUrl()).query(`drop database if exists ${database} with (force)`);
  });

  // A configuration of its own per test: each one computes its checks afresh.
  afterEach(() => {
    meilisearch = deadMeilisearch();
  });

  it("shows the failures as statuses only: no host, no URL, no error text, no credential", async () => {
    const response = await callWorker("/health", {}, env());
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const body = JSON.parse(text) as PublicBody;
    expect(body.status).toBe("degraded");
    expect(body.checks.replica).toMatchObject({ status: "down" });
    expect(body.checks.meilisearch).toMatchObject({ status: "down" });
    expect(body.jobs[JOB]).toMatchObject({ failing: true, stale: false, never_run: false, last_outcome: "failure", last_duration_ms: 42 });

    for (const leak of ["127.0.0.1", SECRET_HOST, PASSWORD, "postgres:", "://", meilisearch.path, "meili-key-never-shown", "ECONNREFUSED", "refused", "failed", "unreachable", "timeout", "error", "detail", "host"]) {
      expect(text, `the public body carries ${leak}`).not.toContain(leak);
    }
    expect(sortedKeys(body.checks.replica)).toEqual(["latencyMs", "status"]);
    expect(sortedKeys(body.jobs[JOB])).toEqual(PUBLIC_JOB_KEYS);
  });

  it("writes which replica and dependency failed, and why, to the logs at warn", async () => {
    const { value: response, lines } = await captureLogs(() => callWorker("/health", {}, env()));
    expect(response.status).toBe(200);
    const failed = lines.filter((line) => line.message === "health check failed");
    const replica = failed.find((line) => line.dependency === "replica");
    expect(replica).toMatchObject({ level: "warn", replica: 0, host: "127.0.0.1:9" });
    expect(String(replica!.detail).length).toBeGreaterThan(0);
    expect(failed.find((line) => line.dependency === "meilisearch")).toMatchObject({ level: "warn", detail: expect.stringContaining(meilisearch.path) });
    const job = lines.find((line) => line.message === "health: cron job failing or stale" && line.job === JOB);
    expect(job).toMatchObject({ level: "warn", failing: true, lastError: expect.stringContaining(SECRET_HOST) });
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it("GET /v1/admin/health answers 401 without the admin token, and reveals nothing", async () => {
    const { value: response, urls } = await countFetches(() => callWorker("/v1/admin/health", {}, env()));
    const text = await response.text();
    expect(response.status, text).toBe(401);
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe("unauthorized");
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="lieux-admin"');
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    for (const leak of ["127.0.0.1", SECRET_HOST, "replica", "checks"]) expect(text).not.toContain(leak);
    // Refused before any check ran (the admin rate limiter's Redis call is all it made).
    expect(healthCheckCalls(urls)).toEqual([]);
  });

  it("GET /v1/admin/health answers 401 to a wrong token", async () => {
    const { value: response, urls } = await countFetches(() => callWorker("/v1/admin/health", { headers: authorization("not-the-admin-token") }, env()));
    expect(response.status).toBe(401);
    expect(healthCheckCalls(urls)).toEqual([]);
  });

  it("GET /v1/admin/health with the token gives the details: each replica's host and error, the dependency's message, the job's last_error", async () => {
    const response = await callWorker("/v1/admin/health", { headers: authorization() }, env());
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = JSON.parse(text) as AdminBody;
    expect(body.status).toBe("degraded");
    expect(body.replicas).toHaveLength(1);
    expect(body.replicas[0]).toMatchObject({ replica: 0, host: "127.0.0.1:9", status: "down", error: "unreachable" });
    expect(body.replicas[0]!.detail!.length).toBeGreaterThan(0);
    expect(body.checks.replica).toMatchObject({ status: "down", error: "unreachable" });
    expect(body.checks.meilisearch).toMatchObject({ status: "down", error: "unreachable", circuit: "closed", detail: expect.stringContaining(meilisearch.path) });
    expect(text).not.toContain("meili-key-never-shown");
    expect(body.checks.primary).toMatchObject({ status: "up" });
    expect(body.jobs_error).toBeNull();
    expect(body.jobs![JOB]).toMatchObject({ failing: true, last_outcome: "failure", schedule: "2,17,32,47 * * * *" });
    // The host stays, the credentials do not.
    expect(body.jobs![JOB]!.last_error).toContain(`${SECRET_HOST}:5432`);
    expect(text).not.toContain(PASSWORD);
  });
});

describe("the public /health body", () => {
  it("has exactly the allowed keys: status, checked_at, checks and jobs; status and latency per check; status, duration and timestamps per job", async () => {
    const response = await callWorker("/health", {}, deadMeilisearch().env);
    expect(response.status).toBe(200);
    const body = (await response.json()) as PublicBody;
    expect(sortedKeys(body)).toEqual(PUBLIC_BODY_KEYS);
    expect(sortedKeys(body.checks)).toEqual(DEPENDENCIES);
    expect(sortedKeys(body.checks.primary)).toEqual(["latencyMs", "status"]);
    expect(sortedKeys(body.checks.replica)).toEqual(["latencyMs", "status"]);
    expect(sortedKeys(body.checks.redis)).toEqual(["latencyMs", "status"]);
    expect(sortedKeys(body.checks.meilisearch)).toEqual(["circuit", "latencyMs", "status"]);
    expect(Date.parse(body.checked_at)).toBeGreaterThan(Date.parse("2026-01-01T00:00:00Z"));

    const jobs = Object.entries(body.jobs);
    expect(jobs.map(([name]) => name).sort()).toEqual(CRON_JOBS.map((job) => job.name).sort());
    expect(jobs.length).toBeGreaterThan(0);
    for (const [name, job] of jobs) expect(sortedKeys(job), name).toEqual(PUBLIC_JOB_KEYS);
  });

  it("documents the same keys in the OpenAPI document, closed to any other property, and the admin route with its bearer scheme", async () => {
    const document = (await (await callWorker("/openapi.json")).json()) as {
      paths: Record<string, { get?: { security?: unknown[] } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; additionalProperties?: unknown }> };
    };
    const { Health, DependencyCheck, CronJobHealth } = document.components.schemas;
    expect(sortedKeys(Health?.properties)).toEqual(PUBLIC_BODY_KEYS);
    expect(sortedKeys(DependencyCheck?.properties)).toEqual(["circuit", "latencyMs", "status"]);
    expect(sortedKeys(CronJobHealth?.properties)).toEqual(PUBLIC_JOB_KEYS);
    for (const schema of [Health, DependencyCheck, CronJobHealth]) expect(schema?.additionalProperties).toBe(false);
    expect(document.paths["/v1/admin/health"]?.get?.security).toEqual([{ adminBearer: [] }]);
    expect(document.paths["/health"]?.get?.security).toBeUndefined();
  });
});

describe("the /health memo", () => {
  it("answers two requests within the window from one set of checks: the same checked_at, no store called the second time", async () => {
    const { env } = deadMeilisearch();
    const first = await countFetches(() => callWorker("/health", {}, env));
    const second = await countFetches(() => callWorker("/health", {}, env));
    expect(first.value.status).toBe(200);
    expect(second.value.status).toBe(200);
    expect(first.value.headers.get("Cache-Control")).toBe("public, max-age=5");
    expect(second.value.headers.get("Cache-Control")).toBe("public, max-age=5");
    const [a, b] = [(await first.value.json()) as PublicBody, (await second.value.json()) as PublicBody];
    expect(b.checked_at).toBe(a.checked_at);
    // Primary, replica, cron_runs and Meilisearch (plus Redis) the first time; nothing at all the second.
    expect(healthCheckCalls(first.urls).length).toBeGreaterThanOrEqual(4);
    expect(second.fetches).toBe(0);
    // Two different request ids: the second response was built again, from the remembered data.
    expect(second.value.headers.get("X-Request-Id")).not.toBe(first.value.headers.get("X-Request-Id"));
  });

  it("is kept per configuration: another configuration is checked afresh", async () => {
    const { env } = deadMeilisearch();
    const first = (await (await callWorker("/health", {}, env)).json()) as PublicBody;
    const other = await countFetches(() => callWorker("/health", {}, { ...env, DATABASE_REPLICA_URLS: DEAD_REPLICA }));
    const body = (await other.value.json()) as PublicBody;
    expect(healthCheckCalls(other.urls).length).toBeGreaterThanOrEqual(4);
    expect(body.checks.replica?.status).toBe("down");
    expect(first.checks.replica?.status).toBe("up");
  });

  it("is bypassed by the admin route, which checks afresh every time", async () => {
    const { env } = deadMeilisearch();
    const publicBody = (await (await callWorker("/health", {}, env)).json()) as PublicBody;
    const adminCall = await countFetches(() => callWorker("/v1/admin/health", { headers: authorization() }, env));
    expect(adminCall.value.status).toBe(200);
    const adminBody = (await adminCall.value.json()) as AdminBody;
    expect(healthCheckCalls(adminCall.urls).length).toBeGreaterThanOrEqual(4);
    expect(Date.parse(adminBody.checked_at)).toBeGreaterThan(Date.parse(publicBody.checked_at));
  });
});
