import { describe, expect, it } from "vitest";
import { authorization } from "./helpers/admin.ts";
import { callWorker } from "./helpers/worker.ts";

/** public/_headers is served by Workers static assets, which the test Worker does not serve: its text is checked instead. */
const STATIC_HEADERS = import.meta.glob<string>("../public/_header*", { query: "?raw", import: "default", eager: true })["../public/_headers"]!;

/** Every kind of response the Worker sends: success, cached, 304, validation error, auth error, unknown route, preflight, docs. */
const RESPONSES: Array<[string, string, RequestInit?]> = [
  ["autocomplete", "/v1/villes/autocomplete?q=nant"],
  ["listing", "/v1/villes?limit=2"],
  ["one commune", "/v1/villes/44109"],
  ["unknown commune (404)", "/v1/villes/99999"],
  ["reference list", "/v1/regions"],
  ["stats", "/v1/stats"],
  ["health", "/health"],
  ["OpenAPI document", "/openapi.json"],
  ["docs page", "/docs"],
  ["docs script", "/docs/docs.js"],
  ["docs style", "/docs/docs.css"],
  ["invalid parameter (400)", "/v1/villes/autocomplete?q="],
  ["unknown route (404)", "/nope"],
  ["wrong method (404)", "/v1/villes", { method: "DELETE" }],
  ["CORS preflight", "/v1/villes", { method: "OPTIONS", headers: { Origin: "https://example.org", "Access-Control-Request-Method": "GET" } }],
  ["admin without token (401)", "/v1/admin/imports"],
  ["admin with token", "/v1/admin/imports", { headers: authorization() }],
  ["admin malformed body (400)", "/v1/admin/imports", { method: "POST", headers: { ...authorization(), "Content-Type": "application/json" }, body: "{" }],
];

const directives = (policy: string) =>
  new Map(policy.split(";").map((directive) => directive.trim().split(/\s+/)).filter((parts) => parts[0]).map(([name, ...values]) => [name!, values]));

/** Strict: nothing by default, scripts and styles from this origin only, no inline code, no eval, no framing. */
function expectStrictPolicy(policy: string) {
  const parsed = directives(policy);
  expect(parsed.get("default-src")).toEqual(["'none'"]);
  expect(parsed.get("script-src")).toEqual(["'self'"]);
  expect(parsed.get("frame-ancestors")).toEqual(["'none'"]);
  expect(parsed.get("base-uri")).toEqual(["'none'"]);
  expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|data:.*script|\*|https?:/);
}

describe("security headers", () => {
  it.each(RESPONSES)("%s sends X-Content-Type-Options: nosniff", async (label, path, init) => {
    const response = await callWorker(path, init);
    // The kind of response the label names, not whatever came back
    const status = Number(/\((\d{3})\)$/.exec(label)?.[1] ?? (init?.method === "OPTIONS" ? 204 : 200));
    expect(response.status, `${label}: ${path}`).toBe(status);
    await response.arrayBuffer();
    expect(response.headers.get("X-Content-Type-Options"), `${path} → ${response.status}`).toBe("nosniff");
  });

  it("the bench's /ping sends nosniff too", async () => {
    const ping = await callWorker("/ping");
    expect(ping.status).toBe(200);
    expect(ping.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("a 304 Not Modified sends nosniff too", async () => {
    const first = await callWorker("/v1/villes/autocomplete?q=nantes");
    const etag = first.headers.get("ETag")!;
    const revalidated = await callWorker("/v1/villes/autocomplete?q=nantes", { headers: { "If-None-Match": etag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it.each(["/docs", "/docs/docs.js", "/docs/docs.css"])("%s sends a strict Content-Security-Policy", async (path) => {
    const response = await callWorker(path);
    expectStrictPolicy(response.headers.get("Content-Security-Policy") ?? "");
  });

  it("the demo page's static assets declare nosniff and a strict Content-Security-Policy for every path", () => {
    const lines = STATIC_HEADERS.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
    expect(lines[0]?.trim()).toBe("/*");
    const headers = new Map(lines.slice(1).map((line) => [line.slice(0, line.indexOf(":")).trim().toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expectStrictPolicy(headers.get("content-security-policy") ?? "");
  });
});
