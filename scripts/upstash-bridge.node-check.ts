// Proves the local bridge against the real @upstash/redis and @upstash/ratelimit clients:
//   node_modules/.bin/tsx scripts/upstash-bridge.node-check.ts
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { Redis as DirectRedis } from "ioredis";
import { startRedisServer, type RedisServer } from "./redis-server.ts";
import { startUpstashBridge } from "./upstash-bridge.ts";

const TOKEN = "check-token";
let failures = 0;

async function check(name: string, run: () => Promise<unknown>, expected?: unknown): Promise<void> {
  try {
    const actual = await run();
    if (expected !== undefined && !isDeepStrictEqual(actual, expected)) {
      throw new Error(`got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
    console.log(`PASS ${name}`);
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function post(url: string, body: string, token = TOKEN): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function commandStats(redisUrl: string): Promise<Record<string, number>> {
  const direct = new DirectRedis(redisUrl);
  const info = await direct.info("commandstats");
  direct.disconnect();
  return Object.fromEntries([...info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1] ?? "", Number(m[2])]));
}

const dir = mkdtempSync(path.join(os.tmpdir(), "lieux-upstash-check-"));
let redisServer: RedisServer | null = await startRedisServer({ dir });
if (!redisServer) {
  console.log("FAIL redis-server is not on PATH");
  process.exit(1);
}
const bridge = await startUpstashBridge({ redisUrl: redisServer.url, token: TOKEN });
const redis = new Redis({ url: bridge.url, token: TOKEN });
console.log(`bridge ${bridge.url} → ${redisServer.url}`);

await check("JSON object value set/get", async () => {
  await redis.set("place", { name: "Saint-Étienne", postcodes: ["42000", "42100"], population: 170049 });
  return redis.get("place");
}, { name: "Saint-Étienne", postcodes: ["42000", "42100"], population: 170049 });

await check("strings that look like base64 survive", async () => {
  await redis.set("b64-a", "aGVsbG8=");
  await redis.set("b64-b", "OK1234==");
  await redis.set("unicode", "héllo ✓ 🚀");
  return Promise.all([redis.get("b64-a"), redis.get("b64-b"), redis.get("unicode")]);
}, ["aGVsbG8=", "OK1234==", "héllo ✓ 🚀"]);

await check("incr", async () => [await redis.incr("counter"), await redis.incr("counter")], [1, 2]);

await check("pipeline", async () => {
  const pipeline = redis.pipeline();
  pipeline.set("p1", "one").incrby("p2", 5).get("p1").hset("h", { a: "1", b: "x" }).hgetall("h");
  return pipeline.exec();
}, ["OK", 5, "one", 2, { a: 1, b: "x" }]);

await check("multi() transaction", async () => {
  const transaction = redis.multi();
  transaction.set("m1", "first").incr("m2").incr("m2").get("m1");
  return transaction.exec();
}, ["OK", 1, 2, "first"]);

await check("multi() with a failing command keeps the others", async () => {
  const results = await redis.multi().set("m3", "text").incr("m3").get("m3").exec({ keepErrors: true });
  return results.map((entry) => entry.error ?? entry.result);
}, ["OK", "ERR value is not an integer or out of range", "text"]);

await check("sorted set zincrby/zrange withScores", async () => {
  await redis.zincrby("ranking", 2.5, "lyon");
  await redis.zincrby("ranking", 1, "paris");
  await redis.zincrby("ranking", 1, "lyon");
  return redis.zrange("ranking", 0, -1, { withScores: true });
}, ["paris", 1, "lyon", 3.5]);

await check("set with pxat", async () => {
  await redis.set("expiring", "soon", { pxat: Date.now() + 60_000 });
  const ttl = await redis.pttl("expiring");
  assert(ttl > 55_000 && ttl <= 60_000, `pttl ${ttl}`);
  return redis.get("expiring");
}, "soon");

await check("del", async () => [await redis.del("place", "b64-a", "missing"), await redis.get("place")], [2, null]);

await check("redis error surfaces with its message", async () => {
  const error = await redis.incr("m3").then(() => null, (caught: Error) => caught.message);
  assert(String(error).includes("ERR value is not an integer"), String(error));
});

const statsBefore = await commandStats(redisServer.url);
await check("EVAL_RO/EVALSHA_RO of a script with allow-key-locking,no-writes", async () => {
  const script = redis.createScript<string, true>("#!lua flags=allow-key-locking,no-writes\nreturn redis.call('GET', KEYS[1])", { readonly: true });
  return [await script.exec(["m1"], []), await script.exec(["m1"], [])];
}, ["first", "first"]);

await check("ratelimit slidingWindow(3, 10 s)", async () => {
  const limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(3, "10 s"), prefix: "check-sliding" });
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await limiter.limit("id"));
  const other = await limiter.limit("other-id");
  assert(results.every((result) => result.reason !== "timeout") && other.reason !== "timeout", "limiter timed out");
  return [...results.map((result) => [result.success, result.remaining]), [other.success, other.remaining]];
}, [[true, 2], [true, 1], [true, 0], [false, 0], [true, 2]]);

await check("ratelimit tokenBucket(2, 10 s, 2)", async () => {
  const limiter = new Ratelimit({ redis, limiter: Ratelimit.tokenBucket(2, "10 s", 2), prefix: "check-bucket" });
  const results = [await limiter.limit("id"), await limiter.limit("id"), await limiter.limit("id")];
  return results.map((result) => [result.success, result.remaining, result.reason ?? null]);
}, [[true, 1, null], [true, 0, null], [false, 0, null]]);

await check("ratelimit fixedWindow(2, 10 s)", async () => {
  const limiter = new Ratelimit({ redis, limiter: Ratelimit.fixedWindow(2, "10 s"), prefix: "check-fixed" });
  const results = [await limiter.limit("id"), await limiter.limit("id"), await limiter.limit("id")];
  return results.map((result) => [result.success, result.remaining, result.reason ?? null]);
}, [[true, 1, null], [true, 0, null], [false, 0, null]]);

await check("EVALSHA(_RO) of the original hash is translated: one EVAL(_RO) per script only", async () => {
  const stats = await commandStats(redisServer!.url);
  const names = ["eval", "evalsha", "eval_ro", "evalsha_ro"];
  return Object.fromEntries(names.map((name) => [name, (stats[name] ?? 0) - (statsBefore[name] ?? 0)]));
}, { eval: 3, evalsha: 11, eval_ro: 1, evalsha_ro: 2 });

await check("raw HTTP: auth, bad JSON, path form, base64 header, 413", async () => {
  assert((await post(bridge.url, '["PING"]', "wrong")).status === 401, "wrong token accepted");
  const badJson = await post(bridge.url, "not json");
  assert(badJson.status === 400 && typeof (badJson.json as { error?: unknown }).error === "string", "bad JSON not 400");
  assert(isDeepStrictEqual((await post(`${bridge.url}/set/path-key/a%2Fb`, "")).json, { result: "OK" }), "path set");
  assert(isDeepStrictEqual((await post(`${bridge.url}/get/path-key`, "")).json, { result: "a/b" }), "path get");
  const unknown = await post(bridge.url, '["NOPE"]');
  assert(unknown.status === 400 && String((unknown.json as { error: string }).error).startsWith("ERR unknown command"), "unknown command");
  const encoded = await fetch(bridge.url, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Upstash-Encoding": "base64" },
    body: '["MGET","path-key","missing","m1"]',
  }).then((response) => response.json());
  assert(isDeepStrictEqual(encoded, { result: ["YS9i", null, "Zmlyc3Q="] }), JSON.stringify(encoded));
  const huge = await post(bridge.url, JSON.stringify(["SET", "huge", "x".repeat(11 * 1024 * 1024)]));
  assert(huge.status === 413, `huge body got ${huge.status}`);
});

await check("redis down → fast 503, then reconnects when it is back", async () => {
  const port = redisServer!.port;
  await redisServer!.stop();
  const started = Date.now();
  const down = await post(bridge.url, '["PING"]');
  assert(down.status === 503 && Date.now() - started < 1_000, `got ${down.status} after ${Date.now() - started} ms`);
  redisServer = await startRedisServer({ dir, port });
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && (await post(bridge.url, '["PING"]')).status !== 200) await new Promise((r) => setTimeout(r, 100));
  return (await post(bridge.url, '["PING"]')).json;
}, { result: "PONG" });

await bridge.close();
await redisServer?.stop();
rmSync(dir, { recursive: true, force: true });
console.log(failures === 0 ? "ALL PASS" : `${failures} FAILED`);
process.exit(failures === 0 ? 0 : 1);
