import { createHash } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ioredis from "ioredis";

// The default import works both under Node's ESM loader and vitest's module runner (global setup).
const { Redis, ReplyError } = ioredis as unknown as typeof import("ioredis");
import { startRedisServer } from "./redis-server.ts";

export interface UpstashBridge {
  port: number;
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
// These change the state of the connection every request shares, so they cannot be passed through.
const CONNECTION_STATE_COMMANDS = new Set([
  "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR",
  "SELECT", "QUIT", "RESET", "HELLO", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SYNC", "PSYNC",
]);
const OK_BYTES = Buffer.from("OK");

type RedisReply = Buffer | number | null | Error | RedisReply[];
type JsonReply = string | number | null | JsonReply[];
type Outcome = { result: JsonReply } | { error: string };
interface PreparedCommand {
  name: string;
  args: string[];
  rejection?: string;
  adjustReply?: (reply: RedisReply) => RedisReply;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const sha1Hex = (text: string) => createHash("sha1").update(text, "utf8").digest("hex");

/** Redis 7.0 rejects `#!lua flags=allow-key-locking` (used by @upstash/ratelimit ≥ 2.1); drop only that flag. */
function stripKeyLockingFlag(script: string): string {
  if (!script.startsWith("#!")) return script;
  const lineEnd = script.indexOf("\n");
  const shebang = lineEnd === -1 ? script : script.slice(0, lineEnd);
  const rewritten = shebang.replace(/[ \t]+flags=(\S*)/, (_match, flags: string) => {
    const kept = flags.split(",").filter((flag) => flag && flag !== "allow-key-locking");
    return kept.length > 0 ? ` flags=${kept.join(",")}` : "";
  });
  return rewritten + script.slice(shebang.length);
}

/** Clients EVALSHA the hash of the script they know; redis only knows the hash of the rewritten one. */
function createCommandPreparer() {
  const loadedShaByOriginalSha = new Map<string, string>();
  const rewriteScript = (script: string) => {
    const rewritten = stripKeyLockingFlag(script);
    const originalSha = sha1Hex(script);
    if (rewritten !== script) loadedShaByOriginalSha.set(originalSha, sha1Hex(rewritten));
    return { rewritten, originalSha };
  };
  const translateSha = (sha: string) => loadedShaByOriginalSha.get(sha.toLowerCase()) ?? sha;

  return (raw: unknown): PreparedCommand => {
    if (!Array.isArray(raw) || raw.length === 0) throw new HttpError(400, "ERR a command must be a non-empty JSON array");
    // Same rule as the @upstash/redis serializer: non-strings travel as their JSON text.
    const [first = "", ...args] = raw.map((part) => (typeof part === "string" ? part : JSON.stringify(part)));
    const name = first.toUpperCase();
    const subcommand = args[0]?.toUpperCase();
    if (CONNECTION_STATE_COMMANDS.has(name)) {
      return { name, args, rejection: `ERR '${first}' is not supported by the local Upstash bridge` };
    }
    if ((name === "EVAL" || name === "EVAL_RO") && args[0] !== undefined) {
      args[0] = rewriteScript(args[0]).rewritten;
    } else if ((name === "EVALSHA" || name === "EVALSHA_RO") && args[0] !== undefined) {
      args[0] = translateSha(args[0]);
    } else if (name === "SCRIPT" && subcommand === "LOAD" && args[1] !== undefined) {
      const { rewritten, originalSha } = rewriteScript(args[1]);
      args[1] = rewritten;
      return { name, args, adjustReply: () => Buffer.from(originalSha) };
    } else if (name === "SCRIPT" && subcommand === "EXISTS") {
      for (let index = 1; index < args.length; index++) args[index] = translateSha(args[index] ?? "");
    }
    return { name, args };
  };
}

/** Upstash-Encoding: base64 means every string but the "OK" status is base64 of the raw bytes. */
function toJsonReply(reply: RedisReply | string, base64: boolean): JsonReply {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((item) => toJsonReply(item, base64));
  const bytes = reply instanceof Error ? Buffer.from(reply.message) : Buffer.from(reply);
  if (!base64) return bytes.toString("utf8");
  return bytes.equals(OK_BYTES) ? "OK" : bytes.toString("base64");
}

const isReplyError = (error: unknown): error is Error => error instanceof ReplyError;

async function readBody(request: http.IncomingMessage): Promise<string> {
  if (Number(request.headers["content-length"] ?? 0) > MAX_BODY_BYTES) throw new HttpError(413, "ERR request body too large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) throw new HttpError(413, "ERR request body too large");
  return Buffer.concat(chunks).toString("utf8");
}

function orBadRequest<T>(parse: () => T, message: string): T {
  try {
    return parse();
  } catch {
    throw new HttpError(400, message);
  }
}
const parseJson = (body: string): unknown => orBadRequest(() => JSON.parse(body), "ERR request body is not valid JSON");

export async function startUpstashBridge(options: { redisUrl: string; token: string; port?: number }): Promise<UpstashBridge> {
  const redis = new Redis(options.redisUrl, {
    protocol: 2, // Upstash REST replies have RESP2 shapes (flat arrays, doubles as strings)
    enableOfflineQueue: false, // a dead redis must fail requests at once instead of queueing them
    maxRetriesPerRequest: 1, commandTimeout: 10_000, connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    lazyConnect: true, disableClientInfo: true,
  });
  let started = false;
  let outageLogged = false;
  let lastError = "";
  redis.on("error", (error: Error) => {
    lastError = error.message;
    if (started && !outageLogged) console.error(`[upstash-bridge] redis: ${error.message}`);
    outageLogged = started;
  });
  redis.on("ready", () => (outageLogged = false));
  await redis.connect().catch((error: unknown) => {
    redis.disconnect();
    throw new Error(`upstash bridge cannot reach ${options.redisUrl}: ${lastError || String(error)}`);
  });
  started = true;

  const prepare = createCommandPreparer();
  // Names are sent upper-case on purpose: ioredis reshapes replies (hgetall → object) only for lower-case names.
  const send = (command: PreparedCommand) => redis.callBuffer(command.name, command.args) as Promise<RedisReply>;
  const outcomeOf = (command: PreparedCommand, reply: RedisReply, base64: boolean): Outcome =>
    reply instanceof Error
      ? { error: reply.message }
      : { result: toJsonReply(command.adjustReply ? command.adjustReply(reply) : reply, base64) };

  const runOne = async (command: PreparedCommand, base64: boolean): Promise<Outcome> => {
    if (command.rejection) return { error: command.rejection };
    try {
      return outcomeOf(command, await send(command), base64);
    } catch (error) {
      if (isReplyError(error)) return { error: error.message };
      throw error;
    }
  };

  const runTransaction = async (commands: PreparedCommand[], base64: boolean): Promise<Outcome[]> => {
    const rejected = commands.find((command) => command.rejection);
    if (rejected) throw new HttpError(400, rejected.rejection ?? "");
    // Written in one tick on one connection, so no other request's command can land inside MULTI … EXEC.
    const pending = [send({ name: "MULTI", args: [] }), ...commands.map(send), send({ name: "EXEC", args: [] })];
    const settled = await Promise.allSettled(pending);
    const failures = settled.flatMap((entry) => (entry.status === "rejected" ? [entry.reason as unknown] : []));
    const connectionFailure = failures.find((reason) => !isReplyError(reason));
    if (connectionFailure) throw connectionFailure;
    const exec = settled[settled.length - 1];
    if (exec?.status !== "fulfilled" || !Array.isArray(exec.value)) {
      const messages = failures.map((reason) => (reason as Error).message);
      throw new HttpError(400, [messages.pop(), ...messages].join(" | "));
    }
    return commands.map((command, index) => outcomeOf(command, (exec.value as RedisReply[])[index] ?? null, base64));
  };

  const handle = async (request: http.IncomingMessage): Promise<[number, unknown]> => {
    if (request.headers.authorization !== `Bearer ${options.token}`) return [401, { error: "Unauthorized" }];
    const body = await readBody(request);
    const base64 = String(request.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const pathname = new URL(request.url ?? "/", "http://bridge").pathname.replace(/\/+$/, "");
    if (redis.status !== "ready") return [503, { error: `ERR redis is unavailable (${redis.status})` }];

    if (pathname === "/pipeline" || pathname === "/multi-exec") {
      const batch = parseJson(body);
      if (!Array.isArray(batch) || batch.length === 0) throw new HttpError(400, "ERR body must be a non-empty array of commands");
      const commands = batch.map(prepare);
      if (pathname === "/multi-exec") return [200, await runTransaction(commands, base64)];
      return [200, await Promise.all(commands.map((command) => runOne(command, base64)))];
    }
    // Upstash also accepts the command in the path (/set/key/value), with an optional body as last argument.
    const pathArgs = pathname.split("/").filter(Boolean)
      .map((segment) => orBadRequest(() => decodeURIComponent(segment), "ERR malformed URL encoding"));
    const raw = pathArgs.length > 0 ? (body ? [...pathArgs, body] : pathArgs) : parseJson(body);
    const outcome = await runOne(prepare(raw), base64);
    return ["error" in outcome ? 400 : 200, outcome];
  };

  const server = http.createServer(async (request, response) => {
    // Anything but an HttpError comes from ioredis losing redis (closed connection, timeout).
    const [status, payload] = await handle(request).catch((error: unknown): [number, unknown] =>
      error instanceof HttpError ? [error.status, { error: error.message }] : [503, { error: `ERR ${String(error)}` }],
    );
    // A 413 leaves an unread body behind; closing stops the client from reusing a confused connection.
    response.writeHead(status, { "Content-Type": "application/json", ...(status === 413 ? { Connection: "close" } : {}) });
    response.end(JSON.stringify(payload));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  }).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const close = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  };
  return { port, url: `http://127.0.0.1:${port}`, close };
}

async function runStandalone(): Promise<void> {
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const redisServer = await startRedisServer({ dir: path.join(projectRoot, ".lieux/redis") });
  if (!redisServer) {
    console.error("redis-server is not on PATH (apt install redis-server, or brew install redis)");
    process.exit(1);
  }
  const token = process.env.UPSTASH_REDIS_REST_TOKEN || "local-dev-token";
  const bridge = await startUpstashBridge({ redisUrl: redisServer.url, token, port: Number(process.env.PORT || 8079) });
  console.log(`Upstash REST bridge: UPSTASH_REDIS_REST_URL=${bridge.url} UPSTASH_REDIS_REST_TOKEN=${token} (redis ${redisServer.url})`);
  const shutdown = () => void Promise.allSettled([bridge.close(), redisServer.stop()]).then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runStandalone().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
