import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeReport, type BenchResults } from "./report.ts";

/**
 * `npx tsx scripts/bench/render.ts bench/results/<date>-<rows>.json`: re-renders a run's
 * Markdown, SVG charts and bench/README.md section from its JSON, without measuring again
 * (after a change to the report's layout, or when the README section was lost).
 */
const file = process.argv[2];
if (!file) {
  console.error("usage: npx tsx scripts/bench/render.ts bench/results/<date>-<rows>.json");
  process.exit(2);
}
const results = JSON.parse(readFileSync(file, "utf8")) as BenchResults;
const rows = Number(results.meta.rows);
for (const written of writeReport(results, dirname(resolve(file)), rows, String(results.meta.date).slice(0, 10))) console.log(`wrote ${written}`);
