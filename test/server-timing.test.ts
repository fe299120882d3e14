import { beforeEach, describe, expect, it } from "vitest";
import { freshCaches } from "./helpers/cache.ts";
import { callWorker } from "./helpers/worker.ts";

/** Server-Timing as metric name → its parameters, so a test can say exactly which metrics are there. */
function metrics(response: Response): Map<string, string> {
  const header = response.headers.get("Server-Timing") ?? "";
  return new Map(header.split(", ").map((entry) => [entry.split(";")[0]!, entry.slice(entry.indexOf(";") + 1)]));
}

describe("Server-Timing names only what was asked", () => {
  beforeEach(async () => {
    await freshCaches();
  });

  it("an autocomplete miss on Postgres: cache miss, the engine that answered, and db measured on its own queries", async () => {
    const miss = metrics(await callWorker("/v1/villes/autocomplete?q=quimper&limit=7", {}, { MEILISEARCH_HOST: undefined }));
    expect([...miss.keys()].sort()).toEqual(["cache", "db", "search"]);
    expect(miss.get("cache")).toBe('desc="miss"');
    expect(miss.get("search")).toMatch(/^dur=\d+\.\d;desc="postgres"$/);
    expect(miss.get("db")).toMatch(/^dur=\d+\.\d$/);
  });

  it("a hit names the cache layer only: neither the engine nor Postgres was asked", async () => {
    await callWorker("/v1/villes/autocomplete?q=quimper&limit=7");
    const hit = metrics(await callWorker("/v1/villes/autocomplete?q=quimper&limit=7"));
    expect([...hit.keys()]).toEqual(["cache"]);
    expect(hit.get("cache")).toMatch(/^dur=\d+\.\d;desc="l0-hit"$/);
  });

  it("a single commune on a miss has db and no search metric; on a hit, no db", async () => {
    const miss = metrics(await callWorker("/v1/villes/29232"));
    expect([...miss.keys()].sort()).toEqual(["cache", "db"]);
    const hit = metrics(await callWorker("/v1/villes/29232"));
    expect([...hit.keys()]).toEqual(["cache"]);
  });
});
