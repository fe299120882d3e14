import { after, before } from "node:test";
import { launchChromium } from "./helpers/browser.ts";
import type { DemoEnv } from "./helpers/demo-env.ts";
import { startLocalApi } from "./helpers/local-api.ts";
import { apiOutageTests } from "./suites/api-outage.ts";
import { keyboardAndPointerTests } from "./suites/keyboard-and-pointer.ts";
import { layoutTests } from "./suites/layout.ts";
import { mapTests } from "./suites/map.ts";
import { networkTests } from "./suites/network.ts";
import { searchTests } from "./suites/search.ts";

/**
 * The demo page in a real Chromium against the real local stack: one stack and one
 * browser for the whole file, because seeding the communes takes most of a minute.
 */
const env = {} as DemoEnv;

before(async () => {
  const started = Date.now();
  env.api = await startLocalApi();
  env.browser = await launchChromium();
  console.log(`local stack, wrangler dev and Chromium ready in ${Date.now() - started} ms at ${env.api.origin}`);
}, { timeout: 300_000 });

after(async () => {
  await env.browser?.close();
  await env.api?.stop();
}, { timeout: 60_000 });

searchTests(env);
keyboardAndPointerTests(env);
networkTests(env);
layoutTests(env);
mapTests(env);
// Last: it stops and restarts the API under the other suites' feet otherwise.
apiOutageTests(env);
