import { MeilisearchApiError, MeilisearchRequestError, MeilisearchRequestTimeOutError } from "meilisearch";
import { describe, expect, it } from "vitest";
import { isOutage } from "../src/lib/outage.ts";

/** What the drivers throw, built the way they build it (names and fields, not our own classes). */
const neonDbError = (message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), { name: "NeonDbError" }, fields);
const drizzleWrapped = (cause: unknown) => new Error("Failed query: select 1", { cause });
/** The client's own error classes, built as it builds them on an answer with that status. */
const meiliApiError = (status: number) => new MeilisearchApiError(new Response(null, { status, statusText: "status" }), { message: "meili", code: "internal", type: "internal", link: "" });

describe("isOutage: only a known outage is one", () => {
  it.each([
    ["SQLSTATE 08006 (connection failure)", drizzleWrapped(neonDbError("terminating", { code: "08006" }))],
    ["SQLSTATE 53300 (too many connections)", neonDbError("too many clients", { code: "53300" })],
    ["SQLSTATE 57P01 (admin shutdown)", neonDbError("terminating connection due to administrator command", { code: "57P01" })],
    ["a fetch to the Neon endpoint that failed", drizzleWrapped(neonDbError("Error connecting to database: TypeError: fetch failed", { sourceError: new TypeError("fetch failed") }))],
    ["a 502 from the Neon endpoint", neonDbError("Server error (HTTP status 502): upstream")],
    ["a refused socket", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    ["a reset socket", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["a broken pipe", Object.assign(new Error("write EPIPE"), { code: "EPIPE" })],
    ["workerd's lost connection", new Error("Network connection lost.")],
    ["our own deadline", new DOMException("The operation was aborted due to timeout", "TimeoutError")],
    ["Meilisearch unreachable", new MeilisearchRequestError("http://127.0.0.1:7700/multi-search", new Error("socket hang up"))],
    ["Meilisearch past the client's timeout", new MeilisearchRequestTimeOutError(500, { method: "POST" })],
    ["Meilisearch 503", meiliApiError(503)],
  ])("%s is an outage", (_, error) => {
    expect(isOutage(error)).toBe(true);
  });

  it.each([
    ["a TypeError in a handler", new TypeError("Cannot read properties of undefined (reading 'nom')")],
    ["a SyntaxError", new SyntaxError("Unexpected token < in JSON")],
    ["SQLSTATE 42P01 (undefined table)", drizzleWrapped(neonDbError('relation "x" does not exist', { code: "42P01" }))],
    ["SQLSTATE 23505 (unique violation)", neonDbError("duplicate key", { code: "23505" })],
    ["SQLSTATE 22P02 (bad input)", neonDbError("invalid input syntax", { code: "22P02" })],
    ["a 4xx from the Neon endpoint", neonDbError("Server error (HTTP status 401): unauthorized")],
    ["Meilisearch 400 (our request)", meiliApiError(400)],
    ["a thrown string", "boom"],
    ["undefined", undefined],
  ])("%s is not an outage", (_, error) => {
    expect(isOutage(error)).toBe(false);
  });
});
