import { neon, neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle as drizzleHttp, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { drizzle as drizzleWebSocket, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { AppConfig } from "../../env.ts";
import { useLocalNeonEndpoint } from "./neon-local.ts";
import { isOutage } from "../outage.ts";
import * as schema from "./schema.ts";
import { recordTiming } from "../timing.ts";

export type HttpDb = NeonHttpDatabase<typeof schema>;
export type TransactionDb = NeonDatabase<typeof schema>;

/** How long a replica that failed a connection is skipped before it is tried again. */
const REPLICA_COOL_DOWN_MS = 10_000;

/** Survives requests on purpose: one failing replica should not cost every request a failed round trip. */
const replicaDownUntilByUrl = new Map<string, number>();

/**
 * Every Neon HTTP query, timed from the request to the last byte of its answer, for the
 * `db` metric of Server-Timing. The driver's fetch is isolate-wide, so it is set once.
 */
async function timedDatabaseFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const started = performance.now();
  try {
    const response = await fetch(input, init);
    const body = await response.arrayBuffer();
    return new Response(body, response);
  } finally {
    recordTiming("db", performance.now() - started);
  }
}
neonConfig.fetchFunction = timedDatabaseFetch;

export interface Databases {
  primary: HttpDb;
  /** Runs a read on a healthy replica, and on the primary when the replica cannot be reached. */
  read<T>(run: (db: HttpDb) => Promise<T>): Promise<T>;
  /** A WebSocket pool for interactive transactions; opened on first use, closed by `close()`. */
  transactional(): TransactionDb;
  close(): Promise<void>;
}

/**
 * Module scope on purpose: a Drizzle client over Neon's HTTP driver holds no connection and no
 * pending I/O (each query is its own fetch), while building one costs about half a millisecond
 * of CPU (Drizzle derives the schema's relational config), which every request paid, hits
 * included. So the isolate keeps one per URL.
 */
const httpDbByUrl = new Map<string, HttpDb>();

function httpDb(url: string): HttpDb {
  let db = httpDbByUrl.get(url);
  if (!db) {
    db = drizzleHttp({ client: neon(url), schema });
    httpDbByUrl.set(url, db);
  }
  return db;
}

export function createDatabases(config: AppConfig): Databases {
  if (config.NEON_LOCAL_PROXY) useLocalNeonEndpoint(config.NEON_LOCAL_PROXY);
  const primary = httpDb(config.DATABASE_URL);
  const replicas = config.DATABASE_REPLICA_URLS.map((url) => ({ url, db: httpDb(url) }));

  const healthyReplica = () => {
    const now = Date.now();
    const candidates = replicas.filter((replica) => (replicaDownUntilByUrl.get(replica.url) ?? 0) <= now);
    return candidates[Math.floor(Math.random() * candidates.length)];
  };

  let pool: Pool | undefined;
  return {
    primary,
    async read(run) {
      const replica = healthyReplica();
      if (!replica) return run(primary);
      try {
        return await run(replica.db);
      } catch (error) {
        // Only an outage puts a replica on cool-down: a bad query would fail on the primary too.
        if (!isOutage(error)) throw error;
        replicaDownUntilByUrl.set(replica.url, Date.now() + REPLICA_COOL_DOWN_MS);
        return run(primary);
      }
    },
    transactional() {
      if (!pool) {
        pool = new Pool({ connectionString: config.DATABASE_URL });
        // An idle client whose socket drops emits "error"; unobserved, it would be an uncaught exception.
        pool.on("error", () => undefined);
      }
      return drizzleWebSocket({ client: pool, schema });
    },
    async close() {
      await pool?.end().catch(() => undefined);
    },
  };
}
