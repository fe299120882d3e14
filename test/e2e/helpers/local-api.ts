import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findFreePort } from "../../../scripts/lib/free-port.ts";
import { startStack } from "../../../scripts/stack.ts";

export interface LocalApi {
  /** `http://127.0.0.1:<port>`: the page and the API, same origin. */
  origin: string;
  /** Stops `wrangler dev` (and its workerd) for real: the port refuses connections. */
  stopWorker(): Promise<void>;
  /** Starts `wrangler dev` again on the same port and waits for /health; a no-op while it runs. */
  startWorker(): Promise<void>;
  /** Stops everything this started and deletes its data directory. */
  stop(): Promise<void>;
}

const WRANGLER_BIN = join(process.cwd(), "node_modules", "wrangler", "bin", "wrangler.js");
const HEALTH_TIMEOUT_MS = 90_000;


async function waitForHealth(origin: string, worker: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (worker.exitCode !== null) throw new Error(`wrangler dev exited with ${worker.exitCode}:\n${readFileSync(logFile, "utf8").slice(-3000)}`);
    const status = await fetch(`${origin}/health`).then((response) => response.status, () => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no /health 200 from ${origin} within ${HEALTH_TIMEOUT_MS} ms:\n${readFileSync(logFile, "utf8").slice(-3000)}`);
}

/** Signals wrangler's whole process group, so its workerd child never outlives it. */
function signalGroup(worker: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-worker.pid!, signal);
  } catch {
    // already gone
  }
}

async function stopGroup(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = once(worker, "exit");
  signalGroup(worker, "SIGTERM");
  const forced = setTimeout(() => signalGroup(worker, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(forced);
  // wrangler may exit before workerd has released the port
  signalGroup(worker, "SIGKILL");
}

/**
 * The local stack on random ports in a fresh `.lieux/e2e-<pid>` directory, then
 * `wrangler dev` serving the Worker and the demo page, as `npm start` does.
 */
/** The local API's admin token: a throwaway stack's, never used elsewhere. */
export const LOCAL_ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";

export async function startLocalApi(extraVars: Record<string, string> = {}): Promise<LocalApi> {
  const dataDir = join(process.cwd(), ".lieux", `e2e-${process.pid}`);
  const stack = await startStack({
    dataDir,
    ports: { primary: 0, replica: 0, neonProxy: 0, upstash: 0 },
    overrides: {},
    log: (line) => process.env.LIEUX_TEST_VERBOSE && console.log(`[stack] ${line}`),
  });
  const vars = {
    ...stack.vars,
    ADMIN_TOKEN: LOCAL_ADMIN_TOKEN,
    CURSOR_SECRET: "e2e-cursor-secret-0123456789abcdef",
    // A browser typing fast sends many requests from one address.
    RATE_LIMIT_PER_MINUTE: "1000000",
    ...extraVars,
  };
  const envFile = join(dataDir, "worker.env");
  writeFileSync(envFile, Object.entries(vars).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join("\n") + "\n", { mode: 0o600 });
  const logFile = join(dataDir, "wrangler.log");
  const port = await findFreePort();
  const origin = `http://127.0.0.1:${port}`;
  let worker: ChildProcess | null = null;
  const killOnExit = () => worker && signalGroup(worker, "SIGKILL");
  process.once("exit", killOnExit);

  async function startWorker() {
    if (worker) return;
    const log = openSync(logFile, "a");
    worker = spawn(
      process.execPath,
      [WRANGLER_BIN, "dev", "--port", String(port), "--ip", "127.0.0.1", "--env-file", envFile,
        "--persist-to", join(dataDir, "wrangler-state"), "--show-interactive-dev-session=false"],
      {
        detached: true,
        stdio: ["ignore", log, log],
        // The machine may have no route to Cloudflare: skip the request.cf download and telemetry.
        env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
      },
    );
    await waitForHealth(origin, worker, logFile);
  }

  async function stopWorker() {
    if (worker) await stopGroup(worker);
    worker = null;
  }

  try {
    await startWorker();
  } catch (error) {
    await stopWorker();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    origin,
    startWorker,
    stopWorker,
    async stop() {
      await stopWorker();
      process.off("exit", killOnExit);
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
