import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants as fsConstants, mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { isMainThread } from "node:worker_threads";
import { findFreePort } from "./lib/free-port.ts";

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 4_000;

function findOnPath(command: string): string | null {
  for (const directory of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!directory) continue;
    const candidate = path.join(directory, command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}


/** Pid of the redis answering on `port`, so a foreign redis already on that port is not mistaken for ours. */
function answeringRedisPid(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let reply = "";
    const finish = (pid: number | null) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(1_000, () => finish(null));
    socket.once("error", () => finish(null));
    socket.once("connect", () => socket.write("INFO server\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (!reply.startsWith("$")) return finish(null);
      const match = /process_id:(\d+)\r\n/.exec(reply);
      if (match) finish(Number(match[1]));
    });
  });
}

// Children of this process, killed when the process exits or is signalled so no redis-server is orphaned.
const liveChildren = new Set<ChildProcess>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on("exit", () => {
    for (const child of liveChildren) child.kill("SIGTERM");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      for (const child of liveChildren) child.kill("SIGTERM");
      // Adding a listener disables Node's default "die on signal"; restore it unless someone else handles the signal.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `redis-server` from PATH on a free port (or the given one), no persistence, bound to 127.0.0.1, working dir `dir`. Resolves once it answers (as our own pid). Returns null when redis-server is not on PATH. */
export async function startRedisServer(options: { dir: string; port?: number }): Promise<RedisServer | null> {
  const redisBinary = findOnPath("redis-server");
  if (!redisBinary) return null;
  const dir = path.resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const port = options.port || (await findFreePort());

  const redisArgs = [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--save", "",
    "--appendonly", "no",
    "--dir", dir,
    "--daemonize", "no",
  ];
  // On Linux the kernel sends SIGTERM to redis when this process dies, even by SIGKILL where no JS hook runs.
  // Only from the main thread: the death signal fires when the spawning *thread* exits.
  const setpriv = process.platform === "linux" && isMainThread ? findOnPath("setpriv") : null;
  const [command, args] = setpriv
    ? [setpriv, ["--pdeathsig", "TERM", "--", redisBinary, ...redisArgs]]
    : [redisBinary, redisArgs];

  installExitHooks();
  const child = spawn(command, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  liveChildren.add(child);
  let outputTail = "";
  const keepTail = (chunk: Buffer) => {
    outputTail = (outputTail + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on("data", keepTail);
  child.stderr?.on("data", keepTail);
  let spawnError: Error | null = null;
  child.once("error", (error) => {
    spawnError = error;
  });
  child.once("exit", () => liveChildren.delete(child));

  const stop = async () => {
    if (!(await waitForExit(child, 0))) {
      child.kill("SIGTERM");
      if (!(await waitForExit(child, STOP_GRACE_MS))) {
        child.kill("SIGKILL");
        await waitForExit(child, STOP_GRACE_MS);
      }
    }
    liveChildren.delete(child);
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      const reason = spawnError ? String(spawnError) : `exited with ${child.exitCode ?? child.signalCode}`;
      throw new Error(`redis-server on port ${port} ${reason}\n${outputTail}`);
    }
    if ((await answeringRedisPid(port)) === child.pid) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} did not answer PING within ${STARTUP_TIMEOUT_MS} ms\n${outputTail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return { port, url: `redis://127.0.0.1:${port}`, stop };
}
