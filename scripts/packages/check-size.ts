import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { elementBundles, PUBLIC_ELEMENT } from "./bundles.ts";

/**
 * `npm run check:size`: the element's bundles, minified by esbuild and gzipped by zlib, must
 * stay within the budget, and public/lieux-autocomplete.js must be the current build.
 */
const BUDGET_BYTES = 10 * 1024;

const { esm, iife } = await elementBundles();
const gzipped = (code: string) => gzipSync(code, { level: 9 }).length;
const sizes = { esm: gzipped(esm), iife: gzipped(iife) };
const over = Object.entries(sizes).filter(([, bytes]) => bytes > BUDGET_BYTES);
let published = "";
try {
  published = readFileSync(PUBLIC_ELEMENT, "utf8");
} catch {
  // reported below
}
const stale = published !== iife;

console.log(
  `element size: ESM ${sizes.esm} B, IIFE ${sizes.iife} B min+gzip (${esm.length} B and ${iife.length} B minified); budget ${BUDGET_BYTES} B: ${over.length ? "OVER" : "ok"}; public/lieux-autocomplete.js ${stale ? "STALE" : "current"}`,
);
if (over.length) console.error(`over budget: ${over.map(([name]) => name).join(", ")}`);
if (stale) console.error("public/lieux-autocomplete.js is not the current build of packages/autocomplete: run `npm run build:packages` and commit it.");
process.exit(over.length || stale ? 1 : 0);
