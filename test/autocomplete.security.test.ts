import { describe, expect, it } from "vitest";
import { autocomplete } from "./helpers/autocomplete.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";
import { callWorker } from "./helpers/worker.ts";

describe("GET /v1/villes/autocomplete with hostile input", () => {
  it("treats SQL metacharacters as text and changes nothing", async () => {
    const before = await sqlOn(primaryUrl()).query("select count(*)::int as n from villes");
    for (const q of ["'; drop table villes; --", "paris' or '1'='1", "%", "_", "\\", "a%' --", "$1", "paris) union select 1--"]) {
      const response = await callWorker(`/v1/villes/autocomplete?${new URLSearchParams({ q })}`);
      expect([200, 400], q).toContain(response.status);
    }
    const after = await sqlOn(primaryUrl()).query("select count(*)::int as n from villes");
    expect(after).toEqual(before);
  });

  it("never lets a wildcard widen the match", async () => {
    const { body } = await autocomplete({ q: "pari%" });
    // "%" is a separator like any punctuation, not a LIKE wildcard: only names with a word starting "pari"
    expect(body.query.normalized).toBe("pari");
    expect(body.results.every((result) => /pari/i.test(result.nom))).toBe(true);
  });

  it("escapes HTML in highlights", async () => {
    const { body } = await autocomplete({ q: "<script>paris" });
    for (const result of body.results) expect(result.nom_highlight).not.toMatch(/<(?!\/?mark>)/);
  });

  it("allows cross-origin GETs without credentials and answers preflight", async () => {
    const response = await callWorker("/v1/villes/autocomplete?q=paris", { headers: { Origin: "https://example.org" } });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    const preflight = await callWorker("/v1/villes/autocomplete", {
      method: "OPTIONS",
      headers: { Origin: "https://example.org", "Access-Control-Request-Method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Methods")).toContain("GET");
    expect(Number(preflight.headers.get("Access-Control-Max-Age"))).toBeGreaterThan(0);
    expect(preflight.headers.get("Access-Control-Allow-Credentials")).toBeNull();
  });

  it("sets nosniff on every response", async () => {
    const response = await callWorker("/v1/villes/autocomplete?q=lyon");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
