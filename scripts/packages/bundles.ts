import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build, type BuildOptions } from "esbuild";

export const ROOT = join(import.meta.dirname, "..", "..");
export const ELEMENT_DIR = join(ROOT, "packages", "autocomplete");
export const CLIENT_DIR = join(ROOT, "packages", "client");
/** The demo page loads the element from here (public/ is served as static assets). */
export const PUBLIC_ELEMENT = join(ROOT, "public", "lieux-autocomplete.js");

const elementVersion = () => (JSON.parse(readFileSync(join(ELEMENT_DIR, "package.json"), "utf8")) as { version: string }).version;

async function bundle(options: BuildOptions): Promise<string> {
  const result = await build({ bundle: true, write: false, target: "es2022", logLevel: "silent", legalComments: "inline", ...options });
  return result.outputFiles![0]!.text;
}

/**
 * The element as an ES module and as one IIFE file for a plain <script> tag, both minified.
 * Deterministic: `check:size` rebuilds the IIFE and compares it with the committed copy in public/.
 */
export async function elementBundles(): Promise<{ esm: string; iife: string }> {
  const common: BuildOptions = {
    entryPoints: [join(ELEMENT_DIR, "src", "index.ts")],
    minify: true,
    banner: { js: `/*! @lieux/autocomplete ${elementVersion()} · built by npm run build:packages */` },
  };
  const [esm, iife] = await Promise.all([bundle({ ...common, format: "esm" }), bundle({ ...common, format: "iife", globalName: "LieuxAutocomplete" })]);
  return { esm, iife };
}

/** The client as a readable ES module; openapi-fetch stays a dependency. */
export function clientBundle(): Promise<string> {
  return bundle({ entryPoints: [join(CLIENT_DIR, "src", "index.ts")], format: "esm", external: ["openapi-fetch"] });
}
