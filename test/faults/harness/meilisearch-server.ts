import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { findFreePort } from "../../../scripts/lib/free-port.ts";

/**
 * A real Meilisearch server (the binary at MEILISEARCH_BIN, built beside the project and
 * never committed) on loopback, which the fault suite hangs, kills and restarts on the same
 * port and database, as an operator's process supervisor would.
 */
export interface MeilisearchServer {
  url: string;
  apiKey: string;
  /** SIGSTOP: the kernel still accepts connections, nothing ever answers. */
  hang(): void;
  /** SIGKILL (works on a hung process too); the port then refuses connections. */
  kill(): Promise<void>;
  /** Starts the binary again on the same port and database, and waits until it is available. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const MASTER_KEY = "lieux-faults-master-key-0123456789";
const READY_TIMEOUT_MS = 60_000;

async function untilAvailable(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`meilisearch exited with ${child.exitCode} before it was available`);
    const body = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) }).then((response) => response.json(), () => null);
    if ((body as { status?: string } | null)?.status === "available") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`meilisearch at ${url} was not available within ${READY_TIMEOUT_MS} ms`);
}

export async function startMeilisearchServer(options: { bin: string; dataDir: string }): Promise<MeilisearchServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(join(options.dataDir, "meilisearch.log"), { flags: "a" });
  let child: ChildProcess | null = null;
  const killOnExit = () => child?.kill("SIGKILL");
  process.once("exit", killOnExit);

  async function start() {
    const args = ["--db-path", join(options.dataDir, "data.ms"), "--http-addr", `127.0.0.1:${port}`, "--master-key", MASTER_KEY, "--no-analytics", "--env", "development"];
    child = spawn(options.bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    await untilAvailable(url, child);
  }

  async function kill() {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
    child = null;
  }

  await start();
  return {
    url,
    apiKey: MASTER_KEY,
    hang: () => void child?.kill("SIGSTOP"),
    kill,
    restart: start,
    async stop() {
      await kill();
      process.off("exit", killOnExit);
      log.end();
    },
  };
}
