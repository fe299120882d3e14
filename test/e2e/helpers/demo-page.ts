import type { Page } from "playwright-core";

/** What a person sees in one option: the name, then département and main postal code. */
export interface ShownOption {
  name: string;
  meta: string;
}

export const AUTOCOMPLETE_PATH = "/v1/villes/autocomplete";

export const combobox = (page: Page) => page.getByRole("combobox", { name: "Commune ou code postal" });

/** Empties the input, then types like a person, one key at a time. */
export async function typeQuery(page: Page, text: string, delayMs = 30): Promise<void> {
  const input = combobox(page);
  await input.fill("");
  await input.pressSequentially(text, { delay: delayMs });
}

/** The options inside the element's shadow root (Playwright's CSS locators pierce open shadow roots). */
export const options = (page: Page) => page.locator('#ville [role="option"]');

/** Waits until the list shows the answer for `q`, then reads its options. */
export async function optionsFor(page: Page, q: string): Promise<ShownOption[]> {
  // A function, not a string: the demo's CSP forbids eval.
  await page.waitForFunction((query) => (globalThis as unknown as { renderedQueries: string[] }).renderedQueries.at(-1) === query, q);
  const names = await options(page).locator(".name").allTextContents();
  const metas = await options(page).locator(".meta").allTextContents();
  return names.map((name, index) => ({ name: name.trim(), meta: metas[index]?.trim() ?? "" }));
}

/** Every `data-query` the list was rendered for since the page loaded (see openDemo). */
export function renderedQueries(page: Page): Promise<string[]> {
  return page.evaluate("window.renderedQueries") as Promise<string[]>;
}

export async function devPanelField(page: Page, id: string): Promise<string> {
  return (await page.locator(`#dev-${id}`).textContent())?.trim() ?? "";
}
