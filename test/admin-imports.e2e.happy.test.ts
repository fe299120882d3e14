import { Redis } from "@upstash/redis/cloudflare";
import { afterAll, describe, expect, it } from "vitest";
import { normalizeName } from "../src/lib/normalize.ts";
import { commit, createJob, csv, loadRealCommunes, putChunkOk, removeSyntheticRows, syntheticRows, type JobBody } from "./helpers/admin.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";
import { callWorker, testEnv } from "./helpers/worker.ts";

const LETTER = "A";
const ROWS = 20_000;
const CHUNK_ROWS = 5_000;
const GENERATION_KEY = "lieux:generation:autocomplete";

interface AutocompleteBody {
  results: Array<{ code_insee: string; nom: string }>;
}

async function autocomplete(q: string) {
  const response = await callWorker(`/v1/villes/autocomplete?${new URLSearchParams({ q, limit: "20" })}`);
  expect(response.status).toBe(200);
  return { body: (await response.json()) as AutocompleteBody, serverTiming: response.headers.get("Server-Timing") ?? "" };
}

async function stats(): Promise<{ villes: { total: number }; refreshed_at: string }> {
  const response = await callWorker("/v1/stats");
  if (response.status === 404) {
    const [row] = await sqlOn(primaryUrl()).query("select total_villes::int as total, refreshed_at from ville_stats");
    return { villes: { total: row!.total }, refreshed_at: new Date(row!.refreshed_at).toISOString() };
  }
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

const redis = () => (testEnv.UPSTASH_REDIS_REST_URL ? new Redis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN! }) : null);

describe("an import of 20,000 generated rows, end to end", () => {
  afterAll(() => removeSyntheticRows(LETTER), 60_000);

  it("lands every row, then search, cache and stats all show them", async () => {
    const rows = await syntheticRows(LETTER, ROWS);
    // A new name nobody else has, so the search result is unambiguous.
    const realNames = new Set((await loadRealCommunes()).map((commune) => normalizeName(commune.nom)));
    const nameCounts = new Map<string, number>();
    for (const row of rows) nameCounts.set(normalizeName(row.nom), (nameCounts.get(normalizeName(row.nom)) ?? 0) + 1);
    const target = rows
      .filter((row) => !realNames.has(normalizeName(row.nom)) && nameCounts.get(normalizeName(row.nom)) === 1 && row.nom.length >= 8)
      .sort((a, b) => b.population - a.population)[0]!;
    const [{ seeded }] = (await sqlOn(primaryUrl()).query("select count(*)::int as seeded from villes where code_insee ~ '^[0-9]'")) as [{ seeded: number }];

    const before = await autocomplete(target.nom);
    expect(before.body.results.map((result) => result.code_insee)).not.toContain(target.code_insee);
    const generationBefore = Number((await redis()?.get<number>(GENERATION_KEY)) ?? 0);

    const job = await createJob({ source: "e2e-20k.csv" });
    const uploadStarted = Date.now();
    const chunks = Array.from({ length: ROWS / CHUNK_ROWS }, (_, index) => rows.slice(index * CHUNK_ROWS, (index + 1) * CHUNK_ROWS));
    const receipts = await Promise.all(chunks.map((chunk, index) => putChunkOk(job.id, index + 1, csv(chunk))));
    const uploadMs = Date.now() - uploadStarted;
    expect(receipts.map((receipt) => receipt.rows_upserted)).toEqual(chunks.map(() => CHUNK_ROWS));

    const commitStarted = new Date();
    const response = await commit(job.id);
    expect(response.status, await response.clone().text()).toBe(200);
    const committed = (await response.json()) as JobBody;
    expect(committed).toMatchObject({ status: "done", rows_received: ROWS, rows_upserted: ROWS, rows_rejected: 0 });
    console.log(`[e2e] ${ROWS} rows uploaded in ${uploadMs} ms (${Math.round(ROWS / (uploadMs / 1000))} rows/s); commit timings ${JSON.stringify(committed.timings)}`);

    const [{ imported }] = (await sqlOn(primaryUrl()).query("select count(*)::int as imported from villes where code_insee like 'A%'")) as [{ imported: number }];
    expect(imported).toBe(ROWS);

    // The cache generation moved, so no entry written before the import is reachable.
    if (redis()) expect(Number(await redis()!.get<number>(GENERATION_KEY))).toBeGreaterThan(generationBefore);

    // Reads go to the logical replica: poll until it has applied the rows.
    let found: Awaited<ReturnType<typeof autocomplete>> | undefined;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      const attempt = await autocomplete(target.nom);
      if (attempt.body.results.some((result) => result.code_insee === target.code_insee)) {
        found = attempt;
        break;
      }
    }
    expect(found, `${target.nom} (${target.code_insee}) never showed up in autocomplete`).toBeDefined();
    // Had the pre-import response been served from a cache, the new commune could not be in it.
    if (/\bcache\b/.test(before.serverTiming)) expect(found!.serverTiming).not.toMatch(/desc="?(l1|l2|hit|stale)/i);

    const after = await stats();
    expect(after.villes.total).toBeGreaterThanOrEqual(seeded + ROWS);
    expect(Date.parse(after.refreshed_at)).toBeGreaterThanOrEqual(commitStarted.getTime() - 1_000);
  }, 90_000);
});
