import { describe, expect, it } from "vitest";
import { currentGeneration } from "../src/lib/cache/generation.ts";
import { admitToL1, awaitL1Admission } from "../src/lib/cache/l1-admission.ts";
import { L0_MAX_ENTRIES } from "../src/lib/cache/memory-store.ts";
import { cacheKey } from "../src/lib/cache/request-cache.ts";
import { autocompleteKeyParts } from "../src/lib/villes/autocomplete-service.ts";
import { testRedis } from "./helpers/cache.ts";
import { callWorker, WORKER_ORIGIN } from "./helpers/worker.ts";

const layerOf = (response: Response) => response.headers.get("Server-Timing")?.match(/cache(?:;dur=[\d.]+)?;desc="([^"]+)"/)?.[1];
const entry = (value: unknown) => ({ value, freshUntil: Date.now() + 60_000, staleUntil: Date.now() + 600_000 });

/** The L1 entry of an autocomplete query, read straight from the Cache API. */
async function l1EntryOf(q: string, limit: number) {
  const key = cacheKey("autocomplete", await currentGeneration(testRedis(), "autocomplete"), autocompleteKeyParts({ q, limit }));
  return caches.default.match(`${WORKER_ORIGIN}/__lieux-cache/autocomplete/${encodeURIComponent(key)}`);
}

describe("L1 admission: a key enters the Cache API on its second request, not its first load", () => {
  it("a first miss fills L0 only; the repeat (an L0 hit) writes L1 once, which then answers another isolate's request", async () => {
    const path = "/v1/villes/autocomplete?q=quimper&limit=7";
    expect(layerOf(await callWorker(path))).toBe("miss");
    // callWorker waits for the request's background work: nothing reached L1.
    expect(await l1EntryOf("quimper", 7)).toBeUndefined();

    expect(layerOf(await callWorker(path))).toBe("l0-hit");
    const admitted = await l1EntryOf("quimper", 7);
    expect(admitted).toBeInstanceOf(Response);
    expect(((await admitted!.json()) as { value: { results: Array<{ nom: string }> } }).value.results[0]!.nom).toBe("Quimper");
    // With L0 off, as in an isolate that never saw the key, L1 answers.
    expect(layerOf(await callWorker(path, {}, { CACHE_L0: "off" }))).toBe("l1-hit");
  });

  it("without L0 (CACHE_L0=off) there is no repeat to wait for: a miss fills L1 at once", async () => {
    const path = "/v1/villes/autocomplete?q=lorient&limit=7";
    expect(layerOf(await callWorker(path, {}, { CACHE_L0: "off" }))).toBe("miss");
    expect(await l1EntryOf("lorient", 7)).toBeInstanceOf(Response);
  });

  it("admits a waiting entry once, and holds no more keys than L0 (oldest out first)", () => {
    awaitL1Admission("autocomplete", "once", entry("once"));
    expect(admitToL1("autocomplete", "once")).toMatchObject({ value: "once" });
    expect(admitToL1("autocomplete", "once")).toBeUndefined();

    for (let i = 0; i <= L0_MAX_ENTRIES; i++) awaitL1Admission("autocomplete", `bound-${i}`, entry(i));
    expect(admitToL1("autocomplete", "bound-0")).toBeUndefined();
    expect(admitToL1("autocomplete", "bound-1")).toMatchObject({ value: 1 });
    expect(admitToL1("autocomplete", `bound-${L0_MAX_ENTRIES}`)).toMatchObject({ value: L0_MAX_ENTRIES });
  });
});
