import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DemoEnv } from "../helpers/demo-env.ts";
import { elementProperty, inputOf, openElementPage, resultsShown } from "../helpers/element-pages.ts";

const FORM_PAGE = {
  body: `<form id="form" action="/element-test/submitted" method="get">
      <label for="commune">Commune de naissance</label>
      <lieux-autocomplete id="commune" name="commune" required></lieux-autocomplete>
      <input name="nom" value="Dupont">
      <button id="submit">Envoyer</button>
      <button id="reset" type="reset">Effacer</button>
    </form>`,
};

export function elementFormTests(env: DemoEnv) {
  describe("<lieux-autocomplete> in a form", () => {
    it("submits the chosen commune's code_insee under its name", async (t) => {
      const { context, page } = await openElementPage(env.browser, env.api.origin, FORM_PAGE);
      t.after(() => context.close());
      const submitted: string[] = [];
      await page.route(`${env.api.origin}/element-test/submitted?*`, (route) => {
        submitted.push(route.request().url());
        return route.fulfill({ contentType: "text/plain", body: "envoyé" });
      });
      const input = inputOf(page, "commune");
      await input.pressSequentially("rennes", { delay: 30 });
      await resultsShown(page, "commune", "rennes");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      assert.equal(await elementProperty(page, "commune", "element.value"), "35238");
      assert.equal(await page.evaluate(`new FormData(document.getElementById("form")).get("commune")`), "35238");

      await Promise.all([page.waitForURL("**/element-test/submitted?*"), page.locator("#submit").click()]);
      assert.equal(submitted.length, 1);
      const query = new URL(submitted[0]!).searchParams;
      assert.equal(query.get("commune"), "35238");
      assert.equal(query.get("nom"), "Dupont");
    });

    it("blocks an empty `required` field, stays invalid until a commune is chosen, and resets with the form", async (t) => {
      const { context, page } = await openElementPage(env.browser, env.api.origin, FORM_PAGE);
      t.after(() => context.close());
      const submitted: string[] = [];
      await page.route(`${env.api.origin}/element-test/submitted?*`, (route) => {
        submitted.push(route.request().url());
        return route.fulfill({ contentType: "text/plain", body: "envoyé" });
      });
      const valid = () => elementProperty<boolean>(page, "commune", "element.checkValidity()");

      await page.locator("#submit").click();
      await page.waitForTimeout(300);
      assert.deepEqual(submitted, [], "the form was not sent");
      assert.equal(await elementProperty(page, "commune", "element.matches(':invalid')"), true);
      assert.equal(await elementProperty(page, "commune", "element.validity.valueMissing"), true);
      assert.equal(await elementProperty(page, "commune", "element.validationMessage"), "Choisissez une commune dans la liste.");
      assert.equal(await page.evaluate("document.activeElement.id"), "commune", "the browser focuses the invalid field");

      const input = inputOf(page, "commune");
      await input.pressSequentially("brest", { delay: 30 });
      await resultsShown(page, "commune", "brest");
      assert.equal(await valid(), false, "text that is not a chosen commune is no value");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      assert.equal(await valid(), true);
      assert.equal(await elementProperty(page, "commune", "element.value"), "29019");

      await page.locator("#reset").click();
      assert.equal(await input.inputValue(), "");
      assert.equal(await elementProperty(page, "commune", "element.value"), "");
      assert.equal(await valid(), false);
      assert.equal(await page.evaluate(`new FormData(document.getElementById("form")).get("commune")`), null);
    });

    it("shows the commune for a value set from script, and follows the form's disabled state", async (t) => {
      const { context, page } = await openElementPage(env.browser, env.api.origin, FORM_PAGE);
      t.after(() => context.close());
      await page.evaluate(`document.getElementById("commune").value = "67482"`);
      await page.waitForFunction(`document.getElementById("commune").shadowRoot.querySelector("input").value === "Strasbourg"`);
      assert.equal(await elementProperty(page, "commune", "element.checkValidity()"), true);
      await page.evaluate(`document.querySelector("form").append(Object.assign(document.createElement("fieldset"), { disabled: true, id: "box" })); document.getElementById("box").append(document.getElementById("commune"))`);
      assert.equal(await inputOf(page, "commune").isDisabled(), true);
    });
  });
}
