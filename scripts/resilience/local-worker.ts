import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findFreePort } from "../lib/free-port.ts";

/**
 * `wrangler dev` for the fault-injection suite and the soak: like `npm start`, but with
 * the caller's vars, a free port, and every line the Worker prints kept in memory so a
 * test can count what was logged during a fault. Stopping kills wrangler's whole process
 * group, so workerd never outlives it.
 */
export interface LocalWorker {
  origin: string;
  /** Every stdout/stderr line since the first start (wrangler's own and the Worker's). */
  readonly lines: readonly string[];
  /** Stops wrangler and starts it again on the same port with `vars` merged over the current ones. */
  restart(vars?: Record<string, string | undefined>): Promise<void>;
  /** SIGKILLs wrangler's whole process group (workerd too) at once: no grace, no cleanup. */
  kill(): void;
  stop(): Promise<void>;
}

const WRANGLER_BIN = join(process.cwd(), "node_modules", "wrangler", "bin", "wrangler.js");
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 5_000;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, "exit");
    signalGroup(child, "SIGTERM");
    const forced = setTimeout(() => signalGroup(child, "SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(forced);
  }
  // wrangler may exit before workerd has released the port.
  signalGroup(child, "SIGKILL");
}

/** /health answers 200 or 503 (primary down) once the Worker runs; either means it is up. */
async function waitUntilServing(origin: string, child: ChildProcess, lines: readonly string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${lines.slice(-40).join("\n")}`);
    const status = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(5_000) }).then((response) => response.status, () => 0);
    if (status === 200 || status === 503) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not serve ${origin}/health within ${READY_TIMEOUT_MS} ms:\n${lines.slice(-40).join("\n")}`);
}

export async function startLocalWorker(options: { dataDir: string; vars: Record<string, string> }): Promise<LocalWorker> {
  const port = await findFreePort();
  const origin = `http://127.0.0.1:${port}`;
  const envFile = join(options.dataDir, "worker.env");
  const logFile = createWriteStream(join(options.dataDir, "wrangler.log"), { flags: "a" });
  const lines: string[] = [];
  let vars = { ...options.vars };
  let child: ChildProcess | null = null;
  const killOnExit = () => child && signalGroup(child, "SIGKILL");
  process.once("exit", killOnExit);

  const collect = (stream: NodeJS.ReadableStream) => {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (text: string) => {
      logFile.write(text);
      const parts = (partial + text).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
    });
  };

  async function start() {
    // An env file rather than --var flags keeps secrets out of `ps` output.
    writeFileSync(envFile, Object.entries(vars).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join("\n") + "\n", { mode: 0o600 });
    child = spawn(
      process.execPath,
      [WRANGLER_BIN, "dev", "--port", String(port), "--ip", "127.0.0.1", "--env-file", envFile, "--test-scheduled",
        "--persist-to", join(options.dataDir, "wrangler-state"), "--show-interactive-dev-session=false"],
      {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        // No route to Cloudflare is assumed: skip the request.cf download and telemetry.
        env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
      },
    );
    collect(child.stdout!);
    collect(child.stderr!);
    await waitUntilServing(origin, child, lines);
  }

  async function stop() {
    if (child) await stopGroup(child);
    child = null;
  }

  try {
    await start();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    origin,
    lines,
    async restart(changes = {}) {
      await stop();
      vars = { ...vars };
      for (const [name, value] of Object.entries(changes)) {
        if (value === undefined) delete vars[name];
        else vars[name] = value;
      }
      await start();
    },
    kill() {
      if (child) signalGroup(child, "SIGKILL");
    },
    async stop() {
      await stop();
      process.off("exit", killOnExit);
      logFile.end();
    },
  };
}
