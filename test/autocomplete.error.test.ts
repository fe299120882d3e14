import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

type ErrorBody = { error: { code: string; message: string; details?: Array<{ field: string; message: string }>; requestId: string } };

async function expectBadRequest(query: string, field: string) {
  const response = await callWorker(`/v1/villes/autocomplete?${query}`);
  expect(response.status, query).toBe(400);
  const body = (await response.json()) as ErrorBody;
  expect(body.error.code).toBe("invalid_parameter");
  expect(body.error.requestId).toBe(response.headers.get("X-Request-Id"));
  expect(body.error.details?.map((detail) => detail.field).join(","), query).toContain(field);
  return body;
}

describe("GET /v1/villes/autocomplete rejects bad input with a 400 in the error shape", () => {
  it.each([
    ["missing q", "", "q"],
    ["empty q", "q=", "q"],
    ["whitespace-only q", "q=%20%20%20", "q"],
    ["101-character q", `q=${"a".repeat(101)}`, "q"],
    ["NUL byte", "q=par%00is", "q"],
    ["control character", "q=par%07is", "q"],
    ["only emoji", "q=%F0%9F%8F%96%EF%B8%8F", "q"],
    ["only punctuation", "q=%27-%27", "q"],
    ["limit=0", "q=paris&limit=0", "limit"],
    ["limit=abc", "q=paris&limit=abc", "limit"],
    ["limit=1000", "q=paris&limit=1000", "limit"],
    ["limit=1.5", "q=paris&limit=1.5", "limit"],
    ["limit=-1", "q=paris&limit=-1", "limit"],
    ["unknown département", "q=paris&departement=ZZ", "departement"],
    ["bad région", "q=paris&region=abc", "region"],
    ["unknown type", "q=paris&type=village", "type"],
  ])("%s", async (_name, query, field) => {
    await expectBadRequest(query, field);
  });

  it("names an unknown parameter in details", async () => {
    const body = await expectBadRequest("q=paris&foo=1&bar=2", "foo");
    expect(JSON.stringify(body.error.details)).toContain("bar");
  });

  it("accepts exactly 100 characters", async () => {
    const response = await callWorker(`/v1/villes/autocomplete?q=${"a".repeat(100)}`);
    expect(response.status).toBe(200);
  });

  it("reads malformed percent-encoding and lone surrogates as the literal text, never a 500", async () => {
    // What cannot be decoded stays as sent; its letters and digits are then searched like any others.
    for (const [query, normalized] of [["q=%E0%A4%A", "e0 a4 a"], ["q=%ED%A0%80", "ed a0 80"], ["q=%FF%FE", "ff fe"], ["q=paris%", "paris"]]) {
      const response = await callWorker(`/v1/villes/autocomplete?${query}`);
      const text = await response.text();
      expect(response.status, `${query} ${text}`).toBe(200);
      expect((JSON.parse(text) as { query: { normalized: string } }).query.normalized, query).toBe(normalized);
    }
    // A lone "%" is nothing but punctuation.
    await expectBadRequest("q=%", "q");
  });
});
