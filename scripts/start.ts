import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { StackConfigError } from "./lib/check-database-url.ts";
import { startStack } from "./stack.ts";

/**
 * `npm start`: the embedded stack on fixed dev ports, then `wrangler dev` with
 * its addresses as vars. Ctrl-C stops wrangler first, then every service.
 */
const DEV_PORTS = { primary: 54320, replica: 54321, neonProxy: 54330, upstash: 54340 };
const DEV_ADMIN_TOKEN = "dev-admin-token";
const DEV_CURSOR_SECRET = "dev-cursor-secret-change-me-in-production";

const started = Date.now();
const port = process.env.PORT ?? "8787";
const stack = await startStack({
  dataDir: join(process.cwd(), ".lieux", "dev"),
  ports: DEV_PORTS,
  overrides: process.env,
}).catch((error: unknown) => {
  // A bad DATABASE_URL is the user's to fix: one line naming it, not a stack trace.
  if (!(error instanceof StackConfigError)) throw error;
  console.error(`npm start: ${error.message}`);
  process.exit(1);
});
const vars = { ADMIN_TOKEN: DEV_ADMIN_TOKEN, CURSOR_SECRET: DEV_CURSOR_SECRET, ...stack.vars };
// An env file rather than --var flags keeps the values out of `ps` output.
const envFile = join(process.cwd(), ".lieux", "dev", "worker.env");
writeFileSync(envFile, Object.entries(vars).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join("\n") + "\n", { mode: 0o600 });
console.log(`stack ready in ${Date.now() - started} ms; starting wrangler dev on http://127.0.0.1:${port}`);

const wrangler = spawn(
  "wrangler",
  ["dev", "--port", port, "--ip", "127.0.0.1", "--test-scheduled", "--show-interactive-dev-session=false", "--env-file", envFile],
  // The machine may have no route to Cloudflare: skip the request.cf download and telemetry.
  { stdio: "inherit", env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" } },
);

let stopping = false;
async function shutdown(exitCode: number) {
  if (stopping) return;
  stopping = true;
  if (wrangler.exitCode === null) wrangler.kill("SIGTERM");
  await stack.stop();
  process.exit(exitCode);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
wrangler.on("exit", (code) => void shutdown(code ?? 0));
