import { afterEach, describe, expect, it, vi } from "vitest";
import { freshCaches } from "./helpers/cache.ts";
import { callWorker } from "./helpers/worker.ts";

// A handler bug: the query module throws what a programming error throws. vi.mock replaces
// the module for this test file's Worker only; nothing of it ships in the bundle.
vi.mock("../src/lib/db/queries/ville-by-code.ts", () => ({
  findVilleByCode: async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'nom')");
  },
}));

describe("a bug in a handler", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers 500 internal_error, never 503, and logs the stack at error level with the request id", async () => {
    await freshCaches(["ville"]);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const response = await callWorker("/v1/villes/35238");
    expect(response.status).toBe(500);
    expect(response.headers.get("Retry-After")).toBeNull();
    const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe("internal_error");
    expect(body.error.message).not.toMatch(/unreachable|TypeError|undefined/);

    const lines = errors.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    const logged = lines.find((line) => line.requestId === body.error.requestId);
    expect(logged).toMatchObject({ level: "error", status: 500, errorName: "TypeError" });
    expect(String(logged!.stack)).toContain("TypeError: Cannot read properties of undefined");
  });
});
