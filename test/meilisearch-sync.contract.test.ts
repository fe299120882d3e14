import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { syncSearchIndexSince } from "../src/lib/search/index-sync.ts";
import { MeilisearchSearchEngine } from "../src/lib/search/meilisearch.ts";
import { reindexVilles } from "../src/lib/search/meilisearch-reindex.ts";
import { applyVillesSettings, ensureIndex, VILLES_SETTINGS } from "../src/lib/search/meilisearch-settings.ts";
import { syncVilles } from "../src/lib/search/meilisearch-sync.ts";
import { meilisearchErrorCode, waitForSuccess } from "../src/lib/search/meilisearch-tasks.ts";
import { readSyncStateSql } from "../src/lib/search/meilisearch-sync-state.ts";
import { reconcileSearchIndex } from "../src/lib/search/reconcile.ts";
import type { VilleRow } from "../src/lib/db/queries/ville-rows.ts";
import { fixtureVille, servicesWith, useMeilisearchReplay } from "./helpers/meilisearch.ts";
import { sqlOn } from "./helpers/sql.ts";

/**
 * Indexing, reindexing and reconciling against Meilisearch's recorded answers
 * (test/fixtures/meilisearch/meilisearch-sync.contract.json). The tests that read villes
 * from Postgres read a database of their own holding fixed rows (test/meilisearch/setup.ts),
 * so the documents they send are the same on every run.
 */
const meili = useMeilisearchReplay("meilisearch-sync.contract");
const FIXTURE_DATABASE = inject("searchFixtureDatabaseUrl");
const fixtureServices = () =>
  servicesWith({ DATABASE_URL: FIXTURE_DATABASE, DATABASE_REPLICA_URLS: FIXTURE_DATABASE, MEILISEARCH_HOST: meili.host, MEILISEARCH_API_KEY: meili.apiKey });

const LONG_AGO = "2026-01-01T00:00:00.000Z";
const RECENTLY = "2026-03-01T00:00:00.000Z";

/** Eight villes, ids 1 to 8 in code order (Nantes 1, Rezé 2, Saint-Herblain 3, …), all changed LONG_AGO but Saint-Herblain, changed RECENTLY. */
async function resetFixtureDatabase(): Promise<void> {
  const sql = sqlOn(FIXTURE_DATABASE);
  await sql.transaction([
    sql`truncate villes, ville_search_terms, search_state restart identity cascade`,
    sql`truncate departements, regions cascade`,
    sql`insert into regions (code, nom, zone) values ('52', 'Pays de la Loire', 'metro'), ('84', 'Auvergne-Rhône-Alpes', 'metro'), ('11', 'Île-de-France', 'metro')`,
    sql`insert into departements (code, nom, region_code, zone) values ('44', 'Loire-Atlantique', '52', 'metro'), ('69', 'Rhône', '84', 'metro'), ('75', 'Paris', '11', 'metro')`,
    sql`insert into villes (code_insee, type, nom, codes_postaux, code_postal_principal, departement_code, region_code, population, created_at, updated_at)
      select code, type, nom, array[cp], cp, dep, reg, pop, ${LONG_AGO}::timestamptz, ${LONG_AGO}::timestamptz
      from (values
        ('44109', 'commune-actuelle', 'Nantes', '44000', '44', '52', 320732),
        ('44162', 'commune-actuelle', 'Saint-Herblain', '44800', '44', '52', 50135),
        ('44143', 'commune-actuelle', 'Rezé', '44400', '44', '52', 42919),
        ('69123', 'commune-actuelle', 'Lyon', '69001', '69', '84', 522250),
        ('69266', 'commune-actuelle', 'Villeurbanne', '69100', '69', '84', 156928),
        ('75056', 'commune-actuelle', 'Paris', '75001', '75', '11', 2133111),
        ('75101', 'arrondissement-municipal', 'Paris 1er Arrondissement', '75001', '75', '11', 15917),
        ('69381', 'arrondissement-municipal', 'Lyon 1er Arrondissement', '69001', '69', '84', 29436)
      ) as v(code, type, nom, cp, dep, reg, pop)
      order by code`,
    sql`update villes set updated_at = ${RECENTLY}::timestamptz where nom = 'Saint-Herblain'`,
  ]);
}

/** A ReadVillesPage over rows that never touch Postgres. */
const rowsById = (rows: VilleRow[]) => async (afterId: number, limit: number) =>
  rows.filter((row) => Number(row.id) > afterId).slice(0, limit).map((row) => ({ ...row, updatedAt: LONG_AGO }));
const indexUids = async () => (await meili.client().getIndexes()).results.map((index) => index.uid);

afterEach(() => {
  vi.useRealTimers();
});

describe("reindexVilles", () => {
  it("builds villes_<timestamp> in batches, swaps it in atomically and deletes the old index", async () => {
    await ensureIndex(meili.client(), "villes");
    await applyVillesSettings(meili.client());
    await syncVilles(meili.client(), [fixtureVille(701, { nom: "Ancien Index" })]);
    const engine = new MeilisearchSearchEngine(meili.client());
    const rows = Array.from({ length: 25 }, (_, index) => fixtureVille(711 + index, { nom: `Nouvel Index ${index}` }));
    const seenDuringBuild: string[][] = [];
    const readPage = rowsById(rows);
    const result = await reindexVilles(
      meili.client(),
      async (afterId, limit) => {
        // searches during the build still read the complete old index
        seenDuringBuild.push((await engine.autocomplete({ q: "index", limit: 5, filters: {} })).hits.map((hit) => hit.ville.nom));
        return readPage(afterId, limit);
      },
      { now: new Date("2026-01-02T03:04:05.678Z"), batchSize: 10 },
    );
    expect(result).toEqual({ documents: 25, buildIndex: "villes_20260102T030405678Z" });
    expect(seenDuringBuild).toEqual([["Ancien Index"], ["Ancien Index"], ["Ancien Index"]]);

    const requests = (await meili.requests()).filter((request) => request.method !== "GET" && request.path !== "/multi-search");
    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /indexes",
      "PATCH /indexes/villes/settings",
      "POST /indexes/villes/documents",
      "POST /indexes",
      "PATCH /indexes/villes_20260102T030405678Z/settings",
      "POST /indexes/villes_20260102T030405678Z/documents",
      "POST /indexes/villes_20260102T030405678Z/documents",
      "POST /indexes/villes_20260102T030405678Z/documents",
      "POST /indexes",
      "POST /swap-indexes",
      "DELETE /indexes/villes_20260102T030405678Z",
    ]);
    expect(requests[9]!.body).toEqual([{ indexes: ["villes", "villes_20260102T030405678Z"], rename: false }]);

    expect(await indexUids()).toEqual(["villes"]);
    expect((await meili.client().index("villes").getStats()).numberOfDocuments).toBe(25);
    expect(meilisearchErrorCode(await meili.client().index("villes").getDocument(701).catch((error: unknown) => error))).toBe("document_not_found");
    expect((await meili.client().index("villes").getSettings()).rankingRules).toEqual(VILLES_SETTINGS.rankingRules);
    expect((await engine.autocomplete({ q: "nouvel index 7", limit: 1, filters: {} })).hits.map((hit) => hit.ville.nom)).toEqual(["Nouvel Index 7"]);
  });

  it("leaves villes untouched and deletes the partial index when a batch fails", async () => {
    await ensureIndex(meili.client(), "villes");
    await syncVilles(meili.client(), [fixtureVille(801, { nom: "Ancien Index" })]);
    const rows = [fixtureVille(811), fixtureVille(811.5)];
    const failure = reindexVilles(meili.client(), rowsById(rows), { now: new Date("2026-01-02T03:04:05.678Z") });
    await expect(failure).rejects.toMatchObject({ name: "MeilisearchTaskError", code: "invalid_document_id" });
    const requests = await meili.requests();
    expect(requests.filter((request) => request.path === "/swap-indexes")).toEqual([]);
    expect(requests.filter((request) => request.method === "DELETE").map((request) => request.path)).toEqual(["/indexes/villes_20260102T030405678Z"]);
    expect(await indexUids()).toEqual(["villes"]);
    const { results } = await meili.client().index("villes").getDocuments({ fields: ["id", "nom"] });
    expect(results).toEqual([{ id: 801, nom: "Ancien Index" }]);
  });
});

describe("syncSearchIndexSince (configured)", () => {
  it("sends the villes changed since the given time, read from the primary", async () => {
    await resetFixtureDatabase();
    await ensureIndex(meili.client(), "villes");
    const result = await syncSearchIndexSince(fixtureServices(), new Date(RECENTLY));
    expect(result).toEqual({ synced: 1 });
    const [batch] = (await meili.requests()).filter((request) => request.path === "/indexes/villes/documents");
    expect(batch!.body).toEqual([
      expect.objectContaining({ id: 3, nom: "Saint-Herblain", nom_normalise: "saint herblain", popularity: 4, departement_nom: "Loire-Atlantique", created_at: LONG_AGO }),
    ]);
    expect((await meili.client().index("villes").getStats()).numberOfDocuments).toBe(1);
  });

  it("re-sends a commune nouvelle whose commune déléguée changed, with its former names", async () => {
    await resetFixtureDatabase();
    const db = sqlOn(FIXTURE_DATABASE);
    await db`insert into villes (code_insee, type, parent_code, nom, codes_postaux, code_postal_principal, departement_code, region_code, population, created_at, updated_at)
      values ('44180', 'commune-deleguee', '44109', 'Chantenay', '{44100}', '44100', '44', '52', 9000, ${LONG_AGO}::timestamptz, ${RECENTLY}::timestamptz)`;
    await ensureIndex(meili.client(), "villes");
    expect(await syncSearchIndexSince(fixtureServices(), new Date(RECENTLY))).toEqual({ synced: 3 });
    const sent = (await meili.requests()).filter((request) => request.path === "/indexes/villes/documents").flatMap((request) => request.body as Array<Record<string, unknown>>);
    expect(sent.map((document) => document.nom)).toEqual(["Saint-Herblain", "Chantenay", "Nantes"]);
    expect(sent[2]).toMatchObject({ anciens: [{ code: "44180", nom: "Chantenay" }], anciens_noms: ["chantenay"], anciens_codes: ["44180"] });
  });

  it("does nothing without MEILISEARCH_HOST", async () => {
    expect(await syncSearchIndexSince(servicesWith({ MEILISEARCH_HOST: undefined }), new Date(0))).toEqual({ synced: 0, skipped: "MEILISEARCH_HOST is not set" });
    expect(await meili.requests()).toEqual([]);
  });
});

describe("reconcileSearchIndex", () => {
  it("syncs everything on a first run, then repairs drift with a rebuild and records the watermark", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-02T00:00:00.000Z"));
    await resetFixtureDatabase();
    const first = await reconcileSearchIndex(fixtureServices());
    expect(first).toEqual({ postgresCount: 8, indexCount: 8, resent: 8, drift: 0, repair: "none", watermark: RECENTLY });
    const settingsPatch = (await meili.requests()).find((request) => request.method === "PATCH");
    expect(settingsPatch?.body).toEqual(VILLES_SETTINGS);
    const state = async () => ((await fixtureServices().databases.primary.execute(readSyncStateSql())).rows[0] as { value: Record<string, unknown> }).value;
    expect(await state()).toMatchObject({ host: meili.host, watermark: RECENTLY, postgresCount: 8, indexCount: 8 });

    // drift: the server loses Nantes and Rezé (changed long before the watermark, so not re-sent) and keeps three villes Postgres does not have
    const villes = meili.client().index("villes");
    await waitForSuccess(meili.client(), villes.deleteDocuments([1, 2]), "losing documents");
    await syncVilles(meili.client(), [fixtureVille(901), fixtureVille(902), fixtureVille(903)]);
    vi.setSystemTime(new Date("2026-03-02T01:00:00.000Z"));
    const second = await reconcileSearchIndex(fixtureServices());
    expect(second).toEqual({ postgresCount: 8, indexCount: 9, resent: 1, drift: -1, repair: "reindexed", watermark: RECENTLY });
    const swap = (await meili.requests()).find((request) => request.path === "/swap-indexes");
    expect(swap?.body).toEqual([{ indexes: ["villes", "villes_20260302T010000000Z"], rename: false }]);
    expect(await indexUids()).toEqual(["villes"]);
    const { results } = await villes.getDocuments({ fields: ["id"], limit: 100 });
    expect(results.map((document) => document.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await state()).toMatchObject({ host: meili.host, watermark: RECENTLY, postgresCount: 8, indexCount: 9 });
  });
});
