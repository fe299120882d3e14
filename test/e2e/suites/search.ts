import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openDemo } from "../helpers/browser.ts";
import type { DemoEnv } from "../helpers/demo-env.ts";
import { AUTOCOMPLETE_PATH, combobox, devPanelField, options as optionLocator, optionsFor, typeQuery } from "../helpers/demo-page.ts";

export function searchTests(env: DemoEnv) {
  describe("searching from the demo page", () => {
    it("shows Nantes first for `nant`, in a WAI-ARIA combobox with a live result count", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      await typeQuery(page, "nant");
      const options = await optionsFor(page, "nant");
      assert.equal(options[0]?.name, "Nantes");
      assert.equal(options[0]?.meta, "Loire-Atlantique (44) · 44000");
      assert.equal(await optionLocator(page).first().locator("mark").textContent(), "Nant");

      const input = combobox(page);
      assert.equal(await input.getAttribute("aria-expanded"), "true");
      assert.equal(await input.getAttribute("aria-autocomplete"), "list");
      assert.equal(await input.getAttribute("aria-controls"), "listbox");
      assert.ok(await page.getByRole("listbox").isVisible());
      assert.equal(await page.getByRole("status").textContent(), `${options.length} communes trouvées.`);
    });

    it("tells homonyms apart by département and postal code (`saint sauveur`)", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      await typeQuery(page, "saint sauveur");
      const homonyms = (await optionsFor(page, "saint sauveur")).filter((option) => option.name === "Saint-Sauveur");
      assert.ok(homonyms.length >= 3, `only ${homonyms.length} Saint-Sauveur shown`);
      const departements = homonyms.map((option) => option.meta.match(/\((\w+)\)/)?.[1]);
      assert.equal(new Set(departements).size, homonyms.length, `départements not distinct: ${departements}`);
      for (const option of homonyms) assert.match(option.meta, /^.+ \(\w+\) · \d{5}$/);
    });

    it("filters by département and type from the lists the API serves", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      assert.ok((await page.locator("#departement option").count()) > 100);
      await page.locator("#departement").selectOption("24");
      await typeQuery(page, "saint sauveur");
      const options = await optionsFor(page, "saint sauveur");
      assert.ok(options.length > 0);
      for (const option of options) assert.match(option.meta, /\(24\)/);

      await page.locator("#departement").selectOption("");
      await page.locator("#type").selectOption("arrondissement-municipal");
      await typeQuery(page, "lyon");
      const arrondissements = await optionsFor(page, "lyon");
      assert.ok(arrondissements.length > 0);
      for (const option of arrondissements) assert.match(option.name, /^Lyon \d+(er|e) Arrondissement/);
    });

    it("says so when nothing matches", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      await typeQuery(page, "qxqxqxqx");
      assert.deepEqual(await optionsFor(page, "qxqxqxqx"), []);
      assert.equal(await page.getByRole("status").textContent(), "Aucune commune ne correspond à « qxqxqxqx ».");
      assert.equal(await combobox(page).getAttribute("aria-expanded"), "false");
    });

    it("shows which cache layer and backend answered, and the server time", async (t) => {
      // No other test asks for "brest": the first page's answer comes from the engine, a second page's from the cache.
      const first = await openDemo(env.browser, env.api.origin);
      t.after(() => first.context.close());
      await typeQuery(first.page, "brest");
      await optionsFor(first.page, "brest");
      assert.equal(await devPanelField(first.page, "cache"), "miss");
      assert.equal(await devPanelField(first.page, "backend"), "postgres");
      assert.equal(await devPanelField(first.page, "status"), "200 OK");
      assert.match(await devPanelField(first.page, "url"), /q=brest/);
      assert.match(await devPanelField(first.page, "round-trip"), /^\d+\.\d ms$/);
      assert.match(await devPanelField(first.page, "server-time"), /^recherche \d+\.\d ms, base \d+\.\d ms$/);

      // A fresh context has an empty browser cache: this request reaches the Worker, which has the answer.
      const second = await openDemo(env.browser, env.api.origin);
      t.after(() => second.context.close());
      await typeQuery(second.page, "brest");
      await optionsFor(second.page, "brest");
      assert.match(await devPanelField(second.page, "cache"), /^l[012]-hit$/);
      assert.equal(await devPanelField(second.page, "server-time"), "aucune recherche (servi du cache)");
    });

    it("builds nom_highlight from text and <mark> only, whatever the server sends", async (t) => {
      const { context, page } = await openDemo(env.browser, env.api.origin);
      t.after(() => context.close());
      const ville = { code_insee: "44109", type: "commune-actuelle", codes_postaux: ["44000"], code_postal_principal: "44000", departement: { code: "44", nom: "Loire-Atlantique" }, region: { code: "52", nom: "Pays de la Loire" }, population: 1 };
      const results = [
        { ...ville, nom: "Nantes", nom_highlight: '<mark onclick="window.pwned=1" style="color:red">Nant</mark>es<img src=x onerror="window.pwned=2">' },
        { ...ville, nom: "Nantua", nom_highlight: "<b>Nant</b>ua<script>window.pwned=3</script>" },
        { ...ville, nom: "L'Haÿ-les-Roses", nom_highlight: "<mark>L&#39;Ha</mark>ÿ-les-Roses" },
      ];
      await page.route(`**${AUTOCOMPLETE_PATH}?q=piege*`, (route) => route.fulfill({ json: { query: { q: "piege", normalized: "piege", limit: 10 }, match: "prefix", results } }));
      await typeQuery(page, "piege");
      assert.deepEqual((await optionsFor(page, "piege")).map((option) => option.name), ["Nantes", "Nantua", "L'Haÿ-les-Roses"]);
      const list = page.getByRole("listbox");
      assert.equal(await list.locator("img, script, b, [onclick], [style]").count(), 0);
      // Only a literal <mark>…</mark> becomes a mark; anything else is shown as the plain name.
      assert.deepEqual(await list.locator("mark").allTextContents(), ["L'Ha"]);
      assert.equal(await page.evaluate("window.pwned"), undefined);
    });
  });
}
