/**
 * RECORDED-CONTRACT DOUBLE of the Meilisearch HTTP API (≥ 1.36). It is the only fake in
 * this project, and exists only because no Meilisearch server can be installed here;
 * test/meilisearch.integration.test.ts runs the same adapter against a real server
 * whenever MEILISEARCH_HOST is set.
 *
 * It is a `fetch`-compatible handler (workerd tests cannot listen on a socket) that the
 * adapter's client reaches through routeMeilisearchFetchForTests. Every request is
 * recorded and checked against the documented API: method and path, `Authorization:
 * Bearer`, `Content-Type: application/json`, the settings object, document batches, the
 * search body and filter syntax, the swap body. Tasks are enqueued (202) and processed
 * when polled with `GET /tasks/{uid}`, so they can fail later, as on a real server. A
 * request outside the contract gets a 400 `{message, code, type, link}` AND a recorded
 * violation, which every test asserts is empty.
 */
import {
  createIndexBodyProblem,
  documentIdProblem,
  documentsBodyProblem,
  errorBody,
  json,
  problem,
  searchBodyProblem,
  settingsProblem,
  swapBodyProblem,
  type ApiProblem,
} from "./meilisearch-contract-rules.ts";
import { parseFilter, runSearch } from "./meilisearch-contract-search.ts";
import { ContractTaskQueue } from "./meilisearch-contract-tasks.ts";

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  contentType: string | null;
  body: unknown;
}

type Document = Record<string, unknown>;
interface DoubleIndex {
  uid: string;
  primaryKey: string | null;
  createdAt: string;
  settings: Record<string, unknown>;
  documents: Map<string, Document>;
}
export type DoubleFault = "network" | "internal" | "stall" | null;

const notFound = (uid: string) => problem("index_not_found", `Index \`${uid}\` not found.`, 404);

export class MeilisearchContractDouble {
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly #indexes = new Map<string, DoubleIndex>();
  readonly #tasks = new ContractTaskQueue();
  #fault: DoubleFault = null;

  constructor(readonly apiKey = "contract-double-master-key") {}

  /** Network failure, a 500, or a server that never answers (until the caller aborts). */
  setFault(fault: DoubleFault): void {
    this.#fault = fault;
  }

  /** The next task of `type` is accepted (202) but ends `failed` with this error when processed. */
  failNextTask(type: string, code: string, message: string): void {
    this.#tasks.failNext(type, problem(code, message));
  }

  /** Puts documents (and settings) in place directly, as a server that already holds them. */
  load(uid: string, documents: ReadonlyArray<object>, settings: Record<string, unknown> = {}): void {
    const index = this.#indexes.get(uid) ?? this.#newIndex(uid, "id");
    Object.assign(index.settings, settings);
    for (const document of documents as Document[]) index.documents.set(String(document.id), document);
  }

  index(uid: string): DoubleIndex | undefined {
    return this.#indexes.get(uid);
  }

  indexUids(): string[] {
    return [...this.#indexes.keys()].sort();
  }

  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((call) => call.method === method && path.test(call.path));
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const text = await request.text();
    const contentType = request.headers.get("Content-Type");
    const call: RecordedCall = {
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.get("Authorization"),
      contentType,
      body: undefined,
    };
    this.calls.push(call);
    if (this.#fault === "network") throw new TypeError("Network connection lost.");
    if (this.#fault === "stall") return this.#stall(init?.signal ?? null);
    if (this.#fault === "internal") return json(500, errorBody({ status: 500, code: "internal", type: "internal", message: "injected failure" }));

    if (url.pathname !== "/health") {
      if (!call.authorization) return this.#reject(problem("missing_authorization_header", "The Authorization header is missing. It must use the bearer authorization method.", 401), "auth");
      if (call.authorization !== `Bearer ${this.apiKey}`) return this.#reject({ ...problem("invalid_api_key", "The provided API key is invalid.", 403), type: "auth" });
    }
    if (["POST", "PUT", "PATCH"].includes(request.method)) {
      if (!contentType?.startsWith("application/json")) return this.#reject(problem("invalid_content_type", `The Content-Type \`${contentType}\` is invalid.`, 415));
      try {
        call.body = JSON.parse(text);
      } catch {
        return this.#reject(problem("malformed_payload", "The json payload provided is malformed."));
      }
    }
    return this.#route(request.method, url, call.body);
  };

  #route(method: string, url: URL, body: unknown): Response {
    const path = url.pathname;
    const [, uid = "", sub = ""] = /^\/indexes\/([^/]+)(?:\/(.+))?$/.exec(path) ?? [];
    if (uid && !/^[A-Za-z0-9_-]{1,400}$/.test(uid)) return this.#reject(problem("invalid_index_uid", `\`${uid}\` is not a valid index uid.`));
    const route = `${method} ${uid ? `/indexes/:uid${sub ? `/${sub}` : ""}` : path.replace(/^\/tasks\/\d+$/, "/tasks/:uid")}`;
    switch (route) {
      case "GET /health":
        return json(200, { status: "available" });
      case "POST /indexes":
        return this.#createIndex(body);
      case "GET /indexes/:uid":
        return this.#read(uid, (index) => ({ uid, primaryKey: index.primaryKey, createdAt: index.createdAt, updatedAt: index.createdAt }));
      case "DELETE /indexes/:uid":
        return this.#tasks.enqueue("indexDeletion", uid, {}, () => (this.#indexes.delete(uid) ? null : notFound(uid)));
      case "PATCH /indexes/:uid/settings":
        return this.#updateSettings(uid, body);
      case "GET /indexes/:uid/settings":
        return this.#read(uid, (index) => index.settings);
      case "POST /indexes/:uid/documents":
        return this.#addDocuments(uid, body, url.searchParams.get("primaryKey"));
      case "GET /indexes/:uid/stats":
        return this.#read(uid, (index) => ({ numberOfDocuments: index.documents.size, isIndexing: false, fieldDistribution: {} }));
      case "POST /indexes/:uid/search":
        return this.#search(uid, body);
      case "POST /swap-indexes":
        return this.#swap(body);
      case "GET /tasks/:uid":
        return this.#tasks.poll(Number(path.split("/").pop()));
      default:
        return this.#reject(problem("bad_request", `${method} ${path} is not a documented Meilisearch route.`));
    }
  }

  #reject(error: ApiProblem, type: ApiProblem["type"] = error.type): Response {
    this.violations.push(`${error.code}: ${error.message}`);
    return json(error.status, errorBody({ ...error, type }));
  }

  #stall(signal: AbortSignal | null): Promise<Response> {
    return new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
  }

  #newIndex(uid: string, primaryKey: string | null): DoubleIndex {
    const index = { uid, primaryKey, createdAt: new Date().toISOString(), settings: {}, documents: new Map() };
    this.#indexes.set(uid, index);
    return index;
  }

  /** Reads answer from processed state only, and a documented 404 for a missing index (not a violation). */
  #read(uid: string, view: (index: DoubleIndex) => unknown): Response {
    const index = this.#indexes.get(uid);
    return index ? json(200, view(index)) : json(404, errorBody(notFound(uid)));
  }

  #createIndex(body: unknown): Response {
    const invalid = createIndexBodyProblem(body);
    if (invalid) return this.#reject(invalid);
    const { uid, primaryKey } = body as { uid: string; primaryKey?: string | null };
    return this.#tasks.enqueue("indexCreation", uid, { primaryKey: primaryKey ?? null }, () => {
      if (this.#indexes.has(uid)) return problem("index_already_exists", `Index \`${uid}\` already exists.`, 409);
      this.#newIndex(uid, primaryKey ?? null);
      return null;
    });
  }

  #updateSettings(uid: string, body: unknown): Response {
    const invalid = settingsProblem(body);
    if (invalid) return this.#reject(invalid);
    return this.#tasks.enqueue("settingsUpdate", uid, body as Record<string, unknown>, () => {
      const index = this.#indexes.get(uid) ?? this.#newIndex(uid, null);
      Object.assign(index.settings, body);
      return null;
    });
  }

  #addDocuments(uid: string, body: unknown, primaryKeyParam: string | null): Response {
    const invalid = documentsBodyProblem(body);
    if (invalid) return this.#reject(invalid);
    const documents = body as Document[];
    return this.#tasks.enqueue("documentAdditionOrUpdate", uid, { receivedDocuments: documents.length, indexedDocuments: null }, () => {
      const index = this.#indexes.get(uid) ?? this.#newIndex(uid, primaryKeyParam);
      const primaryKey = (index.primaryKey ??= primaryKeyParam ?? ("id" in (documents[0] ?? {}) ? "id" : null));
      if (!primaryKey) return problem("index_primary_key_no_candidate_found", "The primary key inference failed.");
      const invalidId = documents.map((document) => documentIdProblem(document, primaryKey)).find(Boolean);
      if (invalidId) return invalidId;
      for (const document of documents) index.documents.set(String(document[primaryKey]), document);
      return null;
    });
  }

  #search(uid: string, body: unknown): Response {
    const invalid = searchBodyProblem(body);
    if (invalid) return this.#reject(invalid);
    const index = this.#indexes.get(uid);
    if (!index) return json(404, errorBody(notFound(uid)));
    const search = body as Record<string, unknown>;
    const filter = search.filter === undefined ? null : parseFilter(search.filter, (index.settings.filterableAttributes as string[] | undefined) ?? []);
    if (filter && "code" in filter) return this.#reject(filter);
    return json(200, runSearch({ documents: [...index.documents.values()], settings: index.settings }, search, filter));
  }

  #swap(body: unknown): Response {
    const invalid = swapBodyProblem(body);
    if (invalid) return this.#reject(invalid);
    const swaps = body as Array<{ indexes: [string, string] }>;
    return this.#tasks.enqueue("indexSwap", null, { swaps }, () => {
      for (const { indexes } of swaps) {
        const missing = indexes.find((uid) => !this.#indexes.has(uid));
        if (missing) return notFound(missing);
      }
      for (const { indexes: [a, b] } of swaps) {
        const [first, second] = [this.#indexes.get(a)!, this.#indexes.get(b)!];
        this.#indexes.set(a, { ...second, uid: a });
        this.#indexes.set(b, { ...first, uid: b });
      }
      return null;
    });
  }
}
