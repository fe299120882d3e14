import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MOBILE, openDemo } from "../helpers/browser.ts";
import type { DemoEnv } from "../helpers/demo-env.ts";
import { combobox, optionsFor, typeQuery } from "../helpers/demo-page.ts";

export function keyboardAndPointerTests(env: DemoEnv) {
  describe("choosing a commune", () => {
    it("moves with the arrow keys and fills the input on Enter", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      const input = combobox(page);
      await typeQuery(page, "nant");
      const options = await optionsFor(page, "nant");

      await page.keyboard.press("ArrowDown");
      assert.equal(await input.getAttribute("aria-activedescendant"), "option-0");
      assert.equal(await page.locator("#ville #option-0").getAttribute("aria-selected"), "true");
      await page.keyboard.press("ArrowDown");
      assert.equal(await input.getAttribute("aria-activedescendant"), "option-1");
      assert.equal(await page.locator("#ville #option-0").getAttribute("aria-selected"), "false");
      await page.keyboard.press("ArrowUp");
      assert.equal(await input.getAttribute("aria-activedescendant"), "option-0");
      await page.keyboard.press("ArrowUp");
      assert.equal(await input.getAttribute("aria-activedescendant"), `option-${options.length - 1}`, "ArrowUp wraps to the last option");
      await page.keyboard.press("ArrowDown");

      await page.keyboard.press("Enter");
      assert.equal(await input.inputValue(), "Nantes");
      assert.equal(await input.getAttribute("aria-expanded"), "false");
      assert.equal(await input.getAttribute("aria-activedescendant"), null);
      assert.equal(await page.locator("#selection-nom").textContent(), "Nantes");
      assert.match((await page.locator("#selection-details").textContent()) ?? "", /44109/);
      assert.equal(await page.evaluate("document.activeElement.id"), "ville", "focus stays in the input");
    });

    it("closes on Escape, then clears the input on a second Escape", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      const input = combobox(page);
      await typeQuery(page, "lyon");
      await optionsFor(page, "lyon");
      await page.keyboard.press("Escape");
      assert.equal(await input.getAttribute("aria-expanded"), "false");
      assert.ok(await page.getByRole("listbox", { includeHidden: true }).isHidden());
      assert.equal(await input.inputValue(), "lyon");
      await page.keyboard.press("ArrowDown");
      assert.equal(await input.getAttribute("aria-expanded"), "true", "ArrowDown reopens the list");
      await page.keyboard.press("Escape");
      await page.keyboard.press("Escape");
      assert.equal(await input.inputValue(), "");
      assert.equal(await page.getByRole("status").textContent(), "");
    });

    it("takes the active option along on Tab and moves focus on", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      await typeQuery(page, "marseille");
      await optionsFor(page, "marseille");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      const secondLabel = (await page.locator("#ville #option-1").getAttribute("aria-label")) ?? "";
      await page.keyboard.press("Tab");
      assert.equal(await combobox(page).inputValue(), secondLabel.split(", ")[0]);
      // the next control in the demo's form: the "near me" toggle
      assert.equal(await page.evaluate("document.activeElement.id"), "near-me");
    });

    it("picks an option with the mouse", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      await typeQuery(page, "bordeaux");
      await optionsFor(page, "bordeaux");
      await page.locator("#ville #option-0").hover();
      assert.equal(await combobox(page).getAttribute("aria-activedescendant"), "option-0");
      await page.locator("#ville #option-0").click();
      assert.equal(await combobox(page).inputValue(), "Bordeaux");
      assert.equal(await page.locator("#selection-nom").textContent(), "Bordeaux");
    });

    it("picks an option with a tap on a touch screen", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin, MOBILE);
      t.after(() => context.close());
      await combobox(page).tap();
      await typeQuery(page, "toulouse");
      await optionsFor(page, "toulouse");
      await page.locator("#ville #option-0").tap();
      assert.equal(await combobox(page).inputValue(), "Toulouse");
      assert.equal(await combobox(page).getAttribute("aria-expanded"), "false");
    });
  });
}
