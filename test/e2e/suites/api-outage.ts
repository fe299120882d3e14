import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { openDemo } from "../helpers/browser.ts";
import type { DemoEnv } from "../helpers/demo-env.ts";
import { combobox, devPanelField, optionsFor, typeQuery } from "../helpers/demo-page.ts";

async function expectErrorShown(page: Page) {
  const alert = page.getByRole("alert");
  await alert.waitFor({ state: "visible" });
  assert.match((await alert.textContent()) ?? "", /L'API ne répond pas/);
  assert.equal(await page.getByRole("status").textContent(), "", "the error replaces the result count");
  assert.equal(await combobox(page).getAttribute("aria-expanded"), "false");
  assert.match(await devPanelField(page, "status"), /^échec réseau/);
}

export function apiOutageTests(env: DemoEnv) {
  describe("when the API goes away", () => {
    it("shows the error state while wrangler is stopped, and recovers with Retry once it is back", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      await typeQuery(page, "lille");
      await optionsFor(page, "lille");

      await env.api.stopWorker();
      t.after(() => env.api.startWorker());
      await typeQuery(page, "grenoble");
      await expectErrorShown(page);

      await env.api.startWorker();
      await page.getByRole("button", { name: "Réessayer" }).click();
      const options = await optionsFor(page, "grenoble");
      assert.equal(options[0]?.name, "Grenoble");
      assert.ok(await page.getByRole("alert").isHidden());
      assert.equal(await combobox(page).getAttribute("aria-expanded"), "true");
    });

    it("recovers on the next keystroke once the API is back", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      await env.api.stopWorker();
      t.after(() => env.api.startWorker());
      await typeQuery(page, "dijo");
      await expectErrorShown(page);

      await env.api.startWorker();
      await combobox(page).press("n");
      const options = await optionsFor(page, "dijon");
      assert.equal(options[0]?.name, "Dijon");
      assert.ok(await page.getByRole("alert").isHidden());
    });
  });
}
