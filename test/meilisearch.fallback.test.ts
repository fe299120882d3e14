import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { applyVillesSettings, ensureIndex } from "../src/lib/search/meilisearch-settings.ts";
import { syncVilles } from "../src/lib/search/meilisearch-sync.ts";
import { asRecorded, servicesWith, useMeilisearchReplay, villesNamed } from "./helpers/meilisearch.ts";
import { callWorker } from "./helpers/worker.ts";

/**
 * The Worker's autocomplete when Meilisearch fails. Server answers (a missing index, a
 * wrong key) are recorded from a real server; network faults (a dropped connection, a
 * server that never answers) are switched on for the test's host by the replay server.
 * The circuit's clock is Date.now, moved by vitest's fake Date.
 */
const meili = useMeilisearchReplay("meilisearch.fallback");
const COOL_DOWN_MS = 30_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-06-01T12:00:00.000Z"));
});
afterEach(() => {
  vi.useRealTimers();
});

const later = (ms: number) => vi.setSystemTime(Date.now() + ms);

async function autocomplete(q: string, env = meili.workerEnv()) {
  const started = performance.now();
  const response = await callWorker(`/v1/villes/autocomplete?q=${encodeURIComponent(q)}`, {}, env);
  const body = (await response.json()) as { results: Array<{ nom: string }> };
  return {
    status: response.status,
    backend: response.headers.get("X-Search-Backend"),
    timing: response.headers.get("Server-Timing"),
    names: body.results.map((result) => result.nom),
    ms: performance.now() - started,
  };
}

async function circuitState(): Promise<string | undefined> {
  const response = await callWorker("/health", {}, meili.workerEnv());
  return ((await response.json()) as { checks: { meilisearch: { circuit?: string } } }).checks.meilisearch.circuit;
}

/** Searches that reached the host, and how each ended. */
const searches = async () => (await meili.requests()).filter((request) => request.path === "/multi-search").map((request) => request.outcome);

async function loadHealthyIndex() {
  const rows = asRecorded(await villesNamed(servicesWith({}), ["Nantes", "Nant", "Lyon", "Paris"]), 1001);
  await ensureIndex(meili.client(), "villes");
  await applyVillesSettings(meili.client());
  await syncVilles(meili.client(), rows);
}

describe("autocomplete when Meilisearch fails", () => {
  it("answers from Meilisearch while it is healthy", async () => {
    await loadHealthyIndex();
    const result = await autocomplete("nant");
    expect(result).toMatchObject({ status: 200, backend: "meilisearch", names: ["Nantes", "Nant"] });
    expect(result.timing).toMatch(/search;dur=[\d.]+;desc="meilisearch"/);
    expect(await circuitState()).toBe("closed");
  });

  it("answers the same request from Postgres (200) when the connection is dropped", async () => {
    await meili.fault("reset");
    const result = await autocomplete("nant");
    expect(result).toMatchObject({ status: 200, backend: "postgres" });
    expect(result.names[0]).toBe("Nantes");
    expect(result.timing).toMatch(/desc="postgres"/);
    expect(await searches()).toEqual(["reset"]);
  });

  it("answers from Postgres when Meilisearch stalls past the 150 ms budget", async () => {
    await meili.fault("stall");
    const result = await autocomplete("lyon");
    expect(result).toMatchObject({ status: 200, backend: "postgres" });
    expect(result.names[0]).toBe("Lyon");
    expect(result.ms).toBeLessThan(2_000);
    expect(await searches()).toEqual(["stall"]);
  });

  it("answers from Postgres when the index is missing (index_not_found) or the key is wrong (invalid_api_key)", async () => {
    expect(await autocomplete("paris")).toMatchObject({ status: 200, backend: "postgres", names: expect.arrayContaining(["Paris"]) });
    expect(await autocomplete("pari", { ...meili.workerEnv(), MEILISEARCH_API_KEY: "not-the-key" })).toMatchObject({ status: 200, backend: "postgres" });
    const answers = (await meili.requests()).map((request) => [request.auth, (request.response?.body as { code?: string }).code]);
    expect(answers).toEqual([
      ["valid", "index_not_found"],
      ["invalid", "invalid_api_key"],
    ]);
  });
});

describe("the Meilisearch circuit breaker", () => {
  it("opens after 3 consecutive failures, then skips Meilisearch until the cool-down ends", async () => {
    await meili.fault("reset");
    for (const q of ["nan", "nant", "nante"]) expect((await autocomplete(q)).backend).toBe("postgres");
    expect(await searches()).toHaveLength(3);
    expect(await circuitState()).toBe("open");
    for (const q of ["nantes", "lyo"]) expect((await autocomplete(q)).backend).toBe("postgres");
    later(COOL_DOWN_MS - 1);
    expect((await autocomplete("lyon")).backend).toBe("postgres");
    expect(await searches()).toHaveLength(3);
    expect(await circuitState()).toBe("open");
  });

  it("closes after a successful half-open probe", async () => {
    await loadHealthyIndex();
    await meili.fault("reset");
    for (const q of ["nan", "nant", "nante"]) await autocomplete(q);
    expect(await circuitState()).toBe("open");
    later(COOL_DOWN_MS);
    expect(await circuitState()).toBe("half_open");
    await meili.fault(null);
    expect(await autocomplete("nantes")).toMatchObject({ status: 200, backend: "meilisearch", names: ["Nantes"] });
    expect(await circuitState()).toBe("closed");
    expect(await autocomplete("paris")).toMatchObject({ backend: "meilisearch", names: ["Paris"] });
    expect(await searches()).toEqual(["reset", "reset", "reset", "answered", "answered"]);
  });

  it("re-opens for another cool-down when the probe fails", async () => {
    await meili.fault("stall");
    for (const q of ["nan", "nant", "nante"]) await autocomplete(q);
    later(COOL_DOWN_MS);
    expect((await autocomplete("nantes")).backend).toBe("postgres");
    expect(await searches()).toHaveLength(4);
    expect(await circuitState()).toBe("open");
    expect((await autocomplete("lyon")).backend).toBe("postgres");
    later(COOL_DOWN_MS - 1);
    expect((await autocomplete("lyon")).backend).toBe("postgres");
    expect(await searches()).toHaveLength(4);
  });
});
