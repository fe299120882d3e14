import { rmSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { runMigrations } from "../../../scripts/migrate.ts";
import { startNeonProxy, type NeonProxy } from "../../../scripts/neon-proxy.ts";
import { startPostgres, type LocalPostgres } from "../../../scripts/postgres.ts";
import { startRedisServer, type RedisServer } from "../../../scripts/redis-server.ts";
import { followPrimary } from "../../../scripts/replica.ts";
import { startStack, type LocalStack } from "../../../scripts/stack.ts";
import { startUpstashBridge, type UpstashBridge } from "../../../scripts/upstash-bridge.ts";

const UPSTASH_TOKEN = "faults-upstash-token";

/**
 * The local stack with every service the faults break started here, so the suite holds a
 * handle to stop and restart each one on its own port: Postgres primary and replica,
 * redis-server (behind its Upstash bridge) and the local Neon endpoint. startStack then
 * migrates, seeds and waits for the replica with these passed as overrides.
 */
export interface FaultStack {
  dataDir: string;
  /** The Worker's bindings, pointing at the services below. */
  vars: Record<string, string>;
  primary: LocalPostgres;
  replica: LocalPostgres;
  redisPort: number;
  killRedis(): Promise<void>;
  restartRedis(): Promise<void>;
  stopPostgres(which: "primary" | "replica"): Promise<void>;
  restartPostgres(which: "primary" | "replica"): Promise<void>;
  stopNeonEndpoint(): Promise<void>;
  restartNeonEndpoint(): Promise<void>;
  stop(): Promise<void>;
}

/** The pid redis reports for itself, so the kill hits exactly the server this suite started. */
function redisPid(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let reply = "";
    socket.setTimeout(2_000, () => socket.destroy(new Error("redis INFO timed out")));
    socket.once("error", reject);
    socket.once("connect", () => socket.write("INFO server\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      const match = /process_id:(\d+)\r\n/.exec(reply);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
  });
}

async function waitForPortClosed(port: number): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 50) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (!open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startFaultStack(log: (line: string) => void): Promise<FaultStack> {
  const dataDir = join(process.cwd(), ".lieux", `faults-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch((error) => log(`stop failed: ${String(error)}`));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const postgres: Record<"primary" | "replica", LocalPostgres> = {
      primary: await startPostgres({ name: "primary", dataDir: join(dataDir, "pg-primary") }),
      replica: await startPostgres({ name: "replica", dataDir: join(dataDir, "pg-replica") }),
    };
    stops.push(() => postgres.primary.stop(), () => postgres.replica.stop());
    await runMigrations(postgres.primary.url);
    await runMigrations(postgres.replica.url);
    await followPrimary({ primaryUrl: postgres.primary.url, replicaUrl: postgres.replica.url });

    const redisDir = join(dataDir, "redis");
    let redis: RedisServer = (await startRedisServer({ dir: redisDir })) ?? raise("redis-server is not on PATH");
    const redisPort = redis.port;
    stops.push(() => redis.stop());
    const bridge: UpstashBridge = await startUpstashBridge({ redisUrl: redis.url, token: UPSTASH_TOKEN });
    stops.push(() => bridge.close());
    let neon: NeonProxy | null = await startNeonProxy();
    const neonPort = neon.port;
    stops.push(async () => neon?.close());

    const stack: LocalStack = await startStack({
      dataDir,
      ports: { primary: 0, replica: 0, neonProxy: 0, upstash: 0 },
      overrides: {
        DATABASE_URL: postgres.primary.url,
        DATABASE_REPLICA_URLS: postgres.replica.url,
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: UPSTASH_TOKEN,
      },
      log,
    });
    stops.push(() => stack.stop());
    return {
      dataDir,
      // startStack starts a Neon endpoint of its own; the Worker uses ours, which the suite can stop.
      vars: { ...stack.vars, NEON_LOCAL_PROXY: neon.host },
      get primary() {
        return postgres.primary;
      },
      get replica() {
        return postgres.replica;
      },
      redisPort,
      async killRedis() {
        process.kill(await redisPid(redisPort), "SIGKILL");
        await waitForPortClosed(redisPort);
      },
      async restartRedis() {
        redis = (await startRedisServer({ dir: redisDir, port: redisPort })) ?? raise("redis-server vanished from PATH");
      },
      stopPostgres: (which) => postgres[which].stop(),
      async restartPostgres(which) {
        const { name, port } = postgres[which];
        postgres[which] = await startPostgres({ name, dataDir: join(dataDir, `pg-${name}`), port });
      },
      async stopNeonEndpoint() {
        await neon?.close();
        neon = null;
      },
      async restartNeonEndpoint() {
        neon ??= await startNeonProxy({ port: neonPort });
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function raise(message: string): never {
  throw new Error(message);
}
