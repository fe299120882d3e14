import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { checkDatabaseUrl } from "./lib/check-database-url.ts";
import { runMigrations } from "./migrate.ts";
import { startNeonProxy } from "./neon-proxy.ts";
import { startPostgres } from "./postgres.ts";
import { startRedisServer } from "./redis-server.ts";
import { followPrimary, waitForReplicaCatchUp } from "./replica.ts";
import { STATS_VIEWS } from "../src/lib/db/stats-tables.ts";
import { seed, VACUUM_AFTER_BULK_LOAD } from "./seed.ts";
import { startUpstashBridge } from "./upstash-bridge.ts";

export interface StackOptions {
  /** Where embedded Postgres and Redis keep their files (under .lieux/, git-ignored). */
  dataDir: string;
  /** Fixed ports for `npm start`; 0 everywhere gives free random ports for tests. */
  ports: { primary: number; replica: number; neonProxy: number; upstash: number };
  /** Variables from the caller's environment that override the embedded defaults. */
  overrides: NodeJS.ProcessEnv;
  /** False runs without the embedded replica (the bench loads millions of rows once). Default true. */
  replica?: boolean;
  log?: (line: string) => void;
}

export interface LocalStack {
  /** The Worker's bindings for this stack. */
  vars: Record<string, string>;
  primaryUrl: string;
  replicaUrls: string[];
  /** Present only when this stack started its own redis-server. */
  redisPort: number | null;
  stop(): Promise<void>;
}

const LOCAL_UPSTASH_TOKEN = "local-upstash-token";

function isLoopbackUrl(url: string): boolean {
  return ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname);
}

/**
 * Materialized views are not carried by logical replication, so each replica refreshes
 * its own; replicated rows also need the replica's own vacuum.
 */
async function refreshReplica(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const view of STATS_VIEWS) await client.query(`refresh materialized view ${view}`);
    await client.query(VACUUM_AFTER_BULK_LOAD);
  } finally {
    await client.end();
  }
}

/**
 * Brings up everything the Worker needs locally, in dependency order: Postgres
 * primary and replica, migrations on both, logical replication, the seed, the
 * Neon endpoint, then redis-server behind the Upstash bridge. Any step an
 * override replaces is skipped.
 */
export async function startStack(options: StackOptions): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch((error) => log(`stop failed: ${String(error)}`));
  };
  try {
    mkdirSync(options.dataDir, { recursive: true });
    const env = options.overrides;
    let primaryUrl = env.DATABASE_URL;
    let replicaUrls = (env.DATABASE_REPLICA_URLS ?? "").split(",").map((url) => url.trim()).filter(Boolean);
    if (primaryUrl) await checkDatabaseUrl("DATABASE_URL", primaryUrl);
    for (const replicaUrl of replicaUrls) await checkDatabaseUrl("DATABASE_REPLICA_URLS", replicaUrl);
    if (!primaryUrl) {
      const primary = await startPostgres({ name: "primary", dataDir: join(options.dataDir, "pg-primary"), port: options.ports.primary });
      stops.push(primary.stop);
      primaryUrl = primary.url;
      log(`postgres primary on ${primary.port}`);
    }
    await runMigrations(primaryUrl);
    if (!env.DATABASE_URL && replicaUrls.length === 0 && options.replica !== false) {
      const replica = await startPostgres({ name: "replica", dataDir: join(options.dataDir, "pg-replica"), port: options.ports.replica });
      stops.push(replica.stop);
      await runMigrations(replica.url);
      await followPrimary({ primaryUrl, replicaUrl: replica.url });
      replicaUrls = [replica.url];
      log(`postgres replica on ${replica.port}, following the primary`);
    }
    await seed(primaryUrl, log);
    for (const replicaUrl of replicaUrls.filter(isLoopbackUrl)) {
      await waitForReplicaCatchUp({ primaryUrl, replicaUrl, timeoutMs: 60_000 }).catch((error) => log(`replica catch-up: ${String(error)}`));
      await refreshReplica(replicaUrl);
    }

    const vars: Record<string, string> = {
      DATABASE_URL: primaryUrl,
      DATABASE_REPLICA_URLS: replicaUrls.join(","),
    };
    if (isLoopbackUrl(primaryUrl)) {
      const proxy = await startNeonProxy({ port: options.ports.neonProxy });
      stops.push(proxy.close);
      vars.NEON_LOCAL_PROXY = proxy.host;
      log(`neon endpoint on ${proxy.host}`);
    }

    let redisPort: number | null = null;
    if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
      vars.UPSTASH_REDIS_REST_URL = env.UPSTASH_REDIS_REST_URL;
      vars.UPSTASH_REDIS_REST_TOKEN = env.UPSTASH_REDIS_REST_TOKEN;
    } else {
      const redis = await startRedisServer({ dir: join(options.dataDir, "redis") });
      if (redis) {
        stops.push(redis.stop);
        const bridge = await startUpstashBridge({ redisUrl: redis.url, token: LOCAL_UPSTASH_TOKEN, port: options.ports.upstash });
        stops.push(bridge.close);
        redisPort = redis.port;
        vars.UPSTASH_REDIS_REST_URL = bridge.url;
        vars.UPSTASH_REDIS_REST_TOKEN = LOCAL_UPSTASH_TOKEN;
        log(`redis-server on ${redis.port}, Upstash bridge on ${bridge.url}`);
      } else {
        log("redis-server is not on PATH: running without the L2 cache and rate limiting");
      }
    }
    for (const name of ["MEILISEARCH_HOST", "MEILISEARCH_API_KEY", "ADMIN_TOKEN", "CURSOR_SECRET", "RATE_LIMIT_PER_MINUTE"]) {
      const value = env[name];
      if (value) vars[name] = value;
    }
    return { vars, primaryUrl, replicaUrls, redisPort, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
