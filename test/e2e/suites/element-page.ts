import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { screenshotPath } from "../helpers/browser.ts";
import type { DemoEnv } from "../helpers/demo-env.ts";
import { AUTOCOMPLETE_PATH } from "../helpers/demo-page.ts";
import { DEMO_CSP, elementProperty, inputOf, openElementPage, optionsOf, recordedEvents, resultsShown } from "../helpers/element-pages.ts";

/** A computed style of the element's popup, read with a string expression (a strict CSP forbids eval, not CDP). */
const listboxStyle = (page: Page, id: string, property: string) =>
  page.evaluate(`getComputedStyle(document.getElementById(${JSON.stringify(id)}).shadowRoot.querySelector('[role="listbox"]')).${property}`);

const SMALL_BOX = {
  style: `:root { color-scheme: light dark; font: 16px system-ui, sans-serif; }
    .box { width: 22rem; height: 5.5rem; overflow: hidden; padding: .5rem; border: 2px dashed #c33; position: relative; z-index: 0; }
    .next { position: relative; z-index: 10; height: 16rem; padding: .5rem; background: #fde68a; color: #1b1b1f; }`,
  body: `<div class="box"><label for="commune">Commune (dans un conteneur overflow: hidden)</label>
    <lieux-autocomplete id="commune"></lieux-autocomplete></div>
    <div class="next">Contenu suivant, z-index: 10</div>`,
};

export function elementPageTests(env: DemoEnv) {
  describe("<lieux-autocomplete> in other people's pages", () => {
    it("works under the demo's strict CSP (no inline script or style) without a violation of its own", async (t) => {
      const { context, page, errors } = await openElementPage(env.browser, env.api.origin, {
        csp: DEMO_CSP,
        // The canary proves the policy is enforced: its inline style must be refused.
        body: `<p id="canary" style="color: rgb(255, 0, 0)">canari</p><label for="commune">Commune</label><lieux-autocomplete id="commune"></lieux-autocomplete>`,
      });
      t.after(() => context.close());
      assert.equal(await page.evaluate(`getComputedStyle(document.getElementById("canary")).color`), "rgb(0, 0, 0)");
      await inputOf(page, "commune").pressSequentially("nant", { delay: 30 });
      await resultsShown(page, "commune", "nant");
      const listbox = page.locator("#commune").getByRole("listbox");
      assert.ok(await listbox.isVisible());
      // The adopted stylesheet applied: the list is a styled fixed popup, not an unstyled block.
      assert.equal(await listboxStyle(page, "commune", "position"), "fixed");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      assert.equal(await elementProperty(page, "commune", "element.value"), "44109");
      const violations = (await page.evaluate("window.violations")) as string[];
      assert.deepEqual(violations, ["style-src-attr inline"], "only the canary was refused");
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0]!, /inline style/);
    });

    it("runs two elements on one page independently, each with its own filters and language", async (t) => {
      const { context, page } = await openElementPage(env.browser, env.api.origin, {
        body: `<label for="depart">Départ</label><lieux-autocomplete id="depart" name="depart" departement="44"></lieux-autocomplete>
          <div lang="en"><label for="arrivee">Arrival</label>
          <lieux-autocomplete id="arrivee" name="arrivee" type="arrondissement-municipal" limit="3" required></lieux-autocomplete></div>`,
      });
      t.after(() => context.close());
      const depart = inputOf(page, "depart");
      const arrivee = inputOf(page, "arrivee");
      await depart.pressSequentially("saint", { delay: 30 });
      await resultsShown(page, "depart", "saint");
      for (const meta of await optionsOf(page, "depart").locator(".meta").allTextContents()) assert.match(meta, /\(44\)/);
      assert.equal(await depart.getAttribute("aria-expanded"), "true");
      assert.equal(await optionsOf(page, "arrivee").count(), 0);
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      const departCode = await elementProperty<string>(page, "depart", "element.value");
      assert.match(departCode, /^44\d{3}$/);

      await arrivee.pressSequentially("lyon", { delay: 30 });
      await resultsShown(page, "arrivee", "lyon");
      const names = await optionsOf(page, "arrivee").locator(".name").allTextContents();
      assert.equal(names.length, 3);
      for (const name of names) assert.match(name, /^Lyon \d+(er|e) Arrondissement/);
      assert.equal(await page.locator("#arrivee").getByRole("status").textContent(), "3 results.");
      assert.equal(await elementProperty(page, "arrivee", "element.validationMessage"), "Choose a town from the list.");
      assert.equal(await depart.getAttribute("aria-expanded"), "false");
      await page.keyboard.press("End");
      await page.keyboard.press("Enter");

      assert.match(await elementProperty<string>(page, "arrivee", "element.value"), /^6938\d$/);
      assert.equal(await elementProperty(page, "depart", "element.value"), departCode, "the first element kept its value");
      const selections = (await recordedEvents(page)).filter((event) => event.type === "lieux-select").map((event) => event.id);
      assert.deepEqual(selections, ["depart", "arrivee"]);
    });

    it("shows the whole list above a small overflow: hidden container and a z-index, in light and dark (screenshots)", async (t) => {
      for (const colorScheme of ["light", "dark"] as const) {
        const { context, page, errors } = await openElementPage(env.browser, env.api.origin, SMALL_BOX, { viewport: { width: 800, height: 600 }, colorScheme });
        t.after(() => context.close());
        await inputOf(page, "commune").pressSequentially("saint", { delay: 30 });
        await resultsShown(page, "commune", "saint");
        await page.keyboard.press("ArrowDown");
        const listbox = page.locator("#commune").getByRole("listbox");
        const box = (await page.locator(".box").boundingBox())!;
        const list = (await listbox.boundingBox())!;
        assert.ok(list.y + list.height > box.y + box.height + 100, "the list reaches far below the container");
        // What is really painted at the centre of the lowest option in view: the option itself, not the container or the z-index: 10 block.
        const lowestOnTop = await page.evaluate(`(() => {
          const host = document.getElementById("commune");
          const list = host.shadowRoot.querySelector('[role="listbox"]').getBoundingClientRect();
          const inView = [...host.shadowRoot.querySelectorAll('[role="option"]')].filter((option) => option.getBoundingClientRect().bottom <= list.bottom);
          const lowest = inView[inView.length - 1];
          const rect = lowest.getBoundingClientRect();
          const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
          return { index: inView.length - 1, painted: document.elementFromPoint(x, y) === host && lowest.contains(host.shadowRoot.elementFromPoint(x, y)) };
        })()`) as { index: number; painted: boolean };
        assert.ok(lowestOnTop.index >= 5, `only ${lowestOnTop.index + 1} options in view`);
        assert.equal(lowestOnTop.painted, true);
        const background = await listboxStyle(page, "commune", "backgroundColor");
        assert.equal(background, colorScheme === "light" ? "rgb(255, 255, 255)" : "rgb(31, 32, 38)");
        await page.screenshot({ path: screenshotPath(`element-small-container-${colorScheme}.png`) });
        assert.deepEqual(errors, []);
      }
    });

    it("renders through a <template slot=\"item\"> or renderItem, and never as HTML", async (t) => {
      const { context, page } = await openElementPage(env.browser, env.api.origin, {
        body: `<label for="gabarit">Gabarit</label>
          <lieux-autocomplete id="gabarit"><template slot="item"><strong part="nom" data-field="nom_highlight"></strong> <small data-field="region.nom"></small> <em data-field="codes_postaux"></em></template></lieux-autocomplete>
          <label for="fonction">Fonction</label><lieux-autocomplete id="fonction"></lieux-autocomplete>`,
      });
      t.after(() => context.close());
      const ville = { code_insee: "44109", nom: "Nantes", type: "commune-actuelle", codes_postaux: ["44000", "44100"], code_postal_principal: "44000", departement: { code: "44", nom: "Loire-Atlantique" }, population: 1 };
      const results = [
        { ...ville, nom_highlight: "<mark>Nant</mark>es", region: { code: "52", nom: '<img src=x onerror="window.pwned=1">' } },
        { ...ville, nom: "Nantua", nom_highlight: "<mark>Nant</mark>ua<script>window.pwned=2</script>", region: { code: "84", nom: "Auvergne-Rhône-Alpes" } },
      ];
      await page.route(`**${AUTOCOMPLETE_PATH}?q=piege*`, (route) => route.fulfill({ json: { query: { q: "piege", normalized: "piege", limit: 10 }, match: "prefix", results } }));
      await page.evaluate(`document.getElementById("fonction").renderItem = (ville, { highlight }) => {
        const line = document.createElement("span");
        line.className = "custom";
        line.append(highlight(), " → ", ville.region.nom);
        return line;
      }`);

      await inputOf(page, "gabarit").pressSequentially("piege", { delay: 30 });
      await resultsShown(page, "gabarit", "piege");
      const templated = optionsOf(page, "gabarit");
      assert.deepEqual(await templated.locator("strong").allTextContents(), ["Nantes", "Nantua"]);
      assert.deepEqual(await templated.locator("strong mark").allTextContents(), ["Nant"], "the second highlight was not a clean <mark>…</mark>: plain name");
      assert.equal(await templated.first().locator("small").textContent(), '<img src=x onerror="window.pwned=1">');
      assert.equal(await templated.first().locator("em").textContent(), "44000, 44100");

      await inputOf(page, "fonction").pressSequentially("piege", { delay: 30 });
      await resultsShown(page, "fonction", "piege");
      assert.equal(await optionsOf(page, "fonction").first().locator(".custom").textContent(), 'Nantes → <img src=x onerror="window.pwned=1">');
      assert.equal(await page.locator("#gabarit img, #gabarit script, #fonction img, #fonction script").count(), 0);
      assert.equal(await page.evaluate("window.pwned"), undefined);
    });
  });
}
