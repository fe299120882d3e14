// One plain closing line for CI over every runner: vitest's JSON report and the TAP
// summaries ("# pass N", "# fail N") that node's test runner printed into the given logs.
import { existsSync, readFileSync } from "node:fs";

const [vitestJson, ...tapLogs] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
if (vitestJson && existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
} else {
  failed += 1;
}
for (const log of tapLogs) {
  const text = existsSync(log) ? readFileSync(log, "utf8") : "";
  const count = (name) => [...text.matchAll(new RegExp(`^# ${name} (\\d+)$`, "gm"))].reduce((sum, match) => sum + Number(match[1]), 0);
  if (!/^# pass \d+$/m.test(text)) failed += 1;
  passed += count("pass");
  failed += count("fail") + count("cancelled");
  skipped += count("skipped") + count("todo");
}
console.log(`all suites: ${passed} passed, ${failed} failed, ${skipped} skipped`);
// A runner's own exit code can be lost (a dependency's exit hook calling process.exit(0)): the counts decide too.
process.exit(failed > 0 ? 1 : 0);
