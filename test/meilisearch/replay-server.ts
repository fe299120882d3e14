import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  describeRequest,
  parseBody,
  readFixture,
  requestKey,
  writeFixture,
  type AuthUsed,
  type RecordedResponse,
  type RecordedScope,
} from "./fixtures.ts";
import { REPLAY_API_KEY, REPLAY_MISS_STATUS, type LoggedRequest, type ReplayFault } from "./protocol.ts";

/**
 * The Meilisearch double: a Node HTTP server (globalSetup starts it; workerd tests cannot
 * listen) that the Worker reaches through an ordinary MEILISEARCH_HOST, one per test:
 * `<url>/s/<fixture>/<test>`. Its answers are traffic recorded from a real server.
 *
 * - REPLAY (default): each request is answered with the recorded response to the same
 *   request (method, path, query, body hash, whether the key was right) of the same test,
 *   in recorded order, so repeated `GET /tasks/{uid}` polls walk through the task's life.
 *   A request with no recording answers 599 `replay_miss` and is kept as a miss, which the
 *   test's afterEach (test/helpers/meilisearch.ts) and the global teardown turn into failures.
 * - RECORD (`upstream` given): every request is forwarded to the real server and saved;
 *   each test starts on a server with no index. close() writes test/fixtures/meilisearch/.
 *
 * Network faults are not server behaviour, so they are never recorded: a test switches its
 * own host to `reset` (the connection is dropped) or `stall` (no answer until the client
 * gives up) through `POST /__replay/fault`.
 */
export interface ReplayOptions {
  /** RECORD mode: the real server to forward to, with its key (tests send REPLAY_API_KEY). */
  upstream?: { host: string; apiKey?: string };
}

export interface MeilisearchReplay {
  url: string;
  apiKey: string;
  mode: "replay" | "record";
  /** Stops the server (and writes the fixtures when recording); returns the misses no test checked. */
  close(): Promise<string[]>;
}

interface ScopeState {
  fixture: string;
  slug: string;
  test: string;
  /** REPLAY: the responses not yet served, per request key, in recorded order. */
  queues: Map<string, RecordedResponse[]>;
  recorded: RecordedScope["interactions"];
  log: LoggedRequest[];
  misses: string[];
  fault: ReplayFault | null;
  ended: boolean;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "Content-Type": "application/json" }).end(body === null ? "" : JSON.stringify(body));
};

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startMeilisearchReplay(options: ReplayOptions = {}): Promise<MeilisearchReplay> {
  const { upstream } = options;
  const upstreamServer = upstream ? new UpstreamServer(upstream.host, upstream.apiKey) : null;
  const scopes = new Map<string, ScopeState>();
  const sockets = new Set<Socket>();
  /** Requests to a host no test began: a test that forgot its scope, or a background call after it ended. */
  const orphanMisses: string[] = [];
  let recordedFrom: unknown = null;

  function authOf(header: string | undefined): AuthUsed {
    if (!header) return "missing";
    return header === `Bearer ${REPLAY_API_KEY}` ? "valid" : "invalid";
  }

  async function begin(scopeId: string, test: string): Promise<void> {
    const [fixture = "", slug = ""] = scopeId.split("/");
    if (scopes.has(scopeId)) throw new Error(`two tests share the replay scope ${scopeId}: give them distinct names`);
    const state: ScopeState = { fixture, slug, test, queues: new Map(), recorded: [], log: [], misses: [], fault: null, ended: false };
    scopes.set(scopeId, state);
    if (upstreamServer) {
      recordedFrom ??= await upstreamServer.version();
      await upstreamServer.deleteEveryIndex();
      return;
    }
    for (const { request, response } of readFixture(fixture)?.scopes[slug]?.interactions ?? []) {
      const key = requestKey(request);
      state.queues.set(key, [...(state.queues.get(key) ?? []), response]);
    }
  }

  function end(state: ScopeState) {
    state.ended = true;
    const unused = [...state.queues].flatMap(([key, left]) => (left.length > 0 ? [`${key} (${left.length} recorded answer(s) never asked for)`] : []));
    return { misses: state.misses.splice(0), unused };
  }

  async function serveMeilisearch(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const [, , fixture = "", slug = "", ...rest] = url.pathname.split("/");
    const state = scopes.get(`${fixture}/${slug}`);
    const bodyText = await readBody(req);
    const meiliUrl = new URL(`/${rest.join("/")}${url.search}`, url);
    const auth = authOf(req.headers.authorization);
    const request = describeRequest(req.method ?? "GET", meiliUrl, auth, bodyText);
    const logged = { method: request.method, path: request.path, query: request.query, auth, body: parseBody(bodyText) };
    if (state?.fault && !state.ended) {
      state.log.push({ ...logged, outcome: state.fault, response: null });
      if (state.fault === "reset") req.socket.destroy();
      return; // a stall holds the connection until the client gives up (or close())
    }
    if (upstreamServer && state && !state.ended) {
      const response = await upstreamServer.forward(request, bodyText, req.headers);
      state.recorded.push({ request, response });
      state.log.push({ ...logged, outcome: "answered", response });
      return json(res, response.status, response.body);
    }
    const response = state && !state.ended ? state.queues.get(requestKey(request))?.shift() : undefined;
    if (response) {
      state!.log.push({ ...logged, outcome: "answered", response });
      return json(res, response.status, response.body);
    }
    const why = !state ? "no test began this scope" : state.ended ? "the test had already ended" : "no recording of this request";
    const miss = `${request.method} ${request.path}${meiliUrl.search} auth=${auth} body=${JSON.stringify(request.body ?? request.bodySha256)}: ${why}`;
    const answer: RecordedResponse = {
      status: REPLAY_MISS_STATUS,
      body: { message: `Meilisearch replay: ${miss}. Re-record with \`npm run test:record-meilisearch\`.`, code: "replay_miss", type: "replay", link: "" },
    };
    if (state) {
      state.misses.push(miss);
      state.log.push({ ...logged, outcome: "miss", response: answer });
    } else {
      orphanMisses.push(`${fixture}/${slug}: ${miss}`);
    }
    json(res, answer.status, answer.body);
  }

  async function serveControl(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const input = (parseBody(await readBody(req)) ?? {}) as { scope?: string; test?: string; fault?: ReplayFault | null };
    const scopeId = input.scope ?? url.searchParams.get("scope") ?? "";
    if (url.pathname === "/__replay/begin") {
      await begin(scopeId, input.test ?? scopeId);
      return json(res, 200, { mode: upstreamServer ? "record" : "replay" });
    }
    const state = scopes.get(scopeId);
    if (!state) return json(res, 404, { message: `no test began the replay scope ${scopeId}` });
    if (url.pathname === "/__replay/fault") {
      state.fault = input.fault ?? null;
      return json(res, 200, { fault: state.fault });
    }
    if (url.pathname === "/__replay/requests") return json(res, 200, state.log);
    if (url.pathname === "/__replay/end") return json(res, 200, end(state));
    json(res, 404, { message: `unknown control path ${url.pathname}` });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://replay.local");
    const serve = url.pathname.startsWith("/__replay/") ? serveControl : url.pathname.startsWith("/s/") ? serveMeilisearch : null;
    if (!serve) return json(res, 404, { message: `not a replay path: ${url.pathname}` });
    serve(req, res, url).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { message: `replay server: ${error instanceof Error ? error.message : String(error)}`, code: "replay_error" });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: REPLAY_API_KEY,
    mode: upstreamServer ? "record" : "replay",
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      const unchecked = [...scopes.values()].flatMap((state) => state.misses.map((miss) => `${state.fixture}/${state.slug}: ${miss}`));
      if (upstreamServer) writeRecordings([...scopes.values()], recordedFrom);
      return [...unchecked, ...orphanMisses];
    },
  };
}

/** One file per test file, holding exactly the tests this recording run went through. */
function writeRecordings(states: ScopeState[], recordedFrom: unknown): void {
  const byFixture = new Map<string, Record<string, RecordedScope>>();
  for (const state of states) {
    const scopes = byFixture.get(state.fixture) ?? {};
    scopes[state.slug] = { test: state.test, interactions: state.recorded };
    byFixture.set(state.fixture, scopes);
  }
  for (const [fixture, scopes] of byFixture) console.log(`[meilisearch replay] recorded ${writeFixture(fixture, { recordedFrom, scopes })}`);
}

/** RECORD mode's view of the real server. */
class UpstreamServer {
  constructor(
    private readonly host: string,
    private readonly apiKey: string | undefined,
  ) {}

  #url(pathAndQuery: string): URL {
    return new URL(pathAndQuery.replace(/^\//, ""), this.host.endsWith("/") ? this.host : `${this.host}/`);
  }

  #headers(): Record<string, string> {
    return this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {};
  }

  async #json(pathAndQuery: string, init: RequestInit = {}): Promise<unknown> {
    const response = await fetch(this.#url(pathAndQuery), { ...init, headers: { ...this.#headers(), ...init.headers } });
    const body = parseBody(await response.text());
    if (!response.ok) throw new Error(`${init.method ?? "GET"} ${pathAndQuery} on the recorded server: ${response.status} ${JSON.stringify(body)}`);
    return body;
  }

  version(): Promise<unknown> {
    return this.#json("/version");
  }

  /** Each recorded test starts on an empty server, so a recording never depends on the tests before it. */
  async deleteEveryIndex(): Promise<void> {
    const { results } = (await this.#json("/indexes?limit=1000")) as { results: Array<{ uid: string }> };
    const tasks: number[] = [];
    for (const { uid } of results) tasks.push(((await this.#json(`/indexes/${uid}`, { method: "DELETE" })) as { taskUid: number }).taskUid);
    for (const uid of tasks) {
      for (let status = ""; status !== "succeeded"; await new Promise((resolve) => setTimeout(resolve, 20))) {
        ({ status } = (await this.#json(`/tasks/${uid}`)) as { status: string });
        if (status === "failed" || status === "canceled") throw new Error(`deleting an index before recording: task ${uid} ${status}`);
      }
    }
  }

  /** The request as the test sent it, but with the real key where the test sent the right one. */
  async forward(request: ReturnType<typeof describeRequest>, bodyText: string, headers: http.IncomingHttpHeaders): Promise<RecordedResponse> {
    const forwarded: Record<string, string> = {};
    if (headers["content-type"]) forwarded["Content-Type"] = headers["content-type"];
    if (request.auth === "valid" && this.apiKey) forwarded.Authorization = `Bearer ${this.apiKey}`;
    if (request.auth === "invalid") forwarded.Authorization = headers.authorization!;
    const query = new URLSearchParams(request.query).toString();
    const response = await fetch(this.#url(`${request.path}${query ? `?${query}` : ""}`), {
      method: request.method,
      headers: forwarded,
      body: bodyText === "" ? undefined : bodyText,
    });
    return { status: response.status, body: parseBody(await response.text()) };
  }
}
