import { MeilisearchApiError, type Meilisearch, type Task } from "meilisearch";
import { describe, expect, it } from "vitest";
import { meilisearchClient, MeilisearchSearchEngine } from "../src/lib/search/meilisearch.ts";
import { filterExpressions, filterString } from "../src/lib/search/meilisearch-query.ts";
import { applyVillesSettings, ensureIndex, VILLES_SETTINGS } from "../src/lib/search/meilisearch-settings.ts";
import { syncVilles, toVilleDocument } from "../src/lib/search/meilisearch-sync.ts";
import { meilisearchErrorCode, MeilisearchTaskError, waitForSuccess } from "../src/lib/search/meilisearch-tasks.ts";
import { TaskWindow } from "../src/lib/search/meilisearch-task-window.ts";
import type { LoggedRequest } from "./meilisearch/protocol.ts";
import type { VilleRow } from "../src/lib/db/queries/ville-rows.ts";
import { asRecorded, fixtureVille, servicesWith, useMeilisearchReplay, villesNamed } from "./helpers/meilisearch.ts";
import { callWorker } from "./helpers/worker.ts";

/**
 * The adapter against Meilisearch's recorded answers (test/fixtures/meilisearch/meilisearch.contract.json,
 * re-recorded from a real server by `npm run test:record-meilisearch`). Every test starts
 * on a server with no index.
 */
const meili = useMeilisearchReplay("meilisearch.contract");

async function villesIndexWith(client: Meilisearch, rows: readonly VilleRow[]): Promise<void> {
  await ensureIndex(client, "villes");
  await applyVillesSettings(client);
  await syncVilles(client, rows);
}

const rejection = (promise: Promise<unknown>) => promise.then(() => expect.fail("expected a rejection"), (error: unknown) => error);

describe("Meilisearch index settings", () => {
  it("creates the index with its primary key, sends every setting in one PATCH and waits for the task", async () => {
    await ensureIndex(meili.client(), "villes");
    await applyVillesSettings(meili.client());
    const requests = await meili.requests();
    expect(requests.filter((request) => request.method !== "GET").map((request) => [request.method, request.path, request.body])).toEqual([
      ["POST", "/indexes", { uid: "villes", primaryKey: "id" }],
      ["PATCH", "/indexes/villes/settings", VILLES_SETTINGS],
    ]);
    expect(requests.every((request) => request.auth === "valid")).toBe(true);
    // each task is polled until it is done, and the next request waits for that
    const patchAt = requests.findIndex((request) => request.method === "PATCH");
    const settingsTask = (requests[patchAt]!.response!.body as { taskUid: number }).taskUid;
    const polls = requests.slice(patchAt + 1).filter((request) => request.path === `/tasks/${settingsTask}`);
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls.at(-1)!.response!.body).toMatchObject({ status: "succeeded", type: "settingsUpdate" });
    const creationPolls = requests.slice(1, patchAt).map((request) => (request.response!.body as { status: string }).status);
    expect(creationPolls.at(-1)).toBe("succeeded");

    const index = await meili.client().getIndex("villes");
    expect(index.primaryKey).toBe("id");
    const settings = await meili.client().index("villes").getSettings();
    expect(settings).toMatchObject({
      searchableAttributes: VILLES_SETTINGS.searchableAttributes,
      rankingRules: VILLES_SETTINGS.rankingRules,
      synonyms: VILLES_SETTINGS.synonyms,
      typoTolerance: { ...VILLES_SETTINGS.typoTolerance, disableOnAttributes: expect.any(Array) },
      pagination: VILLES_SETTINGS.pagination,
      searchCutoffMs: VILLES_SETTINGS.searchCutoffMs,
    });
    expect(new Set(settings.filterableAttributes as string[])).toEqual(new Set(VILLES_SETTINGS.filterableAttributes));
    expect(new Set(settings.sortableAttributes)).toEqual(new Set(VILLES_SETTINGS.sortableAttributes));
    expect(new Set(settings.displayedAttributes)).toEqual(new Set(VILLES_SETTINGS.displayedAttributes));
    // the server keeps attribute lists as sets (disableOnAttributes comes back sorted)
    expect(new Set(settings.typoTolerance?.disableOnAttributes)).toEqual(new Set(VILLES_SETTINGS.typoTolerance.disableOnAttributes));
    const displayed = VILLES_SETTINGS.displayedAttributes;
    // displayed, plus what only matching, filtering or ranking read
    const matchingOnly = ["nom_normalise", "popularity", "_geo", "noms_complets", "anciens_noms", "anciens_codes", "debuts_mots"];
    expect(new Set(Object.keys(toVilleDocument(fixtureVille(1))))).toEqual(new Set([...displayed, ...matchingOnly]));
  });

  it("is idempotent: a second run sends the same body and leaves the index as it was", async () => {
    await ensureIndex(meili.client(), "villes");
    await applyVillesSettings(meili.client());
    const before = await meili.client().index("villes").getSettings();
    await ensureIndex(meili.client(), "villes");
    await applyVillesSettings(meili.client());
    const patches = (await meili.requests()).filter((request) => request.method === "PATCH");
    expect(patches).toHaveLength(2);
    expect(patches[1]!.body).toEqual(patches[0]!.body);
    expect(await meili.client().index("villes").getSettings()).toEqual(before);
    expect((await meili.client().getIndexes()).results.map((index) => index.uid)).toEqual(["villes"]);
  });

  it("rejects an invalid setting with the server's own error code", async () => {
    await ensureIndex(meili.client(), "villes");
    const error = await rejection(waitForSuccess(meili.client(), meili.client().index("villes").updateSettings({ rankingRules: ["population:sideways"] }), "a bad rule"));
    expect(error).toBeInstanceOf(MeilisearchApiError);
    expect(meilisearchErrorCode(error)).toBe("invalid_settings_ranking_rules");
  });
});

describe("errors Meilisearch answers", () => {
  it("a wrong key is invalid_api_key (403), for searches as for writes", async () => {
    const client = meilisearchClient({ host: meili.host, apiKey: "not-the-key" });
    const search = await rejection(client.index("villes").search("nantes"));
    expect(search).toBeInstanceOf(MeilisearchApiError);
    expect((search as MeilisearchApiError).response.status).toBe(403);
    expect(meilisearchErrorCode(search)).toBe("invalid_api_key");
    expect(meilisearchErrorCode(await rejection(ensureIndex(client, "villes")))).toBe("invalid_api_key");
    expect((await meili.requests()).map((request) => request.auth)).toEqual(["invalid", "invalid"]);
  });

  it("a search on a missing index is index_not_found (404; 400 inside a multi-search), which the engine throws", async () => {
    const error = await rejection(new MeilisearchSearchEngine(meili.client()).autocomplete({ q: "nantes", limit: 5, filters: {} }));
    expect((error as MeilisearchApiError).response.status).toBe(400);
    expect(meilisearchErrorCode(error)).toBe("index_not_found");
    const single = await rejection(meili.client().index("villes").search("nantes"));
    expect((single as MeilisearchApiError).response.status).toBe(404);
    expect(meilisearchErrorCode(single)).toBe("index_not_found");
  });

  it("an unescaped filter is invalid_search_filter (400); the adapter's escaped one is valid", async () => {
    await villesIndexWith(meili.client(), []);
    const broken = await rejection(meili.client().index("villes").search("a", { filter: ['departement_code = "x" OR type = "y'] }));
    expect((broken as MeilisearchApiError).response.status).toBe(400);
    expect(meilisearchErrorCode(broken)).toBe("invalid_search_filter");
    const hostile = 'x" OR type = "commune-deleguee\\';
    const escaped = await meili.client().index("villes").search("a", { filter: filterExpressions({ departement: hostile, region: 'r"\\' }) });
    expect(escaped.hits).toEqual([]);
  });

  it("a document batch with an invalid primary key is accepted (202), then its task fails", async () => {
    await ensureIndex(meili.client(), "villes");
    const failure = await rejection(syncVilles(meili.client(), [fixtureVille(7.5)]));
    expect(failure).toBeInstanceOf(MeilisearchTaskError);
    expect((failure as MeilisearchTaskError).code).toBe("invalid_document_id");
    expect((failure as MeilisearchTaskError).task.status).toBe("failed");
    const requests = await meili.requests();
    const batch = requests.find((request) => request.path === "/indexes/villes/documents")!;
    expect(batch.response!.status).toBe(202);
  });
});

describe("Meilisearch search requests", () => {
  it("sends the documented search body: normalised q, filter array, highlight tags, matching strategy", async () => {
    await villesIndexWith(meili.client(), [fixtureVille(101, { nom: "Saint-Étienne", population: 170_000 }), fixtureVille(102, { nom: "Saint-Étienne-de-Tinée", population: 1_500 })]);
    const result = await new MeilisearchSearchEngine(meili.client()).autocomplete({ q: "St Étienne", limit: 7, filters: {} });
    const search = (await meili.requests()).find((request) => request.path === "/multi-search")!;
    const scope = 'type IN ["commune-actuelle", "arrondissement-municipal"]';
    expect(search.body).toEqual({
      queries: [
        {
          indexUid: "villes",
          q: "saint etienne",
          filter: [scope],
          // 20 whatever the limit: the adapter re-ranks the page as the Postgres engine would, then cuts it
          limit: 20,
          attributesToHighlight: ["nom"],
          highlightPreTag: "<mark>",
          highlightPostTag: "</mark>",
          matchingStrategy: "all",
          showRankingScoreDetails: true,
        },
        // the complete-name probe, in the same round trip
        { indexUid: "villes", q: "", filter: [scope, 'noms_complets = "saint etienne"'], sort: ["population:desc"], limit: 7 },
      ],
    });
    expect(result).toMatchObject({ backend: "meilisearch", match: "prefix" });
    expect(result.hits.map((hit) => [hit.ville.nom, hit.nomHighlight])).toEqual([
      ["Saint-Étienne", "<mark>Saint-Étienne</mark>"],
      ["Saint-Étienne-de-Tinée", "<mark>Saint-Étienne</mark>-de-Tinée"],
    ]);
  });

  it("escapes filter values, so a quote or a backslash cannot close the string and widen the filter", async () => {
    const hostile = 'x" OR type = "commune-deleguee\\';
    expect(filterString(hostile)).toBe('"x\\" OR type = \\"commune-deleguee\\\\"');
    await villesIndexWith(meili.client(), [
      fixtureVille(201, { nom: "Saint-Exact", departementCode: hostile }),
      fixtureVille(202, { nom: "Saint-Autre", type: "commune-deleguee" }),
    ]);
    const engine = new MeilisearchSearchEngine(meili.client());
    const both = await engine.autocomplete({ q: "saint", limit: 10, filters: { departement: hostile, region: 'r"\\' } });
    const search = (await meili.requests()).find((request) => request.path === "/multi-search")!;
    expect((search.body as { queries: Array<{ filter: string[] }> }).queries[0]!.filter).toEqual([
      'type IN ["commune-actuelle", "arrondissement-municipal"]',
      'departement_code = "x\\" OR type = \\"commune-deleguee\\\\"',
      'region_code = "r\\"\\\\"',
    ]);
    // three exact conditions: nothing has both hostile values, and the quote widened nothing
    expect(both.hits).toEqual([]);
    const byDepartement = await engine.autocomplete({ q: "saint", limit: 10, filters: { departement: hostile } });
    expect(byDepartement.hits.map((hit) => hit.ville.nom)).toEqual(["Saint-Exact"]);
  });

  it("keeps a trailing st as typed (Strasbourg, not Saint-Étienne), and a completed one reaches the server as saint", async () => {
    await villesIndexWith(meili.client(), [
      fixtureVille(331, { nom: "Strasbourg", population: 290_000 }),
      fixtureVille(332, { nom: "Saint-Étienne", population: 170_000 }),
      fixtureVille(333, { nom: "Stains", population: 39_000 }),
    ]);
    const engine = new MeilisearchSearchEngine(meili.client());
    expect((await engine.autocomplete({ q: "st", limit: 10, filters: {} })).hits.map((hit) => hit.ville.nom)).toEqual(["Strasbourg", "Stains"]);
    expect((await engine.autocomplete({ q: "st etienne", limit: 10, filters: {} })).hits.map((hit) => hit.ville.nom)).toEqual(["Saint-Étienne"]);
    const queries = (await meili.requests()).filter((request) => request.path === "/multi-search").map((request) => (request.body as { queries: Array<{ q: string }> }).queries[0]!.q);
    expect(queries).toEqual(["st", "saint etienne"]);
  });

  it("tolerates one typo from four letters, and says the match is fuzzy", async () => {
    await villesIndexWith(meili.client(), [fixtureVille(301, { nom: "Marseille", population: 870_000 }), fixtureVille(302, { nom: "Marsac", population: 900 })]);
    const engine = new MeilisearchSearchEngine(meili.client());
    const typo = await engine.autocomplete({ q: "marseile", limit: 5, filters: {} });
    expect(typo.hits.map((hit) => hit.ville.nom)).toEqual(["Marseille"]);
    expect(typo.match).toBe("fuzzy");
    // below four letters no typo is tolerated: "mra" finds nothing
    expect((await engine.autocomplete({ q: "mra", limit: 5, filters: {} })).hits).toEqual([]);
  });

  it("leaves out the typo matches Meilisearch adds after the matches without a typo, unless there are no others", async () => {
    await villesIndexWith(meili.client(), [
      fixtureVille(351, { nom: "Sainte-Lucie-de-Tallano", population: 400, departementCode: "2A" }),
      fixtureVille(352, { nom: "Santa-Maria-Siché", population: 450, departementCode: "2A" }),
      fixtureVille(353, { nom: "Sant'Andréa-d'Orcino", population: 300, departementCode: "2A" }),
    ]);
    const engine = new MeilisearchSearchEngine(meili.client());
    const saint = await engine.autocomplete({ q: "saint", limit: 10, filters: { departement: "2A" } });
    expect(saint.hits.map((hit) => hit.ville.nom)).toEqual(["Sainte-Lucie-de-Tallano"]);
    expect(saint.match).toBe("prefix");
    // what the server itself answered: the typo matches after the one without a typo
    const [search] = (await meili.requests()).filter((request) => request.path === "/multi-search");
    type Answered = { results: Array<{ hits: Array<{ nom: string; _rankingScoreDetails: { typo: { typoCount: number } } }> }> };
    const answered = (search!.response!.body as Answered).results[0]!.hits;
    expect(answered.map((hit) => [hit.nom, hit._rankingScoreDetails.typo.typoCount])).toEqual([
      ["Sainte-Lucie-de-Tallano", 0],
      ["Santa-Maria-Siché", 1],
      ["Sant'Andréa-d'Orcino", 1],
    ]);
    const onlyTypos = await engine.autocomplete({ q: "sainta", limit: 10, filters: { departement: "2A" } });
    expect(onlyTypos.match).toBe("fuzzy");
    expect(onlyTypos.hits.map((hit) => hit.ville.nom)).toContain("Santa-Maria-Siché");
  });

  it("maps _formatted highlights to nom_highlight through the route, escaping the name but not the marks", async () => {
    const real = asRecorded(await villesNamed(servicesWith({}), ["Nantes", "Nant", "L'Haÿ-les-Roses"]), 401);
    expect(real.map((ville) => ville.nom)).toEqual(["L'Haÿ-les-Roses", "Nant", "Nantes"]);
    const hostile = fixtureVille(499, { nom: `Nant<img src=x onerror="alert(1)">&Co`, population: 10 });
    await villesIndexWith(meili.client(), [...real, hostile]);
    const call = async (q: string, env: Record<string, string | undefined>) => {
      const response = await callWorker(`/v1/villes/autocomplete?q=${encodeURIComponent(q)}`, {}, env);
      return { response, body: (await response.json()) as { results: Array<Record<string, unknown>> } };
    };
    const viaMeilisearch = await call("nant", meili.workerEnv());
    expect(viaMeilisearch.response.status).toBe(200);
    expect(viaMeilisearch.response.headers.get("X-Search-Backend")).toBe("meilisearch");
    expect(viaMeilisearch.response.headers.get("Server-Timing")).toMatch(/desc="meilisearch"/);
    expect(viaMeilisearch.body.results.map((result) => result.nom_highlight)).toEqual([
      "<mark>Nant</mark>es",
      "<mark>Nant</mark>",
      "<mark>Nant</mark>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;Co",
    ]);
    // field for field what the Postgres engine returns for the same row, but the point: asRecorded
    // indexed these rows without one (a new GeoNames release must not change the recording), and
    // a document without a point shows none (meilisearch-french.contract checks the points)
    const viaPostgres = await call("nant", { ...meili.workerEnv(), MEILISEARCH_HOST: undefined });
    expect(viaPostgres.response.headers.get("X-Search-Backend")).toBe("postgres");
    const nantes = viaPostgres.body.results.find((result) => result.nom === "Nantes")!;
    expect(nantes.coordinates_precision).toBe("commune");
    expect(viaMeilisearch.body.results[0]).toEqual({ ...nantes, latitude: null, longitude: null, coordinates_precision: null });
    // matched through nom_normalise only ("lhay"): the project's highlighter marks it like Postgres
    const lhay = await call("l'hay", meili.workerEnv());
    expect(lhay.body.results.map((result) => result.nom_highlight)).toEqual(["<mark>L&#39;Haÿ</mark>-les-Roses"]);
  });
});

describe("syncVilles", () => {
  const addTaskOf = (post: LoggedRequest) => (post.response!.body as { taskUid: number }).taskUid;
  const pollsFor = (request: LoggedRequest, uid: number) =>
    request.method === "GET" && (request.path === `/tasks/${uid}` || (request.path === "/tasks" && request.query.uids?.split(",").includes(String(uid))));

  it("keeps several addition tasks in flight, then waits until every one has succeeded", async () => {
    await ensureIndex(meili.client(), "villes");
    const rows = Array.from({ length: 25 }, (_, index) => fixtureVille(501 + index, { population: index * 1_000 }));
    expect(await syncVilles(meili.client(), rows, { batchSize: 10 })).toBe(25);
    const requests = await meili.requests();
    const posts = requests.filter((request) => request.path === "/indexes/villes/documents");
    expect(posts.map((post) => (post.body as unknown[]).length)).toEqual([10, 10, 5]);
    // all three sent before the first poll: the window (16) never had to wait
    const firstPoll = requests.findIndex((request) => posts.some((post) => pollsFor(request, addTaskOf(post))));
    expect(firstPoll).toBeGreaterThan(requests.indexOf(posts[2]!));
    // the last poll of each task saw it succeed with its own documents
    for (const post of posts) {
      const lastPoll = requests.filter((request) => pollsFor(request, addTaskOf(post))).at(-1)!;
      const body = lastPoll.response!.body as Task | { results: Task[] };
      const task = "results" in body ? body.results.find((each) => each.uid === addTaskOf(post)) : body;
      expect(task).toMatchObject({ status: "succeeded", details: { receivedDocuments: (post.body as unknown[]).length } });
    }
    expect((posts[0]!.body as unknown[])[3]).toEqual(toVilleDocument(rows[3]!));
    expect(toVilleDocument(rows[3]!)).toMatchObject({ popularity: 3, nom_normalise: "fixture 504" });
    expect((await meili.client().index("villes").getStats()).numberOfDocuments).toBe(25);
  });

  it("with a window of one, waits for each task before sending the next", async () => {
    await ensureIndex(meili.client(), "villes");
    const rows = Array.from({ length: 25 }, (_, index) => fixtureVille(501 + index));
    const window = new TaskWindow(meili.client(), 1);
    await syncVilles(meili.client(), rows, { batchSize: 10, window });
    await window.drain();
    const requests = await meili.requests();
    const posts = requests.filter((request) => request.path === "/indexes/villes/documents");
    expect(posts).toHaveLength(3);
    for (const [n, post] of posts.entries()) {
      const end = n + 1 < posts.length ? requests.indexOf(posts[n + 1]!) : requests.length;
      const polls = requests.slice(requests.indexOf(post), end).filter((request) => pollsFor(request, addTaskOf(post)));
      expect((polls.at(-1)!.response!.body as Task).status).toBe("succeeded");
    }
  });

  it("fails loudly on a failed document task and sends nothing after seeing it", async () => {
    await ensureIndex(meili.client(), "villes");
    const rows = [fixtureVille(600.5), fixtureVille(601), fixtureVille(602), fixtureVille(603)];
    await expect(syncVilles(meili.client(), rows, { batchSize: 2, window: new TaskWindow(meili.client(), 1) })).rejects.toMatchObject({
      name: "MeilisearchTaskError",
      code: "invalid_document_id",
    });
    expect((await meili.requests()).filter((request) => request.path === "/indexes/villes/documents")).toHaveLength(1);
    expect((await meili.client().index("villes").getStats()).numberOfDocuments).toBe(0);
  });

  it("with tasks in flight, throws the failed task's error once it sees it", async () => {
    await ensureIndex(meili.client(), "villes");
    const rows = [fixtureVille(600.5), fixtureVille(601), fixtureVille(602), fixtureVille(603)];
    const failure = (await rejection(syncVilles(meili.client(), rows, { batchSize: 2 }))) as MeilisearchTaskError;
    expect(failure).toMatchObject({ name: "MeilisearchTaskError", code: "invalid_document_id" });
    const posts = (await meili.requests()).filter((request) => request.path === "/indexes/villes/documents");
    expect(failure.task.uid).toBe(addTaskOf(posts[0]!));
  });
});
