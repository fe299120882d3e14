import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { authorization } from "./helpers/admin.ts";
import { callWorker } from "./helpers/worker.ts";

const ROUTES = [
  "/v1/villes/autocomplete?q=nant",
  "/v1/villes?limit=1",
  "/v1/villes/44109",
  "/v1/departements",
  "/v1/departements/44",
  "/v1/regions/52",
  "/v1/stats",
  "/v1/stats/regions",
  "/v1/villes/autocomplete?q=",
  "/v1/nope",
  "/v1/admin/imports",
  "/health",
  "/openapi.json",
  "/docs",
];

const origin = fc.oneof(
  fc.constantFrom("https://evil.example", "http://localhost:3000", "null", "https://lieux.example", "file://", "https://a.b.c.d.example:8443"),
  fc.webUrl({ withQueryParameters: false, withFragments: false }).map((url) => new URL(url).origin),
);

/** A browser sends cookies or an Authorization header cross-origin only when the response allows credentials and names the origin. */
function expectNoCredentials(response: Response, requestOrigin: string, label: string) {
  const allowOrigin = response.headers.get("Access-Control-Allow-Origin");
  expect(response.headers.get("Access-Control-Allow-Credentials"), label).toBeNull();
  expect([null, "*"], `${label}: Access-Control-Allow-Origin ${allowOrigin} for ${requestOrigin}`).toContain(allowOrigin);
  const allowHeaders = (response.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase();
  expect(allowHeaders, label).not.toMatch(/authorization|cookie/);
}

describe("CORS never allows credentials", () => {
  it("on any route, for any Origin, with or without credentials in the request", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), origin, fc.boolean(), async (path, requestOrigin, withCredentials) => {
        const headers: Record<string, string> = { Origin: requestOrigin };
        if (withCredentials) Object.assign(headers, authorization(), { Cookie: "session=secret" });
        const response = await callWorker(path, { headers });
        await response.arrayBuffer();
        expectNoCredentials(response, requestOrigin, `GET ${path}`);
      }),
      { numRuns: 150 },
    );
  });

  it("in preflights, even when the page asks for credentialed headers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), origin, fc.constantFrom("GET", "POST", "PUT", "DELETE"), async (path, requestOrigin, method) => {
        const response = await callWorker(path, {
          method: "OPTIONS",
          headers: { Origin: requestOrigin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization, cookie, content-type" },
        });
        await response.arrayBuffer();
        expectNoCredentials(response, requestOrigin, `OPTIONS ${path}`);
        const allowedMethods = response.headers.get("Access-Control-Allow-Methods") ?? "";
        expect(allowedMethods, path).not.toMatch(/POST|PUT|DELETE|PATCH/);
      }),
      { numRuns: 100 },
    );
  });

  it("sends no CORS header at all on admin routes, so no other origin can read them", async () => {
    const calls: RequestInit[] = [
      { headers: { Origin: "https://evil.example", ...authorization() } },
      { method: "OPTIONS", headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" } },
    ];
    for (const init of calls) {
      const response = await callWorker("/v1/admin/imports", init);
      expect([...response.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
    }
  });
});
