import { Redis } from "@upstash/redis/cloudflare";
import { afterAll, describe, expect, it } from "vitest";
import { normalizeName } from "../src/lib/normalize.ts";
import { commitOk, createJob, csv, loadRealCommunes, putChunkOk, removeSyntheticRows, syntheticRows } from "./helpers/admin.ts";
import { primaryUrl, sqlOn, untilReplicaHolds } from "./helpers/sql.ts";
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
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

const redis = () => new Redis({ url: testEnv.UPSTASH_REDIS_REST_URL!, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false });

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

    // The name is asked before the import: the answer without it is now in the cache.
    const before = await autocomplete(target.nom);
    expect(before.body.results.map((result) => result.code_insee)).not.toContain(target.code_insee);
    expect(before.serverTiming).toMatch(/(^|, )cache(;dur=[\d.]+)?;desc="miss"/);
    expect((await autocomplete(target.nom)).serverTiming).toMatch(/(^|, )cache(;dur=[\d.]+)?;desc="l[012]-hit"/);
    const generationBefore = Number((await redis().get<number>(GENERATION_KEY)) ?? 0);

    const job = await createJob({ source: "e2e-20k.csv" });
    const uploadStarted = Date.now();
    const chunks = Array.from({ length: ROWS / CHUNK_ROWS }, (_, index) => rows.slice(index * CHUNK_ROWS, (index + 1) * CHUNK_ROWS));
    const receipts = await Promise.all(chunks.map((chunk, index) => putChunkOk(job.id, index + 1, csv(chunk))));
    const uploadMs = Date.now() - uploadStarted;
    expect(receipts.map((receipt) => receipt.rows_staged)).toEqual(chunks.map(() => CHUNK_ROWS));

    const commitStarted = new Date();
    const committed = await commitOk(job.id);
    expect(committed).toMatchObject({ status: "done", rows_received: ROWS, rows_upserted: ROWS, rows_rejected: 0 });
    console.log(`[e2e] ${ROWS} rows uploaded in ${uploadMs} ms (${Math.round(ROWS / (uploadMs / 1000))} rows/s); commit timings ${JSON.stringify(committed.timings)}`);

    const [{ imported }] = (await sqlOn(primaryUrl()).query("select count(*)::int as imported from villes where code_insee like 'A%'")) as [{ imported: number }];
    expect(imported).toBe(ROWS);

    // The cache generation moved, so no entry written before the import is reachable.
    expect(Number(await redis().get<number>(GENERATION_KEY))).toBeGreaterThan(generationBefore);

    // Reads go to the logical replica: wait, on the replica itself, until it has applied the rows.
    await untilReplicaHolds([target.code_insee]);
    // The first ask since the commit: the engine answers, the cached answer without the commune is out of reach.
    const found = await autocomplete(target.nom);
    expect(found.body.results.map((result) => result.code_insee), `${target.nom} (${target.code_insee})`).toContain(target.code_insee);
    expect(found.serverTiming).toMatch(/(^|, )cache(;dur=[\d.]+)?;desc="miss"/);

    const after = await stats();
    expect(after.villes.total).toBeGreaterThanOrEqual(seeded + ROWS);
    expect(Date.parse(after.refreshed_at)).toBeGreaterThanOrEqual(commitStarted.getTime() - 1_000);
  }, 90_000);
});
