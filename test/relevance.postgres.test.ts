import { describe, expect, it } from "vitest";
import { autocomplete } from "./helpers/autocomplete.ts";
import { RELEVANCE_CASES } from "./relevance/cases.ts";
import { expectRelevant, type RankedVille } from "./relevance/check.ts";

/** The engine itself answers: no cache tier in front, no Meilisearch even when the run has one. */
const POSTGRES_UNCACHED = { MEILISEARCH_HOST: undefined, CACHE_L0: "off", CACHE_L1: "off", UPSTASH_REDIS_REST_URL: undefined };

describe("relevance of the Postgres engine through GET /v1/villes/autocomplete (issue 18)", () => {
  it("has at least 100 cases, each stating the rule it checks", () => {
    expect(RELEVANCE_CASES.length).toBeGreaterThanOrEqual(100);
    expect(RELEVANCE_CASES.filter((testCase) => testCase.rule.length < 20)).toEqual([]);
  });

  for (const testCase of RELEVANCE_CASES) {
    it(`${testCase.rule}: ${JSON.stringify(testCase.q)} → ${JSON.stringify(testCase.expect)}`, async () => {
      const params = { q: testCase.q, limit: String(testCase.limit ?? 10) };
      const { response, body } = await autocomplete(params, POSTGRES_UNCACHED);
      expect(response.headers.get("X-Search-Backend")).toBe("postgres");
      expectRelevant(testCase, body.results as unknown as RankedVille[]);
    });
  }
});
