import type { Browser } from "playwright-core";
import type { LocalApi } from "./local-api.ts";

/** What the e2e entry file starts once and every suite shares; filled in by its `before` hook. */
export interface DemoEnv {
  api: LocalApi;
  browser: Browser;
}
