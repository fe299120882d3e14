import { describe, expect, it } from "vitest";
import { autocomplete } from "./helpers/autocomplete.ts";
import { testEnv } from "./helpers/worker.ts";
import { RELEVANCE_CASES } from "./relevance/cases.ts";
import { expectRelevant, type RankedVille } from "./relevance/check.ts";

/**
 * The same cases as relevance.postgres, on a real Meilisearch (`MEILISEARCH_HOST=… npm test`,
 * indexed from the test database by the global setup). The recorded replay cannot serve
 * them: without MEILISEARCH_HOST they are skipped, and say so.
 */
const MEILISEARCH_UNCACHED = { CACHE_L0: "off", CACHE_L1: "off", UPSTASH_REDIS_REST_URL: undefined };

if (!testEnv.MEILISEARCH_HOST) console.warn("[relevance.meilisearch] SKIPPED, not passed: MEILISEARCH_HOST is not set, so no real Meilisearch server was tested");

describe.skipIf(!testEnv.MEILISEARCH_HOST)("relevance of the Meilisearch engine through GET /v1/villes/autocomplete (issue 18)", () => {
  for (const testCase of RELEVANCE_CASES) {
    // Listed as skipped, with the reason, rather than left out: the gap stays visible.
    const run = testCase.postgresOnly ? it.skip : it;
    const reason = testCase.postgresOnly ? ` [Postgres only: ${testCase.postgresOnly}]` : "";
    run(`${testCase.rule}: ${JSON.stringify(testCase.q)} → ${JSON.stringify(testCase.expect)}${reason}`, async () => {
      const { response, body } = await autocomplete({ q: testCase.q, limit: String(testCase.limit ?? 10) }, MEILISEARCH_UNCACHED);
      expect(response.headers.get("X-Search-Backend")).toBe("meilisearch");
      expectRelevant(testCase, body.results as unknown as RankedVille[]);
    });
  }
});
