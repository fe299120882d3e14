import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { meilisearchClient, MeilisearchSearchEngine, routeMeilisearchFetchForTests } from "../src/lib/search/meilisearch.ts";
import { filterString } from "../src/lib/search/meilisearch-query.ts";
import { applyVillesSettings, ensureIndex, VILLES_SETTINGS } from "../src/lib/search/meilisearch-settings.ts";
import { syncVilles, toVilleDocument } from "../src/lib/search/meilisearch-sync.ts";
import { MeilisearchTaskError } from "../src/lib/search/meilisearch-tasks.ts";
import { MeilisearchContractDouble } from "./meilisearch-contract-double.ts";
import { fixtureVille, servicesWith, uniqueMeilisearchHost, villesNamed } from "./helpers/meilisearch.ts";
import { callWorker } from "./helpers/worker.ts";

let double: MeilisearchContractDouble;
let host: string;
const client = () => meilisearchClient({ host, apiKey: double.apiKey });

beforeEach(() => {
  double = new MeilisearchContractDouble();
  host = uniqueMeilisearchHost("contract");
  routeMeilisearchFetchForTests(double.fetch);
});

afterEach(() => {
  routeMeilisearchFetchForTests(undefined);
  expect(double.violations).toEqual([]);
});

describe("Meilisearch index settings", () => {
  it("sends every setting in one PATCH with Bearer auth and JSON, and waits for the task", async () => {
    await ensureIndex(client(), "villes");
    await applyVillesSettings(client());
    const [create] = double.callsTo("POST", /^\/indexes$/);
    expect(create?.body).toEqual({ uid: "villes", primaryKey: "id" });
    const patches = double.callsTo("PATCH", /^\/indexes\/villes\/settings$/);
    expect(patches).toHaveLength(1);
    const patch = patches[0]!;
    expect(patch.authorization).toBe(`Bearer ${double.apiKey}`);
    expect(patch.contentType).toMatch(/^application\/json/);
    expect(patch.body).toEqual(VILLES_SETTINGS);
    expect(patch.body).toMatchObject({
      searchableAttributes: ["nom", "nom_normalise", "codes_postaux", "code_insee"],
      filterableAttributes: ["departement_code", "region_code", "type"],
      sortableAttributes: ["population", "popularity"],
      rankingRules: ["words", "typo", "proximity", "attributeRank", "popularity:desc", "wordPosition", "exactness", "population:desc"],
      synonyms: { st: ["saint"], saint: ["st"], ste: ["sainte"], sainte: ["ste"] },
      typoTolerance: { minWordSizeForTypos: { oneTypo: 4, twoTypos: 8 } },
      pagination: { maxTotalHits: 100 },
    });
    const displayed = (patch.body as { displayedAttributes: string[] }).displayedAttributes;
    expect(displayed).not.toContain("nom_normalise");
    expect(displayed).not.toContain("popularity");
    expect(new Set(Object.keys(toVilleDocument(fixtureVille())))).toEqual(new Set([...displayed, "nom_normalise", "popularity"]));
    // each task is polled until done: enqueued → processing → succeeded
    expect(double.callsTo("GET", /^\/tasks\/\d+$/).length).toBeGreaterThanOrEqual(4);
    expect(double.index("villes")?.settings).toEqual(VILLES_SETTINGS);
    expect(double.index("villes")?.primaryKey).toBe("id");
  });

  it("is idempotent: a second run sends the same body and leaves the index as it was", async () => {
    await ensureIndex(client(), "villes");
    await applyVillesSettings(client());
    await ensureIndex(client(), "villes");
    await applyVillesSettings(client());
    const [first, second] = double.callsTo("PATCH", /settings$/);
    expect(second?.body).toEqual(first?.body);
    expect(double.indexUids()).toEqual(["villes"]);
    expect(double.index("villes")?.settings).toEqual(VILLES_SETTINGS);
  });

  it("surfaces a settings task that fails after being accepted, with the task's error", async () => {
    double.failNextTask("settingsUpdate", "invalid_settings_ranking_rules", "`popularity:desc` ranking rule is invalid");
    const failure = applyVillesSettings(client());
    await expect(failure).rejects.toBeInstanceOf(MeilisearchTaskError);
    await expect(failure).rejects.toMatchObject({ code: "invalid_settings_ranking_rules", message: expect.stringContaining("popularity:desc") });
  });
});

describe("Meilisearch search requests", () => {
  it("sends the documented search body: normalised q, filter array, highlight tags, matching strategy", async () => {
    double.load("villes", [toVilleDocument(fixtureVille({ nom: "Saint-Étienne", population: 170_000 }))], VILLES_SETTINGS);
    const engine = new MeilisearchSearchEngine(client());
    const result = await engine.autocomplete({ q: "St Étienne", limit: 7, filters: {} });
    const [search] = double.callsTo("POST", /^\/indexes\/villes\/search$/);
    expect(search?.body).toEqual({
      q: "saint etienne",
      filter: ['type IN ["commune-actuelle", "arrondissement-municipal"]'],
      limit: 7,
      attributesToHighlight: ["nom"],
      highlightPreTag: "<mark>",
      highlightPostTag: "</mark>",
      matchingStrategy: "all",
    });
    expect(result).toMatchObject({ backend: "meilisearch", match: "prefix" });
    expect(result.hits.map((hit) => hit.nomHighlight)).toEqual(["<mark>Saint-Étienne</mark>"]);
  });

  it("escapes filter values, so a quote or a backslash cannot close the string and widen the filter", async () => {
    const hostile = 'x" OR type = "commune-deleguee\\';
    expect(filterString(hostile)).toBe('"x\\" OR type = \\"commune-deleguee\\\\"');
    const exact = toVilleDocument(fixtureVille({ nom: "Saint-Exact", departementCode: hostile }));
    const other = toVilleDocument(fixtureVille({ nom: "Saint-Autre", type: "commune-deleguee" }));
    double.load("villes", [exact, other], VILLES_SETTINGS);
    const engine = new MeilisearchSearchEngine(client());
    const result = await engine.autocomplete({ q: "saint", limit: 10, filters: { departement: hostile, region: 'r"\\' } });
    const [search] = double.callsTo("POST", /search$/);
    expect((search?.body as { filter: string[] }).filter).toEqual([
      'type IN ["commune-actuelle", "arrondissement-municipal"]',
      'departement_code = "x\\" OR type = \\"commune-deleguee\\\\"',
      'region_code = "r\\"\\\\"',
    ]);
    // parsed by the double as three exact conditions: nothing matches both hostile values
    expect(result.hits).toEqual([]);
    const byDepartement = await engine.autocomplete({ q: "saint", limit: 10, filters: { departement: hostile } });
    expect(byDepartement.hits.map((hit) => hit.ville.nom)).toEqual(["Saint-Exact"]);
  });

  it("has teeth: an unescaped filter is a 400 invalid_search_filter and a recorded violation", async () => {
    double.load("villes", [], VILLES_SETTINGS);
    const response = await double.fetch(`${host}/indexes/villes/search`, {
      method: "POST",
      headers: { Authorization: `Bearer ${double.apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ q: "a", filter: ['departement_code = "x" OR type = "y'] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid_search_filter", type: "invalid_request", link: expect.stringContaining("invalid_search_filter") });
    expect(double.violations).toHaveLength(1);
    double.violations.length = 0;
  });

  it("maps _formatted highlights to nom_highlight through the route, escaping the name but not the marks", async () => {
    const services = servicesWith({});
    const real = await villesNamed(services, ["Nantes", "Nant", "L'Haÿ-les-Roses"]);
    const hostile = fixtureVille({ nom: `Nant<img src=x onerror="alert(1)">&Co`, population: 10 });
    double.load("villes", [...real, hostile].map(toVilleDocument), VILLES_SETTINGS);
    const call = (q: string, env: Record<string, string | undefined>) =>
      callWorker(`/v1/villes/autocomplete?q=${encodeURIComponent(q)}`, { headers: { Authorization: "Bearer bypass-shared-cache" } }, env);
    const viaMeilisearch = await call("nant", { MEILISEARCH_HOST: host, MEILISEARCH_API_KEY: double.apiKey });
    expect(viaMeilisearch.status).toBe(200);
    expect(viaMeilisearch.headers.get("X-Search-Backend")).toBe("meilisearch");
    expect(viaMeilisearch.headers.get("Server-Timing")).toMatch(/desc="meilisearch"/);
    const body = (await viaMeilisearch.json()) as { results: Array<Record<string, unknown>> };
    expect(body.results.map((result) => result.nom_highlight)).toEqual([
      "<mark>Nant</mark>es",
      "<mark>Nant</mark>",
      "<mark>Nant</mark>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;Co",
    ]);
    // field for field what the Postgres engine returns for the same rows
    const viaPostgres = (await (await call("nant", {})).json()) as { results: Array<Record<string, unknown>> };
    const nantes = viaPostgres.results.find((result) => result.nom === "Nantes");
    expect(body.results[0]).toEqual(nantes);
    // matched through nom_normalise only ("lhay"): the project's highlighter marks it like Postgres
    const lhay = (await (await call("l'hay", { MEILISEARCH_HOST: host, MEILISEARCH_API_KEY: double.apiKey })).json()) as { results: Array<Record<string, unknown>> };
    expect(lhay.results[0]?.nom_highlight).toBe("<mark>L&#39;Haÿ</mark>-les-Roses");
  });
});

describe("syncVilles", () => {
  it("adds documents in batches, waiting for each task before sending the next", async () => {
    const rows = Array.from({ length: 25 }, (_, index) => fixtureVille({ population: index * 1_000 }));
    expect(await syncVilles(client(), rows, { batchSize: 10 })).toBe(25);
    const posts = double.callsTo("POST", /^\/indexes\/villes\/documents$/);
    expect(posts.map((post) => (post.body as unknown[]).length)).toEqual([10, 10, 5]);
    for (const post of posts.slice(0, -1)) {
      const next = double.calls.indexOf(posts[posts.indexOf(post) + 1]!);
      const pollsBetween = double.calls.slice(double.calls.indexOf(post), next).filter((call) => call.path.startsWith("/tasks/"));
      expect(pollsBetween.length).toBeGreaterThanOrEqual(2);
    }
    expect((posts[0]!.body as unknown[])[3]).toEqual(toVilleDocument(rows[3]!));
    expect(toVilleDocument(rows[3]!)).toMatchObject({ popularity: 3, nom_normalise: expect.stringMatching(/^fixture \d+$/) });
    expect(double.index("villes")?.documents.size).toBe(25);
  });

  it("fails loudly on a failed document task and sends no further batch", async () => {
    double.failNextTask("documentAdditionOrUpdate", "invalid_document_id", "Document identifier `x` is invalid.");
    const rows = Array.from({ length: 4 }, () => fixtureVille());
    const failure = syncVilles(client(), rows, { batchSize: 2 });
    await expect(failure).rejects.toMatchObject({ name: "MeilisearchTaskError", code: "invalid_document_id" });
    expect(double.callsTo("POST", /documents$/)).toHaveLength(1);
  });
});
