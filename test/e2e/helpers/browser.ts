import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium: the suite never downloads a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const SCREENSHOT_DIR = join(process.cwd(), "test-results");

/** Playwright gives each launch a fresh profile (`--user-data-dir` in a new temp dir) and deletes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export const MOBILE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** A fresh context (own HTTP cache) on the demo page, with the script loaded. */
export async function openDemo(browser: Browser, origin: string, options: Parameters<Browser["newContext"]>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 760 }, ...options });
  const page = await context.newPage();
  // Every list the element ever rendered, in order: proves no stale answer was shown, even briefly.
  await page.addInitScript({
    content: `window.renderedQueries = [];
      document.addEventListener("lieux-results", (event) => window.renderedQueries.push(event.detail.q));`,
  });
  await page.goto(`${origin}/`);
  await page.locator('#departement option[value="44"]').waitFor({ state: "attached" });
  return { context, page };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, name);
}
