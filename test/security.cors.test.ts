import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { authorization } from "./helpers/admin.ts";
import { callWorker } from "./helpers/worker.ts";

/** Each route and the CORS it grants any origin: the public API to all, admin and service routes to none. */
const ROUTES: Record<string, "public" | "none"> = {
  "/v1/villes/autocomplete?q=nant": "public",
  "/v1/villes?limit=1": "public",
  "/v1/villes/44109": "public",
  "/v1/departements": "public",
  "/v1/departements/44": "public",
  "/v1/regions/52": "public",
  "/v1/stats": "public",
  "/v1/stats/regions": "public",
  "/v1/villes/autocomplete?q=": "public",
  "/v1/nope": "public",
  "/v1/admin/imports": "none",
  "/health": "none",
  "/openapi.json": "none",
  "/docs": "none",
};
const PATHS = Object.keys(ROUTES);

const origin = fc.oneof(
  fc.constantFrom("https://evil.example", "http://localhost:3000", "null", "https://lieux.example", "file://", "https://a.b.c.d.example:8443"),
  fc.webUrl({ withQueryParameters: false, withFragments: false }).map((url) => new URL(url).origin),
);

/** A browser sends cookies or an Authorization header cross-origin only when the response allows credentials and names the origin. */
function expectNoCredentials(response: Response, path: string, requestOrigin: string, label: string) {
  expect(response.headers.get("Access-Control-Allow-Credentials"), label).toBeNull();
  // "*" never names the origin, so a browser never sends credentials with it
  expect(response.headers.get("Access-Control-Allow-Origin"), `${label} for ${requestOrigin}`).toBe(ROUTES[path] === "public" ? "*" : null);
}

describe("CORS never allows credentials", () => {
  it("on any route, for any Origin, with or without credentials in the request", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), origin, fc.boolean(), async (path, requestOrigin, withCredentials) => {
        const headers: Record<string, string> = { Origin: requestOrigin };
        if (withCredentials) Object.assign(headers, authorization(), { Cookie: "session=secret" });
        const response = await callWorker(path, { headers });
        await response.arrayBuffer();
        expectNoCredentials(response, path, requestOrigin, `GET ${path}`);
      }),
      { numRuns: 150 },
    );
  });

  it("in preflights, even when the page asks for credentialed headers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), origin, fc.constantFrom("GET", "POST", "PUT", "DELETE"), async (path, requestOrigin, method) => {
        const response = await callWorker(path, {
          method: "OPTIONS",
          headers: { Origin: requestOrigin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization, cookie, content-type" },
        });
        await response.arrayBuffer();
        const label = `OPTIONS ${path} asking ${method}`;
        expectNoCredentials(response, path, requestOrigin, label);
        // Read-only methods, and only the one header a cache revalidation needs: never Authorization or Cookie.
        const granted = ROUTES[path] === "public" ? { methods: "GET,HEAD,OPTIONS", headers: "If-None-Match" } : { methods: null, headers: null };
        expect(response.headers.get("Access-Control-Allow-Methods"), label).toBe(granted.methods);
        expect(response.headers.get("Access-Control-Allow-Headers"), label).toBe(granted.headers);
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
