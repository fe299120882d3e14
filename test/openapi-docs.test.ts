import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

type Operation = { summary?: string; parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> };

describe("GET /openapi.json", () => {
  it("is generated from the route schemas, with shared error responses", async () => {
    const response = await callWorker("/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
    const autocomplete = document.paths["/v1/villes/autocomplete"]?.get;
    expect(autocomplete?.summary).toBe("Autocomplete commune names as the user types");
    expect(autocomplete?.parameters?.map((parameter) => parameter.name).sort()).toEqual(["departement", "fields", "format", "limit", "near", "q", "region", "type"]);
    expect(Object.keys(autocomplete!.responses)).toEqual(expect.arrayContaining(["200", "400", "429", "503"]));
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(["Ville", "Error", "Autocomplete"]));
  });
});

describe("GET /docs", () => {
  it("serves a page that renders the document with no CDN and a strict CSP", async () => {
    const page = await callWorker("/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toContain("text/html");
    const csp = page.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain("Commune points © GeoNames (geonames.org), licensed CC-BY 4.0.");
    const script = await callWorker("/docs/docs.js");
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('fetch("/openapi.json")');
  });
});
