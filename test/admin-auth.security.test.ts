import { afterEach, describe, expect, it, vi } from "vitest";
import { constantTimeEqual, matchesAnySecret } from "../src/lib/constant-time.ts";
import { admin, adminToken, type ErrorResponseBody } from "./helpers/admin.ts";
import { callWorker } from "./helpers/worker.ts";

const LIST = "/v1/admin/imports";
const call = (headers: Record<string, string>, envOverrides: Record<string, string | undefined> = {}) => callWorker(LIST, { headers }, envOverrides);

async function expectError(response: Response, status: number, code: string): Promise<ErrorResponseBody> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  const body = JSON.parse(text) as ErrorResponseBody;
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBe(response.headers.get("X-Request-Id"));
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  return body;
}

describe("admin authentication", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers 401 with a Bearer challenge when the header is missing", async () => {
    const response = await call({});
    await expectError(response, 401, "unauthorized");
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="lieux-admin"');
  });

  it("answers 401 to a wrong token, and never echoes it", async () => {
    const wrong = "wrong-token-SHOULD-NOT-ECHO-4f1c";
    const response = await call({ Authorization: `Bearer ${wrong}` });
    const headers = JSON.stringify([...response.headers]);
    const body = await expectError(response.clone(), 401, "unauthorized");
    expect(response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    expect(JSON.stringify(body) + headers).not.toContain(wrong);
  });

  it("answers 401 to a prefix, an extension and a case change of the real token", async () => {
    const token = adminToken();
    for (const near of [token.slice(0, -1), `${token}x`, token.toUpperCase()]) {
      await expectError(await call({ Authorization: `Bearer ${near}` }), 401, "unauthorized");
    }
  });

  it("accepts the real token, with the scheme in any case, and marks the response no-store", async () => {
    for (const scheme of ["Bearer", "bearer"]) {
      const response = await call({ Authorization: `${scheme} ${adminToken()}` });
      expect(response.status, await response.clone().text()).toBe(200);
      expect(response.headers.get("Cache-Control")).toBe("no-store");
    }
  });

  it("accepts every token of a rotation list", async () => {
    const env = { ADMIN_TOKEN: "old-token-aaaaaaaaaaaa, new-token-bbbbbbbbbbbb" };
    for (const token of ["old-token-aaaaaaaaaaaa", "new-token-bbbbbbbbbbbb"]) {
      expect((await call({ Authorization: `Bearer ${token}` }, env)).status).toBe(200);
    }
    await expectError(await call({ Authorization: `Bearer ${adminToken()}` }, env), 401, "unauthorized");
  });

  it.each([
    ["another scheme", "Basic dXNlcjpwYXNz"],
    ["no token", "Bearer"],
    ["an empty token", "Bearer "],
    ["two spaces", `Bearer  ${"t".repeat(20)}`],
    ["a space inside the token", "Bearer abc def"],
    ["a tab inside the token", "Bearer abc\tdef"],
    ["a non-ASCII token", "Bearer tökén"],
    ["an oversized token", `Bearer ${"a".repeat(600)}`],
  ])("answers 400 to a malformed header: %s", async (_, header) => {
    const response = await call({ Authorization: header });
    await expectError(response, 400, "bad_request");
    expect(response.headers.get("WWW-Authenticate")).toContain('error="invalid_request"');
  });

  it("answers 503 configuration_error when no ADMIN_TOKEN is configured", async () => {
    for (const value of [undefined, "", " , "]) {
      await expectError(await call({ Authorization: `Bearer ${adminToken()}` }, { ADMIN_TOKEN: value }), 503, "configuration_error");
    }
  });

  it("logs failed attempts with the reason and request id, never the token", async () => {
    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((line: string) => void warnings.push(String(line)));
    const secret = "leaked-if-logged-7d2e";
    const response = await call({ Authorization: `Bearer ${secret}` });
    const line = warnings.map((entry) => JSON.parse(entry)).find((entry) => entry.message === "admin authentication failed");
    expect(line).toMatchObject({ reason: "invalid_token", requestId: response.headers.get("X-Request-Id"), path: LIST });
    expect(warnings.join("\n")).not.toContain(secret);
    expect(warnings.join("\n")).not.toContain(adminToken());
  });

  it("guards every admin route, including unknown ones", async () => {
    const id = crypto.randomUUID();
    for (const [method, path] of [
      ["POST", "/imports"],
      ["GET", `/imports/${id}`],
      ["PUT", `/imports/${id}/chunks/1`],
      ["POST", `/imports/${id}/commit`],
      ["GET", "/no-such-route"],
    ] as const) {
      const response = await callWorker(`/v1/admin${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });

  it("sends no CORS headers on admin routes", async () => {
    const response = await admin("/imports", { headers: { Origin: "https://example.org" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("constant-time comparison", () => {
  it("is true for equal strings and false otherwise, whatever the lengths", async () => {
    expect(await constantTimeEqual("s3cret-token", "s3cret-token")).toBe(true);
    expect(await constantTimeEqual("s3cret-token", "s3cret-tokeN")).toBe(false);
    expect(await constantTimeEqual("s3cret-token", "s3cret-token-longer")).toBe(false);
    expect(await constantTimeEqual("", "s3cret-token")).toBe(false);
    expect(await constantTimeEqual("", "")).toBe(true);
  });

  it("matches any of several secrets", async () => {
    expect(await matchesAnySecret("b", ["a", "b", "c"])).toBe(true);
    expect(await matchesAnySecret("d", ["a", "b", "c"])).toBe(false);
    expect(await matchesAnySecret("a", [])).toBe(false);
  });
});

describe("the OpenAPI document", () => {
  it("lists the admin routes behind the bearer scheme", async () => {
    const document = (await (await callWorker("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
      components: { securitySchemes?: Record<string, { type: string; scheme: string }> };
    };
    expect(document.components.securitySchemes?.adminBearer).toMatchObject({ type: "http", scheme: "bearer" });
    const operations = [
      ["/v1/admin/imports", "post"],
      ["/v1/admin/imports", "get"],
      ["/v1/admin/imports/{id}", "get"],
      ["/v1/admin/imports/{id}/chunks/{n}", "put"],
      ["/v1/admin/imports/{id}/commit", "post"],
    ] as const;
    for (const [path, method] of operations) expect(document.paths[path]?.[method]?.security, `${method} ${path}`).toEqual([{ adminBearer: [] }]);
  });
});
