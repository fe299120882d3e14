import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Request } from "playwright-core";
import { openDemo } from "../helpers/browser.ts";
import type { DemoEnv } from "../helpers/demo-env.ts";
import { AUTOCOMPLETE_PATH, devPanelField, optionsFor, renderedQueries, typeQuery } from "../helpers/demo-page.ts";

const isAutocomplete = (request: Request) => new URL(request.url()).pathname === AUTOCOMPLETE_PATH;
const queryOf = (request: Request) => new URL(request.url()).searchParams.get("q");

export function networkTests(env: DemoEnv) {
  describe("talking to the API while the user types", () => {
    it("sends one request for a burst of keystrokes (120 ms debounce)", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      const sent: string[] = [];
      page.on("request", (request) => isAutocomplete(request) && sent.push(queryOf(request) ?? ""));
      // Five input events in one task: a burst faster than any typist, whatever the machine's load.
      await page.evaluate(`{
        const input = document.getElementById("ville").shadowRoot.querySelector("input");
        input.focus();
        for (const value of ["s", "sa", "sai", "sain", "saint"]) {
          input.value = value;
          input.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: value.at(-1) }));
        }
      }`);
      const options = await optionsFor(page, "saint");
      assert.deepEqual(sent, ["saint"]);
      assert.ok(options.length > 0);
      for (const option of options) assert.match(option.name, /^Saint/);
    });

    it("aborts stale requests on a slow network and shows only the last query's results", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      // A slow network: every answer takes 1.5 s, far longer than the 200 ms between keystrokes.
      await page.route(`**${AUTOCOMPLETE_PATH}?*`, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await route.continue().catch(() => {
          // the page aborted it meanwhile: that is the point
        });
      });
      const sent: string[] = [];
      const aborted: string[] = [];
      page.on("request", (request) => isAutocomplete(request) && sent.push(queryOf(request) ?? ""));
      page.on("requestfailed", (request) => {
        if (isAutocomplete(request) && request.failure()?.errorText === "net::ERR_ABORTED") aborted.push(queryOf(request) ?? "");
      });

      await typeQuery(page, "saint", 200);
      const options = await optionsFor(page, "saint");
      assert.deepEqual(sent, ["s", "sa", "sai", "sain", "saint"]);
      assert.deepEqual(aborted, ["s", "sa", "sai", "sain"]);
      assert.deepEqual(await renderedQueries(page), ["saint"], "no stale list was ever rendered");
      assert.ok(options.length > 0, "the last query's list is shown");
      for (const option of options) assert.match(option.name, /^Saint/);
      assert.equal(await devPanelField(page, "counts"), "5 envoyée(s), 4 annulée(s)");
    });

    it("reuses the browser's HTTP cache for a query typed again", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      await typeQuery(page, "rennes");
      await optionsFor(page, "rennes");
      assert.equal(await devPanelField(page, "browser-cache"), "non (réseau)");
      await typeQuery(page, "renne");
      await optionsFor(page, "renne");
      await typeQuery(page, "rennes");
      await optionsFor(page, "rennes");
      assert.equal(await devPanelField(page, "browser-cache"), "oui (HTTP cache)");
    });
  });
}
