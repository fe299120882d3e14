import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLIENT_DIR, clientBundle, ELEMENT_DIR, elementBundles, PUBLIC_ELEMENT, ROOT } from "./bundles.ts";

/**
 * `npm run build:packages`: packages/autocomplete/dist (ES module, IIFE, types),
 * packages/client/dist (ES module, types), and the IIFE copied to public/ for the demo page.
 * public/lieux-autocomplete.js is committed so that `npm start` and `wrangler deploy` need
 * no build step; `npm test` (check:size) fails when it is not the current build.
 */
function declarations(packageDir: string) {
  execFileSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", packageDir, "--noEmit", "false", "--emitDeclarationOnly", "--outDir", join(packageDir, "dist")], { stdio: "inherit" });
}

for (const dir of [ELEMENT_DIR, CLIENT_DIR]) {
  rmSync(join(dir, "dist"), { recursive: true, force: true });
  mkdirSync(join(dir, "dist"));
}
const { esm, iife } = await elementBundles();
writeFileSync(join(ELEMENT_DIR, "dist", "index.js"), esm);
writeFileSync(join(ELEMENT_DIR, "dist", "lieux-autocomplete.js"), iife);
writeFileSync(PUBLIC_ELEMENT, iife);
writeFileSync(join(CLIENT_DIR, "dist", "index.js"), await clientBundle());
declarations(ELEMENT_DIR);
declarations(CLIENT_DIR);
console.log("built packages/autocomplete/dist, packages/client/dist and public/lieux-autocomplete.js");
