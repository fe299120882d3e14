import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";

/** The demo's own policy from public/_headers: no inline script or style at all. */
export const DEMO_CSP = readFileSync(join(process.cwd(), "public", "_headers"), "utf8").match(/Content-Security-Policy: (.+)/)![1]!.trim();

export interface TestPage {
  /** The page's markup inside <body>; the element's IIFE from public/ is loaded in <head>. */
  body: string;
  lang?: string;
  /** An inline <style> in <head> (not allowed with `csp`). */
  style?: string;
  csp?: string;
}

export interface ElementPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions, minus the browser's own network log lines. */
  errors: string[];
}

/**
 * Opens a page made for one test on the API's own origin, under /element-test/: Playwright
 * answers the document itself, while the element's script and the API come from the real
 * `wrangler dev`. Every `lieux-select`, `lieux-results` and `lieux-error` is recorded.
 */
export async function openElementPage(browser: Browser, origin: string, testPage: TestPage, options: Parameters<Browser["newContext"]>[0] = {}): Promise<ElementPage> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 760 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    // Chromium logs every failed request ("Failed to load resource: … 429"): that is the browser, not the page's code.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(message.text());
  });
  await page.addInitScript({
    content: `window.events = [];
      for (const type of ["lieux-select", "lieux-results", "lieux-error"]) document.addEventListener(type, (event) => {
        const { q, code_insee } = event.detail;
        window.events.push({ type, id: event.target.id, ...(q === undefined ? {} : { q }), ...(code_insee === undefined ? {} : { code: code_insee }) });
      });
      window.violations = [];
      document.addEventListener("securitypolicyviolation", (event) => window.violations.push(event.violatedDirective + " " + event.blockedURI));`,
  });
  const html = `<!doctype html><html lang="${testPage.lang ?? "fr"}"><head><meta charset="utf-8"><title>element test</title>
    <link rel="icon" href="data:,">${testPage.style ? `<style>${testPage.style}</style>` : ""}
    <script src="/lieux-autocomplete.js"></script></head><body>${testPage.body}</body></html>`;
  await page.route(`${origin}/element-test/page.html`, (route) =>
    route.fulfill({ contentType: "text/html; charset=utf-8", body: html, headers: testPage.csp ? { "Content-Security-Policy": testPage.csp } : {} }),
  );
  await page.goto(`${origin}/element-test/page.html`);
  await page.waitForFunction(`customElements.get("lieux-autocomplete") !== undefined`);
  return { context, page, errors };
}

export interface RecordedEvent {
  type: "lieux-select" | "lieux-results" | "lieux-error";
  id: string;
  q?: string;
  code?: string;
}

export function recordedEvents(page: Page): Promise<RecordedEvent[]> {
  return page.evaluate("window.events") as Promise<RecordedEvent[]>;
}

/** Waits until the element `id` has shown the answer for `q` (a function, not a string: a strict CSP forbids eval). */
export async function resultsShown(page: Page, id: string, q: string): Promise<void> {
  await page.waitForFunction(
    ([id, q]) => (globalThis as unknown as { events: RecordedEvent[] }).events.some((event) => event.type === "lieux-results" && event.id === id && event.q === q),
    [id, q] as const,
  );
}

/** The inner input of element `id`, by its role (Playwright pierces the open shadow root). */
export const inputOf = (page: Page, id: string) => page.locator(`#${id}`).getByRole("combobox");
export const optionsOf = (page: Page, id: string) => page.locator(`#${id}`).getByRole("option");

/** Reads a property of the element `id` itself (value, validity…). */
export function elementProperty<T>(page: Page, id: string, expression: string): Promise<T> {
  return page.evaluate(`(() => { const element = document.getElementById(${JSON.stringify(id)}); return ${expression}; })()`) as Promise<T>;
}
