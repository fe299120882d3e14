import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * `npm run test:record-meilisearch`: re-records test/fixtures/meilisearch/ from the real
 * server at MEILISEARCH_HOST (key in MEILISEARCH_API_KEY). Runs every test file that uses
 * useMeilisearchReplay, one file at a time, through the replay server in RECORD mode, which
 * deletes every index of that server before each test. Use a throwaway server.
 */
const host = process.env.MEILISEARCH_HOST?.trim();
if (!host) {
  console.error("MEILISEARCH_HOST is required: the recordings come from that real Meilisearch server (e.g. http://127.0.0.1:7700), whose indexes are deleted.");
  process.exit(2);
}
const files = readdirSync("test")
  .filter((name) => name.endsWith(".test.ts") && readFileSync(`test/${name}`, "utf8").includes("useMeilisearchReplay("))
  .map((name) => `test/${name}`);
console.log(`recording ${files.join(", ")} from ${host}`);
const run = spawnSync("npx", ["vitest", "run", "--no-file-parallelism", ...files], {
  stdio: "inherit",
  // The Worker's own MEILISEARCH_HOST stays unset: only the replayed hosts reach the real server.
  env: { ...process.env, MEILISEARCH_RECORD_UPSTREAM: host, MEILISEARCH_HOST: "" },
});
process.exit(run.status ?? 1);
