import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncSearchIndexSince } from "../src/lib/search/index-sync.ts";
import { meilisearchClient, MeilisearchSearchEngine, routeMeilisearchFetchForTests } from "../src/lib/search/meilisearch.ts";
import { reindexVilles } from "../src/lib/search/meilisearch-reindex.ts";
import { VILLES_SETTINGS } from "../src/lib/search/meilisearch-settings.ts";
import { toVilleDocument } from "../src/lib/search/meilisearch-sync.ts";
import { readSyncStateSql } from "../src/lib/search/meilisearch-sync-state.ts";
import { reconcileSearchIndex } from "../src/lib/search/reconcile.ts";
import { villesForIndexSql, type IndexedVilleRow } from "../src/lib/search/villes-for-index.ts";
import { MeilisearchContractDouble } from "./meilisearch-contract-double.ts";
import { fixtureVille, servicesWith, uniqueMeilisearchHost } from "./helpers/meilisearch.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";

// Not a real INSEE code (990xx-992xx do not exist), so cleanup never touches real rows.
const TEST_CODE = "99217";

let double: MeilisearchContractDouble;
let host: string;
const client = () => meilisearchClient({ host, apiKey: double.apiKey });
const services = () => servicesWith({ MEILISEARCH_HOST: host, MEILISEARCH_API_KEY: double.apiKey });
const readPostgresPage = (afterId: number, limit: number) =>
  services().databases.primary.execute(villesForIndexSql({ afterId, limit })).then((result) => result.rows as unknown as IndexedVilleRow[]);

beforeEach(() => {
  double = new MeilisearchContractDouble();
  host = uniqueMeilisearchHost("sync");
  routeMeilisearchFetchForTests(double.fetch);
});

afterEach(() => {
  routeMeilisearchFetchForTests(undefined);
  expect(double.violations).toEqual([]);
});

afterAll(async () => {
  await sqlOn(primaryUrl())`delete from villes where code_insee = ${TEST_CODE}`;
  await sqlOn(primaryUrl())`delete from search_state where key = 'meilisearch' and value->>'host' like 'http://meili-sync-%'`;
});

describe("reindexVilles", () => {
  it("builds villes_<timestamp> from Postgres, swaps it in atomically and deletes the old index", { timeout: 120_000 }, async () => {
    const stale = toVilleDocument(fixtureVille({ nom: "Ancien Index" }));
    double.load("villes", [stale], VILLES_SETTINGS);
    const engine = new MeilisearchSearchEngine(client());
    const seenDuringBuild: string[][] = [];
    const result = await reindexVilles(
      client(),
      async (afterId, limit) => {
        // searches during the build still read the complete old index
        seenDuringBuild.push((await engine.autocomplete({ q: "ancien", limit: 5, filters: {} })).hits.map((hit) => hit.ville.nom));
        return readPostgresPage(afterId, limit);
      },
      { now: new Date("2026-01-02T03:04:05.678Z") },
    );
    expect(result.buildIndex).toBe("villes_20260102T030405678Z");
    expect(seenDuringBuild.every((names) => names.join() === "Ancien Index")).toBe(true);
    expect(double.callsTo("POST", /^\/indexes\/villes\/documents$/)).toEqual([]);
    expect(double.callsTo("POST", /^\/indexes$/)[0]?.body).toEqual({ uid: "villes_20260102T030405678Z", primaryKey: "id" });
    expect(double.callsTo("PATCH", /^\/indexes\/villes_20260102T030405678Z\/settings$/)[0]?.body).toEqual(VILLES_SETTINGS);
    expect(double.callsTo("POST", /^\/swap-indexes$/).map((call) => call.body)).toEqual([[{ indexes: ["villes", "villes_20260102T030405678Z"], rename: false }]]);
    expect(double.callsTo("DELETE", /^\/indexes\/villes_20260102T030405678Z$/)).toHaveLength(1);
    const swapAt = double.calls.findIndex((call) => call.path === "/swap-indexes");
    expect(double.calls.slice(swapAt).some((call) => call.path.endsWith("/documents"))).toBe(false);

    const [{ count }] = (await services().databases.primary.execute(sql`select count(*)::int as count from villes`)).rows as [{ count: number }];
    expect(result.documents).toBeGreaterThan(30_000);
    expect(Math.abs(result.documents - count)).toBeLessThanOrEqual(2); // other files may insert test rows meanwhile
    expect(double.indexUids()).toEqual(["villes"]);
    expect(double.index("villes")?.documents.size).toBe(result.documents);
    expect(double.index("villes")?.documents.has(String(stale.id))).toBe(false);
    expect(double.index("villes")?.settings).toEqual(VILLES_SETTINGS);
    expect((await engine.autocomplete({ q: "nantes", limit: 1, filters: {} })).hits[0]?.ville.nom).toBe("Nantes");
  });

  it("leaves villes untouched and deletes the partial index when a batch fails", async () => {
    const stale = toVilleDocument(fixtureVille({ nom: "Ancien Index" }));
    double.load("villes", [stale], VILLES_SETTINGS);
    double.failNextTask("documentAdditionOrUpdate", "internal", "disk full");
    const rows = [fixtureVille(), fixtureVille()].map((row) => ({ ...row, updatedAt: "2026-01-01T00:00:00.000Z" }));
    await expect(reindexVilles(client(), async (afterId) => rows.filter((row) => row.id > afterId))).rejects.toThrow(/disk full/);
    expect(double.callsTo("POST", /^\/swap-indexes$/)).toEqual([]);
    expect(double.indexUids()).toEqual(["villes"]);
    expect([...double.index("villes")!.documents.keys()]).toEqual([String(stale.id)]);
  });
});

describe("syncSearchIndexSince (configured)", () => {
  it("sends the villes changed since the given time, read from the primary", async () => {
    const [inserted] = await sqlOn(primaryUrl())`insert into villes (code_insee, type, nom, departement_code, region_code, population)
      values (${TEST_CODE}, 'commune-actuelle', 'Lieux Sync Test', '44', '52', 12) returning id, updated_at`;
    const result = await syncSearchIndexSince(services(), new Date(inserted!.updated_at as string));
    expect(result.skipped).toBeUndefined();
    expect(result.synced).toBeGreaterThanOrEqual(1);
    expect(result.synced).toBeLessThan(100);
    expect(double.index("villes")?.documents.get(String(inserted!.id))).toMatchObject({ nom: "Lieux Sync Test", popularity: 1, nom_normalise: "lieux sync test" });
  });

  it("does nothing without MEILISEARCH_HOST", async () => {
    expect(await syncSearchIndexSince(servicesWith({ MEILISEARCH_HOST: undefined }), new Date(0))).toEqual({ synced: 0, skipped: "MEILISEARCH_HOST is not set" });
    expect(double.calls).toEqual([]);
  });
});

describe("reconcileSearchIndex", () => {
  it("syncs everything on a first run, then repairs drift with a rebuild and records the watermark", { timeout: 180_000 }, async () => {
    const first = await reconcileSearchIndex(services());
    expect(first).toMatchObject({ drift: 0, repair: "none" });
    expect(first.resent).toBe(first.postgresCount);
    expect(first.indexCount).toBe(first.postgresCount);
    expect(double.callsTo("PATCH", /^\/indexes\/villes\/settings$/)[0]?.body).toEqual(VILLES_SETTINGS);
    const [state] = (await services().databases.primary.execute(readSyncStateSql())).rows as [{ value: { host: string; watermark: string } }];
    expect(state.value).toMatchObject({ host, watermark: first.watermark });

    // drift: two documents lost by the server, three documents of villes deleted from Postgres
    const villes = double.index("villes")!;
    const lost = [...villes.documents.keys()].slice(0, 2);
    for (const id of lost) villes.documents.delete(id);
    const deleted = [fixtureVille(), fixtureVille(), fixtureVille()].map(toVilleDocument);
    double.load("villes", deleted);

    const second = await reconcileSearchIndex(services());
    expect(second.drift).toBeLessThan(0);
    expect(second.repair).toBe("reindexed");
    const repaired = double.index("villes")!;
    expect(repaired.documents.size).toBe(second.postgresCount);
    for (const id of lost) expect(repaired.documents.has(id)).toBe(true);
    for (const document of deleted) expect(repaired.documents.has(String(document.id))).toBe(false);
    expect(double.indexUids()).toEqual(["villes"]);
  });
});
