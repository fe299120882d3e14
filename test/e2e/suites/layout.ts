import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { MOBILE, openDemo, screenshotPath } from "../helpers/browser.ts";
import type { DemoEnv } from "../helpers/demo-env.ts";
import { optionsFor, typeQuery } from "../helpers/demo-page.ts";

const STRICT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Console errors include CSP violations: a page that needs anything not 'self' shows them. */
function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

export function layoutTests(env: DemoEnv) {
  describe("the page itself", () => {
    it("is served as static assets with nosniff and a strict CSP, while the API still answers", async () => {
      for (const path of ["/", "/app.js", "/app.css", "/lieux-autocomplete.js"]) {
        const response = await fetch(`${env.api.origin}${path}`);
        assert.equal(response.status, 200, path);
        assert.equal(response.headers.get("X-Content-Type-Options"), "nosniff", path);
        assert.equal(response.headers.get("Content-Security-Policy"), STRICT_CSP, path);
      }
      const api = await fetch(`${env.api.origin}/v1/villes/autocomplete?q=nant`);
      assert.equal(api.status, 200);
      assert.match(api.headers.get("Server-Timing") ?? "", /cache(;dur=[\d.]+)?;desc="/);
      assert.equal((await fetch(`${env.api.origin}/health`)).status, 200);
      assert.equal((await fetch(`${env.api.origin}/_headers`)).status, 404, "the headers file is configuration, not an asset");
    });

    it("renders on a desktop without a console error (screenshot)", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin, { viewport: { width: 1280, height: 900 } });
      t.after(() => context.close());
      const errors = collectConsoleErrors(page);
      await typeQuery(page, "saint sauveur");
      await optionsFor(page, "saint sauveur");
      await page.screenshot({ path: screenshotPath("demo-desktop.png") });
      assert.deepEqual(errors, []);
    });

    it("fits a 375 px phone screen (screenshot)", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin, MOBILE);
      t.after(() => context.close());
      const errors = collectConsoleErrors(page);
      await typeQuery(page, "nant");
      await optionsFor(page, "nant");
      assert.ok((await page.evaluate("document.documentElement.scrollWidth")) as number <= 375, "no horizontal scroll");
      const listbox = await page.getByRole("listbox").boundingBox();
      assert.ok(listbox && listbox.x >= 0 && listbox.x + listbox.width <= 375, "the list fits the screen");
      await page.screenshot({ path: screenshotPath("demo-mobile.png") });
      await page.screenshot({ path: screenshotPath("demo-mobile-full.png"), fullPage: true });
      assert.deepEqual(errors, []);
    });
  });
}
