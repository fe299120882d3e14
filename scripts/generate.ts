import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { loadReferenceData } from "./data/communes.ts";
import { createSyntheticRows, MAX_SYNTHETIC_ROWS, SYNTHETIC_CSV_HEADER, toCsvLine, toNdjsonLine } from "./lib/synthetic-communes.ts";

/**
 * `npm run generate -- --rows N --out file.csv|file.ndjson [--seed 42] [--offset 0]`
 * writes N synthetic communes (see scripts/lib/synthetic-communes.ts for how they are
 * built). Same seed, same file. `--offset` starts the synthetic codes further on, so two
 * files can be imported side by side.
 */
const USAGE = "usage: npm run generate -- --rows N --out file.csv|file.ndjson [--seed 42] [--offset 0]";
const FLUSH_CHARS = 1 << 20;

const { values } = parseArgs({
  options: { rows: { type: "string" }, out: { type: "string" }, seed: { type: "string", default: "42" }, offset: { type: "string", default: "0" } },
});
const rows = Number(values.rows);
const seed = Number(values.seed);
const offset = Number(values.offset);
const format = values.out?.endsWith(".ndjson") ? "ndjson" : values.out?.endsWith(".csv") ? "csv" : undefined;
if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(seed) || !Number.isInteger(offset) || offset < 0 || !values.out || !format) {
  console.error(USAGE);
  process.exit(2);
}
if (offset + rows > MAX_SYNTHETIC_ROWS) {
  console.error(`at most ${MAX_SYNTHETIC_ROWS} synthetic codes exist; lower --rows or --offset`);
  process.exit(2);
}

const started = performance.now();
const real = loadReferenceData().villes.filter((ville) => ville.type === "commune-actuelle");
const rowAt = createSyntheticRows(real, seed);
const toLine = format === "csv" ? toCsvLine : toNdjsonLine;
const out = createWriteStream(values.out, { highWaterMark: FLUSH_CHARS });
let buffer = format === "csv" ? `${SYNTHETIC_CSV_HEADER}\n` : "";
for (let index = offset; index < offset + rows; index++) {
  buffer += `${toLine(rowAt(index))}\n`;
  if (buffer.length >= FLUSH_CHARS) {
    if (!out.write(buffer)) await once(out, "drain");
    buffer = "";
  }
}
out.end(buffer);
await once(out, "finish");
const seconds = (performance.now() - started) / 1000;
console.log(`${rows} rows (${format}) written to ${values.out} in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s)`);
