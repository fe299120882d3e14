import { describe, expect, inject, it } from "vitest";
import { meilisearchClient } from "../src/lib/search/meilisearch.ts";
import { meilisearchErrorCode } from "../src/lib/search/meilisearch-tasks.ts";
import { REPLAY_MISS_STATUS, type LoggedRequest } from "./meilisearch/protocol.ts";
import { callWorker } from "./helpers/worker.ts";

/**
 * The replay double's own teeth, through its control API directly (useMeilisearchReplay
 * would fail these tests for the misses they make on purpose). REPLAY mode only: the
 * recording command leaves this file out, since nothing here is recorded.
 */
const { url, apiKey, mode } = inject("meilisearchReplay");

async function control(path: string, body: unknown) {
  const response = await fetch(`${url}/__replay/${path}`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

/** A scope no fixture file holds: every request to it is a miss. */
async function unrecordedHost(name: string) {
  const scope = `meilisearch.replay/${name}`;
  await control("begin", { scope, test: name });
  return { scope, host: `${url}/s/${scope}`, end: () => control("end", { scope }) as Promise<{ misses: string[]; unused: string[] }> };
}

describe("the Meilisearch replay double", () => {
  it("runs in REPLAY mode for the default suite", () => {
    expect(mode).toBe("replay");
  });

  it("answers an unrecorded request 599 replay_miss and reports it to the test's check", async () => {
    const { host, end } = await unrecordedHost("unrecorded-search");
    const error = await meilisearchClient({ host, apiKey }).index("villes").search("nantes").catch((caught: unknown) => caught);
    expect((error as { response: Response }).response.status).toBe(REPLAY_MISS_STATUS);
    expect(meilisearchErrorCode(error)).toBe("replay_miss");
    const { misses, unused } = await end();
    expect(misses).toEqual([expect.stringMatching(/^POST \/indexes\/villes\/search auth=valid body=\{"q":"nantes"\}: no recording of this request$/)]);
    expect(unused).toEqual([]);
  });

  it("reports a miss even when the Worker hid it behind its Postgres fallback", async () => {
    const { host, end } = await unrecordedHost("unrecorded-autocomplete");
    const env = { MEILISEARCH_HOST: host, MEILISEARCH_API_KEY: apiKey, CACHE_L0: "off", CACHE_L1: "off", UPSTASH_REDIS_REST_URL: undefined };
    const response = await callWorker("/v1/villes/autocomplete?q=nantes", {}, env);
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Search-Backend")).toBe("postgres");
    const { misses } = await end();
    expect(misses).toHaveLength(1);
    expect(misses[0]).toMatch(/^POST \/multi-search auth=valid /);
  });

  it("drops (reset) or holds (stall) the test's requests when told, and never counts them as misses", async () => {
    const { scope, host, end } = await unrecordedHost("faults");
    await control("fault", { scope, fault: "reset" });
    await expect(fetch(`${host}/health`)).rejects.toThrow();
    await control("fault", { scope, fault: "stall" });
    await expect(fetch(`${host}/health`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    const log = (await control("requests", { scope })) as LoggedRequest[];
    expect(log.map((request) => [request.path, request.outcome, request.response])).toEqual([
      ["/health", "reset", null],
      ["/health", "stall", null],
    ]);
    expect(await end()).toEqual({ misses: [], unused: [] });
  });

  it("treats a request after the test's end as a miss, never a replay", async () => {
    const { scope, host, end } = await unrecordedHost("after-the-end");
    await end();
    const late = await fetch(`${host}/health`);
    expect(late.status).toBe(REPLAY_MISS_STATUS);
    expect(((await late.json()) as { message: string }).message).toContain("the test had already ended");
    expect(((await control("requests", { scope })) as LoggedRequest[]).map((request) => request.outcome)).toEqual(["miss"]);
    // kept for the next check (here) or the global teardown, which fails the run
    expect((await end()).misses).toEqual([expect.stringContaining("GET /health auth=missing")]);
  });
});
