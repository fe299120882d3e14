import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { findFreePort } from "../lib/free-port.ts";

export interface WorkerRuntime {
  name: "wrangler-dev" | "miniflare";
  url: string;
  stop(): Promise<void>;
}

async function waitForHealth(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/ping`).then((response) => response.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** `wrangler dev`, as `npm start` runs it: the runtime plus wrangler's dev proxy. */
export async function startWranglerDev(vars: Record<string, string>, workDir: string): Promise<WorkerRuntime> {
  const port = await findFreePort();
  const envFile = join(workDir, `bench-${port}.env`);
  writeFileSync(envFile, Object.entries(vars).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join("\n") + "\n");
  const logFile = openSync(join(workDir, `wrangler-${port}.log`), "a");
  const child: ChildProcess = spawn("wrangler", ["dev", "--port", String(port), "--ip", "127.0.0.1", "--env-file", envFile, "--show-interactive-dev-session=false", "--log-level", "warn"], {
    // The Worker's own log lines, kept for a run that needs explaining.
    stdio: ["ignore", logFile, logFile],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url);
  return {
    name: "wrangler-dev",
    url,
    async stop() {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

/**
 * The same Worker bundle in workerd through Miniflare's API, without wrangler's dev proxy
 * in front: a leaner local runtime whose ceiling says more about the Worker itself.
 */
export async function startMiniflare(vars: Record<string, string>, workDir: string): Promise<WorkerRuntime> {
  const outDir = join(workDir, "bundle");
  mkdirSync(outDir, { recursive: true });
  const build = spawnSync("wrangler", ["deploy", "--dry-run", "--outdir", outDir], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`bundling failed: ${build.stderr}`);
  const port = await findFreePort();
  const miniflare = new Miniflare(convertV4MiniflareOptions({
    modules: true,
    scriptPath: join(outDir, "index.js"),
    compatibilityDate: "2026-10-15",
    compatibilityFlags: ["nodejs_compat"],
    bindings: vars,
    host: "127.0.0.1",
    port,
    log: new Log(LogLevel.WARN),
    // No route to Cloudflare from here: use the placeholder request.cf rather than fetching it.
    cf: false,
  }));
  const url = (await miniflare.ready).origin;
  await waitForHealth(url);
  return { name: "miniflare", url, stop: () => miniflare.dispose() };
}
