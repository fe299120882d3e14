import { Hono } from "hono";
import type { AppEnv } from "../../app-env.ts";
import { DOCS_CSS, DOCS_HTML, DOCS_JS } from "./page.ts";

/** Only same-origin scripts, styles and fetches: the page works offline and nothing else can run in it. */
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function asset(body: string, contentType: string) {
  return (c: { header: (name: string, value: string) => void; body: (body: string) => Response }) => {
    c.header("Content-Type", contentType);
    c.header("Content-Security-Policy", DOCS_CSP);
    c.header("Cache-Control", "public, max-age=300");
    return c.body(body);
  };
}

/** GET /docs renders /openapi.json in a page with no CDN and a strict CSP. */
export const docsRoutes = new Hono<AppEnv>()
  .get("/docs", asset(DOCS_HTML, "text/html; charset=utf-8"))
  .get("/docs/docs.js", asset(DOCS_JS, "text/javascript; charset=utf-8"))
  .get("/docs/docs.css", asset(DOCS_CSS, "text/css; charset=utf-8"));
