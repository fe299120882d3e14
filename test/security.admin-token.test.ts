import { afterEach, describe, expect, it, vi } from "vitest";
import { constantTimeEqual, matchesAnySecret } from "../src/lib/constant-time.ts";
import { adminToken, authorization, createJob } from "./helpers/admin.ts";
import { callWorker } from "./helpers/worker.ts";

/** Everything a request printed, through every console level, as one string. */
async function printedDuring(run: () => Promise<Response>): Promise<{ printed: string; response: Response; exposed: string }> {
  const lines: string[] = [];
  const collect = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  for (const level of ["log", "info", "warn", "error", "debug"] as const) vi.spyOn(console, level).mockImplementation(collect);
  const response = await run();
  const body = await response.clone().text();
  vi.restoreAllMocks();
  return { printed: lines.join("\n"), response, exposed: `${response.status}\n${JSON.stringify([...response.headers])}\n${body}` };
}

/** The token and the parts of it an attacker could use: any 8-character window would narrow a brute force. */
function expectNoTrace(text: string, token: string) {
  expect(text).not.toContain(token);
  for (let start = 0; start + 8 <= token.length; start += 4) expect(text, `a fragment of the token: ${token.slice(start, start + 8)}`).not.toContain(token.slice(start, start + 8));
}

const admin = (path: string, init: RequestInit = {}, env: Record<string, string | undefined> = {}) => callWorker(`/v1/admin${path}`, init, env);

describe("the admin token never leaks", () => {
  afterEach(() => vi.restoreAllMocks());

  // A well-formed Bearer header with the wrong token is a 401; any other shape is a 400.
  it.each([
    ["a near-miss token", () => ({ Authorization: `Bearer ${adminToken()}x` }), 401],
    ["the token under another scheme", () => ({ Authorization: `Token ${adminToken()}` }), 400],
    ["the token after two spaces", () => ({ Authorization: `Bearer  ${adminToken()}` }), 400],
    ["the token followed by junk", () => ({ Authorization: `Bearer ${adminToken()} trailing` }), 400],
    ["the token in Basic credentials", () => ({ Authorization: `Basic ${adminToken()}` }), 400],
  ])("not when a call fails with %s", async (_, headers, status) => {
    const { printed, response, exposed } = await printedDuring(() => admin("/imports", { headers: headers() }));
    expect(response.status, exposed).toBe(status);
    expectNoTrace(printed, adminToken());
    expectNoTrace(exposed, adminToken());
  });

  it("not when an authenticated call fails on its input", async () => {
    const job = await createJob({ source: "security-token-leak" });
    const calls: Array<[() => Promise<Response>, number]> = [
      [() => admin("/imports", { method: "POST", headers: { ...authorization(), "Content-Type": "application/json" }, body: '{"format":"csv"' }), 400],
      [() => admin(`/imports/${crypto.randomUUID()}`, { headers: authorization() }), 404],
      [() => admin(`/imports/${job.id}/chunks/1`, { method: "PUT", headers: { ...authorization(), "Content-Type": "application/json" }, body: "{}" }), 415],
      [() => admin(`/imports/${job.id}/chunks/1`, { method: "PUT", headers: { ...authorization(), "Content-Type": "text/csv" }, body: '"unbalanced\n' }), 422],
      [() => admin(`/imports/not-a-uuid/commit`, { method: "POST", headers: authorization() }), 400],
    ];
    for (const [call, status] of calls) {
      const { printed, response, exposed } = await printedDuring(call);
      expect(response.status, exposed).toBe(status);
      expectNoTrace(printed, adminToken());
      expectNoTrace(exposed, adminToken());
    }
  });

  it("not when the database is unreachable during an authenticated call (503 and its log line)", async () => {
    const { printed, response, exposed } = await printedDuring(() => admin("/imports", { headers: authorization() }, { DATABASE_URL: "postgres://lieux:lieux@127.0.0.1:9/lieux" }));
    expect(response.status, exposed).toBe(503);
    expect(exposed).toContain('"code":"service_unavailable"');
    expect(printed).toContain('"status":503');
    expectNoTrace(printed, adminToken());
    expectNoTrace(exposed, adminToken());
  });

  it("not in the configuration error when ADMIN_TOKEN is malformed elsewhere in the env", async () => {
    const { printed, response, exposed } = await printedDuring(() => admin("/imports", { headers: authorization() }, { RATE_LIMIT_PER_MINUTE: "not-a-number" }));
    expect(response.status, exposed).toBe(503);
    expect(exposed).toContain('"code":"configuration_error"');
    expect(exposed).toContain("RATE_LIMIT_PER_MINUTE");
    expectNoTrace(printed, adminToken());
    expectNoTrace(exposed, adminToken());
  });
});

describe("the token comparison runs in constant time", () => {
  afterEach(() => vi.restoreAllMocks());

  it("compares two 32-byte digests whatever the lengths, so neither length nor first difference shows in the timing", async () => {
    const compare = vi.spyOn(crypto.subtle, "timingSafeEqual");
    for (const [candidate, expected] of [["a", "a-much-longer-secret-value-0123456789"], ["", "x"], ["x".repeat(512), "y"], ["same", "same"]] as const) {
      await constantTimeEqual(candidate, expected);
    }
    expect(compare).toHaveBeenCalledTimes(4);
    for (const [left, right] of compare.mock.calls) expect([(left as ArrayBuffer).byteLength, (right as ArrayBuffer).byteLength]).toEqual([32, 32]);
  });

  it("compares the candidate with every configured token, even after a match, so the match position does not show", async () => {
    const compare = vi.spyOn(crypto.subtle, "timingSafeEqual");
    expect(await matchesAnySecret("first", ["first", "second", "third"])).toBe(true);
    expect(compare).toHaveBeenCalledTimes(3);
  });

  it("is what the admin middleware uses: one digest comparison per configured token on every request", async () => {
    const compare = vi.spyOn(crypto.subtle, "timingSafeEqual");
    const tokens = { ADMIN_TOKEN: `${adminToken()},rotated-token-aaaaaaaaaaaa,rotated-token-bbbbbbbbbbbb` };
    for (const [candidate, status] of [[adminToken(), 200], ["wrong-token-cccccccccccc", 401]] as const) {
      compare.mockClear();
      expect((await admin("/imports", { headers: { Authorization: `Bearer ${candidate}` } }, tokens)).status, candidate).toBe(status);
      expect(compare).toHaveBeenCalledTimes(3);
    }
  });
});
