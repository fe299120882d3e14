import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { routeMeilisearchFetchForTests } from "../src/lib/search/meilisearch.ts";
import { VILLES_SETTINGS } from "../src/lib/search/meilisearch-settings.ts";
import { toVilleDocument } from "../src/lib/search/meilisearch-sync.ts";
import { setCircuitClockForTests } from "../src/lib/search/select-engine.ts";
import { MeilisearchContractDouble } from "./meilisearch-contract-double.ts";
import { servicesWith, uniqueMeilisearchHost, villesNamed } from "./helpers/meilisearch.ts";
import { callWorker } from "./helpers/worker.ts";

let double: MeilisearchContractDouble;
let host: string;
let now = 1_000_000;

beforeEach(() => {
  double = new MeilisearchContractDouble();
  host = uniqueMeilisearchHost("fallback");
  routeMeilisearchFetchForTests(double.fetch);
  setCircuitClockForTests(() => now);
});

afterEach(() => {
  routeMeilisearchFetchForTests(undefined);
  setCircuitClockForTests(undefined);
  expect(double.violations).toEqual([]);
});

const env = () => ({ MEILISEARCH_HOST: host, MEILISEARCH_API_KEY: double.apiKey });
const searchCalls = () => double.callsTo("POST", /^\/indexes\/villes\/search$/).length;

/** The real route; credentials bypass the shared cache so that every call reaches the engine. */
async function autocomplete(q: string) {
  const started = Date.now();
  const response = await callWorker(`/v1/villes/autocomplete?q=${encodeURIComponent(q)}`, { headers: { Authorization: "Bearer bypass-shared-cache" } }, env());
  const body = (await response.json()) as { results: Array<{ nom: string }> };
  return { status: response.status, backend: response.headers.get("X-Search-Backend"), timing: response.headers.get("Server-Timing"), names: body.results.map((r) => r.nom), ms: Date.now() - started };
}

async function circuitState(): Promise<string | undefined> {
  const response = await callWorker("/health", {}, env());
  return ((await response.json()) as { checks: { meilisearch: { circuit?: string } } }).checks.meilisearch.circuit;
}

async function loadHealthyIndex() {
  const rows = await villesNamed(servicesWith({}), ["Nantes", "Nant", "Lyon", "Paris"]);
  double.load("villes", rows.map(toVilleDocument), VILLES_SETTINGS);
}

describe("autocomplete when Meilisearch fails", () => {
  it("answers from Meilisearch while it is healthy", async () => {
    await loadHealthyIndex();
    const result = await autocomplete("nant");
    expect(result).toMatchObject({ status: 200, backend: "meilisearch", names: ["Nantes", "Nant"] });
    expect(result.timing).toMatch(/search;dur=[\d.]+;desc="meilisearch"/);
    expect(await circuitState()).toBe("closed");
  });

  it("answers the same request from Postgres (200) when Meilisearch is unreachable", async () => {
    double.setFault("network");
    const result = await autocomplete("nant");
    expect(result).toMatchObject({ status: 200, backend: "postgres" });
    expect(result.names[0]).toBe("Nantes");
    expect(result.timing).toMatch(/desc="postgres"/);
    expect(searchCalls()).toBe(1);
  });

  it("answers from Postgres when Meilisearch stalls past the 150 ms budget", async () => {
    double.setFault("stall");
    const result = await autocomplete("lyon");
    expect(result).toMatchObject({ status: 200, backend: "postgres" });
    expect(result.names[0]).toBe("Lyon");
    expect(result.ms).toBeLessThan(5_000);
  });

  it("answers from Postgres when Meilisearch answers 500 or the index is missing", async () => {
    double.setFault("internal");
    expect(await autocomplete("paris")).toMatchObject({ status: 200, backend: "postgres" });
    double.setFault(null); // no index at all: 404 index_not_found
    expect(await autocomplete("pari")).toMatchObject({ status: 200, backend: "postgres" });
  });
});

describe("the Meilisearch circuit breaker", () => {
  it("opens after 3 consecutive failures, then skips Meilisearch until the cool-down ends", async () => {
    double.setFault("network");
    for (const q of ["nan", "nant", "nante"]) expect((await autocomplete(q)).backend).toBe("postgres");
    expect(searchCalls()).toBe(3);
    expect(await circuitState()).toBe("open");
    for (const q of ["nantes", "lyo"]) expect((await autocomplete(q)).backend).toBe("postgres");
    expect(searchCalls()).toBe(3);
    now += 29_999;
    await autocomplete("lyon");
    expect(searchCalls()).toBe(3);
  });

  it("closes after a successful half-open probe", async () => {
    double.setFault("network");
    for (const q of ["nan", "nant", "nante"]) await autocomplete(q);
    now += 30_000;
    expect(await circuitState()).toBe("half_open");
    double.setFault(null);
    await loadHealthyIndex();
    const probe = await autocomplete("nantes");
    expect(probe).toMatchObject({ status: 200, backend: "meilisearch", names: ["Nantes"] });
    expect(await circuitState()).toBe("closed");
    expect((await autocomplete("paris")).backend).toBe("meilisearch");
  });

  it("re-opens for another cool-down when the probe fails", async () => {
    double.setFault("stall");
    for (const q of ["nan", "nant", "nante"]) await autocomplete(q);
    now += 30_000;
    expect((await autocomplete("nantes")).backend).toBe("postgres");
    expect(searchCalls()).toBe(4);
    expect(await circuitState()).toBe("open");
    expect((await autocomplete("lyon")).backend).toBe("postgres");
    expect(searchCalls()).toBe(4);
  });
});
