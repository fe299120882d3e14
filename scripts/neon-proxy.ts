// Local stand-in for Neon's serverless endpoint: the driver's WebSocket byte pipe (/v1)
// and its SQL-over-HTTP API (/sql), both in front of a local Postgres.
import http from "node:http";
import net from "node:net";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { WebSocketServer, type WebSocket } from "ws";

export interface NeonProxy {
  port: number;
  /** e.g. "127.0.0.1:54321" */
  host: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_POOLS = 20;
const CLIENTS_PER_POOL = 10;
const WS_HIGH_WATER = 1024 * 1024;
// Same fields the driver copies from a 400 body onto its NeonDbError.
const PG_ERROR_FIELDS = ["message", "code", "detail", "hint", "position", "internalPosition", "internalQuery",
  "where", "schema", "table", "column", "dataType", "constraint", "file", "line", "routine", "severity"] as const;
const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED", ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ", Serializable: "SERIALIZABLE",
};
// The driver parses values itself by dataTypeID, so it must receive Postgres' text form untouched.
const RAW_TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

function parseAddress(address: string | null): { host: string; port: number } | null {
  const colon = address?.lastIndexOf(":") ?? -1;
  if (!address || colon <= 0) return null;
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return null;
  return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port };
}

type QueryInput = { query: string; params?: unknown[] };
type QueryOptions = { arrayMode: boolean; rawText: boolean };

function createPools() {
  const pools = new Map<string, pg.Pool>();
  return {
    get(connectionString: string): pg.Pool {
      const existing = pools.get(connectionString);
      if (existing) return existing;
      let url: URL;
      try { url = new URL(connectionString); } catch { throw new HttpError(400, "Invalid Neon-Connection-String"); }
      if (!isLoopback(url.hostname)) throw new HttpError(403, `Target host not allowed: ${url.hostname}`);
      // Neon terminates TLS in its proxy; a local Postgres usually has none, so drop the TLS demands.
      for (const key of ["sslmode", "ssl", "sslrootcert", "sslcert", "sslkey", "channel_binding"]) url.searchParams.delete(key);
      if (pools.size >= MAX_POOLS) {
        const [oldestKey, oldest] = pools.entries().next().value!;
        pools.delete(oldestKey);
        void oldest.end();
      }
      const pool = new pg.Pool({ connectionString: url.href, ssl: false, max: CLIENTS_PER_POOL, idleTimeoutMillis: 30_000 });
      // An idle client dying (e.g. Postgres restart) must not crash the proxy.
      pool.on("error", () => {});
      pools.set(connectionString, pool);
      return pool;
    },
    async closeAll(): Promise<void> {
      const all = [...pools.values()];
      pools.clear();
      await Promise.allSettled(all.map((pool) => pool.end()));
    },
  };
}

async function runQuery(client: pg.Pool | pg.PoolClient, input: QueryInput, options: QueryOptions) {
  if (typeof input?.query !== "string") throw new HttpError(400, "Each query needs a string `query`");
  // Extended protocol like Neon: one statement per query, even without parameters.
  const config = {
    text: input.query, values: input.params ?? [], queryMode: "extended",
    ...(options.rawText ? { types: RAW_TEXT_TYPES } : {}),
    ...(options.arrayMode ? { rowMode: "array" } : {}),
  } as pg.QueryConfig;
  const result = await client.query(config);
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows: result.rows,
    fields: result.fields.map(({ name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier }) =>
      ({ name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier, format: "text" })),
    rowAsArray: options.arrayMode,
  };
}

async function runBatch(pool: pg.Pool, queries: QueryInput[], options: QueryOptions, headers: http.IncomingHttpHeaders) {
  const isolationHeader = headers["neon-batch-isolation-level"] as string | undefined;
  const isolation = isolationHeader ? ISOLATION_LEVELS[isolationHeader] : undefined;
  if (isolationHeader && !isolation) throw new HttpError(400, `Invalid Neon-Batch-Isolation-Level: ${isolationHeader}`);
  const begin = ["BEGIN",
    isolation ? `ISOLATION LEVEL ${isolation}` : "",
    headers["neon-batch-read-only"] === "true" ? "READ ONLY" : "",
    headers["neon-batch-deferrable"] === "true" ? "DEFERRABLE" : ""].filter(Boolean).join(" ");
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(begin);
    const results = [];
    for (const query of queries) results.push(await runQuery(client, query, options));
    await client.query("COMMIT");
    return { results };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => { broken = true; });
    throw error;
  } finally {
    client.release(broken);
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) throw new HttpError(413, "Request body too large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "Request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function errorBody(error: unknown): { status: number; body: Record<string, unknown> } {
  if (error instanceof HttpError) return { status: error.status, body: { message: error.message } };
  if (error instanceof pg.DatabaseError) {
    const body: Record<string, unknown> = {};
    for (const field of PG_ERROR_FIELDS) if (error[field] !== undefined) body[field] = error[field];
    return { status: 400, body };
  }
  // Postgres unreachable or similar: not the caller's SQL, so not a 400.
  return { status: 502, body: { message: error instanceof Error ? error.message : String(error) } };
}

async function handleSql(req: http.IncomingMessage, res: http.ServerResponse, pools: ReturnType<typeof createPools>) {
  try {
    if (req.method !== "POST") throw new HttpError(405, "Use POST");
    const connectionString = req.headers["neon-connection-string"];
    if (typeof connectionString !== "string") throw new HttpError(400, "Missing Neon-Connection-String header");
    let body: { query?: unknown; params?: unknown[]; queries?: QueryInput[] };
    try { body = JSON.parse(await readBody(req)); } catch (e) { throw e instanceof HttpError ? e : new HttpError(400, "Body is not valid JSON"); }
    const options = { arrayMode: req.headers["neon-array-mode"] === "true", rawText: req.headers["neon-raw-text-output"] === "true" };
    const pool = pools.get(connectionString);
    const answer = Array.isArray(body?.queries)
      ? await runBatch(pool, body.queries, options, req.headers)
      : await runQuery(pool, body as QueryInput, options);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  } catch (error) {
    const { status, body } = errorBody(error);
    if (status === 413) req.resume();
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }
}

function pipeWebSocketToTcp(ws: WebSocket, target: { host: string; port: number }, open: Set<() => void>) {
  const socket = net.connect(target.port, target.host);
  const teardown = () => { socket.destroy(); ws.terminate(); open.delete(teardown); };
  open.add(teardown);
  ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (!socket.write(bytes)) ws.pause();
  });
  socket.on("drain", () => ws.resume());
  socket.on("data", (chunk) => {
    // Keep a slow WebSocket reader from buffering an entire large result in memory.
    ws.send(chunk, { binary: true }, () => {
      if (socket.isPaused() && ws.bufferedAmount < WS_HIGH_WATER) socket.resume();
    });
    if (ws.bufferedAmount >= WS_HIGH_WATER) socket.pause();
  });
  socket.on("close", () => { if (ws.readyState === ws.OPEN) ws.close(1000); open.delete(teardown); });
  socket.on("error", () => { if (ws.readyState === ws.OPEN) ws.close(1011, "upstream error"); socket.destroy(); });
  ws.on("close", () => { socket.end(); open.delete(teardown); });
  ws.on("error", teardown);
}

export async function startNeonProxy(options: { port?: number; hostname?: string } = {}): Promise<NeonProxy> {
  const hostname = options.hostname ?? "127.0.0.1";
  const pools = createPools();
  const openPipes = new Set<() => void>();
  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://proxy");
    if (/\/sql\/?$/.test(pathname)) void handleSql(req, res, pools);
    else res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not found"}');
  });
  server.on("upgrade", (req, socket, head) => {
    // A client resetting a refused upgrade must not crash the proxy.
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://proxy");
    const target = parseAddress(url.searchParams.get("address"));
    const refuse = (status: number) => socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    if (url.pathname !== "/v1" || !target) return refuse(400);
    if (!isLoopback(target.host)) return refuse(403);
    wss.handleUpgrade(req, socket, head, (ws) => pipeWebSocketToTcp(ws, target, openPipes));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => { server.off("error", reject); resolve(); });
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    host: `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`,
    async close() {
      for (const teardown of [...openPipes]) teardown();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([closed, pools.closeAll()]);
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const proxy = await startNeonProxy({ port: Number(process.env.PORT ?? 4444) });
  console.log(`Neon local endpoint on http://${proxy.host} (WebSocket /v1?address=host:port, HTTP /sql)`);
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
