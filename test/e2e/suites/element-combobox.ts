import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MOBILE } from "../helpers/browser.ts";
import type { DemoEnv } from "../helpers/demo-env.ts";
import { elementProperty, inputOf, openElementPage, optionsOf, recordedEvents, resultsShown } from "../helpers/element-pages.ts";

const PAGE = {
  body: `<label for="commune">Commune</label>
    <lieux-autocomplete id="commune" name="commune"></lieux-autocomplete>
    <button id="after">Suivant</button>`,
};

export function elementComboboxTests(env: DemoEnv) {
  describe("<lieux-autocomplete>: choosing a commune", () => {
    it("moves with the arrows, Home and End, and chooses on Enter (lieux-select carries the ville)", async (t) => {
      const { context, page, errors } = await openElementPage(env.browser, env.api.origin, PAGE);
      t.after(() => context.close());
      const input = inputOf(page, "commune");
      await input.pressSequentially("nant", { delay: 30 });
      await resultsShown(page, "commune", "nant");
      const count = await optionsOf(page, "commune").count();
      assert.ok(count > 2, `${count} options`);
      assert.equal(await input.getAttribute("aria-expanded"), "true");
      assert.equal(await page.locator("#commune").getByRole("status").textContent(), `${count} communes trouvées.`);

      const active = () => input.getAttribute("aria-activedescendant");
      await page.keyboard.press("ArrowDown");
      assert.equal(await active(), "option-0");
      await page.keyboard.press("End");
      assert.equal(await active(), `option-${count - 1}`);
      await page.keyboard.press("Home");
      assert.equal(await active(), "option-0");
      assert.equal(await page.locator("#commune #option-0").getAttribute("aria-selected"), "true");
      await page.keyboard.press("ArrowUp");
      assert.equal(await active(), `option-${count - 1}`, "ArrowUp wraps to the last option");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");

      assert.equal(await input.inputValue(), "Nantes");
      assert.equal(await elementProperty(page, "commune", "element.value"), "44109");
      assert.equal(await elementProperty(page, "commune", "element.selected.departement.code"), "44");
      assert.equal(await input.getAttribute("aria-expanded"), "false");
      assert.equal(await active(), null);
      assert.equal(await page.locator("#commune").getByRole("status").textContent(), "Nantes sélectionnée.");
      assert.deepEqual((await recordedEvents(page)).filter((event) => event.type === "lieux-select"), [{ type: "lieux-select", id: "commune", code: "44109" }]);
      assert.equal(await page.evaluate("document.activeElement.id"), "commune", "focus stays in the element");
      assert.deepEqual(errors, []);
    });

    it("closes on Escape, clears on a second Escape, and takes the active option along on Tab", async (t) => {
      const { context, page } = await openElementPage(env.browser, env.api.origin, PAGE);
      t.after(() => context.close());
      const input = inputOf(page, "commune");
      await input.pressSequentially("lyon", { delay: 30 });
      await resultsShown(page, "commune", "lyon");
      await page.keyboard.press("Escape");
      assert.equal(await input.getAttribute("aria-expanded"), "false");
      assert.ok(await page.locator("#commune").getByRole("listbox", { includeHidden: true }).isHidden());
      await page.keyboard.press("Escape");
      assert.equal(await input.inputValue(), "");

      await input.pressSequentially("marseille", { delay: 30 });
      await resultsShown(page, "commune", "marseille");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      const second = (await page.locator("#commune #option-1").getAttribute("aria-label"))!.split(", ")[0];
      await page.keyboard.press("Tab");
      assert.equal(await input.inputValue(), second);
      assert.match(await elementProperty<string>(page, "commune", "element.value"), /^13\d{3}$/);
      assert.equal(await page.evaluate("document.activeElement.id"), "after", "Tab moves focus on");
    });

    it("follows the mouse and chooses on a click", async (t) => {
      const { context, page } = await openElementPage(env.browser, env.api.origin, PAGE);
      t.after(() => context.close());
      const input = inputOf(page, "commune");
      await input.pressSequentially("bordeaux", { delay: 30 });
      await resultsShown(page, "commune", "bordeaux");
      await page.locator("#commune #option-0").hover();
      assert.equal(await input.getAttribute("aria-activedescendant"), "option-0");
      await page.locator("#commune #option-0").click();
      assert.equal(await input.inputValue(), "Bordeaux");
      assert.equal(await elementProperty(page, "commune", "element.value"), "33063");
      assert.equal(await page.evaluate("document.activeElement.id"), "commune", "the click kept focus in the element");
    });

    it("chooses on a tap on a touch screen", async (t) => {
      const { context, page } = await openElementPage(env.browser, env.api.origin, PAGE, MOBILE);
      t.after(() => context.close());
      const input = inputOf(page, "commune");
      await input.tap();
      await input.pressSequentially("toulouse", { delay: 30 });
      await resultsShown(page, "commune", "toulouse");
      await page.locator("#commune #option-0").tap();
      assert.equal(await input.inputValue(), "Toulouse");
      assert.equal(await elementProperty(page, "commune", "element.value"), "31555");
      assert.equal(await input.getAttribute("aria-expanded"), "false");
    });
  });
}
