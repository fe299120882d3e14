import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";

/** Runs `npm start`'s entry the way npm does, with extra variables, and collects what it printed. */
function runStart(extraEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env: { ...process.env, ...extraEnv, PORT: "0" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

const UNREACHABLE = "postgres://lieux:s3cret-password@127.0.0.1:9/lieux";

for (const variable of ["DATABASE_URL", "DATABASE_REPLICA_URLS"]) {
  test(`npm start with an unreachable ${variable} prints one line naming it and exits non-zero`, async () => {
    const { code, stderr } = await runStart({ [variable]: UNREACHABLE });
    assert.equal(code, 1);
    const lines = stderr.trim().split("\n");
    assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
    assert.match(lines[0]!, new RegExp(`^npm start: ${variable}: cannot connect to 127\\.0\\.0\\.1:9: ECONNREFUSED`));
    assert.doesNotMatch(stderr, /s3cret-password/);
  });
}
