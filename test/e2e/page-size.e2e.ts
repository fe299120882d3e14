import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

const PUBLIC_DIR = join(process.cwd(), "public");
const BUDGET_BYTES = 30 * 1024;

describe("the demo page's files", () => {
  const files = readdirSync(PUBLIC_DIR, { recursive: true, encoding: "utf8" }).filter((name) => statSync(join(PUBLIC_DIR, name)).isFile());

  it(`weigh less than ${BUDGET_BYTES / 1024} KB in total`, () => {
    const total = files.reduce((sum, name) => sum + statSync(join(PUBLIC_DIR, name)).size, 0);
    console.log(`public/: ${files.length} files, ${total} bytes`);
    assert.ok(total < BUDGET_BYTES, `public/ holds ${total} bytes`);
  });

  it("load nothing from another origin (no CDN, works offline)", () => {
    const pages = files.filter((file) => /\.(html|js|css)$/.test(file));
    assert.deepEqual(["app.css", "app.js", "index.html"].filter((name) => !pages.includes(name)), [], `public/ holds ${files.join(", ")}`);
    for (const name of pages) {
      assert.doesNotMatch(readFileSync(join(PUBLIC_DIR, name), "utf8"), /(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}\//i, name);
    }
  });
});
