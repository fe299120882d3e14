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

/** Waits until the list shows the answer for `q`, then reads its options. */
export async function optionsFor(page: Page, q: string): Promise<ShownOption[]> {
  await page.locator(`#ville-options[data-query="${q}"]`).waitFor({ state: "attached" });
  const options = page.locator('#ville-options [role="option"]');
  const names = await options.locator(".option-name").allTextContents();
  const metas = await options.locator(".option-meta").allTextContents();
  return names.map((name, index) => ({ name: name.trim(), meta: metas[index]?.trim() ?? "" }));
}

/** Every `data-query` the list was rendered for since the page loaded (see openDemo). */
export function renderedQueries(page: Page): Promise<string[]> {
  return page.evaluate("window.renderedQueries") as Promise<string[]>;
}

export async function devPanelField(page: Page, id: string): Promise<string> {
  return (await page.locator(`#dev-${id}`).textContent())?.trim() ?? "";
}
