import { after, before } from "node:test";
import { launchChromium } from "./helpers/browser.ts";
import type { DemoEnv } from "./helpers/demo-env.ts";
import { startLocalApi } from "./helpers/local-api.ts";
import { clientTests } from "./suites/client.ts";
import { elementComboboxTests } from "./suites/element-combobox.ts";
import { elementFormTests } from "./suites/element-form.ts";
import { elementNetworkTests } from "./suites/element-network.ts";
import { elementPageTests } from "./suites/element-page.ts";

/**
 * The packages of packages/ against the real local stack: <lieux-autocomplete> (the IIFE
 * that public/ serves) in Chromium, in pages made for each test, and @lieux/client in Node.
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

elementComboboxTests(env);
elementFormTests(env);
elementNetworkTests(env);
elementPageTests(env);
// Last: it imports rows (the other suites' answers must not change under them).
clientTests(env);
