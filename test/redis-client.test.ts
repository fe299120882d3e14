import { describe, expect, it } from "vitest";
import { readConfig, type AppConfig, type WorkerEnv } from "../src/env.ts";
import { BACKGROUND_REDIS_TIMEOUT_MS, createRedis } from "../src/lib/redis/client.ts";
import { testEnv } from "./helpers/worker.ts";

const configWith = (overrides: Record<string, string | undefined>): AppConfig => {
  const parsed = readConfig({ ...testEnv, ...overrides } as unknown as WorkerEnv);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.config;
};

describe("Redis clients, one per configuration per isolate", () => {
  it("hands every request the same client for the same URL, token and deadline, and another for any difference", async () => {
    const config = configWith({});
    const client = createRedis(config)!;
    expect(createRedis(configWith({}))).toBe(client);
    expect(createRedis(config, BACKGROUND_REDIS_TIMEOUT_MS)).not.toBe(client);
    expect(createRedis(configWith({ UPSTASH_REDIS_REST_TOKEN: "another-token" }))).not.toBe(client);
    expect(createRedis(configWith({ UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined }))).toBeNull();
    // The shared client works for the next caller: it holds configuration, not a request's I/O.
    const key = `lieux:test:redis-client:${crypto.randomUUID()}`;
    await client.set(key, "1", { ex: 60 });
    expect(await createRedis(configWith({}))!.get(key)).toBe(1);
  });
});
