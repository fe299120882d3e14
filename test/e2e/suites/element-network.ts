import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Request } from "playwright-core";
import type { DemoEnv } from "../helpers/demo-env.ts";
import { AUTOCOMPLETE_PATH } from "../helpers/demo-page.ts";
import { inputOf, openElementPage, optionsOf, recordedEvents, resultsShown } from "../helpers/element-pages.ts";

const PAGE = { body: `<label for="commune">Commune</label><lieux-autocomplete id="commune"></lieux-autocomplete>` };
const isAutocomplete = (request: Request) => new URL(request.url()).pathname === AUTOCOMPLETE_PATH;
const queryOf = (request: Request) => new URL(request.url()).searchParams.get("q") ?? "";

export function elementNetworkTests(env: DemoEnv) {
  describe("<lieux-autocomplete> and the network", () => {
    it("aborts the stale request when the user types on, and shows only the last query's list", async (t) => {
      const { context, page, errors } = await openElementPage(env.browser, env.api.origin, PAGE);
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
      page.on("request", (request) => isAutocomplete(request) && sent.push(queryOf(request)));
      page.on("requestfailed", (request) => {
        if (isAutocomplete(request) && request.failure()?.errorText === "net::ERR_ABORTED") aborted.push(queryOf(request));
      });
      await inputOf(page, "commune").pressSequentially("brie", { delay: 200 });
      await resultsShown(page, "commune", "brie");
      assert.deepEqual(sent, ["b", "br", "bri", "brie"]);
      assert.deepEqual(aborted, ["b", "br", "bri"]);
      const rendered = (await recordedEvents(page)).filter((event) => event.type === "lieux-results").map((event) => event.q);
      assert.deepEqual(rendered, ["brie"], "no stale list was ever rendered");
      for (const name of await optionsOf(page, "commune").locator(".name").allTextContents()) assert.match(name.normalize("NFD"), /bri\p{M}?e/iu);
      assert.deepEqual(errors, []);
    });

    it("says so when the API rate-limits the page (429 with Retry-After), and waits before asking again", async (t) => {
      const { context, page, errors } = await openElementPage(env.browser, env.api.origin, PAGE);
      t.after(() => context.close());
      let requests = 0;
      // A fault of the network path, faked here: the API's own limiter allows far more in the test stack.
      await page.route(`**${AUTOCOMPLETE_PATH}?*`, (route) => {
        requests += 1;
        return route.fulfill({
          status: 429,
          headers: { "Retry-After": "30", "Content-Type": "application/json" },
          body: JSON.stringify({ error: { code: "rate_limited", message: "Too many requests", details: {}, requestId: "e2e" } }),
        });
      });
      const input = inputOf(page, "commune");
      await input.pressSequentially("paris", { delay: 30 });
      const alert = page.locator("#commune").getByRole("alert");
      await alert.waitFor({ state: "visible" });
      assert.match((await alert.textContent()) ?? "", /^Trop de requêtes : réessayez dans 30 s\./);
      assert.equal(await input.getAttribute("aria-expanded"), "false");
      assert.equal(requests, 1);
      assert.deepEqual((await recordedEvents(page)).map((event) => event.type), ["lieux-error"]);

      await input.press("1");
      await page.waitForTimeout(400);
      assert.equal(requests, 1, "no request while Retry-After runs");
      assert.match((await alert.textContent()) ?? "", /réessayez dans (29|30) s/);
      assert.deepEqual(errors, [], "nothing but the browser's own network line in the console");
    });

    it("says the API is unreachable, then recovers with Retry", async (t) => {
      const { context, page, errors } = await openElementPage(env.browser, env.api.origin, PAGE);
      t.after(() => context.close());
      await page.route(`**${AUTOCOMPLETE_PATH}?*`, (route) => route.abort("connectionrefused"));
      await inputOf(page, "commune").pressSequentially("lille", { delay: 30 });
      const alert = page.locator("#commune").getByRole("alert");
      await alert.waitFor({ state: "visible" });
      assert.match((await alert.textContent()) ?? "", /L'API ne répond pas/);

      await page.unroute(`**${AUTOCOMPLETE_PATH}?*`);
      await page.locator("#commune").getByRole("button", { name: "Réessayer" }).click();
      await resultsShown(page, "commune", "lille");
      assert.ok(await alert.isHidden());
      assert.equal(await inputOf(page, "commune").getAttribute("aria-expanded"), "true");
      assert.deepEqual(errors, []);
    });
  });
}
