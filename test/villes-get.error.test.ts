import { describe, expect, it } from "vitest";
import { expectInvalidParameter, type ErrorBody } from "./helpers/pages.ts";
import { callWorker } from "./helpers/worker.ts";

async function expectNotFound(path: string): Promise<void> {
  const response = await callWorker(path);
  const text = await response.text();
  expect(response.status, text).toBe(404);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code).toBe("not_found");
  expect(body.error.requestId).toBe(response.headers.get("X-Request-Id"));
}

describe("GET /v1/villes/{code_insee} errors", () => {
  it("answers 404 for a well-formed code that does not exist", async () => {
    await expectNotFound("/v1/villes/99999");
    // the synthetic code space imports use (a letter, then four base-36 characters)
    await expectNotFound("/v1/villes/Z0ZZZ");
  });

  it("answers 404 when the code exists but not with the requested type", async () => {
    await expectNotFound("/v1/villes/75056?type=commune-deleguee");
  });

  it.each(["abc", "7505", "750560", "2C004", "AUTOCOMPLETES", "75056%27%20OR%201=1--"])("answers 400 for the malformed code %s", async (code) => {
    await expectInvalidParameter(await callWorker(`/v1/villes/${code}`), "code_insee");
  });

  it("answers 400 for an unknown type or an unknown parameter", async () => {
    await expectInvalidParameter(await callWorker("/v1/villes/75056?type=ville"), "type");
    await expectInvalidParameter(await callWorker("/v1/villes/75056?foo=1"), "foo");
  });
});
