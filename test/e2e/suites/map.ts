import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openDemo } from "../helpers/browser.ts";
import type { DemoEnv } from "../helpers/demo-env.ts";
import { AUTOCOMPLETE_PATH, combobox, optionsFor, typeQuery } from "../helpers/demo-page.ts";

export function mapTests(env: DemoEnv) {
  describe("the map and near me", () => {
    it("draws France from the communes' points and marks the chosen one", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      await typeQuery(page, "nantes");
      await optionsFor(page, "nantes");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      assert.equal(await combobox(page).inputValue(), "Nantes");
      await page.locator("#map circle.chosen").waitFor();
      assert.ok((await page.locator("#map circle.outline").count()) > 400, "the outline is drawn from hundreds of points");
      assert.equal(await page.locator("#map-caption").textContent(), "Centre : 47.21725, -1.55336");
    });

    it("biases the list towards the browser's position once 'near me' is ticked", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin, { geolocation: { latitude: 44.3506, longitude: 2.576 }, permissions: ["geolocation"] });
      t.after(() => context.close());
      const sent: string[] = [];
      page.on("request", (request) => {
        if (request.url().includes(AUTOCOMPLETE_PATH)) sent.push(new URL(request.url()).searchParams.get("near") ?? "");
      });
      await page.locator("#near-me").check();
      // The element asks for the position once; the first keystrokes may go unbiased meanwhile.
      await page.locator('#ville[near="auto"]').waitFor({ state: "attached" });
      await typeQuery(page, "villeneu");
      await optionsFor(page, "villeneu");
      await typeQuery(page, "villeneuve");
      const shown = await optionsFor(page, "villeneuve");
      assert.equal(sent.at(-1), "44.35,2.58");
      const firstVilleneuve = shown.find((option) => option.name === "Villeneuve");
      assert.match(firstVilleneuve?.meta ?? "", /\(12\)/);
    });
  });
}
